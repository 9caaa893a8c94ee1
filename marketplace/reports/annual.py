"""The annual employment quality report (就业质量年度报告) of one graduating year, for a school or for an alliance's
member schools: one builder of the neutral document (marketplace/reports/document.py), rendered to PDF and DOCX.

Chapters, in the order such reports use: 1 cohort overview (生源概况); 2–6 the destination chapters — destination
structure, 落实率 at each snapshot, flows by region and industry, starting pay, 专业对口 — read by
`destination_chapters` from the secretariat's destination snapshots through `destinations.rates.snapshot_tables`
(the rows the destination pages show, so the document and the pages cannot disagree); 7 feedback from internships
(the students' evaluations of their internship employers, aggregates only, an employer shown from
EVALUATION_MIN_ANSWERS answers on); 8 the trend over three graduating years (graduates, the internship placement
rate and the destination rate at each cohort's latest snapshot).

Counting rules: graduates are the students of the schools' cohorts graduating in the year; an alliance's schools
are those whose membership was in force on some day of that year. The trend's "internship placement rate" is the
old placement-based figure (a placement of any kind started by 31 December of the graduating year); it is not the
毕业去向落实率, which only the destination records give.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from marketplace.alliances.models import Alliance
from marketplace.analytics.period import Period
from marketplace.analytics.scope import members_in
from marketplace.cohorts.models import Cohort, Gender, Student
from marketplace.destinations.models import DestinationSnapshot, SnapshotCell
from marketplace.destinations.rates import Scope as RatesScope
from marketplace.destinations.rates import snapshot_tables
from marketplace.i18n import label
from marketplace.orgs.models import Organization, OrgKind
from marketplace.pipeline.models import Placement
from marketplace.reference.models import Major
from marketplace.reports.document import Chapter, Chart, Document, Table, cell_text
from marketplace.students.models import Evaluation

TREND_YEARS = 3
ROWS_SHOWN = 40  # rows of a long table in the document; the rest are summed into one "others" row


@dataclass(frozen=True)
class Scope:
    """Whose report: "school" (one school) or "alliance" (its member schools in the year)."""

    kind: str
    id: int
    name: str

    @classmethod
    def of_school(cls, school: Organization) -> "Scope":
        return cls("school", school.id, school.name)

    @classmethod
    def of_alliance(cls, alliance: Alliance) -> "Scope":
        return cls("alliance", alliance.id, alliance.name)


def school_ids(scope: Scope, year: int) -> sa.Select:
    if scope.kind == "school":
        return sa.select(sa.literal(scope.id))
    in_year = sa.union(members_in(scope.id, Period(year, 1)), members_in(scope.id, Period(year, 2))).subquery()
    return sa.select(Organization.id).where(
        Organization.kind == OrgKind.SCHOOL, Organization.id.in_(sa.select(in_year))
    )


def _graduates(year: int, schools: sa.Select):
    return (
        sa.select(Student)
        .join(Cohort, Cohort.id == Student.cohort_id)
        .where(Cohort.graduation_year == year, Student.school_id.in_(schools))
    )


def _capped(rows: list[tuple], others: str, sums: tuple[int, ...]) -> list[tuple]:
    """The first ROWS_SHOWN rows, then one row summing the additive columns `sums` of the rest."""
    if len(rows) <= ROWS_SHOWN:
        return rows
    rest = rows[ROWS_SHOWN:]
    row = [others] + [None] * (len(rows[0]) - 1)
    for i in sums:
        row[i] = sum(r[i] or 0 for r in rest)
    return rows[:ROWS_SHOWN] + [tuple(row)]


def cohort_overview(session: Session, scope: Scope, year: int) -> Chapter:
    schools = school_ids(scope, year)
    g = _graduates(year, schools).subquery()
    total = session.scalar(sa.select(sa.func.count()).select_from(g)) or 0
    n_schools = session.scalar(sa.select(sa.func.count(sa.distinct(g.c.school_id)))) or 0
    by_major = session.execute(
        sa.select(Major.name, Major.level, sa.func.count())
        .join(g, g.c.major_id == Major.id)
        .group_by(Major.id, Major.name, Major.level)
        .order_by(sa.func.count().desc(), Major.name)
    ).all()
    chapter = Chapter(_("1. Cohort overview"))
    chapter.blocks.append(
        _(
            "The %(year)d graduating cohort: %(total)d graduates of %(schools)d schools in %(majors)d majors.",
            year=year,
            total=total,
            schools=n_schools,
            majors=len(by_major),
        )  # fmt: skip
    )
    if scope.kind == "alliance":
        by_school = session.execute(
            sa.select(Organization.name, sa.func.count(), sa.func.count(sa.distinct(g.c.major_id)))
            .join(g, g.c.school_id == Organization.id)
            .group_by(Organization.id, Organization.name)
            .order_by(sa.func.count().desc(), Organization.name)
        ).all()
        rows = [(name, n, majors, n / total if total else None) for name, n, majors in by_school]
        chapter.blocks.append(Table(
            _("Graduates by school"), [_("School"), _("Graduates"), _("Majors"), _("Share")],
            ["text", "int", "int", "pct"], _capped(rows, _("Other schools"), (1,)), Chart("bar", (1,)),
        ))  # fmt: skip
    rows = [(name, label(level), n, n / total if total else None) for name, level, n in by_major]
    chapter.blocks.append(Table(
        _("Graduates by major"), [_("Major"), _("Level"), _("Graduates"), _("Share")],
        ["text", "text", "int", "pct"], _capped(rows, _("Other majors"), (2,)), Chart("bar", (2,)),
    ))  # fmt: skip
    by_gender = session.execute(sa.select(g.c.gender, sa.func.count()).group_by(g.c.gender).order_by(g.c.gender)).all()
    chapter.blocks.append(Table(
        _("Graduates by gender"), [_("Gender"), _("Graduates")], ["text", "int"],
        [(str(label(Gender(k))), n) for k, n in by_gender],
        Chart("pie", (1,)),
    ))  # fmt: skip
    return chapter


def snapshots_of(session: Session, scope: Scope, year: int) -> list[DestinationSnapshot]:
    """The destination snapshots of the cohort of `year` the report reads, oldest first: the alliance's own; for a
    school, those of the alliance whose latest snapshot holds the school's graduates (a school in two alliances is
    counted the same by both: the records are the school's)."""
    s = DestinationSnapshot
    query = sa.select(s).where(s.graduation_year == year).order_by(s.as_of, s.id)
    if scope.kind == "alliance":
        return list(session.scalars(query.where(s.alliance_id == scope.id)))
    holds = sa.select(SnapshotCell.id).where(SnapshotCell.snapshot_id == s.id, SnapshotCell.school_id == scope.id,
                                             SnapshotCell.dimension == "school").exists()  # fmt: skip
    taken = list(session.scalars(query.where(holds)))
    if not taken:
        return []
    alliance_id = taken[-1].alliance_id
    return [t for t in taken if t.alliance_id == alliance_id]


