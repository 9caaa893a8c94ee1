"""Teacher practice (教师企业实践): requests, days served, and teachers short of six months in five years, by school
and by specialty."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from marketplace.analytics.filters import Filters
from marketplace.analytics.scope import members_in
from marketplace.analytics.table import Chart, Column, Report, Table
from marketplace.extensions import db
from marketplace.orgs.models import Organization
from marketplace.practice.models import HOLDING_STATUSES, PracticeRequest, PracticeStatus, Teacher
from marketplace.practice.queries import credited_days
from marketplace.practice.rules import REQUIRED_DAYS


def _request_counts(period, group) -> sa.Select:
    """Requests starting in the half-year: filed, accepted (or served), served, days served."""
    r = PracticeRequest
    return (
        sa.select(
            group,
            sa.func.count(r.id),
            sa.func.coalesce(sa.func.sum(sa.case((r.status.in_(HOLDING_STATUSES), 1), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((r.status == PracticeStatus.COMPLETED, 1), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((r.status == PracticeStatus.COMPLETED, r.days_served), else_=0)), 0),
        )
        .join(Teacher, Teacher.id == r.teacher_id)
        .where(r.start_date.between(period.start, period.end))
        .group_by(group)
    )


def build(alliance, f: Filters) -> Report:
    period = f.period
    schools = members_in(alliance.id, period)
    served = (
        sa.select(PracticeRequest.teacher_id, sa.func.sum(credited_days(period.end)).label("days"))
        .where(PracticeRequest.status == PracticeStatus.COMPLETED, PracticeRequest.days_served.is_not(None))
        .group_by(PracticeRequest.teacher_id)
        .subquery()
    )
    short = sa.func.coalesce(served.c.days, 0) < REQUIRED_DAYS
    standing = (
        sa.select(Teacher.school_id, sa.func.count(Teacher.id), sa.func.sum(sa.case((short, 1), else_=0)))
        .outerjoin(served, served.c.teacher_id == Teacher.id)
        .where(Teacher.school_id.in_(schools))
        .group_by(Teacher.school_id)
    )
    if f.school_id is not None:
        standing = standing.where(Teacher.school_id == f.school_id)
    teachers = {sid: (n, int(s or 0)) for sid, n, s in db.session.execute(standing)}
    counts_q = _request_counts(period, Teacher.school_id).where(Teacher.school_id.in_(schools))
    if f.school_id is not None:
        counts_q = counts_q.where(Teacher.school_id == f.school_id)
    requests = {sid: rest for sid, *rest in db.session.execute(counts_q)}
    names = dict(db.session.execute(
        sa.select(Organization.id, Organization.name).where(Organization.id.in_(set(teachers) | set(requests)))
    ).all())  # fmt: skip
    by_school = []
    for sid in set(teachers) | set(requests):
        n, short_n = teachers.get(sid, (0, 0))
        filed, accepted, completed, days = requests.get(sid, (0, 0, 0, 0))
        by_school.append((names[sid], n, short_n, (n - short_n) / n if n else None, filed, accepted, completed,
                          int(days)))  # fmt: skip
    by_school.sort(key=lambda r: (-r[2], r[0]))

    spec_q = _request_counts(period, PracticeRequest.specialty).where(Teacher.school_id.in_(schools))
    if f.school_id is not None:
        spec_q = spec_q.where(Teacher.school_id == f.school_id)
    by_specialty = sorted(((s, n, a, c, int(d)) for s, n, a, c, d in db.session.execute(spec_q)),
                          key=lambda r: (-r[1], r[0]))  # fmt: skip
    footer = (_l("All schools"), *(sum(r[i] for r in by_school) for i in (1, 2)), None,
              *(sum(r[i] for r in by_school) for i in (4, 5, 6, 7)))  # fmt: skip
    total_teachers, total_short = footer[1], footer[2]
    footer = (*footer[:3], (total_teachers - total_short) / total_teachers if total_teachers else None, *footer[4:])
    request_columns = [Column(_l("Requests")), Column(_l("Accepted")), Column(_l("Served")), Column(_l("Days served"))]
    return Report(
        name="practice",
        title=_l("Teacher practice"),
        definitions=[
            _l("Teachers short: credited practice days in the five years ending with the half-year below %(days)d "
               "(six months in five years). Coverage: the share of teachers not short.", days=REQUIRED_DAYS),
            _l("Requests, acceptances and days served count the requests whose period starts in the half-year."),
        ],
        tables=[
            Table("schools", _l("By school"),
                  [Column(_l("School"), "text"), Column(_l("Teachers")), Column(_l("Teachers short")),
                   Column(_l("Coverage"), "pct"), *request_columns], by_school, Chart("bar", (1, 2)), footer=footer),
            Table("specialties", _l("By specialty"), [Column(_l("Specialty"), "text"), *request_columns],
                  by_specialty, Chart("bar", (1, 3))),
        ],
    )  # fmt: skip
