"""Explained rankings both ways: an opening's candidates, a student's openings, a cohort's best openings."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from marketplace import ranking
from marketplace.allocations import ranking_actions
from marketplace.allocations.candidate_pool import candidate_pool
from marketplace.allocations.ranking_forms import (
    PER_PAGE,
    CandidateActionForm,
    CandidateFilters,
    CohortFilters,
    PutForwardPairsForm,
)
from marketplace.allocations.ranking_pages import (
    candidate_choices,
    cohort_major_choices,
    cohort_page,
    filter_candidates,
    fit_floor,
    group_openings,
)
from marketplace.allocations.views import bp
from marketplace.cohorts.models import Cohort, Student
from marketplace.extensions import db
from marketplace.input_guard import db_int
from marketplace.paging import ListPage
from marketplace.permissions import is_secretariat_of_plan, load, load_or_404, visible_students_condition
from marketplace.pipeline.forms import PutForwardForm
from marketplace.pipeline.models import Nomination, NominationStatus
from marketplace.plans.models import HiringPlan, Opening
from marketplace.refusals import commit
from marketplace.timeutil import local_today
from matching.model import FEATURES

STEPS = {"shortlist": NominationStatus.SHORTLISTED, "offer": NominationStatus.OFFERED}
SHOWN_REFUSALS = 10
SHOWN_GROUPS = 20  # rows of a student's openings page (identical openings are one row)


def _page_number() -> int:
    return request.args.get("page", 1, type=db_int)


def _report(outcome: ranking_actions.Outcome) -> None:
    if outcome.done:
        flash(_("Done for %(n)d: %(names)s.", n=len(outcome.done), names="、".join(outcome.done)), "success")
    for what, why in outcome.refused[:SHOWN_REFUSALS]:
        flash(f"{what}：{why}", "danger")
    if len(outcome.refused) > SHOWN_REFUSALS:
        flash(_("%(n)d more were refused.", n=len(outcome.refused) - SHOWN_REFUSALS), "danger")


@bp.get("/openings/<int:opening_id>/ranking")
@login_required
def opening_ranking(opening_id: int):
    """The whole ranking, paged and filtered: for the enterprise that owns the opening (which acts on it) and the
    secretariats it is published to."""
    opening = load_or_404(
        Opening,
        opening_id,
        lambda o, u: o.can_edit(u) or is_secretariat_of_plan(o.plan, u),
        options=[joinedload(Opening.plan).joinedload(HiringPlan.enterprise), joinedload(Opening.city)],
    )
    pool = candidate_pool(opening)
    filters = CandidateFilters.from_args(request.args)
    page = ListPage(filter_candidates(pool, filters), _page_number(), PER_PAGE)
    statuses = dict(db.session.execute(
        sa.select(Nomination.student_id, Nomination.status).where(Nomination.opening_id == opening.id)
    ).all())  # fmt: skip
    can_act = current_user.organization_id == opening.plan.enterprise_id
    return render_template("allocations/opening_ranking.html", opening=opening, result=pool.ranked, page=page,
                           filters=filters, statuses=statuses, can_act=can_act, form=CandidateActionForm(),
                           features=FEATURES, **candidate_choices(pool))  # fmt: skip


@bp.post("/openings/<int:opening_id>/ranking")
@login_required
def act_on_candidates(opening_id: int):
    """Invite the ticked candidates, or shortlist or offer those already put forward; refusals are per row."""
    opening = load_or_404(Opening, opening_id, lambda o, u: o.can_edit(u))
    if current_user.organization_id != opening.plan.enterprise_id:
        abort(403)
    form = CandidateActionForm()
    if not form.validate_on_submit():
        abort(400)
    back = redirect(url_for("allocations.opening_ranking", opening_id=opening.id, **request.args))
    visible = visible_students_condition(opening.plan.enterprise_id, local_today())
    students = db.session.scalars(
        sa.select(Student).where(Student.id.in_(form.student_ids.data or []), visible).order_by(Student.id)
    ).all()
    if not students:
        flash(_("Tick at least one candidate."), "warning")
        return back
    if form.action.data == "invite":
        outcome = commit(lambda: ranking_actions.invite_all(opening, students, actor=current_user))
    else:
        step = STEPS[form.action.data]
        outcome = commit(lambda: ranking_actions.move_all(opening, students, step, actor=current_user))
    if outcome is not None:
        _report(outcome)
    return back


@bp.get("/students/<int:student_id>/openings")
@login_required
def student_openings(student_id: int):
    """Ranked openings for one of the school's students, identical ones as one row, with a button to nominate."""
    student = load_or_404(Student, student_id, lambda s, u: s.can_edit(u), options=[joinedload(Student.major)])
    result, suggestions = ranking.rank_openings(student, k=None, levels=SHOWN_GROUPS)
    groups = group_openings(suggestions, SHOWN_GROUPS)
    already = set(db.session.scalars(sa.select(Nomination.opening_id).where(Nomination.student_id == student.id)))
    return render_template("allocations/student_openings.html", student=student, result=result, groups=groups,
                           already=already, form=PutForwardForm(), floor=fit_floor(student.school_id, local_today()),
                           features=FEATURES)  # fmt: skip


@bp.get("/cohorts/<int:cohort_id>/matches")
@login_required
def cohort_matches(cohort_id: int):
    cohort = load(Cohort, cohort_id)
    filters = CohortFilters.from_args(request.args)
    floor = fit_floor(cohort.school_id, local_today())
    page = cohort_page(cohort, filters, _page_number(), floor)
    already: dict[int, set[int]] = {}
    for student_id, opening_id in db.session.execute(
        sa.select(Nomination.student_id, Nomination.opening_id)
        .where(Nomination.student_id.in_([row.student.id for row in page.items]))
    ):  # fmt: skip
        already.setdefault(student_id, set()).add(opening_id)
    return render_template("allocations/cohort_matches.html", cohort=cohort, page=page, filters=filters, floor=floor,
                           already=already, can_act=cohort.school_id == current_user.organization_id,
                           form=PutForwardPairsForm(), major_choices=cohort_major_choices(cohort))  # fmt: skip


@bp.post("/cohorts/<int:cohort_id>/matches")
@login_required
def put_forward_from_cohort(cohort_id: int):
    """The school puts ticked students forward for the openings ticked beside them; refusals are per row."""
    cohort = load(Cohort, cohort_id)
    form = PutForwardPairsForm()
    if not form.validate_on_submit():
        abort(400)
    back = redirect(url_for("allocations.cohort_matches", cohort_id=cohort.id, **request.args))
    pairs = form.pair_ids()
    students = {s.id: s for s in db.session.scalars(
        sa.select(Student).where(Student.id.in_([s for s, _o in pairs]), Student.cohort_id == cohort.id)
    )}  # fmt: skip
    openings = {o.id: o for o in db.session.scalars(sa.select(Opening).where(Opening.id.in_([o for _s, o in pairs])))}
    chosen = [(students[s], openings[o]) for s, o in pairs if s in students and o in openings]
    if any(not s.can_edit(current_user) or not o.can_view(current_user) for s, o in chosen):
        abort(404)
    if not chosen:
        flash(_("Tick at least one opening."), "warning")
        return back
    outcome = commit(lambda: ranking_actions.put_forward_all(chosen, actor=current_user))
    if outcome is not None:
        _report(outcome)
    return back
