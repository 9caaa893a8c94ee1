"""The landing page, the dashboard and the language switch."""

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, redirect, render_template, request, session
from flask_login import current_user

from marketplace.alliances.models import IN_FORCE_STATUSES, Alliance, Membership, MembershipStatus
from marketplace.extensions import db
from marketplace.http import safe_next
from marketplace.orgs.models import Organization, OrgKind

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    counts = dict(db.session.execute(sa.select(Organization.kind, sa.func.count()).group_by(Organization.kind)).all())
    alliances = db.session.scalars(sa.select(Alliance).order_by(Alliance.id)).all()
    context = {"counts": {k: counts.get(k, 0) for k in OrgKind}, "alliances": alliances}
    if current_user.is_authenticated:
        context["memberships"] = db.session.scalars(
            sa.select(Membership)
            .where(Membership.organization_id == current_user.organization_id)
            .order_by(Membership.id.desc())
        ).all()
        reviewable = [a for a in alliances if a.is_secretariat(current_user)]
        if reviewable:
            pending = dict(
                db.session.execute(
                    sa.select(Membership.alliance_id, sa.func.count())
                    .where(
                        Membership.alliance_id.in_([a.id for a in reviewable]),
                        Membership.status.in_(
                            [
                                MembershipStatus.APPLIED,
                                MembershipStatus.UNDER_REVIEW,
                                MembershipStatus.WITHDRAWAL_REQUESTED,
                            ]
                        ),
                    )
                    .group_by(Membership.alliance_id)
                ).all()
            )
            context["review"] = [(a, pending.get(a.id, 0)) for a in reviewable]
    context["in_force"] = IN_FORCE_STATUSES
    return render_template("main/index.html", **context)


@bp.post("/lang/<code>")
def set_language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    return redirect(safe_next(request.form.get("next")))
