"""Allocation runs, the teachers' practice allocation and the fit weights; the explained rankings are in
`ranking_views` (the same blueprint)."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from marketplace.alliances.models import Alliance
from marketplace.allocations import labels, services
from marketplace.allocations.models import AllocationRun, AllocationSeat, RunStatus
from marketplace.extensions import db
from marketplace.input_guard import db_int
from marketplace.permissions import is_secretariat, load_or_404
from marketplace.refusals import commit
from matching.model import FEATURES, Weights

bp = Blueprint("allocations", __name__)
SEATS_PER_PAGE = 100


@bp.app_context_processor
def explanation_words():
    return {"feature_labels": labels.FEATURES, "reason_labels": labels.REASONS, "feature_colours": labels.COLOURS}


class RunForm(FlaskForm):
    choices = IntegerField(_l("Choices per graduate"), default=services.DEFAULT_CHOICES,
                           validators=[InputRequired(), NumberRange(min=5, max=20)])  # fmt: skip
    scope = SelectField(_l("Graduates"), choices=[
        ("members", _l("Member schools' graduates")),
        ("everyone", _l("Every school's graduates the enterprises may see")),
    ])  # fmt: skip
    submit = SubmitField(_l("Run the allocation"))


class DecideForm(FlaskForm):
    submit = SubmitField()


# ---------------------------------------------------------------------------------------------------- allocation
def _alliance_for_secretariat(alliance_id: int) -> Alliance:
    return load_or_404(Alliance, alliance_id, lambda a, u: a.is_secretariat(u))


@bp.route("/alliances/<int:alliance_id>/allocations", methods=["GET", "POST"])
@login_required
def allocations(alliance_id: int):
    alliance = _alliance_for_secretariat(alliance_id)
    form = RunForm()
    if form.validate_on_submit():
        run = services.run(alliance, actor=current_user, choices=form.choices.data, scope=form.scope.data)
        db.session.commit()
        flash(_("Allocation computed: review it, then confirm or discard."), "success")
        return redirect(url_for("allocations.allocation", run_id=run.id))
    runs = db.session.scalars(
        sa.select(AllocationRun).where(AllocationRun.alliance_id == alliance.id).order_by(AllocationRun.id.desc())
    ).all()
    # The last run's total time: the page shows progress against it while a new run computes.
    estimate_s = sum((runs[0].timings or {}).values()) if runs else 2.0
    return render_template(
        "allocations/allocations.html", alliance=alliance, form=form, runs=runs, estimate_s=estimate_s
    )


@bp.get("/allocations/<int:run_id>")
@login_required
def allocation(run_id: int):
    run = load_or_404(AllocationRun, run_id, lambda r, u: is_secretariat(r.alliance, u))
    page = max(1, request.args.get("page", 1, type=db_int))
    only_priority = request.args.get("priority") == "1"
    seats = sa.select(AllocationSeat).where(AllocationSeat.run_id == run.id)
    if only_priority:
        seats = seats.where(AllocationSeat.decided_by_priority.is_(True))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(seats.subquery()))
    rows = db.session.scalars(
        seats.order_by(AllocationSeat.id).offset((page - 1) * SEATS_PER_PAGE).limit(SEATS_PER_PAGE)
    ).all()
    return render_template("allocations/allocation.html", run=run, seats=rows, page=page, total=total,
                           pages=max(1, -(-total // SEATS_PER_PAGE)), only_priority=only_priority,
                           form=DecideForm(), proposed=run.status is RunStatus.PROPOSED)  # fmt: skip


@bp.post("/allocations/<int:run_id>/<any(confirm, discard):action>")
@login_required
def decide(run_id: int, action: str):
    run = load_or_404(AllocationRun, run_id, lambda r, u: is_secretariat(r.alliance, u))
    if not DecideForm().validate_on_submit():
        abort(400)
    if action == "discard":
        commit(lambda: services.discard(run, actor=current_user), _("Allocation discarded."))
        return redirect(url_for("allocations.allocation", run_id=run.id))
    confirmed = commit(lambda: services.confirm(run, actor=current_user))
    if confirmed is not None:
        created, skipped = confirmed
        flash(_("%(created)d nominations created; %(skipped)d seats skipped.", created=created,
                skipped=len(skipped)), "success")  # fmt: skip
        for seat, reason in skipped[:10]:
            flash(f"{seat.student.name} → {seat.opening.title}：{reason}", "warning")
    return redirect(url_for("allocations.allocation", run_id=run.id))


@bp.get("/alliances/<int:alliance_id>/practice-allocation")
@login_required
def practice_allocation(alliance_id: int):
    """A proposal of bases for member schools' open teacher-practice requests, by the same algorithm. It is not stored:
    each enterprise accepts or declines on the request's page, and the secretariat forwards the proposal."""
    alliance = _alliance_for_secretariat(alliance_id)
    proposal = services.practice_proposal(alliance)
    return render_template("allocations/practice_allocation.html", alliance=alliance, proposal=proposal)


# ---------------------------------------------------------------------------------------------------- weights
@bp.route("/alliances/<int:alliance_id>/weights", methods=["GET", "POST"])
@login_required
def weights(alliance_id: int):
    alliance = _alliance_for_secretariat(alliance_id)
    proposal = services.propose_weights(alliance)
    form = DecideForm()
    if form.validate_on_submit():
        if request.form.get("adopt") == "proposal" and proposal is not None:
            alliance.fit_weights = proposal.weights.as_dict()
        elif request.form.get("adopt") == "defaults":
            alliance.fit_weights = None
        else:
            abort(400)
        services.record_weights(alliance, actor=current_user)
        db.session.commit()
        flash(_("Weights saved. Rankings of this alliance's openings use them from now on."), "success")
        return redirect(url_for("allocations.weights", alliance_id=alliance.id))
    current = Weights.from_mapping(alliance.fit_weights) if alliance.fit_weights else Weights()
    return render_template("allocations/weights.html", alliance=alliance, current=current, proposal=proposal,
                           defaults=Weights(), features=FEATURES, form=form)  # fmt: skip


from marketplace.allocations import ranking_views  # noqa: E402, F401  (adds the ranking routes to `bp`)
