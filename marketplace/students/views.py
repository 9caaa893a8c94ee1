"""The student's own pages (学生本人, /me): only their own records, every route checked through `own_*`."""

import json

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from marketplace.audit.services import record
from marketplace.auth.views import signup_limit
from marketplace.cohorts.models import Student
from marketplace.cohorts.views import no_store
from marketplace.extensions import db
from marketplace.grading.services import final_of
from marketplace.internships import gates
from marketplace.internships import services as internships
from marketplace.internships.forms import AgreementForm
from marketplace.internships.messages import gate_message
from marketplace.internships.pdf import agreement_pdf
from marketplace.permissions import load_or_404, student_required
from marketplace.pipeline.models import Nomination, Placement
from marketplace.privacy import mask_id_number, mask_phone
from marketplace.refusals import commit
from marketplace.students import services
from marketplace.students.export import student_data
from marketplace.students.forms import (
    AnswerForm,
    CorrectionForm,
    EvaluationForm,
    JoinForm,
    JournalForm,
    OwnConsentForm,
    ReportForm,
    SignAgreementForm,
)
from marketplace.timeutil import local_today

bp = Blueprint("me", __name__, url_prefix="/me")


def own_student() -> Student:
    return db.session.get(Student, current_user.student_id)


def _own(record_, user) -> bool:
    return user.is_authenticated and user.is_student and record_.student_id == user.student_id


def own_nomination(nomination_id: int) -> Nomination:
    return load_or_404(Nomination, nomination_id, _own)


def own_placement(placement_id: int) -> Placement:
    return load_or_404(Placement, placement_id, _own)


@bp.route("/join/<token>", methods=["GET", "POST"])
@signup_limit
def join(token: str):
    """The school's link: the student sets a password and is signed in."""
    invitation = services.find_invitation(token)
    if invitation is None:
        abort(404)
    form = JoinForm()
    if form.validate_on_submit():
        user = commit(lambda: services.join(invitation, form.password.data))
        if user:
            logout_user()
            login_user(user)
            flash(_("Your account is ready. Sign in next time with your student number %(no)s.",
                    no=invitation.student.student_no), "success")  # fmt: skip
            return redirect(url_for("me.home"))
    return render_template("students/join.html", form=form, invitation=invitation)


@bp.get("/")
@student_required
def home():
    student = own_student()
    today = local_today()
    placements = services.placements_of(student)
    offers = services.offers_of(student)
    return render_template(
        "students/home.html", student=student, offers=offers, answers=services.latest_answers([o.id for o in offers]),
        placements=[(p, services.progress(p, today)) for p in placements], today=today,
    )  # fmt: skip


@bp.get("/data")
@student_required
def data():
    student = own_student()
    page = render_template(
        "students/data.html", student=student, phone=mask_phone(student.phone),
        id_number=mask_id_number(student.id_number), consent_form=OwnConsentForm(),
        corrections=services.corrections_of(student_id=student.id), correction_form=CorrectionForm(),
        guardian_needed=services.age_on(student, local_today()) < services.GUARDIAN_AGE,
    )  # fmt: skip
    return no_store(current_app.make_response(page))


@bp.post("/consent")
@student_required
def consent():
    student, form = own_student(), OwnConsentForm()
    if not form.validate_on_submit():
        flash(_("The consent was not recorded: please try again."), "danger")
        return redirect(url_for("me.data"))
    granted = form.granted.data == "1"
    changed = commit(lambda: services.set_own_consent(student, granted, actor=current_user,
                                                      guardian_name=form.guardian_name.data or "",
                                                      today=local_today()))  # fmt: skip
    if changed is False:
        flash(_("Nothing changed: the consent was already recorded so."), "info")
    elif changed:
        flash(_("Consent recorded: enterprises of the school's alliances can now see you.") if granted
              else _("Consent withdrawn: enterprises no longer see you."), "success")  # fmt: skip
    return redirect(url_for("me.data"))


@bp.post("/corrections")
@student_required
def ask_correction():
    form = CorrectionForm()
    if form.validate_on_submit():
        commit(lambda: services.request_correction(own_student(), text=form.text.data, actor=current_user),
               _("Your request has been sent to the school."))  # fmt: skip
    else:
        flash(_("Describe what should be corrected."), "danger")
    return redirect(url_for("me.data"))


