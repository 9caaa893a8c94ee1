"""Nominations, offers, placements and the intern roster."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from marketplace.allocations.models import AllocationRun
from marketplace.cohorts.models import Student
from marketplace.extensions import db
from marketplace.input_guard import db_int
from marketplace.internships.gates import missing_gates
from marketplace.internships.messages import gate_message
from marketplace.permissions import (
    enterprise_may_see,
    is_secretariat,
    load,
    load_or_404,
    visible_students_condition,
)
from marketplace.pipeline import services
from marketplace.pipeline.forms import (
    ENDING_STEPS,
    AcceptForm,
    ClosePlacementForm,
    FeedbackForm,
    MoveForm,
    PutForwardForm,
    WaiverForm,
)
from marketplace.pipeline.models import Nomination, NominationSource, NominationStatus, Placement, PlacementStatus
from marketplace.pipeline.phase import PlacementPhase, phase_of
from marketplace.pipeline.timeline import timeline
from marketplace.plans.models import HiringPlan, Opening
from marketplace.refusals import commit
from marketplace.students.services import latest_answers
from marketplace.timeutil import local_today

bp = Blueprint("pipeline", __name__)
N = NominationStatus
STEP_SIDE = {N.NOMINATED: "school", N.SHORTLISTED: "enterprise", N.OFFERED: "enterprise", N.REJECTED: "enterprise",
             N.DECLINED: "school", N.WITHDRAWN: "school"}  # fmt: skip


def steps_for(n: Nomination, side: str | None) -> list[NominationStatus]:
    """The steps `side` may take now. An invitation waits for the school: it agrees (NOMINATED) or declines
    (WITHDRAWN, with a reason); the enterprise has nothing to do until then."""
    if n.status is N.INVITED:
        return [N.NOMINATED, N.WITHDRAWN] if side == "school" else []
    return [s for s in STEP_SIDE if s is not N.NOMINATED and STEP_SIDE[s] == side and n.can_transition_to(s)]


def nominable_students(opening: Opening, school_id: int):
    """The school's consenting students not yet put forward for this opening, wanted majors first."""
    already = sa.select(Nomination.student_id).where(Nomination.opening_id == opening.id)
    wanted = [m.id for m in opening.majors]
    return db.session.scalars(
        sa.select(Student)
        .where(Student.school_id == school_id, Student.consent_to_share.is_(True), Student.id.not_in(already))
        .order_by(sa.case((Student.major_id.in_(wanted), 0), else_=1), Student.student_no)
        .limit(500)
    ).all()


def invitable_students(opening: Opening, limit: int = 50):
    """Students the enterprise may see in the opening's wanted majors, not yet put forward: what it may invite."""
    already = sa.select(Nomination.student_id).where(Nomination.opening_id == opening.id)
    wanted = [m.id for m in opening.majors]
    visible = visible_students_condition(opening.plan.enterprise_id, local_today())
    return db.session.scalars(
        sa.select(Student)
        .where(visible, Student.major_id.in_(wanted), Student.id.not_in(already))
        .options(joinedload(Student.school), joinedload(Student.major))
        .order_by(Student.grade_score.desc().nulls_last(), Student.id)
        .limit(limit)
    ).all()


def opening_nominations(opening: Opening):
    return db.session.scalars(
        sa.select(Nomination)
        .where(Nomination.opening_id == opening.id)
        .options(joinedload(Nomination.student).joinedload(Student.school))
        .order_by(Nomination.updated_at.desc())
    ).all()


def waivable_alliances(opening: Opening, user) -> list:
    """Alliances the plan is published to whose secretariat the user is: they may record rule exceptions."""
    return [a for a in opening.plan.alliances if a.is_secretariat(user)]


