"""The annual employment quality report (就业质量年度报告) of one graduating year, for a school or for an alliance's
member schools: one builder of the neutral document (marketplace/reports/document.py), rendered to PDF and DOCX.

Chapters, in the order such reports use: 1 cohort overview (生源概况); 2–6 the destination chapters — destination
structure, 落实率 at each snapshot, flows by region and industry, starting pay, 专业对口 — which all come from ONE
function, `destination_chapters`, to be wired to the destination snapshots (毕业去向) when they exist; 7 feedback
from internships (the students' evaluations of their internship employers, aggregates only, an employer shown from
EVALUATION_MIN_ANSWERS answers on); 8 the trend over three graduating years.

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
from sqlalchemy.orm import Session

from marketplace.alliances.models import Alliance
from marketplace.analytics.period import Period
from marketplace.analytics.scope import members_in
from marketplace.cohorts.models import Cohort, Gender, Student
from marketplace.i18n import label
from marketplace.orgs.models import Organization, OrgKind
from marketplace.pipeline.models import Placement
from marketplace.reference.models import Major
from marketplace.reports.document import Chapter, Chart, Document, Table
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


def destination_chapters(session: Session, scope: Scope, year: int) -> list[Chapter]:
    """The chapters read from graduates' destination records (毕业去向) and their dated snapshots: structure by
    category, 落实率 at each snapshot, flows by region and industry, starting pay, 专业对口. The destination records
    are not in the product yet, so each chapter says so; this is the one place to wire them in."""
    missing = _(
        "The destination figures (毕业去向) for the %(year)d graduates are not yet available: they will be computed "
        "from the audited destination records at the alliance's snapshot dates.",
        year=year,
    )
    titles = (
        _("2. Destination structure"),
        _("3. Destination rate (毕业去向落实率) at each snapshot"),
        _("4. Flows by region and industry"),
        _("5. Starting pay"),
        _("6. Major-relevant employment (专业对口)"),
    )
    return [Chapter(title, [missing]) for title in titles]


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
        rows.append((str(y), total, int(n_placed), n_placed / total if total else None))
    chapter = Chapter(_("8. Trend over three years"))
    chapter.blocks.append(
        _(
            "Internship placement rate: graduates with a placement of any kind started by 31 December of their "
            "graduating year. It is not the destination rate (毕业去向落实率)."
        )
    )
    chapter.blocks.append(Table(
        _("Graduates and internship placement rate by graduating year"),
        [_("Graduating year"), _("Graduates"), _("Placed"), _("Internship placement rate")],
        ["text", "int", "int", "pct"], rows, Chart("line", (3,)),
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
