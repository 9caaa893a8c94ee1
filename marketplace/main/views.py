"""The landing page, each role's home with its to-do list, and the language switch."""

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, redirect, render_template, request, session
from flask_login import current_user

from marketplace.alliances.models import IN_FORCE_STATUSES, Alliance, Membership
from marketplace.extensions import db
from marketplace.http import safe_next
from marketplace.main import todo
from marketplace.orgs.models import Organization, OrgKind
from marketplace.timeutil import local_today

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """Anonymous readers see the platform; a logged-in user sees its role's to-do list first."""
    counts = dict(db.session.execute(sa.select(Organization.kind, sa.func.count()).group_by(Organization.kind)).all())
    alliances = db.session.scalars(sa.select(Alliance).order_by(Alliance.id)).all()
    context = {"counts": {k: counts.get(k, 0) for k in OrgKind}, "alliances": alliances, "in_force": IN_FORCE_STATUSES}
    if current_user.is_authenticated:
        context["memberships"] = db.session.scalars(
            sa.select(Membership)
            .where(Membership.organization_id == current_user.organization_id)
            .order_by(Membership.id.desc())
        ).all()
        kind, today = getattr(current_user.organization, "kind", None), local_today()
        if kind is OrgKind.SCHOOL:
            context["todo"] = todo.school_todo(current_user.organization_id, today)
        elif kind is OrgKind.ENTERPRISE:
            context["todo"] = todo.enterprise_todo(current_user.organization_id, today)
        secretariat_of = [a for a in alliances if a.is_secretariat(current_user)]
        if secretariat_of:
            context["alliance_todo"] = todo.secretariat_todo(secretariat_of, local_today())
    return render_template("main/index.html", **context)


@bp.app_context_processor
def secretariat_menu():
    """The navigation's entry for the secretariat's alliance work: its alliances, read when the menu is drawn."""

    def alliances_of_secretariat() -> list[Alliance]:
        if not (current_user.is_authenticated and current_user.is_secretariat):
            return []
        return db.session.scalars(
            sa.select(Alliance).where(Alliance.secretariat_org_id == current_user.organization_id).order_by(Alliance.id)
        ).all()

    return {"alliances_of_secretariat": alliances_of_secretariat}


@bp.post("/lang/<code>")
def set_language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    return redirect(safe_next(request.form.get("next")))
