"""Supply and demand (人才供求): openings' headcount against available graduates, by major and by occupation, and
why openings went unfilled.

- Demand of a half-year: the headcount of the alliance's openings starting in it (enterprise, city, kind filters).
  An opening that names several majors shares its headcount out over them in whole people (10 over 3 majors: 4, 3
  and 3; which major gets a remainder turns with the opening, so no major is favoured); one that names none is
  counted under "any major".
- Supply: students of the cohort the half-year's openings recruit — the cohort graduating that year for a first
  half-year, the next year's cohort for a second half-year (their final-year internships and offers) — at member
  schools (school, major filters), without an employment placement started before the half-year began. By
  occupation, supply counts the graduates whose major prepares for it.
- Unfilled openings: not started yet (still recruiting), or, once started short of its headcount: no candidate put
  forward (no nomination or invitation), offers declined (at least one), or not chosen (candidates were put
  forward, none declined, places remain).
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from marketplace.analytics.filters import Filters
from marketplace.analytics.period import Period
from marketplace.analytics.scope import alliance_plans, members_in
from marketplace.analytics.table import Chart, Column, Report, Table
from marketplace.cohorts.models import Cohort, Student
from marketplace.extensions import db
from marketplace.i18n import label
from marketplace.orgs.models import Organization
from marketplace.pipeline.models import Nomination, NominationStatus, Placement
from marketplace.plans.models import HiringPlan, Opening, OpeningKind, opening_majors
from marketplace.reference.models import Major, Occupation, major_occupations
from marketplace.timeutil import local_today

UNFILLED_SHOWN = 100


def openings_in(alliance_id: int, f: Filters, period: Period) -> sa.Select:
    """The alliance's openings that start in the period, narrowed by the enterprise, city and kind filters."""
    query = (
        sa.select(Opening.id)
        .join(HiringPlan, HiringPlan.id == Opening.plan_id)
        .where(HiringPlan.id.in_(alliance_plans(alliance_id)), Opening.start_date.between(period.start, period.end))
    )
    if f.enterprise_id is not None:
        query = query.where(HiringPlan.enterprise_id == f.enterprise_id)
    if f.city_id is not None:
        query = query.where(Opening.city_id == f.city_id)
    if f.kind is not None:
        query = query.where(Opening.kind == f.kind)
    return query


def available_graduates(alliance_id: int, f: Filters, period: Period) -> sa.Select:
    # NOT EXISTS, not NOT IN: PostgreSQL runs NOT IN over a large subquery row by row once it outgrows work_mem.
    employed = sa.exists().where(
        Placement.student_id == Student.id,
        Placement.kind == OpeningKind.EMPLOYMENT,
        Placement.start_date < period.start,
    )
    query = (
        sa.select(Student.id, Student.major_id)
        .join(Cohort, Cohort.id == Student.cohort_id)
        .where(
            Cohort.graduation_year == period.cohort_year,
            Student.school_id.in_(members_in(alliance_id, period)),
            ~employed,
        )
    )
    if f.school_id is not None:
        query = query.where(Student.school_id == f.school_id)
    if f.major_id is not None:
        query = query.where(Student.major_id == f.major_id)
    return query


def whole_share(n_majors: sa.ColumnElement) -> sa.ColumnElement:
    """An opening's headcount shared over its n majors in whole people: each gets headcount // n, and the
    headcount % n left over go one each to the majors whose turn it is (their rank, shifted by the opening's id)."""
    rank = sa.func.row_number().over(partition_by=opening_majors.c.opening_id, order_by=opening_majors.c.major_id) - 1
    turn = (rank + Opening.id) % n_majors
    base = (Opening.headcount - Opening.headcount % n_majors) // n_majors
    return base + sa.case((turn < Opening.headcount % n_majors, 1), else_=0)


def _by_major(alliance_id: int, f: Filters, period: Period) -> list[tuple]:
    ids = openings_in(alliance_id, f, period).subquery()
    n_majors = (
        sa.select(opening_majors.c.opening_id, sa.func.count().label("n"))
        .where(opening_majors.c.opening_id.in_(sa.select(ids.c.id)))
        .group_by(opening_majors.c.opening_id)
        .subquery()
    )
    shares = (
        sa.select(opening_majors.c.major_id, whole_share(n_majors.c.n).label("share"))
        .join(Opening, Opening.id == opening_majors.c.opening_id)
        .join(n_majors, n_majors.c.opening_id == Opening.id)
        .subquery()
    )
    demand = dict(db.session.execute(
        sa.select(shares.c.major_id, sa.func.sum(shares.c.share)).group_by(shares.c.major_id)
    ).all())  # fmt: skip
    demand = {major: int(n) for major, n in demand.items()}
    anyone = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Opening.headcount), 0)).where(
            Opening.id.in_(sa.select(ids.c.id)), Opening.id.not_in(sa.select(n_majors.c.opening_id))
        )
    )
    grads = available_graduates(alliance_id, f, period).subquery()
    supply = dict(db.session.execute(
        sa.select(grads.c.major_id, sa.func.count()).group_by(grads.c.major_id)
    ).all())  # fmt: skip
    if f.major_id is not None:
        demand = {k: v for k, v in demand.items() if k == f.major_id}
    wanted = set(demand) | set(supply)
    names = dict(db.session.execute(sa.select(Major.id, Major.name).where(Major.id.in_(wanted))).all())
    rows = [(names[m], demand.get(m, 0), supply.get(m, 0), demand.get(m, 0) - supply.get(m, 0))
            for m in set(demand) | set(supply)]  # fmt: skip
    rows.sort(key=lambda r: (-r[3], r[0]))
    if anyone and f.major_id is None:
        rows.append((_l("Any major"), int(anyone), None, None))
    return rows


