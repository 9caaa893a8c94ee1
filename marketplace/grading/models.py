"""Grading an internship (实习考核): the school's rubric and weights, each side's grade on it, the combined final grade.

A grade keeps the rubric as it was when given (`lines`), so a school that changes its rubric later changes no grade
already given."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.db import UTCDateTime, enum_column, utcnow
from marketplace.extensions import db
from marketplace.i18n import register_labels

SCORE = sa.Numeric(4, 1, asdecimal=False)  # 0.0–100.0


class GradingScheme(db.Model):
    """A school's grading scheme (实习成绩评定办法): the enterprise mentor's grade's weight against the teacher's."""

    __tablename__ = "grading_schemes"
    __table_args__ = (sa.CheckConstraint("enterprise_weight BETWEEN 0 AND 100", name="weight_percent"),)

    school_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), primary_key=True)
    enterprise_weight: Mapped[int]  # percent; the teacher's is the rest
    updated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RubricCriterion(db.Model):
    """One criterion of a school's rubric (评分项), e.g. 专业技能: its weight in percent and its maximum points."""

    __tablename__ = "rubric_criteria"
    __table_args__ = (
        sa.UniqueConstraint("school_id", "position", name="uq_rubric_criteria_position"),
        sa.CheckConstraint("weight BETWEEN 1 AND 100", name="weight_percent"),
        sa.CheckConstraint("max_points BETWEEN 1 AND 1000", name="max_points_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(64))
    weight: Mapped[int]
    max_points: Mapped[int]


class GradeSide(enum.StrEnum):
    ENTERPRISE = "enterprise"  # 企业导师
    SCHOOL = "school"  # 学校指导教师


register_labels(
    (GradeSide.ENTERPRISE, _l("Enterprise mentor")),
    (GradeSide.SCHOOL, _l("School teacher")),
)


class Grade(db.Model):
    """One side's grade of an intern on the school's rubric (企业评分 / 学校评分), 0–100."""

    __tablename__ = "internship_grades"
    __table_args__ = (
        sa.UniqueConstraint("placement_id", "side", name="uq_internship_grades_side"),
        sa.CheckConstraint("score BETWEEN 0 AND 100", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id"), index=True)
    side: Mapped[GradeSide] = mapped_column(enum_column(GradeSide, "grade_side"))
    lines: Mapped[list] = mapped_column(sa.JSON)  # [{"name", "weight", "max_points", "points"}] as graded
    score: Mapped[float] = mapped_column(SCORE)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    graded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    graded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GradeLevel(enum.StrEnum):
    """The five-level scale schools report internship grades on (优秀/良好/中等/及格/不及格)."""

    EXCELLENT = "excellent"
    GOOD = "good"
    FAIR = "fair"
    PASS = "pass"  # noqa: S105  (及格, not a password)
    FAIL = "fail"


register_labels(
    (GradeLevel.EXCELLENT, _l("Excellent")),
    (GradeLevel.GOOD, _l("Good")),
    (GradeLevel.FAIR, _l("Fair")),
    (GradeLevel.PASS, _l("Pass")),
    (GradeLevel.FAIL, _l("Fail")),
)
# The lowest score of each level, highest first: 90 优秀, 80 良好, 70 中等, 60 及格, below 不及格.
LEVEL_FLOORS = ((90, GradeLevel.EXCELLENT), (80, GradeLevel.GOOD), (70, GradeLevel.FAIR), (60, GradeLevel.PASS))


def level_of(score: float) -> GradeLevel:
    return next((level for floor, level in LEVEL_FLOORS if score >= floor), GradeLevel.FAIL)


class FinalGrade(db.Model):
    """The placement closed as graded (成绩评定): both sides' scores combined by the school's weights at closing."""

    __tablename__ = "final_grades"
    __table_args__ = (
        sa.CheckConstraint("enterprise_weight BETWEEN 0 AND 100", name="weight_percent"),
        sa.CheckConstraint("score BETWEEN 0 AND 100", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id"), unique=True)
    enterprise_score: Mapped[float] = mapped_column(SCORE)
    school_score: Mapped[float] = mapped_column(SCORE)
    enterprise_weight: Mapped[int]
    score: Mapped[float] = mapped_column(SCORE)
    closed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def level(self) -> GradeLevel:
        return level_of(self.score)
