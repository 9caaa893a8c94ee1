"""Reading the pools: the expert list, and the teacher pool (教师库) drawn from member units' practice records."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from marketplace.alliances.models import Alliance, Membership, in_force_on
from marketplace.extensions import db
from marketplace.orgs.models import Organization
from marketplace.pools.models import Expert, ExpertStatus, GroupMember, SpecialtyGroup
from marketplace.practice.models import PracticeBase, PracticeRequest, PracticeStatus, Teacher
from marketplace.practice.queries import credited_days
from marketplace.timeutil import local_today

PAGE_SIZE = 50


def _members_in_force(alliance_id: int):
    return sa.select(Membership.organization_id).where(
        Membership.alliance_id == alliance_id, in_force_on(local_today())
    )


def member_units(alliance_id: int) -> list[Organization]:
    return list(
        db.session.scalars(
            sa.select(Organization)
            .where(Organization.id.in_(_members_in_force(alliance_id)))
            .order_by(Organization.name, Organization.id)
        )
    )


def experts(alliance: Alliance) -> list[Expert]:
    """All of the pool's entries, those awaiting review first; the view filters what a user may see."""
    query = sa.select(Expert).where(Expert.alliance_id == alliance.id).options(joinedload(Expert.organization))
    status_order = sa.case((Expert.status == ExpertStatus.PENDING, 0), (Expert.status == ExpertStatus.APPOINTED, 1))
    return list(db.session.scalars(query.order_by(sa.func.coalesce(status_order, 2), Expert.specialty, Expert.name)))


def _like(column, specialty: str):
    return column.icontains(specialty.strip(), autoescape=True)


def teachers(alliance_id: int, on: date, specialty: str = "", page: int = 1) -> tuple[list[tuple], int]:
    """(Teacher, credited practice days in the 5 years ending on `on`) of member schools in force, and the total."""
    served = (
        sa.select(PracticeRequest.teacher_id, sa.func.sum(credited_days(on)).label("days"))
        .join(Teacher, Teacher.id == PracticeRequest.teacher_id)
        .where(
            Teacher.school_id.in_(_members_in_force(alliance_id)),
            PracticeRequest.status == PracticeStatus.COMPLETED,
            PracticeRequest.days_served.is_not(None),
        )
        .group_by(PracticeRequest.teacher_id)
        .subquery()
    )
    where = [Teacher.school_id.in_(_members_in_force(alliance_id))]
    if specialty.strip():
        where.append(_like(Teacher.specialty, specialty))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Teacher).where(*where))
    rows = db.session.execute(
        sa.select(Teacher, sa.func.coalesce(served.c.days, 0))
        .outerjoin(served, served.c.teacher_id == Teacher.id)
        .where(*where)
        .options(joinedload(Teacher.school))
        .order_by(Teacher.specialty, Teacher.school_id, Teacher.name, Teacher.id)
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return [tuple(row) for row in rows], total


def mentors(alliance_id: int, specialty: str = "") -> list[PracticeBase]:
    """Enterprise mentors (企业兼职教师) named on member enterprises' practice bases."""
    query = (
        sa.select(PracticeBase)
        .where(PracticeBase.enterprise_id.in_(_members_in_force(alliance_id)))
        .options(joinedload(PracticeBase.enterprise))
        .order_by(PracticeBase.specialty, PracticeBase.mentor_name, PracticeBase.id)
    )
    if specialty.strip():
        query = query.where(_like(PracticeBase.specialty, specialty))
    return list(db.session.scalars(query))


def specialties(alliance_id: int) -> list[str]:
    """The specialties found among member schools' teachers and member enterprises' bases, for the filter."""
    members = _members_in_force(alliance_id)
    union = sa.union(
        sa.select(Teacher.specialty.label("s")).where(Teacher.school_id.in_(members)),
        sa.select(PracticeBase.specialty.label("s")).where(PracticeBase.enterprise_id.in_(members)),
    ).subquery()
    return list(db.session.scalars(sa.select(union.c.s).order_by(union.c.s)))


def groups(alliance_id: int) -> list[tuple[SpecialtyGroup, int]]:
    """The alliance's collaboration groups with their current headcount."""
    current = (
        sa.select(GroupMember.group_id, sa.func.count().label("n"))
        .where(GroupMember.left_on.is_(None))
        .group_by(GroupMember.group_id)
        .subquery()
    )
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(SpecialtyGroup, sa.func.coalesce(current.c.n, 0))
            .outerjoin(current, current.c.group_id == SpecialtyGroup.id)
            .where(SpecialtyGroup.alliance_id == alliance_id)
            .order_by(SpecialtyGroup.name)
        )
    ]