def _rates_scope(scope: Scope) -> RatesScope:
    return RatesScope(scope.id if scope.kind == "school" else None)


# The columns a destination table may show: a RateRow attribute → (header, format).
RATE_COLUMNS = {
    "graduates": (_l("Graduates"), "int"),
    "counted": (_l("With a destination"), "int"),
    "destination_rate": (_l("Destination rate"), "pct"),
    "employed": (_l("Employed"), "int"),
    "employment_rate": (_l("Employment rate"), "pct"),
    "relevant": (_l("Major-relevant"), "int"),
    "relevance_rate": (_l("Major-relevant rate"), "pct"),
    "paid": (_l("With a starting pay"), "int"),
    "average_pay": (_l("Average starting pay (yuan)"), "money"),
}


def _rate_table(title, first, rows, attributes: tuple[str, ...], chart: Chart | None, *, extra=None) -> Table:
    """RateRows as a document table: the label, then `attributes` (and `extra`: (header, format, row → value))."""
    headers = [first] + [str(RATE_COLUMNS[a][0]) for a in attributes]
    formats = ["text"] + [RATE_COLUMNS[a][1] for a in attributes]
    if extra is not None:
        headers.append(extra[0])
        formats.append(extra[1])
    made = [(r.label, *(getattr(r, a) for a in attributes), *((extra[2](r),) if extra else ())) for r in rows]
    sums = tuple(i for i, f in enumerate(formats) if f == "int")
    return Table(title, headers, formats, _capped(made, _("Others"), sums), chart)


def _share_of(total: int):
    return _("Share"), "pct", lambda r: r.graduates / total if total else None


