"""Explained rankings both ways: an opening's candidates, a student's openings, a cohort's best openings."""

import sqlalchemy as sa
from flask import render_template
from flask_login import current_user, login_required

from marketplace import ranking
from marketplace.allocations.views import bp
from marketplace.cohorts.models import Cohort, Student
from marketplace.extensions import db
from marketplace.permissions import is_secretariat_of_plan, load, load_or_404
from marketplace.pipeline.forms import PutForwardForm
from marketplace.pipeline.models import Nomination
from marketplace.plans.models import Opening
from matching.model import FEATURES


@bp.get("/openings/<int:opening_id>/ranking")
@login_required
def opening_ranking(opening_id: int):
    """Ranked candidates: for the enterprise that owns the opening and the secretariats it is published to."""
    opening = load_or_404(Opening, opening_id, lambda o, u: o.can_edit(u) or is_secretariat_of_plan(o.plan, u))
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
    cohort = load(Cohort, cohort_id)
    best = ranking.cohort_best(cohort, k=3)
    students = [s for s in cohort.students if s.consent_to_share]
    return render_template("allocations/cohort_matches.html", cohort=cohort, students=students, best=best)
