"""Enterprises' half-year hiring plans (用工计划) and their openings."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import UTCDateTime, enum_column, utcnow
from marketplace.extensions import db
from marketplace.i18n import register_labels
from marketplace.orgs.models import Organization
from marketplace.reference.models import Major, Occupation, Region


class OpeningKind(enum.StrEnum):
    EMPLOYMENT = "employment"  # 就业
    POST_INTERNSHIP = "post_internship"  # 岗位实习
    COGNITIVE_INTERNSHIP = "cognitive_internship"  # 认识实习
    WORK_STUDY = "work_study"  # 工学交替
    ORDER_CLASS = "order_class"  # 订单班/冠名班
    APPRENTICESHIP = "apprenticeship"  # 现代学徒制

    @property
    def is_internship(self) -> bool:
        """Kinds in which the student is still a student: the 2021 internship rules apply."""
        return self is not OpeningKind.EMPLOYMENT


register_labels(
    (OpeningKind.EMPLOYMENT, _l("Employment")),
    (OpeningKind.POST_INTERNSHIP, _l("Post internship")),
    (OpeningKind.COGNITIVE_INTERNSHIP, _l("Cognitive internship")),
    (OpeningKind.WORK_STUDY, _l("Work-study alternation")),
    (OpeningKind.ORDER_CLASS, _l("Order / named class")),
    (OpeningKind.APPRENTICESHIP, _l("Modern apprenticeship")),
)


class CertificateLevel(enum.IntEnum):
    """职业技能等级: 初级(五级) … 高级技师(一级), ordered so that comparisons mean 'at least'."""

    JUNIOR = 1  # 初级
    INTERMEDIATE = 2  # 中级
    SENIOR = 3  # 高级
    TECHNICIAN = 4  # 技师
    SENIOR_TECHNICIAN = 5  # 高级技师


class ShiftPattern(enum.StrEnum):
    DAY = "day"  # 常白班
    TWO_SHIFTS = "two_shifts"  # 两班倒 (no night work)
    NIGHT = "night"  # 含夜班 / 三班倒
    FLEXIBLE = "flexible"  # 弹性


register_labels(
    (ShiftPattern.DAY, _l("Day shift")),
    (ShiftPattern.TWO_SHIFTS, _l("Two shifts, no nights")),
    (ShiftPattern.NIGHT, _l("Includes night shifts")),
    (ShiftPattern.FLEXIBLE, _l("Flexible hours")),
)


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


register_labels(
    (PlanStatus.DRAFT, _l("Draft")),
    (PlanStatus.PUBLISHED, _l("Published")),
)


plan_alliances = sa.Table(
    "plan_alliances",
    db.metadata,
    sa.Column("plan_id", sa.ForeignKey("hiring_plans.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("alliance_id", sa.ForeignKey("alliances.id"), primary_key=True),
)

opening_majors = sa.Table(
    "opening_majors",
    db.metadata,
    sa.Column("opening_id", sa.ForeignKey("openings.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("major_id", sa.ForeignKey("majors.id"), primary_key=True),
)


class HiringPlan(db.Model):
    """An enterprise's plan for one half-year (每半年的用工计划), published to some of its alliances."""

    __tablename__ = "hiring_plans"
    __table_args__ = (
        sa.UniqueConstraint("enterprise_id", "year", "half", name="uq_hiring_plans_enterprise_half_year"),
        sa.CheckConstraint("half IN (1, 2)", name="half_is_1_or_2"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    year: Mapped[int]
    half: Mapped[int] = mapped_column(sa.SmallInteger)
    labour_standards: Mapped[str] = mapped_column(sa.Text, default="")  # 用工标准
    # For the 市域产教联合体 lists: the enterprise's core products (核心产品) and the technical problems it wants
    # solved with schools (技术需求), one per line, as it states them for the half-year.
    core_products: Mapped[str] = mapped_column(sa.Text, default="")
    technical_needs: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[PlanStatus] = mapped_column(enum_column(PlanStatus, "plan_status"), default=PlanStatus.DRAFT)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enterprise: Mapped[Organization] = relationship()
    alliances = relationship("Alliance", secondary=plan_alliances, order_by="Alliance.id")
    openings: Mapped[list["Opening"]] = relationship(
        back_populates="plan", order_by="Opening.id", cascade="all, delete-orphan"
    )

    @property
    def half_year_key(self) -> str:
        return f"{self.year}H{self.half}"

    def can_view(self, user) -> bool:
        """Published plans are public to logged-in members; drafts only to the enterprise."""
        return user.is_authenticated and (
            self.status is PlanStatus.PUBLISHED or user.organization_id == self.enterprise_id or user.is_platform_admin
        )

    def can_edit(self, user) -> bool:
        return user.is_authenticated and (user.organization_id == self.enterprise_id or user.is_platform_admin)


class Opening(db.Model):
    """One opening (岗位) of a plan: kind, occupation, majors, skills, certificates, place, headcount, pay, dates."""

    __tablename__ = "openings"
    __table_args__ = (
        sa.CheckConstraint("headcount > 0", name="headcount_positive"),
        sa.CheckConstraint("filled >= 0 AND filled <= headcount", name="filled_within_headcount"),
        sa.CheckConstraint("pay_min >= 0 AND pay_max >= pay_min", name="pay_range"),
        sa.CheckConstraint("post_wage IS NULL OR post_wage > 0", name="post_wage_positive"),
        sa.CheckConstraint("end_date >= start_date", name="dates_ordered"),
        sa.CheckConstraint("staff_in_post >= 0", name="staff_in_post_nonnegative"),
        # The openings list sorts by these; without them a filtered page sorts every matching row.
        sa.Index("ix_openings_pay_max_id", "pay_max", "id"),
        sa.Index("ix_openings_start_date_id", "start_date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("hiring_plans.id", ondelete="CASCADE"), index=True)
    kind: Mapped[OpeningKind] = mapped_column(enum_column(OpeningKind, "opening_kind"), index=True)
    title: Mapped[str] = mapped_column(sa.String(128))
    occupation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("occupations.id"), index=True)
    skills: Mapped[str] = mapped_column(sa.Text, default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    headcount: Mapped[int]
    # Places taken by accepted offers; guarded by a conditional UPDATE and the CHECK above.
    filled: Mapped[int] = mapped_column(default=0)
    pay_min: Mapped[int]  # yuan per month
    pay_max: Mapped[int]
    post_wage: Mapped[int | None]  # the same post's regular wage, for the 80% rule of 岗位实习
    start_date: Mapped[date]
    end_date: Mapped[date]
    shift_pattern: Mapped[ShiftPattern] = mapped_column(enum_column(ShiftPattern, "shift_pattern"))
    requires_overtime: Mapped[bool] = mapped_column(default=False)
    staff_in_post: Mapped[int] = mapped_column(default=0)  # staff currently in this post (20% rule)
    restricted_venue: Mapped[bool] = mapped_column(default=False)  # bar, KTV, internet café and the like
    via_paid_agent: Mapped[bool] = mapped_column(default=False)  # recruited through a paid intermediary
    labour_dispatch: Mapped[bool] = mapped_column(default=False)  # 劳务派遣
    heavy_labour: Mapped[bool] = mapped_column(default=False)  # physical labour of intensity III or above
    high_risk: Mapped[bool] = mapped_column(default=False)  # 高空、井下、放射性、有毒、易燃易爆
    holiday_work: Mapped[bool] = mapped_column(default=False)  # works on statutory holidays
    minors_forbidden_work: Mapped[bool] = mapped_column(default=False)  # 未成年工禁忌从事的劳动
    women_forbidden_work: Mapped[bool] = mapped_column(default=False)  # 女职工禁忌从事的劳动
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[HiringPlan] = relationship(back_populates="openings")
    occupation: Mapped[Occupation | None] = relationship()
    city: Mapped[Region] = relationship()
    majors: Mapped[list[Major]] = relationship(secondary=opening_majors, order_by="Major.code")
    certificates: Mapped[list["OpeningCertificate"]] = relationship(
        back_populates="opening", cascade="all, delete-orphan", order_by="OpeningCertificate.id"
    )

    @property
    def remaining(self) -> int:
        return self.headcount - self.filled

    def can_view(self, user) -> bool:
        return self.plan.can_view(user)

    def can_edit(self, user) -> bool:
        return self.plan.can_edit(user)


class OpeningCertificate(db.Model):
    """A certificate an opening wants (职业技能等级证书), held at least at `min_level`."""

    __tablename__ = "opening_certificates"
    __table_args__ = (sa.CheckConstraint("min_level BETWEEN 1 AND 5", name="level_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(sa.ForeignKey("openings.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    min_level: Mapped[int] = mapped_column(sa.SmallInteger)

    opening: Mapped[Opening] = relationship(back_populates="certificates")
