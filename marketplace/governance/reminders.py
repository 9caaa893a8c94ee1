"""Reminders (提醒): in-app notifications that a daily sweep may compute again and again but sends once."""

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.pipeline.models import Notification


def remind(org_id: int, key: str, message: str, link: str = "") -> Notification | None:
    """Notify `org_id` unless a notification with this key was already sent to it; returns the new one."""
    exists = db.session.scalar(
        sa.select(Notification.id).where(Notification.organization_id == org_id, Notification.key == key)
    )
    if exists is not None:
        return None
    notification = Notification(organization_id=org_id, message=message[:255], link=link[:255], key=key[:120])
    db.session.add(notification)
    db.session.flush()
    return notification
