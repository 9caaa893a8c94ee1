"""Login, logout, registration, password change, staff invitations."""

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.auth import services
from marketplace.auth.forms import AcceptInvitationForm, ChangePasswordForm, InviteForm, LoginForm, RegisterForm
from marketplace.auth.models import Invitation, Role, User
from marketplace.auth.passwords import verify_password
from marketplace.extensions import db, limiter
from marketplace.http import login_account, safe_next
from marketplace.permissions import load_or_404, org_admin_required

bp = Blueprint("auth", __name__, url_prefix="/auth")

# Sign-up forms say whether an email, mobile or credit code is registered: one budget per address for both, so
# that oracle cannot be scanned.
signup_limit = limiter.shared_limit(lambda: current_app.config["SIGNUP_RATE_LIMIT"], scope="signup", methods=["POST"])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"], key_func=login_account, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.identifier.data, form.password.data)
        db.session.commit()
        if user is not None:
            login_user(user)
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(safe_next(request.args.get("next")))
        flash(_("Wrong login or password."), "danger")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    services.logout(current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
@signup_limit
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        user = services.register_organization(form)
        db.session.commit()
        login_user(user)
        flash(_("Your organisation is registered. Next, apply to join an alliance."), "success")
        return redirect(url_for("alliances.directory"))
    return render_template("auth/register.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not verify_password(user.password_hash, form.current.data):
            form.current.errors.append(_("The current password is wrong."))
        else:
            services.change_password(user, form.password.data)
            db.session.commit()
            login_user(user)  # this browser stays logged in under the new session version
            flash(_("Password changed. Other sessions have been logged out."), "success")
            return redirect(url_for("me.home" if user.is_student else "orgs.mine"))
    return render_template("auth/password.html", form=form)


@bp.route("/staff", methods=["GET", "POST"])
@org_admin_required
def staff():
    form = InviteForm()
    invite_link = None
    if form.validate_on_submit():
        token = services.create_invitation(current_user, form.email.data, Role(form.role.data))
        db.session.commit()
        invite_link = url_for("auth.accept_invitation", token=token, _external=True)
        flash(_("Invitation created. Send this link to your colleague; it works once, for 7 days."), "success")
        form = InviteForm(formdata=None)
    users = db.session.scalars(
        sa.select(User).where(User.organization_id == current_user.organization_id).order_by(User.id)
    ).all()
    invitations = db.session.scalars(
        sa.select(Invitation)
        .where(Invitation.organization_id == current_user.organization_id, Invitation.accepted_at.is_(None))
        .order_by(Invitation.id.desc())
    ).all()
    return render_template("auth/staff.html", form=form, users=users, invitations=invitations, link=invite_link)


def _same_org_admin(user: User, viewer) -> bool:
    return viewer.is_org_admin and user.organization_id == viewer.organization_id


@bp.post("/staff/<int:user_id>/active")
@org_admin_required
def set_active(user_id: int):
    user = load_or_404(User, user_id, _same_org_admin)
    if user.id == current_user.id:
        abort(400)
    services.set_user_active(current_user, user, request.form.get("active") == "1")
    db.session.commit()
    return redirect(url_for("auth.staff"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@signup_limit
def accept_invitation(token: str):
    invitation = services.find_invitation(token)
    if invitation is None or services.find_by_login(invitation.email) is not None:
        abort(404)
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        user = services.accept_invitation(invitation, form)
        db.session.commit()
        logout_user()
        login_user(user)
        flash(_("Welcome to %(org)s.", org=invitation.organization.name), "success")
        return redirect(url_for("main.index"))
    return render_template("auth/accept.html", form=form, invitation=invitation)
