"""The notifications page and the bell's unread count."""

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.notifications import services
from marketplace.notifications.models import Notification

bp = Blueprint("notifications", __name__)
BELL_CAP = 100


@bp.app_context_processor
def bell():
    """One cheap query per page, and only when base.html asks for a logged-in user."""

    def unread_notifications() -> str:
        if not current_user.is_authenticated:
            return ""
        n = services.unread_count(current_user.organization_id, cap=BELL_CAP)
        return "" if n == 0 else ("99+" if n >= BELL_CAP else str(n))

    return {"unread_notifications": unread_notifications}


@bp.get("/notifications")
@login_required
def index():
    items = db.session.scalars(
        sa.select(Notification)
        .where(Notification.organization_id == current_user.organization_id)
        .order_by(Notification.id.desc())
        .limit(100)
    ).all()
    return render_template("notifications/index.html", items=items)


@bp.post("/notifications/read")
@login_required
def mark_read():
    services.mark_all_read(current_user.organization_id, utcnow())
    db.session.commit()
    return redirect(url_for("notifications.index"))
