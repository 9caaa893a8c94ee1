"""The pipeline: nomination → shortlist → offer → acceptance → placement, with rule exceptions."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.cohorts.models import Student
from marketplace.db import UTCDateTime, enum_column, utcnow
from marketplace.extensions import db
from marketplace.i18n import register_labels
from marketplace.plans.models import Opening, OpeningKind


class NominationStatus(enum.StrEnum):
    NOMINATED = "nominated"  # the school put the student forward
    INVITED = "invited"  # the enterprise invited a consenting student
    SHORTLISTED = "shortlisted"
    REJECTED = "rejected"
    OFFERED = "offered"
    ACCEPTED = "accepted"  # the school recorded the student's acceptance: a placement exists
    DECLINED = "declined"  # the student declined the offer
    WITHDRAWN = "withdrawn"  # the school withdrew the nomination


register_labels(
    (NominationStatus.NOMINATED, _l("Nominated")),
    (NominationStatus.INVITED, _l("Invited")),
    (NominationStatus.SHORTLISTED, _l("Shortlisted")),
    (NominationStatus.REJECTED, _l("Not selected")),
    (NominationStatus.OFFERED, _l("Offered")),
    (NominationStatus.ACCEPTED, _l("Accepted")),
    (NominationStatus.DECLINED, _l("Declined")),
    (NominationStatus.WITHDRAWN, _l("Withdrawn by school")),
)


N = NominationStatus
NOMINATION_TRANSITIONS: dict[NominationStatus, frozenset[NominationStatus]] = {
    N.NOMINATED: frozenset({N.SHORTLISTED, N.REJECTED, N.OFFERED, N.WITHDRAWN}),
    N.INVITED: frozenset({N.NOMINATED, N.WITHDRAWN}),  # the school answers an invitation first
    N.SHORTLISTED: frozenset({N.OFFERED, N.REJECTED, N.WITHDRAWN}),
    N.OFFERED: frozenset({N.ACCEPTED, N.DECLINED, N.WITHDRAWN}),
    N.REJECTED: frozenset(),
    N.ACCEPTED: frozenset(),
    N.DECLINED: frozenset(),
    N.WITHDRAWN: frozenset(),
}


class NominationSource(enum.StrEnum):
    """Who put the student forward: the nomination page and the notifications say so."""

    SCHOOL = "school"  # 学校推荐
    ENTERPRISE = "enterprise"  # 企业邀请
    ALLOCATION = "allocation"  # 联盟分配方案 (allocation_run_id names the run)


register_labels(
    (NominationSource.SCHOOL, _l("Put forward by the school")),
    (NominationSource.ENTERPRISE, _l("Invited by the enterprise")),
    (NominationSource.ALLOCATION, _l("Proposed by the alliance's allocation")),
)


class Nomination(db.Model):
    """A student put forward for an opening (推荐), by the school or on the enterprise's invitation."""

    __tablename__ = "nominations"
    __table_args__ = (sa.UniqueConstraint("opening_id", "student_id", name="uq_nominations_opening_student"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(sa.ForeignKey("openings.id"), index=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id"), index=True)
    status: Mapped[NominationStatus] = mapped_column(enum_column(NominationStatus, "nomination_status"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")  # rejection reason, decline reason
    source: Mapped[NominationSource] = mapped_column(
        enum_column(NominationSource, "nomination_source"), default=NominationSource.SCHOOL
    )
    # The run whose confirmation created it (source allocation); a string key: allocations sit above pipeline.
    allocation_run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("allocation_runs.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    opening: Mapped[Opening] = relationship()
    student: Mapped[Student] = relationship()

    def can_transition_to(self, status: NominationStatus) -> bool:
        return status in NOMINATION_TRANSITIONS[self.status]

    def side_of(self, user) -> str | None:
        """'school', 'enterprise' or None: which party of this nomination the user acts for."""
        if not user.is_authenticated:
            return None
        if user.organization_id == self.student.school_id:
            return "school"
        if user.organization_id == self.opening.plan.enterprise_id:
            return "enterprise"
        return None

    def can_view(self, user) -> bool:
        return self.side_of(user) is not None or (user.is_authenticated and user.is_platform_admin)


class PlacementStatus(enum.StrEnum):
    ONGOING = "ongoing"
    COMPLETED = "completed"
    LEFT_EARLY = "left_early"


register_labels(
    (PlacementStatus.ONGOING, _l("Ongoing")),
    (PlacementStatus.COMPLETED, _l("Completed")),
    (PlacementStatus.LEFT_EARLY, _l("Left early")),
)


class Placement(db.Model):
    """Where a student went (实习/就业去向): the outcome that reports count."""

    __tablename__ = "placements"
    __table_args__ = (
        sa.UniqueConstraint("opening_id", "student_id", name="uq_placements_opening_student"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
        sa.CheckConstraint("pay >= 0", name="pay_nonnegative"),
        # A student holds at most one ongoing placement of a kind at a time.
        sa.Index(
            "uq_placements_one_ongoing_per_kind",
            "student_id",
            "kind",
            unique=True,
            postgresql_where=sa.text("status = 'ongoing'"),
            sqlite_where=sa.text("status = 'ongoing'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(sa.ForeignKey("openings.id"), index=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id"), index=True)
    nomination_id: Mapped[int | None] = mapped_column(sa.ForeignKey("nominations.id"), unique=True)
    kind: Mapped[OpeningKind] = mapped_column(enum_column(OpeningKind, "placement_kind"))
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    status: Mapped[PlacementStatus] = mapped_column(
        enum_column(PlacementStatus, "placement_status"), default=PlacementStatus.ONGOING
    )
    pay: Mapped[int]
    end_reason: Mapped[str] = mapped_column(sa.Text, default="")  # why a placement ended early
    # 到岗: the day the student began, recorded once the law's gates hold (岗位实习; internships/gates.py).
    arrived_on: Mapped[date | None]
    enterprise_feedback: Mapped[str] = mapped_column(sa.Text, default="")
    school_feedback: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    opening: Mapped[Opening] = relationship()
    student: Mapped[Student] = relationship()
    nomination: Mapped[Nomination | None] = relationship()

    @property
    def needs_arrival(self) -> bool:
        """A 岗位实习 begins on its recorded arrival, not on its date: the law's gates must hold first."""
        return self.kind is OpeningKind.POST_INTERNSHIP

    def side_of(self, user) -> str | None:
        """'school' or 'enterprise': which party of this placement the user acts for."""
        if not user.is_authenticated:
            return None
        if user.organization_id == self.student.school_id:
            return "school"
        if user.organization_id == self.opening.plan.enterprise_id:
            return "enterprise"
        return None

    def can_view(self, user) -> bool:
        """The student's school and the host enterprise."""
        return user.is_authenticated and (
            user.is_platform_admin or user.organization_id in (self.student.school_id, self.opening.plan.enterprise_id)
        )


class RuleException(db.Model):
    """A secretariat's recorded exception to an internship rule that allows one ('generally ≤ 10%'), with reason."""

    __tablename__ = "rule_exceptions"
    __table_args__ = (sa.UniqueConstraint("opening_id", "rule", name="uq_rule_exceptions_opening_rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(sa.ForeignKey("openings.id"), index=True)
    rule: Mapped[str] = mapped_column(sa.String(32))
    reason: Mapped[str] = mapped_column(sa.Text)
    granted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    alliance_id: Mapped[int] = mapped_column(sa.ForeignKey("alliances.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
