"""Teacher enterprise practice (教师企业实践): teachers, practice bases with a mentor, requests and records."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import UTCDateTime, enum_column, utcnow
from marketplace.extensions import db
from marketplace.i18n import register_labels
from marketplace.orgs.models import Organization, OrgKind
from marketplace.reference.models import Region


class Teacher(db.Model):
    """A teacher of a member school (专业教师)."""

    __tablename__ = "teachers"
    __table_args__ = (sa.UniqueConstraint("school_id", "staff_no", name="uq_teachers_school_staff_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    staff_no: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(64))
    specialty: Mapped[str] = mapped_column(sa.String(64))

    school: Mapped[Organization] = relationship()

    def can_view(self, user) -> bool:
        """A school's teachers are its own business: only its users see or change them."""
        return user.is_authenticated and user.organization_id == self.school_id

    can_edit = can_view


class PracticeBase(db.Model):
    """An enterprise's practice base for teachers (教师企业实践基地), with a named mentor (专人指导)."""

    __tablename__ = "practice_bases"
    __table_args__ = (
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("available_until >= available_from", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(128))
    specialty: Mapped[str] = mapped_column(sa.String(64))
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"))
    capacity: Mapped[int]
    available_from: Mapped[date]
    available_until: Mapped[date]
    mentor_name: Mapped[str] = mapped_column(sa.String(64))
    mentor_title: Mapped[str] = mapped_column(sa.String(64), default="")

    enterprise: Mapped[Organization] = relationship()
    city: Mapped[Region] = relationship()

    def can_edit(self, user) -> bool:
        return user.is_authenticated and user.organization_id == self.enterprise_id

    def covers(self, start: date, end: date) -> bool:
        """Whether a practice period falls within the base's availability."""
        return self.available_from <= start and end <= self.available_until


class PracticeStatus(enum.StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


register_labels(
    (PracticeStatus.REQUESTED, _l("Requested")),
    (PracticeStatus.ACCEPTED, _l("Accepted")),
    (PracticeStatus.DECLINED, _l("Declined")),
    (PracticeStatus.COMPLETED, _l("Completed")),
    (PracticeStatus.CANCELLED, _l("Cancelled")),
)


P = PracticeStatus
# An enterprise's decline is its own answer (PracticeDecline) and leaves the request open for the others: nothing moves
# a request to DECLINED any more. The status remains for requests closed by a decline before migration 0009 whose
# declining enterprise could not be told from the audit log.
PRACTICE_TRANSITIONS: dict[PracticeStatus, frozenset[PracticeStatus]] = {
    P.REQUESTED: frozenset({P.ACCEPTED, P.CANCELLED}),
    P.ACCEPTED: frozenset({P.COMPLETED}),
    P.DECLINED: frozenset(),
    P.COMPLETED: frozenset(),
    P.CANCELLED: frozenset(),
}
# Statuses that take a place at a base (capacity counts them).
HOLDING_STATUSES = (P.ACCEPTED, P.COMPLETED)


class PracticeRequest(db.Model):
    """A teacher's request for enterprise practice, and once served, the record of days served."""

    __tablename__ = "practice_requests"
    __table_args__ = (
        sa.CheckConstraint("end_date >= start_date", name="dates_ordered"),
        sa.CheckConstraint("days > 0", name="days_positive"),
        sa.CheckConstraint("days_served IS NULL OR days_served >= 0", name="days_served_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("teachers.id"), index=True)
    specialty: Mapped[str] = mapped_column(sa.String(64))
    start_date: Mapped[date]
    end_date: Mapped[date]
    days: Mapped[int]
    wanted_city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"))
    status: Mapped[PracticeStatus] = mapped_column(
        enum_column(PracticeStatus, "practice_status"), default=PracticeStatus.REQUESTED
    )
    base_id: Mapped[int | None] = mapped_column(sa.ForeignKey("practice_bases.id"), index=True)
    days_served: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    teacher: Mapped[Teacher] = relationship()
    base: Mapped[PracticeBase | None] = relationship()
    wanted_city: Mapped[Region | None] = relationship()
    declines: Mapped[list["PracticeDecline"]] = relationship(
        back_populates="request", order_by="PracticeDecline.declined_at, PracticeDecline.id"
    )

    @property
    def period_days(self) -> int:
        """Calendar days of the period, both ends included."""
        return (self.end_date - self.start_date).days + 1

    def can_transition_to(self, status: PracticeStatus) -> bool:
        return status in PRACTICE_TRANSITIONS[self.status]

    def can_view(self, user) -> bool:
        """The school sees its own; any enterprise sees open requests; the host enterprise sees what it took."""
        if not user.is_authenticated:
            return False
        if self.is_school_user(user):
            return True
        if user.organization.kind is not OrgKind.ENTERPRISE:
            return False
        return self.status is PracticeStatus.REQUESTED or self.is_host_user(user)

    def is_school_user(self, user) -> bool:
        return user.is_authenticated and user.organization_id == self.teacher.school_id

    def is_host_user(self, user) -> bool:
        return user.is_authenticated and self.base is not None and user.organization_id == self.base.enterprise_id

    def decline_of(self, enterprise_id: int) -> "PracticeDecline | None":
        return next((d for d in self.declines if d.enterprise_id == enterprise_id), None)

    def is_open_to(self, user) -> bool:
        """An enterprise may still accept or decline: the request is open and the enterprise has not declined it."""
        return (
            user.is_authenticated
            and user.organization.kind is OrgKind.ENTERPRISE
            and self.status is PracticeStatus.REQUESTED
            and self.decline_of(user.organization_id) is None
        )


class PracticeDecline(db.Model):
    """One enterprise's no to a practice request (企业婉拒), with its reason; the others may still accept it."""

    __tablename__ = "practice_declines"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "enterprise_id", name="uq_practice_declines_request_enterprise"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("practice_requests.id"))
    enterprise_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(500))
    declined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    declined_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    request: Mapped[PracticeRequest] = relationship(back_populates="declines")
    enterprise: Mapped[Organization] = relationship()
    declined_by = relationship("User")
