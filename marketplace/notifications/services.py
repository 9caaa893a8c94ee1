"""Sending notifications: a kind, its parameters and the url_for values of its link. Flush, never commit."""

import sqlalchemy as sa
from flask import current_app

from marketplace.extensions import db
from marketplace.notifications.catalogue import Kind, stored
from marketplace.notifications.models import Notification


def notify(org_id: int, kind: Kind, target: dict | None = None, *, key: str | None = None, **params):
    """Notify an organisation (站内通知). With a `key`, send once: a daily sweep may compute the same reminder again
    and again (催报, term ending …), so returns None when that organisation already has it.

    `params` fill the kind's text; `target` holds the url_for values of the kind's endpoint.
    """
    if set(params) != kind.params:
        raise TypeError(f"{kind.name} takes the parameters {sorted(kind.params)}, not {sorted(params)}")
    target = dict(target or {})
    if kind.endpoint is not None:
        _check_target(kind.endpoint, target)
    if key is not None:
        key = key[:120]
        exists = db.session.scalar(
            sa.select(Notification.id).where(Notification.organization_id == org_id, Notification.key == key)
        )
        if exists is not None:
            return None
    notification = Notification(
        organization_id=org_id, kind=kind.name, params={name: stored(v) for name, v in params.items()},
        endpoint=kind.endpoint, target=target, key=key,
    )  # fmt: skip
    db.session.add(notification)
    db.session.flush()
    return notification


def _check_target(endpoint: str, target: dict) -> None:
    """Refuse at sending, not at reading, a link that url_for could not build."""
    wanted = {name for rule in current_app.url_map.iter_rules(endpoint) for name in rule.arguments}
    if set(target) != wanted:
        raise TypeError(f"{endpoint} is built from {sorted(wanted)}, not {sorted(target)}")


def unread_count(org_id: int, cap: int = 100) -> int:
    """Unread notifications of an organisation, counted up to `cap` (the bell shows "99+" beyond)."""
    unread = (
        sa.select(Notification.id)
        .where(Notification.organization_id == org_id, Notification.read_at.is_(None))
        .limit(cap)
        .subquery()
    )
    return db.session.scalar(sa.select(sa.func.count()).select_from(unread))


def mark_all_read(org_id: int, now) -> None:
    db.session.execute(
        sa.update(Notification)
        .where(Notification.organization_id == org_id, Notification.read_at.is_(None))
        .values(read_at=now)
    )
