"""A generated annual quality report (就业质量年度报告), kept with both its renderings for download."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.alliances.models import Alliance
from marketplace.db import UTCDateTime, utcnow
from marketplace.extensions import db
from marketplace.orgs.models import Organization


class AnnualReport(db.Model):
    """就业质量年度报告: one graduating year's document, for one school or for one alliance's member schools."""

    __tablename__ = "annual_reports"
    __table_args__ = (
        sa.CheckConstraint("(alliance_id IS NULL) <> (school_id IS NULL)", name="one_scope"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("alliances.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    year: Mapped[int]  # the graduating cohort reported on
    title: Mapped[str] = mapped_column(sa.String(200))
    pdf: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    docx: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    alliance: Mapped[Alliance | None] = relationship()
    school: Mapped[Organization | None] = relationship()

    def can_view(self, user) -> bool:
        """A school's report: that school's staff; an alliance's: its secretariat (and the platform admin)."""
        if self.alliance is not None:
            return self.alliance.is_secretariat(user)
        return user.is_platform_admin or user.organization_id == self.school_id
