"""Information reports (信息报送) and the annual assessment (年度考核): cycles and one assessment per member."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.alliances.models import Alliance, Membership
from marketplace.db import UTCDateTime, enum_column, utcnow
from marketplace.extensions import db
from marketplace.orgs.models import Organization


class ReportKind(enum.StrEnum):
    NEWS = "news"  # 动态
    RESULTS = "results"  # 成果
    DATA = "data"  # 数据


class InfoReport(db.Model):
    """An information report (信息报送) a member unit sends to its alliance's secretariat (德州实施办法 art. 10)."""

    __tablename__ = "info_reports"
    __table_args__ = (
        sa.CheckConstraint("title <> ''", name="title_not_empty"),
        sa.Index("ix_info_reports_alliance_org_day", "alliance_id", "organization_id", "submitted_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(sa.ForeignKey("alliances.id"))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    kind: Mapped[ReportKind] = mapped_column(enum_column(ReportKind, "info_report_kind"))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    period_month: Mapped[date | None]  # the month reported on, stored as its first day
    submitted_on: Mapped[date]  # the alliance's local date: the reporting interval counts from it
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    alliance: Mapped[Alliance] = relationship()
    organization: Mapped[Organization] = relationship()
    submitted_by = relationship("User")

    def __repr__(self) -> str:
        return f"<InfoReport {self.id} org={self.organization_id} {self.submitted_on}>"

    def can_view(self, user) -> bool:
        """The reporting unit and the alliance's secretariat; other members never see it."""
        return user.is_authenticated and (
            user.organization_id == self.organization_id or self.alliance.is_secretariat(user)
        )


class AssessmentCycle(db.Model):
    """One year's assessment of an alliance's members under a published standard (年度工作考核标准).

    Deadlines and grades are fixed when the cycle opens, so a later charter change does not move them."""

    __tablename__ = "assessment_cycles"
    __table_args__ = (
        sa.UniqueConstraint("alliance_id", "year", name="uq_assessment_cycles_alliance_year"),
        sa.CheckConstraint("review_due >= self_due", name="deadlines_ordered"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(sa.ForeignKey("alliances.id"), index=True)
    year: Mapped[int]
    standard: Mapped[str] = mapped_column(sa.Text)
    grades: Mapped[list[str]] = mapped_column(sa.JSON)  # best first; the last is the failing grade
    self_due: Mapped[date]
    review_due: Mapped[date]
    opened_on: Mapped[date]
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    alliance: Mapped[Alliance] = relationship()
    assessments: Mapped[list["Assessment"]] = relationship(
        back_populates="cycle", order_by="Assessment.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<AssessmentCycle {self.id} alliance={self.alliance_id} {self.year}>"

    @property
    def failing_grade(self) -> str:
        return self.grades[-1]

    def is_closed(self, today: date) -> bool:
        return today > self.review_due


class Assessment(db.Model):
    """One member unit's assessment in a cycle: platform evidence, its self-assessment, the secretariat's review."""

    __tablename__ = "assessments"
    __table_args__ = (
        sa.UniqueConstraint("cycle_id", "organization_id", name="uq_assessments_cycle_org"),
        sa.CheckConstraint("self_submitted_at IS NULL OR self_grade IS NOT NULL", name="self_grade_given"),
        sa.CheckConstraint("reviewed_at IS NULL OR final_grade IS NOT NULL", name="final_grade_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment_cycles.id"), index=True)
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("memberships.id"), index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    evidence: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    evidence_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    self_grade: Mapped[str | None] = mapped_column(sa.String(16))
    self_summary: Mapped[str] = mapped_column(sa.Text, default="")
    self_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    self_submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    final_grade: Mapped[str | None] = mapped_column(sa.String(16))
    review_comment: Mapped[str] = mapped_column(sa.Text, default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    rectify_by: Mapped[date | None]  # 限期整改: set when the final grade is the failing one

    cycle: Mapped[AssessmentCycle] = relationship(back_populates="assessments")
    membership: Mapped[Membership] = relationship()
    organization: Mapped[Organization] = relationship()

    def __repr__(self) -> str:
        return f"<Assessment {self.id} cycle={self.cycle_id} org={self.organization_id}>"

    @property
    def self_assessed(self) -> bool:
        return self.self_submitted_at is not None

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None

    @property
    def failed(self) -> bool:
        return self.reviewed and self.final_grade == self.cycle.failing_grade

    def can_view(self, user) -> bool:
        return user.is_authenticated and (
            user.organization_id == self.organization_id or self.cycle.alliance.is_secretariat(user)
        )

    def can_self_assess(self, user) -> bool:
        return user.is_authenticated and user.organization_id == self.organization_id

    def can_review(self, user) -> bool:
        return self.cycle.alliance.is_secretariat(user)


# The labels sit in their own module for length; importing it here registers them whenever the enums load.
from marketplace.submissions import labels as _labels  # noqa: E402, F401
