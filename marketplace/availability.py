"""Who and what is still available to match: the rules every ranking, recommendation and allocation applies.

- An opening is available on a day when its plan is published, it has places left, it has not started (its start
  date is after that day) and its remaining period (end date − that day) is at least the alliance's minimum
  (`Alliance.min_remaining_days`, a charter parameter): the alliance in question, or, on a page without one, the
  largest minimum among the alliances the plan is published to (`DEFAULT_MIN_REMAINING_DAYS` if none).
- A student is taken for the period of an accepted offer: an open placement (待到岗 or 进行中; its end date, or the
  opening's if it has none), or an accepted nomination whose placement is missing. A closed placement (completed,
  left early) frees the student. An opening whose dates overlap a period of theirs (both ends count) is not for
  them, whatever its kind.

The rules are SQL, for queries that read thousands of rows at once: `available_openings` is a condition over
`Opening` joined to its `HiringPlan`; `taken_periods` returns the periods of many students in one query (the engine
removes the overlapping pairs: `matching.model.Graduate.busy`), and `free_during` is the same rule as a condition
over `Student`, for a pool of candidates for one opening.
"""

from collections.abc import Collection
from datetime import date, timedelta

import sqlalchemy as sa

from marketplace.alliances.models import Alliance
from marketplace.cohorts.models import Student
from marketplace.db import days_between
from marketplace.extensions import db
from marketplace.pipeline.models import Nomination, NominationStatus, Placement, PlacementStatus
from marketplace.plans.models import HiringPlan, Opening, PlanStatus, plan_alliances

__all__ = ["DEFAULT_MIN_REMAINING_DAYS", "available_openings", "free_during", "periods_ended", "taken_periods"]

DEFAULT_MIN_REMAINING_DAYS = 30
# Beyond this many students, one query for every taken period beats a long IN list (SQLite caps bound parameters).
_IN_LIST_LIMIT = 2_000


def available_openings(today: date, alliance: Alliance | None = None) -> sa.ColumnElement[bool]:
    """Openings (joined to their plan) available on `today`, by `alliance`'s minimum remaining period if given."""
    if alliance is not None:
        long_enough = Opening.end_date >= today + timedelta(days=alliance.min_remaining_days)
    else:
        largest = (
            sa.select(sa.func.max(Alliance.min_remaining_days))
            .join(plan_alliances, plan_alliances.c.alliance_id == Alliance.id)
            .where(plan_alliances.c.plan_id == Opening.plan_id)
            .scalar_subquery()
        )
        minimum = sa.func.coalesce(largest, DEFAULT_MIN_REMAINING_DAYS)
        long_enough = days_between(Opening.end_date, sa.literal(today, sa.Date)) >= minimum
    return sa.and_(
        HiringPlan.status == PlanStatus.PUBLISHED,
        Opening.filled < Opening.headcount,
        Opening.start_date > today,
        long_enough,
    )


def _open_placements() -> sa.Select:
    """(student id, first day, last day) of each open placement."""
    return (
        sa.select(
            Placement.student_id.label("student_id"),
            Placement.start_date.label("first_day"),
            sa.func.coalesce(Placement.end_date, Opening.end_date).label("last_day"),
        )
        .join(Opening, Opening.id == Placement.opening_id)
        .where(Placement.status == PlacementStatus.ONGOING)
    )


def _accepted_without_placement() -> sa.Select:
    """(student id, first day, last day) of each accepted nomination that has no placement (yet)."""
    return (
        sa.select(
            Nomination.student_id.label("student_id"),
            Opening.start_date.label("first_day"),
            Opening.end_date.label("last_day"),
        )
        .join(Opening, Opening.id == Nomination.opening_id)
        .where(
            Nomination.status == NominationStatus.ACCEPTED,
            ~sa.exists().where(Placement.nomination_id == Nomination.id),
        )
    )


def taken_periods(student_ids: Collection[int], since: date, session=None) -> dict[int, tuple[tuple[date, date], ...]]:
    """Student id → the periods they are taken for that end on `since` or later (earlier ones cannot overlap an
    available opening), sorted; students with none are absent. `session`: the request's by default."""
    if not student_ids:
        return {}
    wanted = set(student_ids)
    parts = []
    for part in (_open_placements(), _accepted_without_placement()):
        columns = part.selected_columns
        part = part.where(columns.last_day >= since)
        if len(wanted) <= _IN_LIST_LIMIT:
            part = part.where(columns.student_id.in_(sorted(wanted)))
        parts.append(part)
    found: dict[int, set[tuple[date, date]]] = {}
    for student_id, first, last in (session or db.session).execute(sa.union_all(*parts)):
        if student_id in wanted:
            found.setdefault(student_id, set()).add((first, last))
    return {s: tuple(sorted(periods)) for s, periods in found.items()}


def periods_ended(after: date, before: date, session=None) -> set[int]:
    """Students with a taken period whose last day is on `after` or later and before `before`: those whose
    `taken_periods` since `before` lost a period that `taken_periods` since `after` still held."""
    parts = []
    for part in (_open_placements(), _accepted_without_placement()):
        columns = part.selected_columns
        parts.append(part.where(columns.last_day >= after, columns.last_day < before))
    return {row[0] for row in (session or db.session).execute(sa.union_all(*parts))}


def free_during(first_day: date, last_day: date) -> sa.ColumnElement[bool]:
    """Students (a condition over `Student`) taken for no period overlapping `first_day`…`last_day`."""
    conditions = []
    for part in (_open_placements(), _accepted_without_placement()):
        columns = part.selected_columns
        overlapping = part.where(
            columns.student_id == Student.id, columns.first_day <= last_day, columns.last_day >= first_day
        )
        conditions.append(~overlapping.exists())
    return sa.and_(*conditions)
