"""Outcomes: 毕业去向落实率, 专业对口率, pay, early leavers, retention at 6 months; by school, by major, over time.

Counting rules (shown on the page):
- Graduates of a half-year: students of the cohorts graduating in its calendar year, at the alliance's member
  schools in that half-year and at other schools whose students were placed in the alliance's openings by its end.
  The school and major filters narrow them.
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

from marketplace.cohorts.models import Cohort, Student
from marketplace.db import days_between
from marketplace.extensions import db
from marketplace.orgs.models import Organization
from marketplace.pipeline.models import Placement, PlacementStatus
from marketplace.plans.models import HiringPlan, Opening, opening_majors
from marketplace.reference.models import Major, major_occupations
from marketplace.reports.filters import Filters, period_label
from marketplace.reports.period import Period
from marketplace.reports.scope import alliance_plans, members_in
from marketplace.reports.table import Chart, Column, Report, Table

TREND_HALVES = 6
RETENTION_DAYS = 183
# The additive counts each grouping returns, in this order; rates are derived from them (so totals are exact).
COUNTS = ("graduates", "placed", "placements", "relevant", "pay_total", "early", "due6", "kept6")


def _half(day) -> sa.ColumnElement:
    """A date's half-year as one integer (year × 2, plus 1 for July–December), in SQL on both databases."""
    return sa.extract("year", day) * 2 + sa.case((sa.extract("month", day) > 6, 1), else_=0)


def grouped(alliance_id: int, f: Filters, years: list[int], group: list, schools: list[int] | None = None):
    """One SQL statement: per group (which starts with the cohort's graduation year), the graduates and, for each
    half of that year (h = 0, 1), the COUNTS of placements started by the end of that half, plus the placements
    into the alliance's openings (which make a non-member school part of the report).

    Every graduate of the cohorts is joined to their placements by a plain outer join (no subquery per student),
    and the cut-offs are half-year numbers compared with `_half(start_date)`, so both halves come from one pass.
    """
    p, o = Placement, Opening
    on = [p.student_id == Student.id, p.start_date <= date(max(years), 12, 31)]
    if f.kind is not None:
        on.append(p.kind == f.kind)
    if f.city_id is not None:
        on.append(o.city_id == f.city_id)
    if f.enterprise_id is not None:
        on.append(o.plan_id.in_(sa.select(HiringPlan.id).where(HiringPlan.enterprise_id == f.enterprise_id)))
    placed = sa.join(p, o, o.id == p.opening_id)
    relevant = sa.or_(
        sa.exists().where(major_occupations.c.major_id == Student.major_id,
                          major_occupations.c.occupation_id == o.occupation_id),
        sa.exists().where(opening_majors.c.opening_id == o.id, opening_majors.c.major_id == Student.major_id),
    )  # fmt: skip
    left_within = sa.and_(p.status == PlacementStatus.LEFT_EARLY, p.end_date.is_not(None),
                          days_between(p.end_date, p.start_date) < RETENTION_DAYS)  # fmt: skip
    in_alliance = o.plan_id.in_(alliance_plans(alliance_id))
    started, ended = _half(p.start_date), _half(p.end_date)
    measures = [sa.func.count(sa.distinct(Student.id))]
    for h in (0, 1):
        cut = Cohort.graduation_year * 2 + h
        by_cut = started <= cut
        due = started <= cut - 1  # started by the end of the half-year before: six months or more before the end

        def total(condition, value=1):
            return sa.func.coalesce(sa.func.sum(sa.case((condition, value), else_=0)), 0)

        measures += [
            sa.func.count(sa.distinct(sa.case((by_cut, p.student_id), else_=None))),
            total(by_cut),
            total(sa.and_(by_cut, relevant)),
            total(by_cut, p.pay),
            total(sa.and_(by_cut, p.status == PlacementStatus.LEFT_EARLY, ended <= cut)),
            total(due),
            total(sa.and_(due, sa.not_(left_within))),
            total(sa.and_(by_cut, in_alliance)),
        ]
    query = (
        sa.select(*group, *measures)
        .select_from(Student)
        .join(Cohort, Cohort.id == Student.cohort_id)
        .outerjoin(placed, sa.and_(*on))
        .where(Cohort.graduation_year.in_(years))
        .group_by(*group)
    )
    if schools is not None:
        query = query.where(Student.school_id.in_(schools))
    if f.school_id is not None:
        query = query.where(Student.school_id == f.school_id)
    if f.major_id is not None:
        query = query.where(Student.major_id == f.major_id)
    result = []
    for row in db.session.execute(query):
        keys, graduates, rest = row[: len(group)], row[len(group)], row[len(group) + 1 :]
        halves = [dict(zip((*COUNTS[1:], "alliance"), rest[h * 8 : h * 8 + 8], strict=True)) for h in (0, 1)]
        for half in halves:
            half["graduates"] = graduates
        result.append((tuple(keys), halves))
    return result


