"""Outcomes: graduate destinations (毕业去向落实率, from the secretariat's snapshots of destination records), and the
internship placement rate with 专业对口, pay, early leavers, retention at 6 months from placements; by school, by
major, over time.

Graduate destinations come from `destinations.rates` on the latest snapshot of the half-year's cohort taken by its
end (and every snapshot of the last three cohorts for the trend): the official figure, as the school reports it.

Counting rules of the internship placement rate (shown on the page):
- Graduates of a half-year: students of the cohort the half-year is about (`Period.cohort_year`, as supply and
  demand count them): the cohort graduating that year for a first half-year (上半年: graduation and first jobs), the
  next year's cohort for a second half-year (下半年: final-year internships and offers), at the alliance's member
  schools in that half-year and at other schools whose students were placed in the alliance's openings by its end.
  The school and major filters narrow them. So a year's two half-years count two cohorts, and a cohort is seen at
  two cut-offs: 31 December before its graduation and 30 June of it.
- Placed: graduates with at least one placement started by the end of the half-year (a student placed twice counts
  once); the kind, enterprise and city filters narrow the placements.
- 专业对口: a placement whose opening asked for the graduate's major or whose occupation the major prepares for
  (the reviewed major → occupation table). The rate is over placements, not graduates.
- Early leavers: placements that ended early by the end of the half-year. Retention at 6 months: of placements that
  started by the end of the half-year before (six months or more before the end), the share not left within their
  first 183 days.
"""

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from marketplace.analytics.filters import Filters, period_label
from marketplace.analytics.period import Period
from marketplace.analytics.scope import alliance_plans, members_in
from marketplace.analytics.table import Chart, Column, Report, Table
from marketplace.cohorts.models import Cohort, Student
from marketplace.db import days_between
from marketplace.destinations.models import DestinationSnapshot
from marketplace.destinations.rates import Scope, snapshot_tables
from marketplace.extensions import db
from marketplace.orgs.models import Organization
from marketplace.pipeline.models import Placement, PlacementStatus
from marketplace.plans.models import HiringPlan, Opening, opening_majors
from marketplace.reference.models import Major, major_occupations

TREND_HALVES = 4
RETENTION_DAYS = 183
# The additive counts each grouping returns, in this order; rates are derived from them (so totals are exact).
COUNTS = ("graduates", "placed", "placements", "relevant", "pay_total", "early", "due6", "kept6")


def grouped(alliance_id: int, f: Filters, years: list[int]) -> list[tuple[tuple[int, int, int], list[dict]]]:
    """Two-level SQL: per graduate, then per (graduation year, school, major): the graduates and,
    for each of the cohort's two half-years (h = 0: the second half-year before graduation, 1: graduation's; see
    `Period.of_cohort`), the COUNTS of placements started by the end of that half, plus
    the placements into the alliance's openings (which make a non-member school part of the report).

    Graduates are outer-joined to their placements once, then the placements to their openings (not to a join of
    the two, which joins every placement of every cohort to its opening before the cohorts filter them out);
    relevance and "into the alliance's openings" are outer joins to unique keys (not a subquery per row); each
    half's cut-off is a date chosen by the cohort's year, so both halves come from one pass; the per-graduate level
    replaces COUNT(DISTINCT).
    """
    p, o, mo, om = Placement, Opening, major_occupations, opening_majors
    on = [p.student_id == Student.id, p.start_date <= date(max(years), 6, 30)]
    if f.kind is not None:
        on.append(p.kind == f.kind)
    of_openings = []
    if f.city_id is not None:
        of_openings.append(o.city_id == f.city_id)
    if f.enterprise_id is not None:
        of_openings.append(o.plan_id.in_(sa.select(HiringPlan.id).where(HiringPlan.enterprise_id == f.enterprise_id)))
    if of_openings:
        on.append(p.opening_id.in_(sa.select(o.id).where(*of_openings)))
    # Each opening once with what the counts need of it: its occupation and whether its plan was published to the
    # alliance (a hashed IN per opening, not one more join per placement).
    ox = sa.select(o.id, o.occupation_id, sa.case((o.plan_id.in_(alliance_plans(alliance_id)), 1), else_=0)
                   .label("published")).subquery("o")  # fmt: skip
    relevant = sa.or_(mo.c.major_id.is_not(None), om.c.opening_id.is_not(None))
    left_within = sa.and_(p.status == PlacementStatus.LEFT_EARLY, p.end_date.is_not(None),
                          days_between(p.end_date, p.start_date) < RETENTION_DAYS)  # fmt: skip

    def total(condition, value=1):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, value), else_=0)), 0)

    def by_year(dates: dict) -> sa.ColumnElement:
        """The cohort's cut-off date as a CASE over the few years asked for: cheap per row on both databases."""
        return sa.case({y: sa.literal(d, sa.Date) for y, d in dates.items()}, value=Cohort.graduation_year)

    per_graduate = []
    for h in (0, 1):
        cut = by_year({y: Period.of_cohort(y, h).end for y in years})
        by_cut = p.start_date <= cut
        # started by the end of the half-year before: six months or more before the end
        due = p.start_date <= by_year({y: Period.of_cohort(y, h).shifted(-1).end for y in years})
        per_graduate += [
            sa.func.max(sa.case((by_cut, 1), else_=0)),
            total(by_cut),
            total(sa.and_(by_cut, relevant)),
            total(by_cut, p.pay),
            total(sa.and_(by_cut, p.status == PlacementStatus.LEFT_EARLY, p.end_date <= cut)),
            total(due),
            total(sa.and_(due, sa.not_(left_within))),
            total(sa.and_(by_cut, ox.c.published == 1)),
        ]
    names = [f"m{i}" for i in range(len(per_graduate))]
    graduates = (
        sa.select(Cohort.graduation_year.label("year"), Student.school_id.label("school"),
                  Student.major_id.label("major"),
                  *(m.label(n) for m, n in zip(per_graduate, names, strict=True)))
        .select_from(Student)
        .join(Cohort, Cohort.id == Student.cohort_id)
        .outerjoin(p, sa.and_(*on))
        .outerjoin(ox, ox.c.id == p.opening_id)
        .outerjoin(mo, sa.and_(mo.c.major_id == Student.major_id, mo.c.occupation_id == ox.c.occupation_id))
        .outerjoin(om, sa.and_(om.c.opening_id == ox.c.id, om.c.major_id == Student.major_id))
        .where(Cohort.graduation_year.in_(years))
        .group_by(Student.id, Cohort.graduation_year, Student.school_id, Student.major_id)
    )  # fmt: skip
    if f.school_id is not None:
        graduates = graduates.where(Student.school_id == f.school_id)
    if f.major_id is not None:
        graduates = graduates.where(Student.major_id == f.major_id)
    g = graduates.subquery("graduates")
    query = sa.select(g.c.year, g.c.school, g.c.major, sa.func.count(), *(sa.func.sum(g.c[n]) for n in names)).group_by(
        g.c.year, g.c.school, g.c.major
    )
    result = []
    for year, school, major, count, *rest in db.session.execute(query):
        halves = [dict(zip((*COUNTS[1:], "alliance"), (int(v or 0) for v in rest[h * 8 : h * 8 + 8]), strict=True))
                  for h in (0, 1)]  # fmt: skip
        for half in halves:
            half["graduates"] = count
        result.append(((year, school, major), halves))
    return result


