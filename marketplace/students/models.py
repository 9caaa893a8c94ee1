"""The student as a user (学生本人): invitations, answers to offers, weekly journals (周志), the final report
(实习总结), the evaluation of the enterprise and the post, and requests to correct the school's records.

Answers, consent and correction requests are appended, never edited: the history is the record.
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.auth.models import User
from marketplace.cohorts.models import Student
from marketplace.db import UTCDateTime, enum_column, utcnow
from marketplace.extensions import db
from marketplace.i18n import register_labels
from marketplace.pipeline.models import Nomination, Placement

DEFAULT_MIN_JOURNALS = 12  # a school that has set nothing expects twelve over an internship


class StudentInvitation(db.Model):
    """A school's single-use link for one student to set a password (学生账号邀请); only the token's hash is kept."""

    __tablename__ = "student_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    student: Mapped[Student] = relationship()

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > utcnow()


class OfferAnswer(db.Model):
    """The student's own answer to an offer (学生答复): the school then records it through the pipeline."""

    __tablename__ = "offer_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(sa.ForeignKey("nominations.id"), index=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id"), index=True)
    accepted: Mapped[bool]
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    nomination: Mapped[Nomination] = relationship()


class JournalRequirement(db.Model):
    """How many weekly journals a school expects over one internship (周志最低篇数)."""

    __tablename__ = "journal_requirements"
    __table_args__ = (sa.CheckConstraint("min_count BETWEEN 0 AND 60", name="min_count_range"),)

    school_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), primary_key=True)
    min_count: Mapped[int] = mapped_column(default=DEFAULT_MIN_JOURNALS)
    updated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Review:
    """A supervising teacher's review: who, when, what they said (指导教师批阅)."""

    review_comment: Mapped[str] = mapped_column(sa.Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None


class Journal(Review, db.Model):
    """One week's journal of a placement (周志), written by the student, reviewed by the school's teacher."""

    __tablename__ = "journals"
    __table_args__ = (sa.UniqueConstraint("placement_id", "week_start", name="uq_journals_placement_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id"), index=True)
    week_start: Mapped[date]  # the Monday of the week written about
    content: Mapped[str] = mapped_column(sa.Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    placement: Mapped[Placement] = relationship()
    reviewed_by: Mapped[User | None] = relationship()


class FinalReport(Review, db.Model):
    """The student's final report of a placement (实习总结报告), reviewed by the school's teacher."""

    __tablename__ = "final_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id"), unique=True)
    content: Mapped[str] = mapped_column(sa.Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    placement: Mapped[Placement] = relationship()
    reviewed_by: Mapped[User | None] = relationship()


class Evaluation(db.Model):
    """The student's evaluation of the enterprise and of the post (学生评价), 1–5 each with a comment. Enterprises
    read only aggregates of at least the configured number of answers; the alliance's secretariat reads per
    enterprise."""

    __tablename__ = "evaluations"
    __table_args__ = (
        sa.CheckConstraint("enterprise_score BETWEEN 1 AND 5", name="enterprise_score_range"),
        sa.CheckConstraint("post_score BETWEEN 1 AND 5", name="post_score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id"), unique=True)
    enterprise_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    enterprise_score: Mapped[int] = mapped_column(sa.SmallInteger)
    post_score: Mapped[int] = mapped_column(sa.SmallInteger)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    placement: Mapped[Placement] = relationship()


class CorrectionStatus(enum.StrEnum):
    OPEN = "open"
    CORRECTED = "corrected"
    REFUSED = "refused"


register_labels(
    (CorrectionStatus.OPEN, _l("Open")),
    (CorrectionStatus.CORRECTED, _l("Corrected")),
    (CorrectionStatus.REFUSED, _l("Not corrected")),
)


class CorrectionRequest(db.Model):
    """A student's request to correct what the school holds on them (更正请求, PIPL art. 46); the school resolves."""

    __tablename__ = "correction_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[CorrectionStatus] = mapped_column(
        enum_column(CorrectionStatus, "correction_status"), default=CorrectionStatus.OPEN
    )
    answer: Mapped[str] = mapped_column(sa.Text, default="")
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    student: Mapped[Student] = relationship()
