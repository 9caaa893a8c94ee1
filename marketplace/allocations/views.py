"""Explained rankings (both ways, and a cohort's best openings), allocation runs and the fit weights."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from marketplace import ranking
from marketplace.alliances.models import Alliance
from marketplace.allocations import labels, services
from marketplace.allocations.models import AllocationRun, AllocationSeat, RunStatus
from marketplace.cohorts.models import Cohort, Student
from marketplace.extensions import db
from marketplace.input_guard import db_int
from marketplace.permissions import is_secretariat, load_or_404
from marketplace.pipeline.forms import PutForwardForm
from marketplace.pipeline.models import Nomination
from marketplace.plans.models import Opening
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


def _secretariat_of_plan(opening: Opening, user) -> bool:
    return any(a.is_secretariat(user) for a in opening.plan.alliances)


@bp.get("/openings/<int:opening_id>/ranking")
@login_required
def opening_ranking(opening_id: int):
    """Ranked candidates: for the enterprise that owns the opening and the secretariats it is published to."""
    opening = load_or_404(Opening, opening_id, lambda o, u: o.can_edit(u) or _secretariat_of_plan(o, u))
    result, candidates = ranking.rank_candidates(opening, k=20)
    already = set(db.session.scalars(sa.select(Nomination.student_id).where(Nomination.opening_id == opening.id)))
    can_invite = opening.can_edit(current_user) and opening.remaining > 0
    return render_template("allocations/opening_ranking.html", opening=opening, result=result,
                           candidates=candidates, already=already, can_invite=can_invite, form=PutForwardForm(),
                           features=FEATURES)  # fmt: skip


@bp.get("/students/<int:student_id>/openings")
@login_required
def student_openings(student_id: int):
    """Ranked openings for one of the school's students, with a button to nominate."""
    student = load_or_404(Student, student_id, lambda s, u: s.can_edit(u))
    result, suggestions = ranking.rank_openings(student, k=20)
    already = set(db.session.scalars(sa.select(Nomination.opening_id).where(Nomination.student_id == student.id)))
    return render_template("allocations/student_openings.html", student=student, result=result,
                           suggestions=suggestions, already=already, form=PutForwardForm(),
                           features=FEATURES)  # fmt: skip


@bp.get("/cohorts/<int:cohort_id>/matches")
@login_required
def cohort_matches(cohort_id: int):
    cohort = load_or_404(Cohort, cohort_id, lambda c, u: c.can_view(u))
    best = ranking.cohort_best(cohort, k=3)
    students = [s for s in cohort.students if s.consent_to_share]
    return render_template("allocations/cohort_matches.html", cohort=cohort, students=students, best=best)


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
