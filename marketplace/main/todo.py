"""Each role's to-do list on its home page: counts that link to the work, from a few grouped count queries."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from marketplace.alliances.models import Alliance, Membership, MembershipStatus
from marketplace.allocations.models import AllocationRun, RunStatus
from marketplace.cohorts.models import Student
from marketplace.extensions import db
from marketplace.governance.models import Motion, MotionStatus
from marketplace.pipeline.models import Nomination, NominationStatus, Placement
from marketplace.pipeline.phase import due_to_close, starting_soon
from marketplace.plans.models import HiringPlan, Opening
from marketplace.risks import queries as risks

N = NominationStatus
PENDING_REVIEW = (MembershipStatus.APPLIED, MembershipStatus.UNDER_REVIEW, MembershipStatus.WITHDRAWAL_REQUESTED)


@dataclass(frozen=True)
class Todo:
    text: object
    count: int
    url: str


def _count_where(condition) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _nominations_by_status(side_condition, *joins) -> dict[NominationStatus, int]:
    query = sa.select(Nomination.status, sa.func.count()).select_from(Nomination)
    for target, on in joins:
        query = query.join(target, on)
    return dict(db.session.execute(query.where(side_condition).group_by(Nomination.status)).all())


def _placements_due(side_condition, today: date, *joins) -> tuple[int, int]:
    query = sa.select(_count_where(starting_soon(today)), _count_where(due_to_close(today))).select_from(Placement)
    for target, on in joins:
        query = query.join(target, on)
    soon, close = db.session.execute(query.where(side_condition)).one()
    return int(soon), int(close)


def school_todo(school_id: int, today: date) -> list[Todo]:
    student = (Student, Student.id == Nomination.student_id)
    by_status = _nominations_by_status(Student.school_id == school_id, student)
    soon, close = _placements_due(Student.school_id == school_id, today, (Student, Student.id == Placement.student_id))
    return [
        Todo(_l("Invitations waiting for your answer"), by_status.get(N.INVITED, 0),
             url_for("pipeline.nominations", status=N.INVITED.value)),
        Todo(_l("Offers to answer with the student"), by_status.get(N.OFFERED, 0),
             url_for("pipeline.nominations", status=N.OFFERED.value)),
        Todo(_l("Placements starting within 14 days"), soon, url_for("pipeline.placements", due="soon")),
        Todo(_l("Placements to close (past their end date)"), close, url_for("pipeline.placements", due="close")),
        Todo(_l("Risk warnings in internships"), len(risks.of_school(school_id, today)), url_for("risks.school_risks")),
    ]  # fmt: skip


def enterprise_todo(enterprise_id: int, today: date) -> list[Todo]:
    def plan_joins(target):
        return (Opening, Opening.id == target.opening_id), (HiringPlan, HiringPlan.id == Opening.plan_id)

    mine = HiringPlan.enterprise_id == enterprise_id
    by_status = _nominations_by_status(mine, *plan_joins(Nomination))
    soon, close = _placements_due(mine, today, *plan_joins(Placement))
    return [
        Todo(_l("Nominations to review"), by_status.get(N.NOMINATED, 0),
             url_for("pipeline.nominations", status=N.NOMINATED.value)),
        Todo(_l("Offers awaiting the student's answer"), by_status.get(N.OFFERED, 0),
             url_for("pipeline.nominations", status=N.OFFERED.value)),
        Todo(_l("Invitations waiting for the school"), by_status.get(N.INVITED, 0),
             url_for("pipeline.nominations", status=N.INVITED.value)),
        Todo(_l("Interns starting within 14 days"), soon, url_for("pipeline.roster", due="soon")),
        Todo(_l("Placements to close (past their end date)"), close, url_for("pipeline.roster", due="close")),
    ]  # fmt: skip


def _per_alliance(column, condition, ids: list[int]) -> dict[int, int]:
    return dict(
        db.session.execute(sa.select(column, sa.func.count()).where(column.in_(ids), condition).group_by(column)).all()
    )


def secretariat_todo(alliances: list[Alliance], today: date) -> list[tuple[Alliance, list[Todo]]]:
    ids = [a.id for a in alliances]
    reviews = _per_alliance(Membership.alliance_id, Membership.status.in_(PENDING_REVIEW), ids)
    runs = _per_alliance(AllocationRun.alliance_id, AllocationRun.status == RunStatus.PROPOSED, ids)
    motions = _per_alliance(Motion.alliance_id, Motion.status == MotionStatus.PENDING, ids)
    return [
        (a, [
            Todo(_l("Membership reviews pending"), reviews.get(a.id, 0), url_for("alliances.review", alliance_id=a.id)),
            Todo(_l("Allocation runs to decide"), runs.get(a.id, 0),
                 url_for("allocations.allocations", alliance_id=a.id)),
            Todo(_l("Council motions pending"), motions.get(a.id, 0),
                 url_for("governance.dashboard", alliance_id=a.id)),
            Todo(_l("Risk warnings in member schools' internships"),
                 len(risks.of_schools(risks.member_schools(a.id, today), today)),
                 url_for("risks.alliance_risks", alliance_id=a.id)),
        ])
        for a in alliances
    ]  # fmt: skip
