"""A stored allocation run and its seats: parameters, the inputs' snapshot, timings and results."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.alliances.models import Alliance
from marketplace.cohorts.models import Student
from marketplace.db import UTCDateTime, enum_column, utcnow
from marketplace.extensions import db
from marketplace.i18n import register_labels
from marketplace.plans.models import Opening


class RunStatus(enum.StrEnum):
    PROPOSED = "proposed"  # computed, waiting for the secretariat's review
    CONFIRMED = "confirmed"  # turned into nominations
    DISCARDED = "discarded"


register_labels(
    (RunStatus.PROPOSED, _l("Proposed")),
    (RunStatus.CONFIRMED, _l("Confirmed")),
    (RunStatus.DISCARDED, _l("Discarded")),
)


class AllocationRun(db.Model):
    __tablename__ = "allocation_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(sa.ForeignKey("alliances.id"), index=True)
    status: Mapped[RunStatus] = mapped_column(
        enum_column(RunStatus, "allocation_run_status"), default=RunStatus.PROPOSED
    )
    parameters: Mapped[dict] = mapped_column(sa.JSON)  # choices per graduate, weights, the τ rule, the half-year
    snapshot_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the inputs were read
    inputs_digest: Mapped[str] = mapped_column(sa.String(64))  # SHA-256 of the engine's inputs: same digest, same run
    timings: Mapped[dict] = mapped_column(sa.JSON)  # seconds per stage
    summary: Mapped[dict] = mapped_column(sa.JSON)  # counts for the preview
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when confirming another run discarded this one: a superseded run can never be confirmed.
    superseded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("allocation_runs.id"))

    alliance: Mapped[Alliance] = relationship()
    seats: Mapped[list["AllocationSeat"]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="AllocationSeat.id"
    )


class AllocationSeat(db.Model):
    """One graduate proposed for one opening by a run."""

    __tablename__ = "allocation_seats"
    __table_args__ = (sa.UniqueConstraint("run_id", "student_id", name="uq_allocation_seats_run_student"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("allocation_runs.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id"), index=True)
    opening_id: Mapped[int] = mapped_column(sa.ForeignKey("openings.id"), index=True)
    fit: Mapped[float]
    choice: Mapped[int]  # 1 = the graduate's first choice
    priority: Mapped[bool] = mapped_column(default=False)
    decided_by_priority: Mapped[bool] = mapped_column(default=False)  # the seat went to priority over a better fit
    # For a seat decided by priority: the fit of the best-fitting student without priority it passed, and the τ the
    # opening had, so that the priority audit can check fit gap ≤ τ from the stored rows alone.
    passed_fit: Mapped[float | None]
    tolerance: Mapped[float] = mapped_column(default=0.0)
    nomination_id: Mapped[int | None] = mapped_column(sa.ForeignKey("nominations.id"))

    run: Mapped[AllocationRun] = relationship(back_populates="seats")
    student: Mapped[Student] = relationship()
    opening: Mapped[Opening] = relationship()
