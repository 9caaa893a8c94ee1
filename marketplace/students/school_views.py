"""The other side of the student's pages: the school invites, reviews journals and reports, sets the minimum,
answers corrections; enterprises read their evaluations in aggregate; the alliance's secretariat per enterprise."""

import io

from flask import Blueprint, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.alliances.models import Alliance, Membership, in_force_on
from marketplace.cohorts.models import Cohort, Student
from marketplace.cohorts.views import no_store
from marketplace.exports import write_csv
from marketplace.extensions import db
from marketplace.orgs.models import Organization, OrgKind
from marketplace.permissions import enterprise_required, is_secretariat, load_or_404, school_required
from marketplace.pipeline.models import Placement
from marketplace.refusals import commit
from marketplace.students import services
from marketplace.students.forms import InviteForm, MinimumForm, ResolveForm, ReviewForm
from marketplace.students.models import CorrectionRequest, FinalReport, Journal
from marketplace.timeutil import local_today

bp = Blueprint("students", __name__, url_prefix="/students")


def _own_school(school_id, user) -> bool:
    return school_id == user.organization_id


def _school_student(student_id: int) -> Student:
    return load_or_404(Student, student_id, lambda s, u: _own_school(s.school_id, u))


def _school_placement(placement_id: int) -> Placement:
    return load_or_404(Placement, placement_id, lambda p, u: _own_school(p.student.school_id, u))


@bp.get("/")
@school_required
def school_home():
    school_id, today = current_user.organization_id, local_today()
    journals, reports = services.to_review(school_id)
    cohorts = db.session.scalars(
        db.select(Cohort).where(Cohort.school_id == school_id).order_by(Cohort.graduation_year.desc())
    ).all()
    return render_template(
        "students/school.html", board=services.journal_board(school_id, today),
        minimum_form=MinimumForm(min_count=services.min_journals(school_id)), journals=journals, reports=reports,
        answers=services.answers_waiting(school_id), corrections=services.corrections_of(school_id=school_id),
        resolve_form=ResolveForm(), cohorts=cohorts, invite_form=InviteForm(),
    )  # fmt: skip


@bp.post("/minimum")
@school_required
def set_minimum():
    form = MinimumForm()
    if form.validate_on_submit():
        commit(lambda: services.set_min_journals(current_user.organization_id, form.min_count.data,
                                                 actor=current_user), _("Saved."))  # fmt: skip
    else:
        flash(_("Give a number from 0 to 60."), "danger")
    return redirect(url_for("students.school_home"))


@bp.post("/invite/<int:student_id>")
@school_required
def invite(student_id: int):
    """One student's link, shown once: the school hands it to the student."""
    student = _school_student(student_id)
    if not InviteForm().validate_on_submit():
        return redirect(url_for("cohorts.student", student_id=student.id))
    token = commit(lambda: services.invite(student, actor=current_user))
    if not token:
        return redirect(url_for("cohorts.student", student_id=student.id))
    link = url_for("me.join", token=token, _external=True)
    page = render_template("students/invited.html", student=student, link=link)
    return no_store(current_app.make_response(page))


@bp.post("/cohorts/<int:cohort_id>/invite")
@school_required
def invite_cohort(cohort_id: int):
    """A link for every student of the class without an account, as a CSV list the class teacher hands out."""
    cohort = load_or_404(Cohort, cohort_id, lambda c, u: _own_school(c.school_id, u))
    if not InviteForm().validate_on_submit():
        return redirect(url_for("students.school_home"))
    links = commit(lambda: services.invite_cohort(cohort, actor=current_user))
    if not links or links is True:
        flash(_("Every student of this class already has an account."), "info")
        return redirect(url_for("students.school_home"))
    rows = [(s.student_no, s.name, url_for("me.join", token=t, _external=True)) for s, t in links]
    data = write_csv([_("Student number"), _("Name"), _("Link")], rows)
    name = _("Student account links %(year)s", year=cohort.graduation_year)
    response = send_file(io.BytesIO(data), mimetype="text/csv; charset=utf-8", as_attachment=True,
                         download_name=f"{name}.csv")  # fmt: skip
    return no_store(response)


@bp.get("/placements/<int:placement_id>")
@school_required
def placement(placement_id: int):
    placement = _school_placement(placement_id)
    return render_template(
        "students/school_placement.html", placement=placement, progress=services.progress(placement, local_today()),
        journals=services.journals_of(placement.id), report=services.report_of(placement.id), form=ReviewForm(),
    )  # fmt: skip


@bp.post("/journals/<int:journal_id>/review")
@school_required
def review_journal(journal_id: int):
    journal = load_or_404(Journal, journal_id, lambda j, u: _own_school(j.placement.student.school_id, u))
    _review(journal)
    return redirect(url_for("students.placement", placement_id=journal.placement_id))


@bp.post("/reports/<int:report_id>/review")
@school_required
def review_report(report_id: int):
    report = load_or_404(FinalReport, report_id, lambda r, u: _own_school(r.placement.student.school_id, u))
    _review(report)
    return redirect(url_for("students.placement", placement_id=report.placement_id))


def _review(item) -> None:
    form = ReviewForm()
    if form.validate_on_submit():
        commit(lambda: services.review(item, comment=form.comment.data, actor=current_user), _("Review recorded."))
    else:
        flash(_("Write a comment."), "danger")


@bp.post("/corrections/<int:request_id>")
@school_required
def resolve(request_id: int):
    req = load_or_404(CorrectionRequest, request_id, lambda r, u: _own_school(r.school_id, u))
    form = ResolveForm()
    if form.validate_on_submit():
        commit(lambda: services.resolve_correction(req, corrected=form.outcome.data == "corrected",
                                                   answer=form.answer.data, actor=current_user),
               _("The student has been answered."))  # fmt: skip
    else:
        flash(_("Write an answer to the student."), "danger")
    return redirect(url_for("students.school_home"))


@bp.get("/evaluations")
@enterprise_required
def enterprise_evaluations():
    """Only averages, and only from the configured number of answers on."""
    minimum = current_app.config["EVALUATION_MIN_ANSWERS"]
    summary = services.enterprise_summary(current_user.organization_id, minimum)
    return render_template("students/enterprise_evaluations.html", summary=summary, minimum=minimum)


@bp.get("/alliances/<int:alliance_id>/evaluations")
@login_required
def alliance_evaluations(alliance_id: int):
    """The alliance's secretariat: each member enterprise's averages and its interns' comments (without names)."""
    alliance = load_or_404(Alliance, alliance_id, is_secretariat)
    enterprises = db.session.scalars(
        db.select(Organization)
        .join(Membership, Membership.organization_id == Organization.id)
        .where(Membership.alliance_id == alliance.id, in_force_on(local_today()),
               Organization.kind == OrgKind.ENTERPRISE)
        .order_by(Organization.name)
    ).all()  # fmt: skip
    names = {e.id: e.name for e in enterprises}
    summaries = services.summaries_for(list(names))
    return render_template(
        "students/alliance_evaluations.html", alliance=alliance, names=names, summaries=summaries,
        comments=services.comments_for([eid for eid, _s in summaries]),
    )  # fmt: skip
