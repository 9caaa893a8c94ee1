"""Writing audit events; callers commit with the change they describe."""

from flask import has_request_context, request
from flask_login import current_user

from marketplace.audit.models import AuditEvent
from marketplace.extensions import db


def record(action: str, obj=None, *, actor=None, object_type: str | None = None, **details) -> AuditEvent:
    """Add an audit event for `action` on `obj`, by `actor` (default: the logged-in user)."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if obj is not None and getattr(obj, "id", None) is None:
        db.session.flush()
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        organization_id=getattr(actor, "organization_id", None),
        object_type=object_type or (obj.__tablename__ if obj is not None else "none"),
        object_id=getattr(obj, "id", None),
        ip=(request.remote_addr or "") if has_request_context() else "",
        details={k: v for k, v in details.items() if v is not None},
    )
    db.session.add(event)
    return event