def destination_chapters(session: Session, scope: Scope, year: int) -> list[Chapter]:
    """Chapters 2–6, read from the secretariat's destination snapshots (毕业去向) through
    `destinations.rates.snapshot_tables`, the same rows the destination pages show: the latest snapshot gives the
    structure, flows, pay and 专业对口; every snapshot of the year gives the 落实率 at each date."""
    titles = (
        _("2. Destination structure"),
        _("3. Destination rate (毕业去向落实率) at each snapshot"),
        _("4. Flows by region and industry"),
        _("5. Starting pay"),
        _("6. Major-relevant employment (专业对口)"),
    )
    taken = snapshots_of(session, scope, year)
    if not taken:
        missing = _(
            "No destination snapshot of the %(year)d graduates has been taken yet: the figures of this chapter come "
            "from the audited destination records at the secretariat's snapshot dates.",
            year=year,
        )
        return [Chapter(title, [missing]) for title in titles]
    latest = taken[-1]
    rates = _rates_scope(scope)
    figures = snapshot_tables(session, latest, rates)
    overview = figures["overview"][0]
    day = latest.as_of.isoformat()
    by_unit = "school" if scope.kind == "alliance" else "major"
    unit_header = _("School") if by_unit == "school" else _("Major")
    structure, at_dates, flows, pay, relevance = (Chapter(title) for title in titles)

    structure.blocks.append(_(
        "On the snapshot of %(day)s, %(counted)d of the %(graduates)d graduates had a destination in the counted "
        "categories (destination rate %(rate)s); %(employed)d were employed (employment rate %(employment)s).",
        day=day, counted=overview.counted, graduates=overview.graduates,
        rate=cell_text(overview.destination_rate, "pct"), employed=overview.employed,
        employment=cell_text(overview.employment_rate, "pct"),
    ))  # fmt: skip
    structure.blocks.append(_rate_table(
        _("Graduates by destination category"), _("Category"), figures["category"], ("graduates",),
        Chart("pie", (1,)), extra=_share_of(overview.graduates),
    ))  # fmt: skip
    structure.blocks.append(_rate_table(
        _("Destinations by school") if by_unit == "school" else _("Destinations by major"), unit_header,
        figures[by_unit], ("graduates", "counted", "destination_rate", "employed", "employment_rate"),
        Chart("bar", (3, 5)),
    ))  # fmt: skip

    rows = []
    for snapshot in taken:
        read = figures if snapshot is latest else snapshot_tables(session, snapshot, rates, ("overview",))
        o = read["overview"][0]
        rows.append((snapshot.as_of.isoformat(), o.graduates, o.counted, o.destination_rate, o.employed,
                     o.employment_rate))  # fmt: skip
    at_dates.blocks.append(_(
        "The secretariat took %(n)d snapshots of this cohort. Each figure is computed on its snapshot and never "
        "moves: later changes to the records count only in later snapshots.", n=len(taken),
    ))  # fmt: skip
    at_dates.blocks.append(Table(
        _("Destination rate at each snapshot"),
        [_("Snapshot"), _("Graduates"), _("With a destination"), _("Destination rate"), _("Employed"),
         _("Employment rate")],
        ["text", "int", "int", "pct", "int", "pct"], rows, Chart("line", (3, 5)),
    ))  # fmt: skip

    employed = overview.employed
    flows.blocks.append(_(
        "Employed graduates (%(employed)d on %(day)s) by where they work relative to their school, by industry, by "
        "kind of employer and by whether the employer is an alliance member.", employed=employed, day=day,
    ))  # fmt: skip
    for grouping, title, first, kind in (
        ("region", _("Employed graduates by place of work"), _("Place of work"), "pie"),
        ("industry", _("Employed graduates by industry"), _("Industry"), "bar"),
        ("employer_kind", _("Employed graduates by kind of employer"), _("Kind of employer"), "pie"),
        ("member", _("Employed graduates: alliance members and other employers"), _("Employer"), "bar"),
    ):
        flows.blocks.append(_rate_table(title, first, figures[grouping], ("graduates",), Chart(kind, (1,)),
                                        extra=_share_of(employed)))  # fmt: skip

    pay.blocks.append(_(
        "Average starting monthly pay of the %(paid)d employed graduates who gave one: %(pay)s yuan.",
        paid=overview.paid, pay=cell_text(overview.average_pay, "money"),
    ))  # fmt: skip
    paid_columns = ("employed", "paid", "average_pay")
    pay.blocks.append(_rate_table(_("Starting pay by school") if by_unit == "school" else _("Starting pay by major"),
                                  unit_header, figures[by_unit], paid_columns, Chart("bar", (3,))))  # fmt: skip
    pay.blocks.append(_rate_table(_("Starting pay by place of work"), _("Place of work"), figures["region"],
                                  paid_columns, Chart("bar", (3,))))  # fmt: skip

    relevance.blocks.append(_(
        "%(relevant)d of the %(employed)d employed graduates work in an occupation their major prepares for "
        "(major-relevant rate %(rate)s).",
        relevant=overview.relevant, employed=employed, rate=cell_text(overview.relevance_rate, "pct"),
    ))  # fmt: skip
    relevance.blocks.append(_rate_table(
        _("Major-relevant employment by major"), _("Major"), figures["major"],
        ("employed", "relevant", "relevance_rate"), Chart("bar", (3,)),
    ))  # fmt: skip
    if by_unit == "school":
        relevance.blocks.append(_rate_table(
            _("Major-relevant employment by school"), _("School"), figures["school"],
            ("employed", "relevant", "relevance_rate"), Chart("bar", (3,)),
        ))  # fmt: skip
    return [structure, at_dates, flows, pay, relevance]