def _put_forward(opening: Opening, eligible, *, invited: bool):
    """Put the posted student forward if `eligible(student)`: an invalid form is a bad request (400), a student the
    user may not reach is answered as missing (404)."""
    form = PutForwardForm()
    if not form.validate_on_submit():
        abort(400)
    student = db.session.get(Student, form.student_id.data)
    if student is None or not eligible(student):
        abort(404)
    done = (_("Invitation sent. The school has been notified.") if invited
            else _("Student put forward. The enterprise has been notified."))  # fmt: skip
    nomination = commit(lambda: services.put_forward(student, opening, actor=current_user, invited=invited), done)
    if nomination is None:
        return redirect(url_for("plans.opening", opening_id=opening.id))
    return redirect(url_for("pipeline.nomination", nomination_id=nomination.id))


@bp.post("/openings/<int:opening_id>/invite")
@login_required
def invite(opening_id: int):
    opening = load_or_404(Opening, opening_id, lambda o, u: o.can_edit(u))
    # Any student the enterprise may see: the ranked candidates include related majors, not only the wanted ones.
    return _put_forward(opening, lambda s: enterprise_may_see(opening.plan.enterprise_id, s), invited=True)


@bp.post("/openings/<int:opening_id>/waive")
@login_required
def waive(opening_id: int):
    opening = load_or_404(Opening, opening_id, lambda o, u: o.can_view(u))
    alliances = waivable_alliances(opening, current_user)
    if not alliances:
        abort(403)
    form = WaiverForm()
    form.alliance_id.choices = [(a.id, a.name) for a in alliances]
    if not form.validate_on_submit():
        flash(_("Give the rule, the alliance and a reason."), "danger")
        return redirect(url_for("plans.opening", opening_id=opening.id))
    commit(lambda: services.waive(opening, form.rule.data, actor=current_user, alliance_id=form.alliance_id.data,
                                  reason=form.reason.data),
           _("Exception recorded."), conflict=_("This exception is already recorded."))  # fmt: skip
    return redirect(url_for("plans.opening", opening_id=opening.id))


@bp.post("/openings/<int:opening_id>/put-forward")
@login_required
def put_forward(opening_id: int):
    opening = load_or_404(Opening, opening_id, lambda o, u: o.can_view(u))
    return _put_forward(opening, lambda s: s.can_edit(current_user), invited=False)


@bp.get("/nominations")
@login_required
def nominations():
    org_id = current_user.organization_id
    query = (
        sa.select(Nomination)
        .join(Student, Student.id == Nomination.student_id)
        .join(Opening, Opening.id == Nomination.opening_id)
        .join(HiringPlan, HiringPlan.id == Opening.plan_id)
        .where(sa.or_(Student.school_id == org_id, HiringPlan.enterprise_id == org_id))
        .options(
            joinedload(Nomination.student),
            joinedload(Nomination.opening).joinedload(Opening.plan).joinedload(HiringPlan.enterprise),
        )  # fmt: skip
        .order_by(Nomination.updated_at.desc())
    )
    status, source = request.args.get("status"), request.args.get("source")
    if status in {s.value for s in N}:
        query = query.where(Nomination.status == N(status))
    else:
        status = None
    if source in {s.value for s in NominationSource}:
        query = query.where(Nomination.source == NominationSource(source))
    else:
        source = None
    page = db.paginate(query, page=request.args.get("page", 1, type=db_int), per_page=30, error_out=False)
    return render_template("pipeline/nominations.html", page=page, status=status, source=source,
                           statuses=list(N), sources=list(NominationSource))  # fmt: skip


def _run_url(n: Nomination) -> str | None:
    """The allocation run behind the nomination, linked for its alliance's secretariat (who alone may read runs)."""
    run = db.session.get(AllocationRun, n.allocation_run_id) if n.allocation_run_id else None
    if run is None or not is_secretariat(run.alliance, current_user):
        return None
    return url_for("allocations.allocation", run_id=run.id)


def _take_step(n: Nomination, step: NominationStatus, reason: str) -> None:
    if n.status is N.INVITED and STEP_SIDE[step] == "school":
        commit(lambda: services.answer_invitation(n, actor=current_user, agree=step is N.NOMINATED, reason=reason),
               _("Recorded. The enterprise has been notified."))  # fmt: skip
    else:
        commit(lambda: services.move(n, step, actor=current_user, reason=reason),
               _("Recorded. The other side has been notified."))  # fmt: skip