@bp.post("/export")
@student_required
def export():
    """All the student's data as one JSON file, audited like other exports."""
    student = own_student()
    payload = json.dumps(student_data(student), ensure_ascii=False, indent=2)
    record("export", student, actor=current_user, what="own_data", format="json")
    db.session.commit()
    response = current_app.response_class(payload, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="my-data-{student.id}.json"'
    return no_store(response)


@bp.route("/offers/<int:nomination_id>", methods=["GET", "POST"])
@student_required
def offer(nomination_id: int):
    nomination = own_nomination(nomination_id)
    form = AnswerForm()
    if request.method == "POST":
        if form.validate_on_submit():
            accepted = form.answer.data == "yes"
            done = _("Your answer has been sent; the school will confirm it.")
            commit(lambda: services.answer_offer(nomination, accepted=accepted, reason=form.reason.data or "",
                                                 actor=current_user), done)  # fmt: skip
        else:
            flash(_("Choose yes or no."), "danger")
        return redirect(url_for("me.offer", nomination_id=nomination.id))
    answer = services.latest_answers([nomination.id]).get(nomination.id)
    return render_template("students/offer.html", nomination=nomination, answer=answer, form=form)


@bp.get("/placements/<int:placement_id>")
@student_required
def placement(placement_id: int):
    placement = own_placement(placement_id)
    today = local_today()
    report = services.report_of(placement.id)
    evaluation = services.evaluation_of(placement.id)
    return render_template(
        "students/placement.html", placement=placement, progress=services.progress(placement, today),
        journals=services.journals_of(placement.id), journal_form=JournalForm(week_of=today),
        report=report, report_form=ReportForm(content=report.content if report else None),
        evaluation=evaluation, may_evaluate=services.may_evaluate(placement, today),
        evaluation_form=EvaluationForm(), final=final_of(placement.id), agreement=gates.current_agreement(placement),
    )  # fmt: skip


@bp.post("/placements/<int:placement_id>/journals")
@student_required
def write_journal(placement_id: int):
    placement = own_placement(placement_id)
    form = JournalForm()
    if form.validate_on_submit():
        commit(lambda: services.write_journal(placement, week_of=form.week_of.data, content=form.content.data,
                                              actor=current_user, today=local_today()),
               _("Journal saved."))  # fmt: skip
    else:
        flash(_("The journal was not saved: give the week and at least ten characters."), "danger")
    return redirect(url_for("me.placement", placement_id=placement.id))


@bp.post("/placements/<int:placement_id>/report")
@student_required
def submit_report(placement_id: int):
    placement = own_placement(placement_id)
    form = ReportForm()
    if form.validate_on_submit():
        commit(lambda: services.submit_report(placement, content=form.content.data, actor=current_user),
               _("Final report submitted."))  # fmt: skip
    else:
        flash(_("The report was not saved: write at least fifty characters."), "danger")
    return redirect(url_for("me.placement", placement_id=placement.id))


@bp.post("/placements/<int:placement_id>/evaluation")
@student_required
def evaluate(placement_id: int):
    placement = own_placement(placement_id)
    form = EvaluationForm()
    if form.validate_on_submit():
        commit(lambda: services.evaluate(placement, enterprise_score=int(form.enterprise_score.data),
                                         post_score=int(form.post_score.data), comment=form.comment.data or "",
                                         actor=current_user, today=local_today()),
               _("Thank you: your evaluation has been recorded."))  # fmt: skip
    else:
        flash(_("Give both scores."), "danger")
    return redirect(url_for("me.placement", placement_id=placement.id))


@bp.get("/placements/<int:placement_id>/agreement")
@student_required
def agreement(placement_id: int):
    """The agreement's latest version to read on a phone, what still stands before the start, and the signature."""
    placement = own_placement(placement_id)
    return render_template(
        "students/agreement.html", placement=placement, agreement=gates.current_agreement(placement),
        minor=gates.is_minor_at_start(placement), form=SignAgreementForm(),
        missing=[gate_message(m) for m in gates.missing_gates(placement)] if not placement.arrived_on else [],
        sections=[(name, getattr(AgreementForm, name).args[0]) for name in internships.TERMS],
    )  # fmt: skip


@bp.post("/placements/<int:placement_id>/agreement")
@student_required
def sign_agreement(placement_id: int):
    placement = own_placement(placement_id)
    agreement = gates.current_agreement(placement)
    if agreement is None:
        abort(404)
    if SignAgreementForm().validate_on_submit():
        commit(lambda: internships.sign_as_student(agreement, actor=current_user, today=local_today()),
               _("You have signed the agreement."))  # fmt: skip
    else:
        flash(_("Tick the box to confirm you have read the agreement."), "danger")
    return redirect(url_for("me.agreement", placement_id=placement.id))


@bp.get("/placements/<int:placement_id>/agreement.pdf")
@student_required
def agreement_file(placement_id: int):
    placement = own_placement(placement_id)
    agreement = gates.current_agreement(placement)
    if agreement is None:
        abort(404)
    response = Response(agreement_pdf(agreement), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="agreement-{placement.id}-v{agreement.version}.pdf"'
    return response