def in_scope(alliance_id: int, rows, period: Period) -> dict:
    """Of (year, school) rows, those of the period's cohort whose school is a member in the period or whose
    graduates the alliance's openings took by its end: school id → counts."""
    members = set(db.session.scalars(members_in(alliance_id, period)))
    return {
        keys[1]: halves[period.half - 1]
        for keys, halves in rows
        if keys[0] == period.year and (keys[1] in members or halves[period.half - 1]["alliance"] > 0)
    }


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
    return [first, *extra, Column(_l("Graduates")), Column(_l("Placed")), Column(_l("Placement rate"), "pct"),
            Column(_l("Placements")), Column(_l("Major-relevant placements")), Column(_l("Major-relevant rate"), "pct"),
            Column(_l("Average monthly pay (yuan)"), "money"), Column(_l("Early leavers")),
            Column(_l("Retained at 6 months"), "pct")]  # fmt: skip


def _add(total: dict, c: dict) -> None:
    for k in COUNTS:
        total[k] = total.get(k, 0) + c[k]


def build(alliance, f: Filters) -> Report:
    period = f.period
    halves = period.last(TREND_HALVES)
    rows = grouped(alliance.id, f, sorted({q.year for q in halves}), [Cohort.graduation_year, Student.school_id])
    schools = in_scope(alliance.id, rows, period)
    members = set(db.session.scalars(members_in(alliance.id, period)))
    names = dict(db.session.execute(
        sa.select(Organization.id, Organization.name).where(Organization.id.in_(list(schools)))
    ).all())  # fmt: skip
    empty = dict.fromkeys(COUNTS, 0)
    groups = {"member": dict(empty), "other": dict(empty)}
    by_school = []
    for school_id, c in schools.items():
        member = school_id in members
        _add(groups["member" if member else "other"], c)
        by_school.append((c, _row(names.get(school_id, "?"), c, _l("Yes") if member else _l("No"))))
    by_school.sort(key=lambda item: (-item[0]["graduates"], str(item[1][0])))
    total = dict(empty)
    for g in groups.values():
        _add(total, g)
    summary_rows = [_row(_l("Member schools"), groups["member"]), _row(_l("Other schools"), groups["other"])]

    major_names = dict(db.session.execute(sa.select(Major.id, Major.name)).all())
    majors = grouped(alliance.id, f, [period.year], [Cohort.graduation_year, Student.major_id], list(schools))
    by_major = [_row(major_names.get(keys[1], "?"), c[period.half - 1]) for keys, c in majors]
    by_major.sort(key=lambda r: (-r[1], str(r[0])))

    trend = []
    for q in halves:
        c = dict(empty)
        for counts in in_scope(alliance.id, rows, q).values():
            _add(c, counts)
        trend.append(_row(period_label(q), c))

    return Report(
        name="outcomes",
        title=_l("Outcomes"),
        definitions=[
            _l("Placement rate (毕业去向落实率) = graduates with at least one placement started by the end of the "
               "half-year ÷ graduates of the cohort graduating that year. A student placed twice counts once."),
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
        ],
    )  # fmt: skip