def in_scope(alliance_id: int, rows, period: Period) -> set[int]:
    """The schools of the period's report: members in the period, and schools whose graduates of its cohort the
    alliance's openings took by its end."""
    members = set(db.session.scalars(members_in(alliance_id, period)))
    h = period.cohort_half
    return {
        keys[1]
        for keys, halves in rows
        if keys[0] == period.cohort_year and (keys[1] in members or halves[h]["alliance"])
    }


def summed(rows, period: Period, schools: set[int], position: int) -> dict[int, dict]:
    """The period's counts per school (position 1) or per major (position 2), over the schools in the report."""
    result: dict[int, dict] = {}
    for keys, halves in rows:
        if keys[0] == period.cohort_year and keys[1] in schools:
            _add(result.setdefault(keys[position], {}), halves[period.cohort_half])
    return result


def derived(c: dict) -> tuple:
    """(placement rate, relevance rate, average pay, retention) from additive counts; None where undefined."""

    def share(a, b):
        return a / b if b else None

    return (share(c["placed"], c["graduates"]), share(c["relevant"], c["placements"]),
            share(c["pay_total"], c["placements"]), share(c["kept6"], c["due6"]))  # fmt: skip


def _row(name, c: dict, *extra) -> tuple:
    rate, relevance, pay, retention = derived(c)
    return (name, *extra, c["graduates"], c["placed"], rate, c["placements"], c["relevant"], relevance, pay,
            c["early"], retention)  # fmt: skip


def _columns(first: Column, *extra: Column) -> list[Column]:
    return [first, *extra, Column(_l("Graduates")), Column(_l("Placed")),
            Column(_l("Internship placement rate"), "pct"),
            Column(_l("Placements")), Column(_l("Major-relevant placements")), Column(_l("Major-relevant rate"), "pct"),
            Column(_l("Average monthly pay (yuan)"), "money"), Column(_l("Early leavers")),
            Column(_l("Retained at 6 months"), "pct")]  # fmt: skip


def _add(total: dict, c: dict) -> None:
    for k in COUNTS:
        total[k] = total.get(k, 0) + c[k]


