"""Reading teacher practice: the 6-months-in-5-years standing of a school's teachers in SQL, and the lists."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from marketplace.audit.models import AuditEvent
from marketplace.db import days_between
from marketplace.extensions import db
from marketplace.practice.models import (
    HOLDING_STATUSES,
    PracticeBase,
    PracticeDecline,
    PracticeRequest,
    PracticeStatus,
    Teacher,
)
from marketplace.practice.rules import REQUIRED_DAYS, practice_window


def credited_days(on: date):
    """Per record, the days that count in the window ending on `on` (rules.credited_days, in SQL)."""
    first, last = (sa.literal(d, sa.Date) for d in practice_window(on))
    r = PracticeRequest
    overlap_start = sa.case((r.start_date > first, r.start_date), else_=first)
    overlap_end = sa.case((r.end_date < last, r.end_date), else_=last)
    overlap = days_between(overlap_end, overlap_start) + 1
    period = days_between(r.end_date, r.start_date) + 1
    return sa.case((overlap > 0, r.days_served * overlap // period), else_=0)


def teacher_standing(school_id: int, on: date, *, short_only: bool = False) -> sa.Select:
    """(Teacher, days, shortfall) for each teacher of the school, fewest days first; aggregated by GROUP BY."""
    served = (
        sa.select(PracticeRequest.teacher_id, sa.func.sum(credited_days(on)).label("days"))
        .join(Teacher, Teacher.id == PracticeRequest.teacher_id)
        .where(
            Teacher.school_id == school_id,
            PracticeRequest.status == PracticeStatus.COMPLETED,
            PracticeRequest.days_served.is_not(None),
        )
        .group_by(PracticeRequest.teacher_id)
        .subquery()
    )
    days = sa.func.coalesce(served.c.days, 0)
    shortfall = sa.case((days < REQUIRED_DAYS, REQUIRED_DAYS - days), else_=0)
    query = (
        sa.select(Teacher, days.label("days"), shortfall.label("shortfall"))
        .outerjoin(served, served.c.teacher_id == Teacher.id)
        .where(Teacher.school_id == school_id)
        .order_by(days, Teacher.name, Teacher.id)
    )
    return query.where(days < REQUIRED_DAYS) if short_only else query


def short_teachers(school_id: int, on: date) -> list[tuple[Teacher, int, int]]:
    """The school's teachers short of the rule on `on`, with their days and shortfall."""
    return [tuple(row) for row in db.session.execute(teacher_standing(school_id, on, short_only=True))]


def standing_counts(school_id: int, on: date) -> tuple[int, int]:
    """(teachers, of whom short) for the school."""
    standing = teacher_standing(school_id, on).subquery()
    row = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((standing.c.shortfall > 0, 1), else_=0)), 0))
    ).one()
    return int(row[0]), int(row[1])


def enterprises_matching(req: PracticeRequest) -> list[int]:
    """Enterprises with a base available for the request's period, in its wanted city, of a related specialty."""
    query = (
        sa.select(PracticeBase.enterprise_id)
        .where(
            PracticeBase.available_from <= req.start_date,
            PracticeBase.available_until >= req.end_date,
            sa.or_(
                PracticeBase.specialty.contains(req.specialty, autoescape=True),
                sa.literal(req.specialty).contains(PracticeBase.specialty),
            ),
        )
        .distinct()
    )
    if req.wanted_city_id:
        query = query.where(PracticeBase.city_id == req.wanted_city_id)
    return list(db.session.scalars(query))


def _with_people(query: sa.Select) -> sa.Select:
    return query.options(
        joinedload(PracticeRequest.teacher).joinedload(Teacher.school),
        joinedload(PracticeRequest.base).joinedload(PracticeBase.enterprise),
        joinedload(PracticeRequest.wanted_city),
    )


def school_requests(school_id: int, status: PracticeStatus | None = None) -> sa.Select:
    query = (
        sa.select(PracticeRequest)
        .join(Teacher, Teacher.id == PracticeRequest.teacher_id)
        .where(Teacher.school_id == school_id)
        .order_by(PracticeRequest.start_date.desc(), PracticeRequest.id.desc())
    )
    if status is not None:
        query = query.where(PracticeRequest.status == status)
    return _with_people(query)


