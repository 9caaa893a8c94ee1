"""Alliance directory and pages, applications, the secretariat's review queue, withdrawals, charters."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.alliances import forms, services
from marketplace.alliances.forms import ApplyForm, CharterForm, DecisionForm, WithdrawalForm
from marketplace.alliances.models import (
    IN_FORCE_STATUSES,
    Alliance,
    Membership,
    MembershipStatus,
    Tier,
)
from marketplace.audit.services import record
from marketplace.extensions import db
from marketplace.governance.officers import current_terms
from marketplace.governance.pages import membership_steps
from marketplace.governance.services import after_withdrawal_request
from marketplace.governance.views import GOVERNANCE_LINKS
from marketplace.i18n import choices
from marketplace.orgs.models import Organization
from marketplace.permissions import (
    is_secretariat,
    load,
    load_or_404,
    org_admin_required,
    platform_admin_required,
)
from marketplace.refusals import commit
from marketplace.timeutil import local_today

bp = Blueprint("alliances", __name__)


@bp.get("/alliances")
@login_required
def directory():
    counts = (
        sa.select(Membership.alliance_id, sa.func.count().label("n"))
        .where(Membership.status.in_(IN_FORCE_STATUSES))
        .group_by(Membership.alliance_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Alliance, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.alliance_id == Alliance.id)
        .order_by(Alliance.id)
    ).all()
    mine = {
        m.alliance_id: m
        for m in db.session.scalars(
            sa.select(Membership).where(
                Membership.organization_id == current_user.organization_id,
                Membership.status.in_(services.OPEN_STATUSES),
            )
        )
    }
    return render_template("alliances/directory.html", rows=rows, mine=mine)


@bp.get("/alliances/<int:alliance_id>")
@login_required
def detail(alliance_id: int):
    alliance = load_or_404(Alliance, alliance_id)
    members = db.session.execute(
        sa.select(Membership, Organization)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(Membership.alliance_id == alliance.id, Membership.status.in_(IN_FORCE_STATUSES))
        .order_by(Organization.name)
    ).all()
    by_tier = {tier: [] for tier in Tier}
    for membership, org in members:
        by_tier[membership.tier].append((membership, org))
    mine = services.open_membership(current_user.organization_id, alliance.id)
    terms = current_terms(alliance, local_today())
    return render_template("alliances/detail.html", alliance=alliance, by_tier=by_tier, mine=mine, terms=terms,
                           governance_links=GOVERNANCE_LINKS)  # fmt: skip


@bp.route("/alliances/<int:alliance_id>/apply", methods=["GET", "POST"])
@org_admin_required
def apply(alliance_id: int):
    alliance = load_or_404(Alliance, alliance_id)
    if services.open_membership(current_user.organization_id, alliance.id) is not None:
        flash(_("Your organisation has already applied to, or is a member of, this alliance."), "warning")
        return redirect(url_for("alliances.detail", alliance_id=alliance.id))
    form = ApplyForm()
    if form.validate_on_submit():
        services.apply(
            current_user.organization_id, alliance, actor=current_user, note=form.note.data, on=local_today()
        )
        db.session.commit()
        flash(_("Application submitted. The secretariat will review it."), "success")
        return redirect(url_for("alliances.detail", alliance_id=alliance.id))
    return render_template("alliances/apply.html", alliance=alliance, form=form)


@bp.get("/alliances/<int:alliance_id>/review")
@login_required
def review(alliance_id: int):
    alliance = load_or_404(Alliance, alliance_id, is_secretariat)
    pending = db.session.execute(
        sa.select(Membership, Organization)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(
            Membership.alliance_id == alliance.id,
            Membership.status.in_(
                [MembershipStatus.APPLIED, MembershipStatus.UNDER_REVIEW, MembershipStatus.WITHDRAWAL_REQUESTED]
            ),
        )
        .order_by(Membership.applied_at)
    ).all()
    return render_template("alliances/review.html", alliance=alliance, pending=pending)


def secretariat_decisions(m: Membership) -> list[MembershipStatus]:
    """What the secretariat may decide alone. Admission, expulsion and (where the charter says so) withdrawal go to
    the council as motions (marketplace/governance)."""
    S = MembershipStatus
    if m.status in (S.APPLIED, S.UNDER_REVIEW):
        return [S.REJECTED]
    if m.status is S.ACTIVE:
        return [S.LAPSED]
    if m.status is S.WITHDRAWAL_REQUESTED:
        return [S.ACTIVE] if m.alliance.withdrawal_requires_vote else [S.WITHDRAWN, S.ACTIVE]
    return []


@bp.route("/memberships/<int:membership_id>", methods=["GET", "POST"])
@login_required
def membership(membership_id: int):
    """A membership's history; the secretariat records decisions here and starts the council's motions."""
    m = load(Membership, membership_id)
    allowed = secretariat_decisions(m) if m.can_decide(current_user) else []
    form = DecisionForm(tier=m.tier.value) if allowed else None
    if form is not None:
        form.status.choices = choices(MembershipStatus, allowed)
    if form is not None and form.validate_on_submit():
        status = MembershipStatus(form.status.data)
        decided = commit(
            lambda: services.decide(
                m, status, actor=current_user, reason=(form.reason.data or "").strip(), on=form.effective_on.data
            ),  # fmt: skip
            _("Decision recorded."),
            field=form.effective_on,
        )
        if decided is not None:
            return redirect(url_for("alliances.membership", membership_id=m.id))
    withdraw_form = WithdrawalForm() if m.can_withdraw(current_user) and m.status is MembershipStatus.ACTIVE else None
    if form is not None and not form.effective_on.data:
        form.effective_on.data = local_today()
    return render_template("alliances/membership.html", m=m, form=form, withdraw_form=withdraw_form,
                           **membership_steps(m, current_user))  # fmt: skip


@bp.post("/memberships/<int:membership_id>/withdraw")
@org_admin_required
def withdraw(membership_id: int):
    m = load(Membership, membership_id)
    if not m.can_withdraw(current_user):
        abort(403)
    form = WithdrawalForm()
    if not form.validate_on_submit() or m.status is not MembershipStatus.ACTIVE:
        flash(
            _("The withdrawal request was not recorded: give a reason, and only active memberships can be withdrawn."),
            "danger",
        )
        return redirect(url_for("alliances.membership", membership_id=m.id))
    services.decide(
        m, MembershipStatus.WITHDRAWAL_REQUESTED, actor=current_user, reason=form.reason.data, on=local_today()
    )
    after_withdrawal_request(m, actor=current_user)
    db.session.commit()
    earliest = m.alliance.earliest_withdrawal(m.withdrawal_requested_on)
    flash(
        _(
            "Withdrawal requested. Under the charter it can take effect on %(date)s at the earliest.",
            date=earliest.isoformat(),
        ),
        "info",
    )
    return redirect(url_for("alliances.membership", membership_id=m.id))


def _secretariat_choices() -> list[tuple[int, str]]:
    return [(o.id, o.name) for o in db.session.scalars(sa.select(Organization).order_by(Organization.name))]


@bp.route("/alliances/new", methods=["GET", "POST"])
@platform_admin_required
def create():
    form = CharterForm(
        assessment_grades="优秀,较好,合格,不合格",
        priority_tolerance=0.02,
        min_remaining_days=30,
        fit_floor=0.4,
        admission_vote_num=2,
        admission_vote_den=3,
        quorum_num=2,
        quorum_den=3,
        withdrawal_notice_months=0,
        officer_term_years=5,
        admission_vote_base="present",
        admission_checklist="具备法人资格\n承认并遵守联盟章程",
        term_warning_days=90,
        self_assessment_due="12-10",
        assessment_review_due="12-30",
        rectification_days=90,
        expert_term_years=3,
    )
    form.secretariat_org_id.choices = _secretariat_choices()
    if form.validate_on_submit():
        alliance = Alliance()
        _apply_charter(form, alliance)
        db.session.add(alliance)
        db.session.flush()
        record("alliance_created", alliance, name=alliance.name)
        db.session.commit()
        return redirect(url_for("alliances.detail", alliance_id=alliance.id))
    return render_template("alliances/charter.html", form=form, alliance=None)


@bp.route("/alliances/<int:alliance_id>/charter", methods=["GET", "POST"])
@platform_admin_required
def charter(alliance_id: int):
    alliance = load_or_404(Alliance, alliance_id)
    form = CharterForm(obj=alliance)
    form.secretariat_org_id.choices = _secretariat_choices()
    if not form.is_submitted():
        form.assessment_grades.data = ",".join(alliance.assessment_grades)
        for name, (_parser, format_text) in TEXT_FIELDS.items():
            getattr(form, name).data = format_text(getattr(alliance, name))
        form.expert_min_title.data = alliance.expert_min_title or ""
    if form.validate_on_submit():
        before = _charter_snapshot(alliance)
        _apply_charter(form, alliance)
        after = _charter_snapshot(alliance)
        record("charter_changed", alliance, changes={k: [before[k], after[k]] for k in after if before[k] != after[k]})
        db.session.commit()
        flash(_("Charter parameters saved."), "success")
        return redirect(url_for("alliances.detail", alliance_id=alliance.id))
    return render_template("alliances/charter.html", form=form, alliance=alliance)


CHARTER_FIELDS = (
    "name",
    "short_name",
    "description",
    "secretariat_org_id",
    "admission_vote_num",
    "admission_vote_den",
    "admission_vote_strict",
    "quorum_num",
    "quorum_den",
    "withdrawal_notice_months",
    "lapse_after_years",
    "officer_term_years",
    "officer_term_limit",
    "reporting_interval_days",
    "priority_tolerance",
    "min_remaining_days",
    "fit_floor",
    "admission_vote_base",
    "withdrawal_requires_vote",
    "certificate_prefix",
    "removal_after_failed_years",
    "absence_flag_count",
    "standing_share_num",
    "standing_share_den",
    "term_warning_days",
    "self_assessment_due",
    "assessment_review_due",
    "rectification_days",
    "expert_term_years",
    "expert_max_age",
    "expert_min_title",
)
# Charter data edited as text lines: attribute → (form's parser, formatter for the form)
TEXT_FIELDS = {
    "vote_rules": ("parsed_vote_rules", forms.format_vote_rules),
    "tier_quotas": ("parsed_tier_quotas", forms.format_tier_quotas),
    "admission_checklist": ("checklist", lambda items: "\n".join(items or [])),
}


def _charter_snapshot(alliance: Alliance) -> dict:
    snapshot = {f: getattr(alliance, f) for f in CHARTER_FIELDS}
    snapshot["assessment_grades"] = list(alliance.assessment_grades or [])
    for name in TEXT_FIELDS:
        snapshot[name] = getattr(alliance, name)
    return snapshot


def _apply_charter(form: CharterForm, alliance: Alliance) -> None:
    for field in CHARTER_FIELDS:
        setattr(alliance, field, getattr(form, field).data)
    alliance.description = alliance.description or ""
    alliance.certificate_prefix = alliance.certificate_prefix or None
    alliance.expert_min_title = alliance.expert_min_title or None
    alliance.assessment_grades = form.grades()
    for name, (parser, _format) in TEXT_FIELDS.items():
        setattr(alliance, name, getattr(form, parser)())
