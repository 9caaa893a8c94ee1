"""Enterprises' half-year hiring plans and openings; the openings list every member browses."""

import sqlalchemy as sa
from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

import matching
from marketplace.certificates import format_certificates
from marketplace.extensions import db
from marketplace.input_guard import db_int
from marketplace.orgs.models import OrgKind
from marketplace.permissions import enterprise_required, load_or_404
from marketplace.pipeline import views as pipeline
from marketplace.pipeline.forms import WaiverForm
from marketplace.plans import services
from marketplace.plans.forms import OpeningForm, PlanForm
from marketplace.plans.listing import OpeningFilters, filter_choices, list_openings
from marketplace.plans.models import HiringPlan, Opening, PlanStatus
from marketplace.refusals import commit
from marketplace.timeutil import local_today

bp = Blueprint("plans", __name__)


@bp.get("/plans")
@enterprise_required
def my_plans():
    plans = db.session.scalars(
        sa.select(HiringPlan)
        .where(HiringPlan.enterprise_id == current_user.organization_id)
        .order_by(HiringPlan.year.desc(), HiringPlan.half.desc())
        .options(selectinload(HiringPlan.openings), selectinload(HiringPlan.alliances))  # what the list counts, names
    ).all()
    return render_template("plans/my_plans.html", plans=plans)


def _plan_form(plan: HiringPlan | None) -> PlanForm:
    today = local_today()
    defaults = {"year": today.year, "half": 1 if today.month <= 6 else 2}
    if plan is not None:
        defaults = {"year": plan.year, "half": plan.half, "labour_standards": plan.labour_standards,
                    "core_products": plan.core_products, "technical_needs": plan.technical_needs,
                    "alliances": [a.id for a in plan.alliances]}  # fmt: skip
    form = PlanForm(data=defaults)
    form.alliances.choices = [(a.id, a.name) for a in services.member_alliances(current_user.organization_id)]
    return form


def _save_plan(plan: HiringPlan, form: PlanForm):
    saved = commit(lambda: services.save_plan(plan, year=form.year.data, half=form.half.data,
                                              labour_standards=form.labour_standards.data or "",
                                              core_products=form.core_products.data or "",
                                              technical_needs=form.technical_needs.data or "",
                                              alliance_ids=form.alliances.data or [], actor=current_user),
                   _("Plan saved."), field=form.year)  # fmt: skip
    if saved is None:
        return None
    return redirect(url_for("plans.plan", plan_id=plan.id))


@bp.route("/plans/new", methods=["GET", "POST"])
@enterprise_required
def new_plan():
    form = _plan_form(None)
    if form.validate_on_submit():
        response = _save_plan(HiringPlan(enterprise_id=current_user.organization_id), form)
        if response is not None:
            return response
    return render_template("plans/plan_form.html", form=form, plan=None)


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@login_required
def edit_plan(plan_id: int):
    plan = load_or_404(HiringPlan, plan_id, lambda p, u: p.can_edit(u))
    form = _plan_form(plan)
    if form.validate_on_submit():
        response = _save_plan(plan, form)
        if response is not None:
            return response
    return render_template("plans/plan_form.html", form=form, plan=plan)


@bp.get("/plans/<int:plan_id>")
@login_required
def plan(plan_id: int):
    plan = load_or_404(HiringPlan, plan_id, lambda p, u: p.can_view(u))
    return render_template("plans/plan.html", plan=plan, can_edit=plan.can_edit(current_user))


@bp.post("/plans/<int:plan_id>/<any(publish, copy):action>")
@login_required
def plan_action(plan_id: int, action: str):
    plan = load_or_404(HiringPlan, plan_id, lambda p, u: p.can_edit(u))
    if action == "publish":
        commit(lambda: services.publish(plan, actor=current_user), _("Plan published."))
        return redirect(url_for("plans.plan", plan_id=plan.id))
    copy = commit(lambda: services.copy_plan(plan, actor=current_user), _("Plan copied to the next half-year."))
    return redirect(url_for("plans.plan", plan_id=(copy or plan).id))


def _opening_page(opening: Opening, plan: HiringPlan):
    form = OpeningForm(obj=opening if opening.id else None)
    if opening.id and not form.is_submitted():
        form.occupation_code.data = opening.occupation.code if opening.occupation else ""
        form.majors.data = [m.id for m in opening.majors]
        form.city.data = opening.city_id
        form.certificates.data = format_certificates((c.name, c.min_level) for c in opening.certificates)
    saved = form.validate_on_submit() and commit(
        lambda: services.save_opening(opening, form, actor=current_user), _("Opening saved."), field=form.headcount
    )
    if saved:
        return redirect(url_for("plans.plan", plan_id=plan.id))
    return render_template("plans/opening_form.html", form=form, plan=plan, opening=opening)


@bp.route("/plans/<int:plan_id>/openings/new", methods=["GET", "POST"])
@login_required
def new_opening(plan_id: int):
    plan = load_or_404(HiringPlan, plan_id, lambda p, u: p.can_edit(u))
    # plan_id, not plan=: a transient opening in plan.openings would be flushed half-made by autoflush.
    return _opening_page(Opening(plan_id=plan.id), plan)


@bp.route("/openings/<int:opening_id>/edit", methods=["GET", "POST"])
@login_required
def edit_opening(opening_id: int):
    opening = load_or_404(Opening, opening_id, lambda o, u: o.can_edit(u))
    return _opening_page(opening, opening.plan)


@bp.get("/openings")
@login_required
def openings():
    filters = OpeningFilters.from_args(request.args)
    page = list_openings(filters, page=request.args.get("page", 1, type=db_int))
    return render_template("plans/openings.html", page=page, filters=filters, **filter_choices())


@bp.get("/openings/<int:opening_id>")
@login_required
def opening(opening_id: int):
    opening = load_or_404(Opening, opening_id, lambda o, u: o.can_view(u))
    published = opening.plan.status is PlanStatus.PUBLISHED
    can_edit = opening.can_edit(current_user)
    context = {"candidates": None, "invitable": None, "nominations": None, "waiver_form": None}
    if published and current_user.organization.kind is OrgKind.SCHOOL and opening.remaining > 0:
        context["candidates"] = pipeline.nominable_students(opening, current_user.organization_id)
    if can_edit:
        context["nominations"] = pipeline.opening_nominations(opening)
        if published and opening.remaining > 0:
            context["invitable"] = pipeline.invitable_students(opening)
    alliances = pipeline.waivable_alliances(opening, current_user)
    if alliances:
        context["waiver_form"] = WaiverForm()
        context["waiver_form"].alliance_id.choices = [(a.id, a.name) for a in alliances]
    can_rank = can_edit or any(a.is_secretariat(current_user) for a in opening.plan.alliances)
    return render_template("plans/opening.html", opening=opening, can_edit=can_edit, can_rank=can_rank, **context)


@bp.get("/occupations/suggest")
@login_required
def suggest_occupations():
    """The top-5 occupations of the 2022 classification for a typed title, from the matching engine."""
    q = (request.args.get("q") or "").strip()[:80]
    if not q:
        return jsonify([])
    [suggestions] = matching.suggest_occupations([q], k=5)
    return jsonify([{"code": code, "name": name, "score": score} for code, name, score in suggestions])
