"""The school's rubric, each side's grade and the final grade. Functions flush, never commit.

A side's score is Σ weight × points / max points over the criteria (weights sum to 100), to one decimal; the final
score is the enterprise's weight × its score + the rest × the teacher's score. Attendance plays no part: a grade is
what the mentor and the teacher judged on the rubric."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from marketplace.audit.services import record
from marketplace.extensions import db
from marketplace.grading.models import FinalGrade, Grade, GradeSide, GradingScheme, RubricCriterion
from marketplace.pipeline.models import Placement
from marketplace.refusals import Refusal

DEFAULT_ENTERPRISE_WEIGHT = 50
MAX_CRITERIA = 8


@dataclass(frozen=True)
class Criterion:
    name: str
    weight: int  # percent of the side's score
    max_points: int


# What a school that has set nothing grades on: the four headings most schools' 实习考核表 use.
DEFAULT_CRITERIA = (
    Criterion("职业素养", 25, 100),
    Criterion("专业技能", 35, 100),
    Criterion("工作态度", 20, 100),
    Criterion("实习报告", 20, 100),
)


class GradingError(Refusal):
    pass


@dataclass(frozen=True)
class Rubric:
    enterprise_weight: int
    criteria: tuple[Criterion, ...]
    is_default: bool = False

    @property
    def school_weight(self) -> int:
        return 100 - self.enterprise_weight


def rubric_of(school_id: int) -> Rubric:
    scheme = db.session.get(GradingScheme, school_id)
    rows = db.session.scalars(
        sa.select(RubricCriterion).where(RubricCriterion.school_id == school_id).order_by(RubricCriterion.position)
    ).all()
    if not rows:
        weight = scheme.enterprise_weight if scheme else DEFAULT_ENTERPRISE_WEIGHT
        return Rubric(weight, DEFAULT_CRITERIA, is_default=scheme is None)
    weight = scheme.enterprise_weight if scheme else DEFAULT_ENTERPRISE_WEIGHT
    return Rubric(weight, tuple(Criterion(r.name, r.weight, r.max_points) for r in rows))


def save_rubric(school_id: int, criteria: list[Criterion], enterprise_weight: int, *, actor) -> Rubric:
    """Replace the school's rubric: at least one criterion, distinct names, weights summing to 100."""
    criteria = [Criterion(c.name.strip(), c.weight, c.max_points) for c in criteria if c.name.strip()]
    if not criteria:
        raise GradingError(_l("Name at least one criterion."))
    if len({c.name for c in criteria}) != len(criteria):
        raise GradingError(_l("Each criterion needs its own name."))
    if sum(c.weight for c in criteria) != 100:
        raise GradingError(_l("The criteria's weights must add up to 100."))
    if not 0 <= enterprise_weight <= 100:
        raise GradingError(_l("The enterprise's weight is a percentage from 0 to 100."))
    db.session.execute(sa.delete(RubricCriterion).where(RubricCriterion.school_id == school_id))
    db.session.add_all(RubricCriterion(school_id=school_id, position=i, name=c.name, weight=c.weight,
                                       max_points=c.max_points) for i, c in enumerate(criteria))  # fmt: skip
    scheme = db.session.get(GradingScheme, school_id)
    if scheme is None:
        scheme = GradingScheme(school_id=school_id, updated_by_id=actor.id)
        db.session.add(scheme)
    scheme.enterprise_weight, scheme.updated_by_id = enterprise_weight, actor.id
    db.session.flush()
    record("rubric_saved", None, actor=actor, object_type="grading_schemes", enterprise_weight=enterprise_weight,
           criteria=[c.name for c in criteria])  # fmt: skip
    return rubric_of(school_id)


def one_decimal(value: Fraction) -> float:
    """Half up to one decimal, on the exact value (no binary rounding surprises at .x5)."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def side_score(criteria, points) -> float:
    return one_decimal(sum((Fraction(c.weight * p, c.max_points) for c, p in zip(criteria, points, strict=True)),
                           Fraction(0)))  # fmt: skip


def combined(enterprise_score: float, school_score: float, enterprise_weight: int) -> float:
    e, s = Fraction(str(enterprise_score)), Fraction(str(school_score))
    return one_decimal((enterprise_weight * e + (100 - enterprise_weight) * s) / 100)


def grades_of(placement_id: int) -> dict[GradeSide, Grade]:
    rows = db.session.scalars(sa.select(Grade).where(Grade.placement_id == placement_id)).all()
    return {g.side: g for g in rows}


def final_of(placement_id: int) -> FinalGrade | None:
    return db.session.scalar(sa.select(FinalGrade).where(FinalGrade.placement_id == placement_id))


def has_started(placement: Placement, today: date) -> bool:
    """A 岗位实习 starts on its recorded arrival; other kinds on their start date."""
    if placement.needs_arrival:
        return placement.arrived_on is not None
    return placement.start_date <= today


def grade(placement: Placement, *, side: GradeSide, points: list[int], comment: str, actor, today: date) -> Grade:
    """One side's grade on the school's current rubric; a side may correct its grade until the school closes."""
    if not has_started(placement, today):
        raise GradingError(_l("The internship has not started: there is nothing to grade yet."))
    if final_of(placement.id) is not None:
        raise GradingError(_l("The grade has been closed: it can no longer change."))
    criteria = rubric_of(placement.student.school_id).criteria
    if len(points) != len(criteria) or any(not 0 <= p <= c.max_points for c, p in zip(criteria, points, strict=False)):
        raise GradingError(_l("Give each criterion's points, from 0 to its maximum."))
    row = grades_of(placement.id).get(side)
    if row is None:
        row = Grade(placement_id=placement.id, side=side)
        db.session.add(row)
    row.lines = [{"name": c.name, "weight": c.weight, "max_points": c.max_points, "points": p}
                 for c, p in zip(criteria, points, strict=True)]  # fmt: skip
    row.score, row.comment, row.graded_by_id = side_score(criteria, points), comment.strip(), actor.id
    db.session.flush()
    record("placement_graded", row, actor=actor, placement_id=placement.id, side=side.value, score=row.score)
    return row


def close(placement: Placement, *, actor) -> FinalGrade:
    """Close the placement as graded: only with both the mentor's and the teacher's grades (the school's weights)."""
    if final_of(placement.id) is not None:
        raise GradingError(_l("The grade has already been closed."))
    grades = grades_of(placement.id)
    if set(grades) != set(GradeSide):
        raise GradingError(_l("Both the enterprise mentor's and the school teacher's grades are needed to close."))
    weight = rubric_of(placement.student.school_id).enterprise_weight
    e, s = grades[GradeSide.ENTERPRISE].score, grades[GradeSide.SCHOOL].score
    final = FinalGrade(placement_id=placement.id, enterprise_score=e, school_score=s, enterprise_weight=weight,
                       score=combined(e, s, weight), closed_by_id=actor.id)  # fmt: skip
    db.session.add(final)
    db.session.flush()
    record("grade_closed", final, actor=actor, placement_id=placement.id, score=final.score)
    return final