def internship_feedback(session: Session, scope: Scope, year: int) -> Chapter:
    minimum = current_app.config["EVALUATION_MIN_ANSWERS"]
    schools = school_ids(scope, year)
    answers = (
        sa.select(Evaluation.enterprise_id, Evaluation.enterprise_score, Evaluation.post_score)
        .join(Placement, Placement.id == Evaluation.placement_id)
        .join(Student, Student.id == Placement.student_id)
        .join(Cohort, Cohort.id == Student.cohort_id)
        .where(Cohort.graduation_year == year, Student.school_id.in_(schools))
        .subquery()
    )
    n, enterprise_avg, post_avg = session.execute(
        sa.select(sa.func.count(), sa.func.avg(answers.c.enterprise_score), sa.func.avg(answers.c.post_score))
    ).one()
    per_employer = session.execute(
        sa.select(Organization.name, sa.func.count(), sa.func.avg(answers.c.enterprise_score),
                  sa.func.avg(answers.c.post_score))
        .join(answers, answers.c.enterprise_id == Organization.id)
        .group_by(Organization.id, Organization.name)
        .having(sa.func.count() >= minimum)
        .order_by(sa.func.count().desc(), Organization.name)
    ).all()  # fmt: skip
    chapter = Chapter(_("7. Feedback from internships"))
    chapter.blocks.append(
        _(
            "Students of the cohort evaluated %(n)d internships (scores 1–5). Employers are listed from %(min)d "
            "answers on; single answers and comments are not shown.",
            n=n,
            min=minimum,
        )  # fmt: skip
    )
    rows = [(_("All evaluations"), n, _num(enterprise_avg), _num(post_avg))]
    rows += [(name, k, _num(e), _num(p)) for name, k, e, p in per_employer]
    chapter.blocks.append(Table(
        _("Students' evaluations of internship employers"),
        [_("Employer"), _("Answers"), _("Employer (average)"), _("Post (average)")],
        ["text", "int", "num", "num"], _capped(rows, _("Other employers"), (1,)), Chart("bar", (2, 3)),
    ))  # fmt: skip
    return chapter


def _num(value):
    return None if value is None else round(float(value), 2)


def trend(session: Session, scope: Scope, year: int) -> Chapter:
    years = list(range(year - TREND_YEARS + 1, year + 1))
    rows = []
    for y in years:
        g = _graduates(y, school_ids(scope, y)).with_only_columns(Student.id).subquery()
        placed = sa.exists().where(Placement.student_id == g.c.id, Placement.start_date <= date(y, 12, 31))
        total, n_placed = session.execute(
            sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((placed, 1), else_=0)), 0)).select_from(g)
        ).one()
        taken = snapshots_of(session, scope, y)
        latest = snapshot_tables(session, taken[-1], _rates_scope(scope), ("overview",)) if taken else None
        rate = latest["overview"][0].destination_rate if latest else None
        rows.append((str(y), total, int(n_placed), n_placed / total if total else None, rate))
    chapter = Chapter(_("8. Trend over three years"))
    chapter.blocks.append(
        _(
            "Internship placement rate: graduates with a placement of any kind started by 31 December of their "
            "graduating year. It is not the destination rate (毕业去向落实率), shown beside it from each cohort's "
            "latest snapshot."
        )
    )
    chapter.blocks.append(Table(
        _("Graduates, internship placement rate and destination rate by graduating year"),
        [_("Graduating year"), _("Graduates"), _("Placed"), _("Internship placement rate"), _("Destination rate")],
        ["text", "int", "int", "pct", "pct"], rows, Chart("line", (3, 4)),
    ))  # fmt: skip
    return chapter


def build(session: Session, scope: Scope, year: int, progress: Callable | None = None) -> Document:
    """The document, chapter by chapter (`progress("collecting", done, total)` after each)."""
    steps = [cohort_overview, destination_chapters, internship_feedback, trend]
    chapters: list[Chapter] = []
    for done, step in enumerate(steps, start=1):
        made = step(session, scope, year)
        chapters += made if isinstance(made, list) else [made]
        if progress is not None:
            progress("collecting", done, len(steps))
    title = _("%(name)s: employment quality report on the %(year)d graduates", name=scope.name, year=year)
    return Document(title, _("Annual employment quality report · %(year)d", year=year), chapters)