def build(alliance, f: Filters) -> Report:
    period = f.period
    halves = period.last(TREND_HALVES)
    rows = grouped(alliance.id, f, sorted({q.cohort_year for q in halves}))
    schools = in_scope(alliance.id, rows, period)
    members = set(db.session.scalars(members_in(alliance.id, period)))
    names = dict(db.session.execute(
        sa.select(Organization.id, Organization.name).where(Organization.id.in_(list(schools)))
    ).all())  # fmt: skip
    empty = dict.fromkeys(COUNTS, 0)
    groups = {"member": dict(empty), "other": dict(empty)}
    by_school = []
    for school_id, c in summed(rows, period, schools, 1).items():
        member = school_id in members
        _add(groups["member" if member else "other"], c)
        by_school.append((c, _row(names.get(school_id, "?"), c, _l("Yes") if member else _l("No"))))
    by_school.sort(key=lambda item: (-item[0]["graduates"], str(item[1][0])))
    total = dict(empty)
    for g in groups.values():
        _add(total, g)
    summary_rows = [_row(_l("Member schools"), groups["member"]), _row(_l("Other schools"), groups["other"])]

    major_names = dict(db.session.execute(sa.select(Major.id, Major.name)).all())
    by_major = [_row(major_names.get(m, "?"), c) for m, c in summed(rows, period, schools, 2).items()]
    by_major.sort(key=lambda r: (-r[1], str(r[0])))

    trend = []
    for q in halves:
        c = dict(empty)
        for counts in summed(rows, q, in_scope(alliance.id, rows, q), 1).values():
            _add(c, counts)
        trend.append(_row(period_label(q), c))

    return Report(
        name="outcomes",
        title=_l("Outcomes"),
        definitions=[
            _l("Graduate destinations: the destination rate (毕业去向落实率) and the employment rate come from the "
               "secretariat's snapshots of graduates' destination records, as the schools report them upward."),
            _l("Internship placement rate = graduates with at least one internship or job placement started by the "
               "end of the half-year ÷ graduates of the half-year's cohort: the cohort graduating that year for a "
               "first half-year, the next year's cohort (its final-year internships) for a second half-year. A "
               "student placed twice counts once. It is not the destination rate."),
            _l("Major-relevant rate (专业对口率) = placements whose opening asked for the graduate's major or whose "
               "occupation the major prepares for ÷ placements."),
            _l("Graduates: member schools in the half-year, and other schools whose students the alliance's openings "
               "took. Retention at 6 months: placements started at least six months before the end of the half-year "
               "and not left within 183 days."),
        ],
        tables=[
            Table("summary", _l("Member and other schools"), _columns(Column(_l("Schools"), "text")), summary_rows,
                  Chart("bar", (3, 6)), footer=_row(_l("All schools"), total)),
            Table("trend", _l("Trend across half-years"), _columns(Column(_l("Half-year"), "text")), trend,
                  Chart("line", (3, 6, 9))),
            Table("schools", _l("By school"), _columns(Column(_l("School"), "text"), Column(_l("Member"), "flag")),
                  [row for _, row in by_school], Chart("bar", (4, 7))),
            Table("majors", _l("By major"), _columns(Column(_l("Major"), "text")), by_major, Chart("bar", (3, 6))),
            *destination_tables(alliance.id, period, f.school_id),
        ],
    )  # fmt: skip


DESTINATION_YEARS = 3


def _destination_columns(first: Column) -> list[Column]:
    return [first, Column(_l("Graduates")), Column(_l("With a destination")), Column(_l("Destination rate"), "pct"),
            Column(_l("Employment rate"), "pct"), Column(_l("Major-relevant rate"), "pct"),
            Column(_l("Average starting pay (yuan)"), "money")]  # fmt: skip


def _destination_row(name, r) -> tuple:
    return (name, r.graduates, r.counted, r.destination_rate, r.employment_rate, r.relevance_rate, r.average_pay)


def destination_tables(alliance_id: int, period: Period, school_id: int | None) -> list[Table]:
    """Destinations by school on the latest snapshot of the period's cohort taken by its end, and the destination
    rate at every snapshot of the last three cohorts."""
    s = DestinationSnapshot
    taken = list(db.session.scalars(
        sa.select(s).where(s.alliance_id == alliance_id, s.as_of <= period.end,
                           s.graduation_year.between(period.year - DESTINATION_YEARS + 1, period.year))
        .order_by(s.graduation_year, s.as_of)
    ))  # fmt: skip
    scope = Scope(school_id)
    current = [t for t in taken if t.graduation_year == period.year]
    rows, note = [], _l("No snapshot of this cohort yet: the secretariat takes them on the graduate destinations page.")
    if current:
        figures = snapshot_tables(db.session, current[-1], scope, groupings=("school",))
        rows = [_destination_row(r.label, r) for r in figures["school"]]
        note = _l("Snapshot of %(day)s.", day=current[-1].as_of.isoformat())
    trend = []
    for snapshot in taken:
        overview = snapshot_tables(db.session, snapshot, scope, groupings=("overview",))["overview"][0]
        label = _l("Class of %(year)d, as of %(day)s", year=snapshot.graduation_year, day=snapshot.as_of.isoformat())
        trend.append(_destination_row(label, overview))
    return [
        Table("destinations", _l("Graduate destinations by school"), _destination_columns(Column(_l("School"), "text")),
              rows, Chart("bar", (3, 4)), note=note),
        Table("destination_trend", _l("Destination rate at each snapshot"),
              _destination_columns(Column(_l("Snapshot"), "text")), trend, Chart("line", (3, 4, 5))),
    ]  # fmt: skip
