"""Grading pages: the school's rubric; a placement's grades, where each side grades its own and the school closes.

The enterprise grades only its own interns and the school only its own students (`Placement.side_of`); each POST is
one service call, committed once."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.grading import services
from marketplace.grading.forms import CloseForm, RubricForm, grade_form
from marketplace.grading.models import GradeSide
from marketplace.permissions import load, school_required
from marketplace.pipeline.models import Placement
from marketplace.refusals import commit
from marketplace.timeutil import local_today

bp = Blueprint("grading", __name__)


@bp.route("/grading/rubric", methods=["GET", "POST"])
@school_required
def rubric():
    school_id = current_user.organization_id
    current = services.rubric_of(school_id)
    form = RubricForm()
    if form.validate_on_submit():
        criteria = [services.Criterion(row.form.name.data or "", row.form.weight.data or 0,
                                       row.form.max_points.data or 0) for row in form.criteria]  # fmt: skip
        if commit(lambda: services.save_rubric(school_id, criteria, form.enterprise_weight.data, actor=current_user),
                  _("Rubric saved.")):  # fmt: skip
            return redirect(url_for("grading.rubric"))
    elif form.is_submitted():
        flash(_("Check the form: each criterion needs a name, a weight from 1 to 100 and its maximum points."),
              "danger")  # fmt: skip
    else:
        form.enterprise_weight.data = current.enterprise_weight
        for row, c in zip(form.criteria, current.criteria, strict=False):
            row.form.name.data, row.form.weight.data, row.form.max_points.data = c.name, c.weight, c.max_points
    return render_template("grading/rubric.html", form=form, rubric=current)


def _load(placement_id: int) -> tuple[Placement, str]:
    placement = load(Placement, placement_id)
    side = placement.side_of(current_user)
    if side not in ("school", "enterprise"):
        abort(403)
    return placement, side


@bp.get("/placements/<int:placement_id>/grading")
@login_required
def placement(placement_id: int):
    p, side = _load(placement_id)
    rubric = services.rubric_of(p.student.school_id)
    grades = services.grades_of(p.id)
    own = grades.get(GradeSide(side))
    data = {f"points_{i}": line["points"] for i, line in enumerate(own.lines)} if own and len(own.lines) == len(
        rubric.criteria) else {}  # fmt: skip
    if own:
        data["comment"] = own.comment
    return render_template(
        "grading/placement.html", p=p, side=side, rubric=rubric, grades=grades, own=own,
        final=services.final_of(p.id), started=services.has_started(p, local_today()),
        form=grade_form(rubric.criteria, data), close_form=CloseForm(prefix="close"), sides=list(GradeSide),
    )  # fmt: skip


@bp.post("/placements/<int:placement_id>/grading")
@login_required
def save(placement_id: int):
    p, side = _load(placement_id)
    form = grade_form(services.rubric_of(p.student.school_id).criteria)
    if not form.validate_on_submit():
        flash(_("Give each criterion's points, from 0 to its maximum."), "danger")
    else:
        commit(lambda: services.grade(p, side=GradeSide(side), points=[f.data for f in form.point_fields],
                                      comment=form.comment.data or "", actor=current_user, today=local_today()),
               _("Grade saved."))  # fmt: skip
    return redirect(url_for("grading.placement", placement_id=p.id))


@bp.post("/placements/<int:placement_id>/grading/close")
@login_required
def close(placement_id: int):
    p, side = _load(placement_id)
    if side != "school":
        abort(403)
    if CloseForm(prefix="close").validate_on_submit():
        commit(lambda: services.close(p, actor=current_user), _("The internship is graded."))
    return redirect(url_for("grading.placement", placement_id=p.id))
