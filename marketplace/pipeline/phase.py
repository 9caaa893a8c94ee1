"""Where a placement stands today (到岗状态), derived from its dates: 待到岗 before the start date, 进行中 from it.

The stored `PlacementStatus` says only whether a placement is open or closed; an open one has not begun until its
start date. A 岗位实习 begins only with its recorded arrival (`Placement.arrived_on`), which the law's gates guard
(internships/gates.py): until then it stays 待到岗 whatever the date. The phase is computed, in Python for one
placement and in SQL for lists and filters, never stored.
"""

import enum
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from marketplace.i18n import register_labels
from marketplace.pipeline.models import Placement, PlacementStatus
from marketplace.plans.models import OpeningKind


class PlacementPhase(enum.StrEnum):
    STARTING = "starting"  # 待到岗: accepted, the start date is still ahead
    ONGOING = "ongoing"  # 进行中: from the start date until closed
    COMPLETED = "completed"
    LEFT_EARLY = "left_early"


register_labels(
    (PlacementPhase.STARTING, _l("Awaiting start")),
    (PlacementPhase.ONGOING, _l("Ongoing")),
    (PlacementPhase.COMPLETED, _l("Completed")),
    (PlacementPhase.LEFT_EARLY, _l("Left early")),
)

SOON = timedelta(days=14)  # "starting soon" on the to-do lists


def phase_of(placement: Placement, today: date) -> PlacementPhase:
    if placement.status is PlacementStatus.ONGOING:
        waiting = placement.start_date > today or (placement.needs_arrival and placement.arrived_on is None)
        return PlacementPhase.STARTING if waiting else PlacementPhase.ONGOING
    return PlacementPhase(placement.status.value)


def _waiting(today: date) -> sa.ColumnElement[bool]:
    return sa.or_(
        Placement.start_date > today,
        sa.and_(Placement.kind == OpeningKind.POST_INTERNSHIP, Placement.arrived_on.is_(None)),
    )


def phase_condition(phase: PlacementPhase, today: date) -> sa.ColumnElement[bool]:
    """SQL over `Placement`: placements in `phase` on day `today`."""
    if phase is PlacementPhase.STARTING:
        return sa.and_(Placement.status == PlacementStatus.ONGOING, _waiting(today))
    if phase is PlacementPhase.ONGOING:
        return sa.and_(Placement.status == PlacementStatus.ONGOING, ~_waiting(today))
    return Placement.status == PlacementStatus(phase.value)


def starting_soon(today: date) -> sa.ColumnElement[bool]:
    """Not started, and starting within `SOON`: the host and the school prepare the arrival."""
    return sa.and_(phase_condition(PlacementPhase.STARTING, today), Placement.start_date <= today + SOON)


def due_to_close(today: date) -> sa.ColumnElement[bool]:
    """Started and past its planned end date, yet still open: someone should record how it ended."""
    return sa.and_(
        phase_condition(PlacementPhase.ONGOING, today), Placement.end_date.is_not(None), Placement.end_date < today
    )


DUE = {"soon": starting_soon, "close": due_to_close}
