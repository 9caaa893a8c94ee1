"""Teacher practice workflows: teachers, requests, bases, and request → accepted → served. Flush, never commit.

Every step of a request is an audit event and an in-app notification to the other side's organisation: the school
hears of acceptances, declines and completions; enterprises with a base that fits hear of new and withdrawn requests.
A decline is one enterprise's answer: it is recorded for that enterprise and the request stays open for the others.
"""

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from marketplace.audit.services import record
from marketplace.extensions import db
from marketplace.notifications import catalogue as kinds
from marketplace.notifications.services import notify
from marketplace.practice import queries
from marketplace.practice.models import PracticeBase, PracticeDecline, PracticeRequest, PracticeStatus, Teacher

BASE_FIELDS = ("name", "specialty", "city_id", "capacity", "available_from", "available_until", "mentor_name")


class PracticeError(ValueError):
    """A step the rules refuse; the message is a lazy msgid, translated where it is shown (`str(exc)`)."""


def _target(req: PracticeRequest) -> dict:
    return {"request_id": req.id}


def add_teacher(school_id: int, *, staff_no: str, name: str, specialty: str, actor) -> Teacher:
    teacher = Teacher(school_id=school_id, staff_no=staff_no, name=name, specialty=specialty)
    db.session.add(teacher)
    db.session.flush()
    record("teacher_added", teacher, actor=actor, staff_no=staff_no)
    return teacher


def update_teacher(teacher: Teacher, *, actor, **values) -> Teacher:
    changes = {k: [getattr(teacher, k), v] for k, v in values.items() if getattr(teacher, k) != v}
    for key, (_old, new) in changes.items():
        setattr(teacher, key, new)
    db.session.flush()
    record("teacher_updated", teacher, actor=actor, changes=changes)
    return teacher


def check_period(start: date, end: date, days: int | None = None) -> None:
    if end < start:
        raise PracticeError(_l("The period must end on or after its first day."))
    length = (end - start).days + 1
    if days is not None and not 1 <= days <= length:
        raise PracticeError(_l("The days of practice must be between 1 and the %(n)d days of the period.", n=length))


def file_request(
    teacher: Teacher, *, specialty: str, start: date, end: date, days: int, wanted_city_id: int | None, actor
) -> PracticeRequest:
    check_period(start, end, days)
    req = PracticeRequest(
        teacher=teacher, specialty=specialty, start_date=start, end_date=end, days=days, wanted_city_id=wanted_city_id
    )
    db.session.add(req)
    db.session.flush()
    record("practice_requested", req, actor=actor, teacher_id=teacher.id, start=start.isoformat(), end=end.isoformat())
    for enterprise_id in queries.enterprises_matching(req):
        notify(enterprise_id, kinds.PRACTICE_REQUESTED, _target(req), teacher=teacher.name, specialty=specialty,
               school=teacher.school.name, start=start, end=end)  # fmt: skip
    return req


def cancel(req: PracticeRequest, *, actor) -> PracticeRequest:
    _check_step(req, PracticeStatus.CANCELLED)
    req.status = PracticeStatus.CANCELLED
    record("practice_cancelled", req, actor=actor)
    for enterprise_id in queries.enterprises_matching(req):
        notify(enterprise_id, kinds.PRACTICE_CANCELLED, _target(req), school=req.teacher.school.name,
               teacher=req.teacher.name, start=req.start_date, end=req.end_date)  # fmt: skip
    return req


def create_base(enterprise_id: int, *, actor, mentor_title: str = "", **values) -> PracticeBase:
    _check_base(None, values)
    base = PracticeBase(enterprise_id=enterprise_id, mentor_title=mentor_title, **values)
    db.session.add(base)
    db.session.flush()
    record("practice_base_created", base, actor=actor, name=base.name, capacity=base.capacity)
    return base


def update_base(base: PracticeBase, *, actor, **values) -> PracticeBase:
    _check_base(base, values)
    changes = {k: [str(getattr(base, k)), str(v)] for k, v in values.items() if getattr(base, k) != v}
    for key, value in values.items():
        setattr(base, key, value)
    db.session.flush()
    record("practice_base_updated", base, actor=actor, changes=changes)
    return base


def _check_base(base: PracticeBase | None, values: dict) -> None:
    if not (values.get("mentor_name") or "").strip():
        raise PracticeError(_l("Name the mentor who guides the teachers (专人指导)."))
    check_period(values["available_from"], values["available_until"])
    if base is None:
        return
    _lock(PracticeBase, base.id)
    peak = queries.peak_load(base.id)
    if values["capacity"] < peak:
        raise PracticeError(_l("%(n)d teachers are already placed at this base at the same time.", n=peak))
    if queries.outside_availability(base.id, values["available_from"], values["available_until"]):
        raise PracticeError(_l("Accepted teachers' practice periods would fall outside the new availability."))


