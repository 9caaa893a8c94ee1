"""Allocation runs, the teachers' practice allocation and the fit weights; the explained rankings are in
`ranking_views` (the same blueprint)."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SubmitField
from wtforms.validators import DataRequired, InputRequired, NumberRange
from wtforms.widgets import HiddenInput

from marketplace.alliances.models import Alliance
from marketplace.allocations import decisions, explain_html, services
from marketplace.allocations import jobs as allocation_jobs
from marketplace.allocations.models import AllocationRun, AllocationSeat, RunStatus
from marketplace.extensions import db
from marketplace.input_guard import db_int
from marketplace.jobs import services as job_services
from marketplace.jobs.models import Job, JobKind
from marketplace.permissions import is_secretariat, load_or_404
from marketplace.pipeline.models import NominationSource
from marketplace.refusals import commit
from matching.model import FEATURES, Weights

bp = Blueprint("allocations", __name__)
bp.add_app_template_filter(explain_html.bars, "explanation_bars")
SEATS_PER_PAGE = 100


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
        parameters = {"choices": form.choices.data, "scope": form.scope.data}
        job_id = commit(
            lambda: job_services.start(JobKind.ALLOCATION, actor=current_user, alliance_id=alliance.id,
                                       parameters=parameters).id,
            conflict=str(job_services.BUSY),
        )  # fmt: skip
        if job_id is not None:
            # The run computes in a queue consumer; its page shows the stages as the worker reports them.
            job_services.enqueue(job_id, allocation_jobs.allocate)
            return redirect(url_for("jobs.job", job_id=job_id))
    runs = db.session.scalars(
        sa.select(AllocationRun).where(AllocationRun.alliance_id == alliance.id).order_by(AllocationRun.id.desc())
    ).all()
    jobs = db.session.scalars(
        sa.select(Job).where(Job.kind == JobKind.ALLOCATION, Job.alliance_id == alliance.id)
        .order_by(Job.id.desc()).limit(5)
    ).all()  # fmt: skip
    return render_template("allocations/allocations.html", alliance=alliance, form=form, runs=runs, jobs=jobs)


def _may_view_run(run: AllocationRun, user) -> bool:
    """The alliance's secretariat; a school or an enterprise whose students or openings a confirmed run touched."""
    return is_secretariat(run.alliance, user) or decisions.touches(run, user.organization_id)