def _by_occupation(alliance_id: int, f: Filters, period: Period) -> list[tuple]:
    ids = openings_in(alliance_id, f, period)
    demand = db.session.execute(
        sa.select(Occupation.id, Occupation.code, Occupation.name, sa.func.sum(Opening.headcount))
        .join(Opening, Opening.occupation_id == Occupation.id)
        .where(Opening.id.in_(ids))
        .group_by(Occupation.id, Occupation.code, Occupation.name)
    ).all()
    grads = available_graduates(alliance_id, f, period).subquery()
    supply = dict(db.session.execute(
        sa.select(major_occupations.c.occupation_id, sa.func.count(sa.distinct(grads.c.id)))
        .join(grads, grads.c.major_id == major_occupations.c.major_id)
        .where(major_occupations.c.occupation_id.in_([d[0] for d in demand]))
        .group_by(major_occupations.c.occupation_id)
    ).all()) if demand else {}  # fmt: skip
    rows = [(name, code, int(n), supply.get(oid, 0), int(n) - supply.get(oid, 0)) for oid, code, name, n in demand]
    rows.sort(key=lambda r: (-r[4], r[0]))
    return rows


REASONS = {
    "open": _l("Not started yet, still recruiting"),
    "none": _l("No candidate put forward"),
    "declined": _l("Offers declined"),
    "not_chosen": _l("Candidates not chosen"),
}


def _unfilled(alliance_id: int, f: Filters, period: Period) -> tuple[list[tuple], list[tuple]]:
    ids = openings_in(alliance_id, f, period)
    put_forward = sa.exists().where(Nomination.opening_id == Opening.id)
    declined = sa.exists().where(Nomination.opening_id == Opening.id, Nomination.status == NominationStatus.DECLINED)
    reason = sa.case(
        (Opening.start_date > local_today(), "open"),
        (~put_forward, "none"),
        (declined, "declined"),
        else_="not_chosen",
    ).label("reason")
    placed = sa.select(sa.func.count()).where(Placement.opening_id == Opening.id).correlate(Opening).scalar_subquery()
    missing = (Opening.headcount - placed).label("missing")
    unfilled = sa.select(Opening.id, reason, missing).where(Opening.id.in_(ids), Opening.headcount > placed).subquery()
    summary = db.session.execute(
        sa.select(unfilled.c.reason, sa.func.count(), sa.func.sum(unfilled.c.missing)).group_by(unfilled.c.reason)
    ).all()
    by_reason = {r: (n, int(m)) for r, n, m in summary}
    summary_rows = [(REASONS[r], *by_reason.get(r, (0, 0))) for r in REASONS]
    listing = db.session.execute(
        sa.select(Organization.name, Opening.title, Opening.kind, Opening.start_date, Opening.headcount,
                  unfilled.c.missing, unfilled.c.reason)
        .join(Opening, Opening.id == unfilled.c.id)
        .join(HiringPlan, HiringPlan.id == Opening.plan_id)
        .join(Organization, Organization.id == HiringPlan.enterprise_id)
        .order_by(unfilled.c.missing.desc(), Opening.id)
    ).all()  # fmt: skip
    rows = [(e, t, label(k), d, h, m, REASONS[r]) for e, t, k, d, h, m, r in listing]
    return summary_rows, rows


def build(alliance, f: Filters) -> Report:
    period = f.period
    majors = _by_major(alliance.id, f, period)
    occupations = _by_occupation(alliance.id, f, period)
    reasons, unfilled = _unfilled(alliance.id, f, period)
    gap_columns = [Column(_l("Demand (headcount)")), Column(_l("Available graduates")),
                   Column(_l("Shortage (+) / surplus (−)"))]  # fmt: skip
    short_majors = [i for i, r in enumerate(majors) if r[3] is not None and r[3] > 0]
    short_occupations = [i for i, r in enumerate(occupations) if r[4] > 0]
    return Report(
        name="supply",
        title=_l("Supply and demand"),
        definitions=[
            _l("Demand: headcount of the alliance's openings starting in the half-year; an opening naming several "
               "majors shares its headcount out over them in whole people."),
            _l("Available graduates: the cohort the half-year recruits (graduating that year for a first half-year, "
               "the next year for a second) at member schools, without an employment placement started before the "
               "half-year. By occupation: those whose major prepares for it."),
            _l("Rows in red: demand exceeds supply (shortage)."),
        ],
        tables=[
            Table("majors", _l("By major"), [Column(_l("Major"), "text"), *gap_columns], majors,
                  Chart("bar", (1, 2), highlight=short_majors)),
            Table("occupations", _l("By occupation"),
                  [Column(_l("Occupation"), "text"), Column(_l("Code"), "text"), *gap_columns], occupations,
                  Chart("bar", (2, 3), highlight=short_occupations)),
            Table("unfilled_reasons", _l("Why openings went unfilled"),
                  [Column(_l("Reason"), "text"), Column(_l("Openings")), Column(_l("Places unfilled"))], reasons,
                  Chart("pie", (2,))),
            Table("unfilled", _l("Unfilled openings"),
                  [Column(_l("Enterprise"), "text"), Column(_l("Opening"), "text"), Column(_l("Kind"), "text"),
                   Column(_l("Start date"), "date"), Column(_l("Headcount")), Column(_l("Places unfilled")),
                   Column(_l("Reason"), "text")], unfilled, page_limit=UNFILLED_SHOWN),
        ],
    )  # fmt: skip