def accept(req: PracticeRequest, base: PracticeBase, *, actor) -> PracticeRequest:
    """Take the teacher onto one of the enterprise's bases, within its availability and capacity."""
    if base.enterprise_id != actor.organization_id:
        raise PracticeError(_l("Choose one of your own practice bases."))
    if not base.covers(req.start_date, req.end_date):
        raise PracticeError(
            _l(
                "The practice period %(start)s – %(end)s is outside the base's availability (%(first)s – %(last)s).",
                start=req.start_date,
                end=req.end_date,
                first=base.available_from,
                last=base.available_until,
            )
        )
    _check_step(req, PracticeStatus.ACCEPTED)
    if req.decline_of(actor.organization_id) is not None:
        raise PracticeError(_l("Your enterprise has declined this request and can no longer accept it."))
    _lock(PracticeBase, base.id)
    taken = queries.base_load(base.id, req.start_date, req.end_date, exclude_id=req.id)
    if taken >= base.capacity:
        raise PracticeError(
            _l(
                "%(base)s is full for this period: %(taken)d of its %(capacity)d places are held by teachers "
                "whose practice overlaps it.",
                base=base.name,
                taken=taken,
                capacity=base.capacity,
            )
        )
    req.status, req.base = PracticeStatus.ACCEPTED, base
    db.session.flush()
    record("practice_accepted", req, actor=actor, base_id=base.id)
    notify(req.teacher.school_id, kinds.PRACTICE_ACCEPTED, _target(req), enterprise=base.enterprise.name,
           teacher=req.teacher.name, base=base.name, start=req.start_date, end=req.end_date,
           mentor=base.mentor_name)  # fmt: skip
    return req


def decline(req: PracticeRequest, *, reason: str, actor) -> PracticeDecline:
    """The actor's enterprise says no, with a reason for the school; the request stays open for other enterprises."""
    _check_open(req)  # the row lock also queues two declines by the same enterprise
    enterprise_id = actor.organization_id
    if req.decline_of(enterprise_id) is not None:
        raise PracticeError(_l("Your enterprise has already declined this request."))
    decline = PracticeDecline(request=req, enterprise_id=enterprise_id, reason=reason, declined_by_id=actor.id)
    db.session.add(decline)
    db.session.flush()
    record("practice_declined", req, actor=actor, reason=reason, enterprise_id=enterprise_id)
    notify(req.teacher.school_id, kinds.PRACTICE_DECLINED, _target(req), enterprise=actor.organization.name,
           teacher=req.teacher.name, reason=reason)  # fmt: skip
    return decline


def complete(req: PracticeRequest, *, days_served: int, actor, on: date) -> PracticeRequest:
    """Record the practice as served: days served may not exceed the period's calendar days."""
    _check_step(req, PracticeStatus.COMPLETED)
    if not 0 <= days_served <= req.period_days:
        raise PracticeError(
            _l(
                "Days served cannot exceed the %(n)d days of the period %(start)s – %(end)s.",
                n=req.period_days,
                start=req.start_date,
                end=req.end_date,
            )
        )
    if on < req.start_date:
        raise PracticeError(_l("The practice has not started yet: it begins on %(d)s.", d=req.start_date))
    req.status, req.days_served = PracticeStatus.COMPLETED, days_served
    db.session.flush()
    record("practice_completed", req, actor=actor, days_served=days_served)
    notify(req.teacher.school_id, kinds.PRACTICE_COMPLETED, _target(req), enterprise=req.base.enterprise.name,
           days=days_served, teacher=req.teacher.name, base=req.base.name)  # fmt: skip
    return req


def _lock(model, object_id: int) -> None:
    """Row lock on PostgreSQL so concurrent steps queue; SQLite transactions are already serial (BEGIN IMMEDIATE)."""
    db.session.execute(sa.select(model.id).where(model.id == object_id).with_for_update())


def _check_step(req: PracticeRequest, status: PracticeStatus) -> None:
    """Check the step against the status as committed now (another user may have moved the request meanwhile)."""
    _lock_request(req)
    if not req.can_transition_to(status):
        raise PracticeError(_l("This request has moved on meanwhile and can no longer be changed this way."))


def _check_open(req: PracticeRequest) -> None:
    """A decline moves no status, but is only given while the request is open."""
    _lock_request(req)
    if req.status is not PracticeStatus.REQUESTED:
        raise PracticeError(_l("This request has moved on meanwhile and can no longer be changed this way."))


def _lock_request(req: PracticeRequest) -> None:
    """Hold the request's row until the commit, and read its status and declines as committed now."""
    db.session.refresh(req, ["status"], with_for_update=True)
    db.session.expire(req, ["declines"])
