"""Organisation profiles: the public card every member sees, and the private profile of one's own."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.alliances.models import IN_FORCE_STATUSES, Membership
from marketplace.audit.services import record
from marketplace.extensions import db
from marketplace.orgs.forms import OrganizationProfileForm
from marketplace.orgs.models import Organization
from marketplace.permissions import load_or_404
from marketplace.reference.models import Region

bp = Blueprint("orgs", __name__)


def _memberships(org_id: int, in_force_only: bool):
    query = sa.select(Membership).where(Membership.organization_id == org_id).order_by(Membership.id.desc())
    if in_force_only:
        query = query.where(Membership.status.in_(IN_FORCE_STATUSES))
    return db.session.scalars(query).all()


@bp.get("/org")
@login_required
def mine():
    org = current_user.organization
    return render_template("orgs/profile.html", org=org, memberships=_memberships(org.id, False), private=True)


@bp.get("/orgs/<int:org_id>")
@login_required
def profile(org_id: int):
    """The public card: name, kind, city and alliances in force; contacts only for the organisation itself."""
    org = load_or_404(Organization, org_id)
    private = org.can_view_private(current_user)
    return render_template("orgs/profile.html", org=org, memberships=_memberships(org.id, not private), private=private)


@bp.route("/orgs/<int:org_id>/edit", methods=["GET", "POST"])
@login_required
def edit(org_id: int):
    org = load_or_404(Organization, org_id, lambda o, u: o.can_edit(u))
    form = OrganizationProfileForm(org)
    if form.validate_on_submit():
        values = form.values()
        values["province_id"] = db.session.get(Region, values["city_id"]).parent_id
        changes = {}
        for key, value in values.items():
            if getattr(org, key) != value:
                changes[key] = [str(getattr(org, key)), str(value)]
                setattr(org, key, value)
        record("organization_updated", org, changes=changes)
        db.session.commit()
        flash(_("Profile saved."), "success")
        return redirect(url_for("orgs.profile", org_id=org.id))
    return render_template("orgs/edit.html", form=form, org=org)
