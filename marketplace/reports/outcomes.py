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
  started at least six months before the end of the half-year, the share not left within their first 183 days.
"""

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
from marketplace.reports.scope import alliance_openings, members_in
from marketplace.reports.table import Chart, Column, Report, Table

TREND_HALVES = 6
RETENTION_DAYS = 183
# The additive counts each grouping returns, in this order; rates are derived from them (so totals are exact).
COUNTS = ("graduates", "placed", "placements", "relevant", "pay_total", "early", "due6", "kept6")


def _placements(f: Filters, period: Period) -> sa.Subquery:
    """The placements counted for the period, one row each, with whether each is major-relevant."""
    related = sa.exists().where(
        major_occupations.c.major_id == Student.major_id, major_occupations.c.occupation_id == Opening.occupation_id
    )
    asked = sa.exists().where(opening_majors.c.opening_id == Opening.id, opening_majors.c.major_id == Student.major_id)
    left_within = sa.and_(
        Placement.status == PlacementStatus.LEFT_EARLY,
        Placement.end_date.is_not(None),
        days_between(Placement.end_date, Placement.start_date) < RETENTION_DAYS,
    )
    due = Placement.start_date <= period.six_months_before_end()
    query = (
        sa.select(
            Placement.id,
            Placement.student_id,
            Placement.pay,
            sa.case((sa.or_(related, asked), 1), else_=0).label("relevant"),
            sa.case((sa.and_(Placement.status == PlacementStatus.LEFT_EARLY, Placement.end_date <= period.end), 1),
                    else_=0).label("early"),
            sa.case((due, 1), else_=0).label("due6"),
            sa.case((sa.and_(due, sa.not_(left_within)), 1), else_=0).label("kept6"),
        )  # fmt: skip
        .join(Opening, Opening.id == Placement.opening_id)
        .join(Student, Student.id == Placement.student_id)
        .where(Placement.start_date <= period.end)
    )
    if f.kind is not None:
        query = query.where(Placement.kind == f.kind)
    if f.enterprise_id is not None:
        query = query.join(HiringPlan, HiringPlan.id == Opening.plan_id)
        query = query.where(HiringPlan.enterprise_id == f.enterprise_id)
    if f.city_id is not None:
        query = query.where(Opening.city_id == f.city_id)
    return query.subquery("counted")


def _schools(alliance_id: int, period: Period) -> sa.Select:
    """Member schools in the period, and schools whose students the alliance's openings took by its end."""
    engaged = (
        sa.select(Student.school_id)
        .join(Placement, Placement.student_id == Student.id)
        .where(Placement.opening_id.in_(alliance_openings(alliance_id)), Placement.start_date <= period.end)
    )
    return sa.union(members_in(alliance_id, period), engaged)


def counts(alliance_id: int, f: Filters, period: Period, group=None) -> list[tuple]:
    """(group key, *COUNTS) per group, or one row of COUNTS when `group` is None; one SQL statement."""
    x = _placements(f, period)
    measures = (
        sa.func.count(sa.distinct(Student.id)),
        sa.func.count(sa.distinct(x.c.student_id)),
        sa.func.count(x.c.id),
        sa.func.coalesce(sa.func.sum(x.c.relevant), 0),
        sa.func.coalesce(sa.func.sum(x.c.pay), 0),
        sa.func.coalesce(sa.func.sum(x.c.early), 0),
        sa.func.coalesce(sa.func.sum(x.c.due6), 0),
        sa.func.coalesce(sa.func.sum(x.c.kept6), 0),
    )
    query = (
        sa.select(*(([group] if group is not None else []) + list(measures)))
        .select_from(Student)
        .join(Cohort, Cohort.id == Student.cohort_id)
        .outerjoin(x, x.c.student_id == Student.id)
        .where(Cohort.graduation_year == period.year, Student.school_id.in_(_schools(alliance_id, period)))
    )
    if f.school_id is not None:
        query = query.where(Student.school_id == f.school_id)
    if f.major_id is not None:
        query = query.where(Student.major_id == f.major_id)
    if group is not None:
        query = query.group_by(group)
    return [tuple(r) for r in db.session.execute(query)]


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
    members = set(db.session.scalars(members_in(alliance.id, period)))
    names = dict(db.session.execute(sa.select(Organization.id, Organization.name)
                                    .where(Organization.id.in_(_schools(alliance.id, period)))).all())  # fmt: skip
    by_school = []
    groups = {"member": {}, "other": {}}
    for key, *values in counts(alliance.id, f, period, Student.school_id):
        c = dict(zip(COUNTS, values, strict=True))
        member = key in members
        _add(groups["member" if member else "other"], c)
        by_school.append((c, _row(names.get(key, "?"), c, _l("Yes") if member else _l("No"))))
    by_school.sort(key=lambda item: (-item[0]["graduates"], str(item[1][0])))
    empty = dict.fromkeys(COUNTS, 0)
    total = dict(empty)
    for g in groups.values():
        _add(total, g or empty)
    summary_rows = [_row(_l("Member schools"), groups["member"] or empty),
                    _row(_l("Other schools"), groups["other"] or empty)]  # fmt: skip

    major_names = dict(db.session.execute(sa.select(Major.id, Major.name)).all())
    by_major = [
        _row(major_names.get(key, "?"), dict(zip(COUNTS, values, strict=True)))
        for key, *values in counts(alliance.id, f, period, Student.major_id)
    ]
    by_major.sort(key=lambda r: (-r[1], str(r[0])))

    trend = []
    for q in period.last(TREND_HALVES):
        (values,) = counts(alliance.id, f, q)
        trend.append(_row(period_label(q), dict(zip(COUNTS, values, strict=True))))

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