@bp.route("/nominations/<int:nomination_id>", methods=["GET", "POST"])
@login_required
def nomination(nomination_id: int):
    # A secretariat may read a nomination its allocation made (side None: no steps offered, any posted step is 403).
    n = load(Nomination, nomination_id)
    side = n.side_of(current_user)
    form = MoveForm()
    confirm = None  # an ending step asked for, shown for confirmation before it is taken
    if form.validate_on_submit():
        step = N(form.status.data)
        if STEP_SIDE[step] != side:
            abort(403)
        if step not in ENDING_STEPS or form.is_confirmed:
            _take_step(n, step, form.reason.data or "")
            return redirect(url_for("pipeline.nomination", nomination_id=n.id))
        confirm = step
    elif request.method == "POST":
        flash(_("Choose one of the steps."), "danger")
    steps = steps_for(n, side)
    if confirm is None and request.args.get("confirm") in {s.value for s in steps}:
        confirm = N(request.args["confirm"])
    if confirm is not None and confirm not in steps:
        confirm = None
    accept_form = AcceptForm(data={"start_date": n.opening.start_date, "pay": n.opening.pay_min})
    return render_template(
        "pipeline/nomination.html", n=n, side=side, form=form, steps=steps, confirm=confirm,
        ending=ENDING_STEPS, timeline=timeline(n), run_url=_run_url(n),
        placement=db.session.scalar(sa.select(Placement).where(Placement.nomination_id == n.id)),
        accept_form=accept_form if side == "school" and n.status is N.OFFERED else None,
        student_answer=latest_answers([n.id]).get(n.id) if side == "school" else None,
    )  # fmt: skip


@bp.post("/nominations/<int:nomination_id>/accept")
@login_required
def accept(nomination_id: int):
    n = load_or_404(Nomination, nomination_id, lambda n, u: n.can_view(u))
    if n.side_of(current_user) != "school":
        abort(403)
    form = AcceptForm()
    if not form.validate_on_submit():
        flash(_("Give the start date and the agreed pay."), "danger")
        return redirect(url_for("pipeline.nomination", nomination_id=n.id))
    placement = commit(
        lambda: services.accept(n, actor=current_user, start_date=form.start_date.data, pay=form.pay.data),
        _("Placement recorded."),
        conflict=_("The student already holds an ongoing placement of this kind."),
    )
    if placement is None:
        return redirect(url_for("pipeline.nomination", nomination_id=n.id))
    return redirect(url_for("pipeline.placement", placement_id=placement.id))


@bp.route("/placements/<int:placement_id>", methods=["GET", "POST"])
@login_required
def placement(placement_id: int):
    p = load(Placement, placement_id)
    today = local_today()
    close_form, feedback_form = ClosePlacementForm(prefix="close"), FeedbackForm(prefix="fb")
    if close_form.submit.data and close_form.validate_on_submit():
        commit(lambda: services.close_placement(p, PlacementStatus(close_form.status.data), actor=current_user,
                                                end_date=close_form.end_date.data, reason=close_form.reason.data or "",
                                                today=today), _("Saved."))  # fmt: skip
    elif feedback_form.submit.data and feedback_form.validate_on_submit():
        commit(lambda: services.give_feedback(p, actor=current_user, text=feedback_form.text.data), _("Saved."))
    else:
        phase = phase_of(p, today)
        if phase is PlacementPhase.STARTING:  # not begun: it can only end early (the student did not arrive)
            close_form.status.choices = [c for c in close_form.status.choices if c[0] != PlacementStatus.COMPLETED]
        missing = [gate_message(m) for m in missing_gates(p)] if phase is PlacementPhase.STARTING else []
        return render_template("pipeline/placement.html", p=p, phase=phase, close_form=close_form,
                               feedback_form=feedback_form, missing=missing)  # fmt: skip
    return redirect(url_for("pipeline.placement", placement_id=p.id))


from marketplace.pipeline import roster  # noqa: E402, F401  (adds the roster routes to `bp`)
