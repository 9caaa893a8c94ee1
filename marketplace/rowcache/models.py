"""The change log the kept rows are refreshed from (排序数据变更记录)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.db import UTCDateTime, utcnow
from marketplace.extensions import db

STUDENT, OPENING, EVERY_OPENING = "student", "opening", "every_opening"


class RankingChange(db.Model):
    """One record whose engine row may have changed: a student, an opening, or every opening (a membership, an
    alliance's weights or τ). Written in the same transaction as the change, so a rolled-back change logs nothing."""

    __tablename__ = "ranking_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(sa.String(16))
    entity_id: Mapped[int | None]
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