def open_requests(specialty: str = "", city_id: int | None = None, *, enterprise_id: int | None = None) -> sa.Select:
    """Open requests, filtered by specialty text and wanted city (the matching issue ranks them later).

    With `enterprise_id`, the ones still open to that enterprise: those it declined are its answer given.
    """
    query = sa.select(PracticeRequest).where(PracticeRequest.status == PracticeStatus.REQUESTED)
    if enterprise_id is not None:
        query = query.where(
            ~sa.exists().where(
                PracticeDecline.request_id == PracticeRequest.id, PracticeDecline.enterprise_id == enterprise_id
            )
        )
    if specialty.strip():
        query = query.where(PracticeRequest.specialty.icontains(specialty.strip(), autoescape=True))
    if city_id:
        query = query.where(PracticeRequest.wanted_city_id == city_id)
    return _with_people(query.order_by(PracticeRequest.start_date, PracticeRequest.id))


def hosted_requests(enterprise_id: int) -> sa.Select:
    """Requests accepted onto the enterprise's bases, the ones still running first."""
    return _with_people(
        sa.select(PracticeRequest)
        .join(PracticeBase, PracticeBase.id == PracticeRequest.base_id)
        .where(PracticeBase.enterprise_id == enterprise_id, PracticeRequest.status.in_(HOLDING_STATUSES))
        .order_by(PracticeRequest.status, PracticeRequest.start_date.desc(), PracticeRequest.id.desc())
    )


def base_load(base_id: int, start: date, end: date, exclude_id: int | None = None) -> int:
    """Teachers accepted or served at a base in a period overlapping start…end."""
    return base_loads([base_id], start, end, exclude_id).get(base_id, 0)


def base_loads(base_ids: list[int], start: date, end: date, exclude_id: int | None = None) -> dict[int, int]:
    """`base_load` of many bases in one query: base id → teachers held (bases holding none are absent)."""
    query = (
        sa.select(PracticeRequest.base_id, sa.func.count())
        .where(
            PracticeRequest.base_id.in_(base_ids),
            PracticeRequest.status.in_(HOLDING_STATUSES),
            PracticeRequest.start_date <= end,
            PracticeRequest.end_date >= start,
        )
        .group_by(PracticeRequest.base_id)
    )
    if exclude_id is not None:
        query = query.where(PracticeRequest.id != exclude_id)
    return dict(db.session.execute(query).all())


def peak_load(base_id: int) -> int:
    """The most teachers held at the base on any one day (capacity may not drop below it).

    The busiest day is always the first day of some held period, so counting at each start is enough.
    """
    mine, other = sa.orm.aliased(PracticeRequest), sa.orm.aliased(PracticeRequest)
    per_start = (
        sa.select(sa.func.count().label("n"))
        .select_from(mine)
        .join(other, sa.and_(other.start_date <= mine.start_date, other.end_date >= mine.start_date))
        .where(
            mine.base_id == base_id,
            other.base_id == base_id,
            mine.status.in_(HOLDING_STATUSES),
            other.status.in_(HOLDING_STATUSES),
        )
        .group_by(mine.id)
        .subquery()
    )
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(per_start.c.n), 0)))


def outside_availability(base_id: int, available_from: date, available_until: date) -> int:
    """Accepted (not yet served) requests at the base whose period would fall outside the given availability."""
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            PracticeRequest.base_id == base_id,
            PracticeRequest.status == PracticeStatus.ACCEPTED,
            sa.or_(PracticeRequest.start_date < available_from, PracticeRequest.end_date > available_until),
        )
    )


def declines(request_ids: list[int]) -> dict[int, list[PracticeDecline]]:
    """Each request's declines with their enterprise, oldest first (one query for a page of requests)."""
    if not request_ids:
        return {}
    rows = db.session.scalars(
        sa.select(PracticeDecline)
        .where(PracticeDecline.request_id.in_(request_ids))
        .options(joinedload(PracticeDecline.enterprise))
        .order_by(PracticeDecline.declined_at, PracticeDecline.id)
    )
    found: dict[int, list[PracticeDecline]] = {}
    for decline in rows:
        found.setdefault(decline.request_id, []).append(decline)
    return found


def decline_reasons(request_ids: list[int]) -> dict[int, str]:
    """The reason of a request closed as DECLINED before migration 0009, from the audit log (one query for a page).

    Declines since then, and the old ones whose enterprise the migration found, are PracticeDecline rows instead.
    """
    if not request_ids:
        return {}
    events = db.session.execute(
        sa.select(AuditEvent.object_id, AuditEvent.details).where(
            AuditEvent.object_type == PracticeRequest.__tablename__,
            AuditEvent.action == "practice_declined",
            AuditEvent.object_id.in_(request_ids),
        )
    )
    return {object_id: (details or {}).get("reason", "") for object_id, details in events}
