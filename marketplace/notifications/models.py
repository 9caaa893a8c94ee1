"""The notification row: what happened (kind + parameters) and where to look (endpoint + url_for values)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.db import UTCDateTime, utcnow
from marketplace.extensions import db

LEGACY = "text"  # a ready-made text (rows from before kinds)


class Notification(db.Model):
    """An in-app notification to an organisation (站内通知), rendered at read time in the reader's language."""

    __tablename__ = "notifications"
    # A reminder (催报, term ending …) carries a key so that a daily sweep sends it once.
    __table_args__ = (sa.UniqueConstraint("organization_id", "key", name="uq_notifications_org_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40), default=LEGACY)
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    endpoint: Mapped[str | None] = mapped_column(sa.String(64))
    target: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # the endpoint's url_for values
    key: Mapped[str | None] = mapped_column(sa.String(120))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    @property
    def message(self) -> str:
        """The text in the current reader's language."""
        from marketplace.notifications.catalogue import render_text

        return render_text(self)

    @property
    def link(self) -> str | None:
        """Where the notification points, built with url_for; None when it points nowhere that exists."""
        from marketplace.notifications.catalogue import render_url

        return render_url(self)