@bp.get("/allocations/<int:run_id>")
@login_required
def allocation(run_id: int):
    """The run for its secretariat; for a school or an enterprise, only its own seats of a confirmed run."""
    run = load_or_404(AllocationRun, run_id, _may_view_run)
    page = max(1, request.args.get("page", 1, type=db_int))
    if not is_secretariat(run.alliance, current_user):
        return _own_seats(run, page)
    only_priority = request.args.get("priority") == "1"
    seats = sa.select(AllocationSeat).where(AllocationSeat.run_id == run.id)
    if only_priority:
        seats = seats.where(AllocationSeat.decided_by_priority.is_(True))
    total, rows = _page_of(seats, page)
    proposed = run.status is RunStatus.PROPOSED
    return render_template("allocations/allocation.html", run=run, seats=rows, page=page, total=total,
                           pages=max(1, -(-total // SEATS_PER_PAGE)), only_priority=only_priority,
                           form=DecideForm(), proposed=proposed,
                           blocker=decisions.blocker(run) if proposed else None)  # fmt: skip


def _page_of(seats: sa.Select, page: int) -> tuple[int, list[AllocationSeat]]:
    total = db.session.scalar(sa.select(sa.func.count()).select_from(seats.subquery()))
    rows = db.session.scalars(
        seats.order_by(AllocationSeat.id).offset((page - 1) * SEATS_PER_PAGE).limit(SEATS_PER_PAGE)
    ).all()
    return total, rows


def _own_seats(run: AllocationRun, page: int):
    total, rows = _page_of(decisions.own_seats(run, current_user.organization_id), page)
    return render_template("allocations/own_seats.html", run=run, seats=rows, page=page, total=total,
                           pages=max(1, -(-total // SEATS_PER_PAGE)),
                           source=NominationSource.ALLOCATION)  # fmt: skip


class ConfirmRunForm(FlaskForm):
    """The second step of confirming: the count the secretariat reviewed, and that it read what will happen."""

    expected = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    acknowledged = BooleanField(
        _l("I have read what this confirmation will do"),
        validators=[DataRequired(_l("Tick the box to confirm that you have read what will happen."))],
    )
    submit = SubmitField(_l("Confirm into nominations"))


@bp.post("/allocations/<int:run_id>/<any(confirm, discard):action>")
@login_required
def decide(run_id: int, action: str):
    """Discard at once; confirm in two steps: the first POST shows what will happen, the second (with the box
    ticked and the reviewed count) does it."""
    run = load_or_404(AllocationRun, run_id, lambda r, u: is_secretariat(r.alliance, u))
    if not DecideForm().validate_on_submit():
        abort(400)
    if action == "discard":
        commit(lambda: decisions.discard(run, actor=current_user), _("Allocation discarded."))
        return redirect(url_for("allocations.allocation", run_id=run.id))
    form = ConfirmRunForm()
    if "expected" in request.form and form.validate():
        outcome = commit(lambda: decisions.confirm(run, actor=current_user, expected=form.expected.data))
        if outcome is not None:
            _report(outcome)
        return redirect(url_for("allocations.allocation", run_id=run.id))
    blocker = decisions.blocker(run)
    if blocker is not None:
        flash(str(blocker), "danger")
        return redirect(url_for("allocations.allocation", run_id=run.id))
    plan = decisions.preview(run)
    if "expected" not in request.form:
        form.expected.data = len(plan.seats)
    return render_template("allocations/confirm.html", run=run, plan=plan, form=form)


def _report(outcome: decisions.Outcome) -> None:
    flash(_("%(created)d nominations created; %(skipped)d seats skipped; %(notified)d organisations notified.",
            created=outcome.created, skipped=len(outcome.skipped), notified=outcome.notifications),
          "success")  # fmt: skip
    if outcome.superseded:
        flash(_("%(n)d other proposals of the alliance were superseded by this run.", n=len(outcome.superseded)),
              "info")  # fmt: skip
    for seat, reason in outcome.skipped[:10]:
        flash(_("%(student)s → %(opening)s: %(reason)s", student=seat.student.name, opening=seat.opening.title,
                reason=reason), "warning")  # fmt: skip


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
    """Adopting learned weights that zero a feature or move a weight by more than half needs the box ticked."""
    alliance = _alliance_for_secretariat(alliance_id)
    proposal = services.propose_weights(alliance)
    current = Weights.from_mapping(alliance.fit_weights) if alliance.fit_weights else Weights()
    warnings = services.weight_warnings(current, proposal.weights) if proposal else []
    form = DecideForm()
    needs_ack = False
    if form.validate_on_submit():
        adopt = request.form.get("adopt")
        if adopt not in ("proposal", "defaults") or (adopt == "proposal" and proposal is None):
            abort(400)
        chosen = proposal.weights if adopt == "proposal" else None
        if adopt == "proposal" and warnings and request.form.get("acknowledged") != "y":
            needs_ack = True
            flash(_("Some suggested weights change a lot: read the warnings and tick the box to adopt them."),
                  "warning")  # fmt: skip
        elif commit(lambda: services.adopt_weights(alliance, chosen, actor=current_user),
                    _("Weights saved. Rankings of this alliance's openings use them from now on.")):  # fmt: skip
            return redirect(url_for("allocations.weights", alliance_id=alliance.id))
    return render_template("allocations/weights.html", alliance=alliance, current=current, proposal=proposal,
                           defaults=Weights(), features=FEATURES, feature_labels=explain_html.words()[0], form=form,
                           warnings=warnings,
                           needs_ack=needs_ack)  # fmt: skip


from marketplace.allocations import ranking_views  # noqa: E402, F401  (adds the ranking routes to `bp`)
