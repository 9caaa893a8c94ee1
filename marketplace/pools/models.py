"""Expert pool (专家库) entries with their terms, and specialty collaboration groups (专业建设协作组) with seats."""

import enum
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.alliances.models import Alliance
from marketplace.db import UTCDateTime, enum_column, utcnow
from marketplace.extensions import db
from marketplace.orgs.models import Organization


class TitleLevel(enum.StrEnum):
    """Professional title level (专业技术职称等级)."""

    SENIOR = "senior"  # 正高
    ASSOCIATE_SENIOR = "associate_senior"  # 副高
    INTERMEDIATE = "intermediate"  # 中级
    JUNIOR = "junior"  # 初级
    NONE = "none"  # 无职称

    @property
    def rank(self) -> int:
        return TITLE_RANKS[self]


TITLE_RANKS = {
    TitleLevel.NONE: 0,
    TitleLevel.JUNIOR: 1,
    TitleLevel.INTERMEDIATE: 2,
    TitleLevel.ASSOCIATE_SENIOR: 3,
    TitleLevel.SENIOR: 4,
}


class Route(enum.StrEnum):
    APPLICATION = "application"  # 个人申请
    RECOMMENDATION = "recommendation"  # 单位推荐: needs the person's prior consent (联席会 art. 19)


class ConsentMethod(enum.StrEnum):
    WRITTEN = "written"  # 书面同意（签字）
    ELECTRONIC = "electronic"  # 电子邮件、短信等书面电子形式
    IN_PERSON = "in_person"  # 当面口头同意，推荐单位记录


class ExpertStatus(enum.StrEnum):
    """What is stored; whether an appointment has run out is read from its dates (see `Expert.standing`)."""

    PENDING = "pending"
    APPOINTED = "appointed"
    REJECTED = "rejected"
    RESIGNED = "resigned"


class Standing(enum.StrEnum):
    """An entry's standing on a given day, as shown to people."""

    PENDING = "pending"
    APPOINTED = "appointed"
    EXPIRED = "expired"  # 逾期不续聘者自行解聘 (机械 art. 6)
    REJECTED = "rejected"
    RESIGNED = "resigned"


OPEN_EXPERT_STATUSES = (ExpertStatus.PENDING, ExpertStatus.APPOINTED)
_OPEN_EXPERT_SQL = ", ".join(f"'{s.value}'" for s in OPEN_EXPERT_STATUSES)


def term_end(start: date, years: int) -> date:
    """The last day of a term of `years` starting on `start`: start + N years − 1 day."""
    return start + relativedelta(years=years) - timedelta(days=1)


