"""Council meetings (理事会会议) with attendance, motions (议案) with counted votes, and officers' terms (任期)."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.alliances.models import Alliance, Membership, Tier
from marketplace.db import UTCDateTime, enum_column, utcnow
from marketplace.extensions import db
from marketplace.orgs.models import Organization


class Body(enum.StrEnum):
    COUNCIL = "council"  # 理事会 / 理事大会
    STANDING = "standing"  # 常务理事会
    ASSEMBLY = "assembly"  # 全体会议 (all members vote)
    ACTIVITY = "activity"  # 联盟活动: attendance only, no motions


# Who is invited to, and votes at, each body: units of these tiers in force on the meeting's day.
COUNCIL_TIERS = frozenset({Tier.CHAIR, Tier.VICE_CHAIR, Tier.STANDING, Tier.DIRECTOR})
STANDING_TIERS = frozenset({Tier.CHAIR, Tier.VICE_CHAIR, Tier.STANDING})
BODY_TIERS = {
    Body.COUNCIL: COUNCIL_TIERS,
    Body.STANDING: STANDING_TIERS,
    Body.ASSEMBLY: frozenset(Tier),
    Body.ACTIVITY: frozenset(Tier),
}


class Meeting(db.Model):
    """A meeting of an alliance body on one day; its roster is fixed when it is called."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(sa.ForeignKey("alliances.id"), index=True)
    body: Mapped[Body] = mapped_column(enum_column(Body, "meeting_body"))
    title: Mapped[str] = mapped_column(sa.String(128))
    held_on: Mapped[date]
    location: Mapped[str] = mapped_column(sa.String(128), default="")
    attendance_taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    alliance: Mapped[Alliance] = relationship()
    attendance: Mapped[list["Attendance"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Attendance.id"
    )
    motions: Mapped[list["Motion"]] = relationship(back_populates="meeting", order_by="Motion.id")

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.body} {self.held_on}>"

    @property
    def council_size(self) -> int:
        return len(self.attendance)

    @property
    def present(self) -> int:
        return sum(1 for a in self.attendance if a.status is AttendanceStatus.PRESENT)

    def can_view(self, user) -> bool:
        mine = user.is_authenticated and any(a.organization_id == user.organization_id for a in self.attendance)
        return self.alliance.is_secretariat(user) or mine

    def can_edit(self, user) -> bool:
        return self.alliance.is_secretariat(user)


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"  # 出席
    EXCUSED = "excused"  # 请假 (absent with a reason given beforehand)
    ABSENT = "absent"  # 无故缺席


class Attendance(db.Model):
    """One invited unit's attendance at a meeting; the invited units are the meeting's voters."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "organization_id", name="uq_attendance_meeting_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(
        enum_column(AttendanceStatus, "attendance_status"), default=AttendanceStatus.ABSENT
    )
    note: Mapped[str] = mapped_column(sa.String(255), default="")

    meeting: Mapped[Meeting] = relationship(back_populates="attendance")
    organization: Mapped[Organization] = relationship()


class MotionKind(enum.StrEnum):
    ADMIT = "admit"  # 吸收成员
    APPROVE_WITHDRAWAL = "approve_withdrawal"  # 批准退出
    EXPEL = "expel"  # 除名 / 解聘
    REMOVE = "remove"  # 终止成员资格 (德州: two years 不合格)
    AMEND_CHARTER = "amend_charter"  # 修改章程
    ANNUAL_PLAN = "annual_plan"  # 年度工作计划
    OTHER = "other"


MEMBERSHIP_KINDS = frozenset({MotionKind.ADMIT, MotionKind.APPROVE_WITHDRAWAL, MotionKind.EXPEL, MotionKind.REMOVE})


class MotionStatus(enum.StrEnum):
    PENDING = "pending"  # on the agenda, not yet voted
    PASSED = "passed"
    FAILED = "failed"
    NO_QUORUM = "no_quorum"


class Motion(db.Model):
    """A motion put to a body; the tally and the rule it was judged by are kept as they were on the day."""

    __tablename__ = "motions"
    __table_args__ = (
        sa.CheckConstraint(
            "yes_votes >= 0 AND no_votes >= 0 AND abstentions >= 0 AND yes_votes + no_votes + abstentions <= present",
            name="votes_within_present",
        ),
        sa.CheckConstraint("present <= council_size", name="present_within_council"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(sa.ForeignKey("alliances.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    kind: Mapped[MotionKind] = mapped_column(enum_column(MotionKind, "motion_kind"))
    membership_id: Mapped[int | None] = mapped_column(sa.ForeignKey("memberships.id"), index=True)
    tier: Mapped[Tier | None] = mapped_column(enum_column(Tier, "motion_tier"))  # the tier an admission grants
    title: Mapped[str] = mapped_column(sa.String(200))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    origin: Mapped[str] = mapped_column(sa.String(32), default="secretariat")  # or "assessment", "absences"
    status: Mapped[MotionStatus] = mapped_column(
        enum_column(MotionStatus, "motion_status"), default=MotionStatus.PENDING
    )
    council_size: Mapped[int] = mapped_column(default=0)
    present: Mapped[int] = mapped_column(default=0)
    yes_votes: Mapped[int] = mapped_column(default=0)
    no_votes: Mapped[int] = mapped_column(default=0)
    abstentions: Mapped[int] = mapped_column(default=0)
    rule_text: Mapped[str] = mapped_column(sa.String(32), default="")
    quorum_text: Mapped[str] = mapped_column(sa.String(16), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    alliance: Mapped[Alliance] = relationship()
    meeting: Mapped[Meeting | None] = relationship(back_populates="motions")
    membership: Mapped[Membership | None] = relationship()

    def __repr__(self) -> str:
        return f"<Motion {self.id} {self.kind} {self.status}>"

    @property
    def decided(self) -> bool:
        return self.status is not MotionStatus.PENDING


class Office(enum.StrEnum):
    CHAIR = "chair"  # 理事长
    EXEC_VICE_CHAIR = "exec_vice_chair"  # 常务副理事长
    VICE_CHAIR = "vice_chair"  # 副理事长
    SECRETARY_GENERAL = "secretary_general"  # 秘书长
    DEPUTY_SECRETARY_GENERAL = "deputy_secretary_general"  # 副秘书长


SINGLE_SEAT_OFFICES = frozenset({Office.CHAIR, Office.SECRETARY_GENERAL})


class OfficerTerm(db.Model):
    """One person's term in an alliance office (届); the charter sets its length and how many may be served."""

    __tablename__ = "officer_terms"
    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="term_dates_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(sa.ForeignKey("alliances.id"), index=True)
    office: Mapped[Office] = mapped_column(enum_column(Office, "office"))
    person_name: Mapped[str] = mapped_column(sa.String(64))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    term_no: Mapped[int]
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    ended_early_on: Mapped[date | None]
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    alliance: Mapped[Alliance] = relationship()
    organization: Mapped[Organization] = relationship()

    @property
    def last_day(self) -> date:
        return self.ended_early_on or self.ends_on

    def holds_on(self, day: date) -> bool:
        return self.starts_on <= day <= self.last_day


# The labels sit in their own module for length; importing it here registers them whenever the enums load.
from marketplace.governance import labels as _labels  # noqa: E402, F401