class Expert(db.Model):
    """An entry in an alliance's expert pool (专家库): a person of a member unit, applied for or recommended.

    Personal data is kept to what the charters' conditions need: birth year (for the age limit), title level,
    specialty and unit; no ID number, full birth date or phone.
    """

    __tablename__ = "experts"
    __table_args__ = (
        sa.Index(
            "uq_experts_open_per_unit",
            "alliance_id",
            "organization_id",
            "name",
            unique=True,
            postgresql_where=sa.text(f"status IN ({_OPEN_EXPERT_SQL})"),
            sqlite_where=sa.text(f"status IN ({_OPEN_EXPERT_SQL})"),
        ),
        sa.CheckConstraint("birth_year BETWEEN 1900 AND 2100", name="birth_year_plausible"),
        sa.CheckConstraint(
            "route <> 'recommendation' OR (consent_on IS NOT NULL AND consent_method IS NOT NULL)",
            name="recommendation_has_consent",
        ),
        sa.CheckConstraint(
            "status <> 'appointed' OR (appointed_from IS NOT NULL AND appointed_until IS NOT NULL)",
            name="appointment_has_term",
        ),
        sa.CheckConstraint("appointed_until IS NULL OR appointed_until >= appointed_from", name="term_dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(sa.ForeignKey("alliances.id"), index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))  # set when the person applied themselves
    name: Mapped[str] = mapped_column(sa.String(64))
    title_level: Mapped[TitleLevel] = mapped_column(enum_column(TitleLevel, "expert_title_level"))
    birth_year: Mapped[int]
    specialty: Mapped[str] = mapped_column(sa.String(64))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    route: Mapped[Route] = mapped_column(enum_column(Route, "expert_route"))
    consent_on: Mapped[date | None]
    consent_method: Mapped[ConsentMethod | None] = mapped_column(enum_column(ConsentMethod, "expert_consent_method"))
    consent_recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    consent_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[ExpertStatus] = mapped_column(
        enum_column(ExpertStatus, "expert_status"), default=ExpertStatus.PENDING
    )
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")
    term_no: Mapped[int] = mapped_column(default=0)
    appointed_from: Mapped[date | None]  # the current term
    appointed_until: Mapped[date | None]
    ended_on: Mapped[date | None]  # 辞聘
    end_reason: Mapped[str] = mapped_column(sa.Text, default="")

    alliance: Mapped[Alliance] = relationship()
    organization: Mapped[Organization] = relationship()
    terms: Mapped[list["ExpertTerm"]] = relationship(
        back_populates="expert", order_by="ExpertTerm.term_no", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Expert {self.id} {self.name} {self.status}>"

    def standing(self, today: date) -> Standing:
        if self.status is ExpertStatus.APPOINTED and self.appointed_until is not None and self.appointed_until < today:
            return Standing.EXPIRED
        return Standing(self.status.value)

    def renewal_due_from(self) -> date | None:
        """The first day the renewal reminder is due (term_warning_days before the term ends)."""
        if self.appointed_until is None:
            return None
        return self.appointed_until - timedelta(days=self.alliance.term_warning_days)

    def is_ending_soon(self, today: date) -> bool:
        due = self.renewal_due_from()
        return self.standing(today) is Standing.APPOINTED and due is not None and due <= today

    def is_own_unit(self, user) -> bool:
        return user.is_authenticated and user.organization_id == self.organization_id

    def can_decide(self, user) -> bool:
        return self.alliance.is_secretariat(user)

    def can_resign(self, user) -> bool:
        """The expert's unit (its admin) records a resignation (辞聘); so may the secretariat."""
        return (self.is_own_unit(user) and user.is_org_admin) or self.alliance.is_secretariat(user)

    def sees_personal_data(self, user) -> bool:
        """Birth year and consent are for the secretariat, the unit and the person."""
        return self.can_decide(user) or self.is_own_unit(user)


class ExpertTerm(db.Model):
    """One appointment term (聘期) of an expert; the first is the appointment, later ones renewals (续聘)."""

    __tablename__ = "expert_terms"
    __table_args__ = (
        sa.UniqueConstraint("expert_id", "term_no", name="uq_expert_terms_expert_term_no"),
        sa.CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        sa.CheckConstraint("term_no > 0", name="term_no_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(sa.ForeignKey("experts.id"), index=True)
    term_no: Mapped[int]
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    expert: Mapped[Expert] = relationship(back_populates="terms")


class GroupRole(enum.StrEnum):
    """Seats of a specialty collaboration group (机械 art. 9)."""

    CHAIR = "chair"  # 主任委员, one
    VICE_CHAIR = "vice_chair"  # 副主任委员
    SECRETARY_GENERAL = "secretary_general"  # 秘书长, one
    DEPUTY_SECRETARY_GENERAL = "deputy_secretary_general"  # 副秘书长
    MEMBER = "member"  # 委员


SINGLE_SEATS = (GroupRole.CHAIR, GroupRole.SECRETARY_GENERAL)
_SINGLE_SQL = ", ".join(f"'{r.value}'" for r in SINGLE_SEATS)


class SpecialtyGroup(db.Model):
    """A specialty collaboration group (专业建设协作组) of an alliance."""

    __tablename__ = "specialty_groups"
    __table_args__ = (sa.UniqueConstraint("alliance_id", "name", name="uq_specialty_groups_alliance_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(sa.ForeignKey("alliances.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    specialty: Mapped[str] = mapped_column(sa.String(64))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    alliance: Mapped[Alliance] = relationship()
    members: Mapped[list["GroupMember"]] = relationship(
        back_populates="group", order_by="GroupMember.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<SpecialtyGroup {self.id} {self.name}>"

    @property
    def current_members(self) -> list["GroupMember"]:
        order = list(GroupRole)
        return sorted((m for m in self.members if m.left_on is None), key=lambda m: (order.index(m.role), m.id))

    def can_edit(self, user) -> bool:
        return self.alliance.is_secretariat(user)


class GroupMember(db.Model):
    """A person's seat in a collaboration group, sent by a member unit; leaving sets `left_on`, the row stays."""

    __tablename__ = "group_members"
    __table_args__ = (
        sa.Index(
            "uq_group_members_single_seat",
            "group_id",
            "role",
            unique=True,
            postgresql_where=sa.text(f"left_on IS NULL AND role IN ({_SINGLE_SQL})"),
            sqlite_where=sa.text(f"left_on IS NULL AND role IN ({_SINGLE_SQL})"),
        ),
        sa.Index(
            "uq_group_members_current_person",
            "group_id",
            "organization_id",
            "person_name",
            unique=True,
            postgresql_where=sa.text("left_on IS NULL"),
            sqlite_where=sa.text("left_on IS NULL"),
        ),
        sa.CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("specialty_groups.id"), index=True)
    person_name: Mapped[str] = mapped_column(sa.String(64))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    role: Mapped[GroupRole] = mapped_column(enum_column(GroupRole, "group_role"))
    joined_on: Mapped[date]
    left_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[SpecialtyGroup] = relationship(back_populates="members")
    organization: Mapped[Organization] = relationship()

    def can_leave(self, user) -> bool:
        """The secretariat, or an admin of the unit that sent the person, records the leaving."""
        own_admin = user.is_authenticated and user.is_org_admin and user.organization_id == self.organization_id
        return self.left_on is None and (own_admin or self.group.alliance.is_secretariat(user))


# The labels sit in their own module for length; importing it here registers them whenever the enums load.
from marketplace.pools import labels as _labels  # noqa: E402, F401
