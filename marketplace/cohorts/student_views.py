"""One student, as the school manages them: details (masked), the audited unmask, edits and consent."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.certificates import LEVEL_NAMES, format_certificates
from marketplace.cohorts import access, queries, services
from marketplace.cohorts.forms import ConsentForm, StudentForm, UnmaskForm
from marketplace.cohorts.views import bp, no_store
from marketplace.extensions import db
from marketplace.plans.models import OpeningKind
from marketplace.privacy import mask_id_number, mask_phone
from marketplace.students.forms import InviteForm
from marketplace.students.services import account_of


def _render(student, *, unmasked: bool = False):
    student = queries.student_with_details(student)
    may_unmask = services.may_unmask(current_user, student.school_id)
    page = render_template(
        "cohorts/student.html",
        student=student,
        unmasked=unmasked,
        history=queries.consent_history(student.id),
        kinds=[OpeningKind(k) for k in student.wanted_kinds or []],
        cert_levels=LEVEL_NAMES,
        consent_form=ConsentForm(granted="0" if student.consent_to_share else "1"),
        unmask_form=UnmaskForm() if may_unmask and not unmasked else None,
        has_account=account_of(student.id) is not None,
        invite_form=InviteForm() if current_user.organization_id == student.school_id else None,
    )
    return no_store(current_app.make_response(page))


@bp.get("/students/<int:student_id>")
@login_required
def student(student_id: int):
    return _render(access.student_or_404(student_id))


@bp.post("/students/<int:student_id>/unmask")
@login_required
def unmask(student_id: int):
    """Show the full phone and ID number once, to the school's admin, and record that it was done."""
    student = access.student_or_404(student_id)
    if not services.may_unmask(current_user, student.school_id):
        abort(403)
    if not UnmaskForm().validate_on_submit():
        abort(400)
    services.record_unmask(student, actor=current_user)
    db.session.commit()
    return _render(student, unmasked=True)


@bp.post("/students/<int:student_id>/consent")
@login_required
def consent(student_id: int):
    student = access.student_or_404(student_id)
    form = ConsentForm()
    if not form.validate_on_submit():
        flash(_("The consent was not recorded: please try again."), "danger")
        return redirect(url_for("cohorts.student", student_id=student.id))
    granted = form.granted.data == "1"
    changed = services.set_consent(student, granted, actor=current_user, evidence=form.evidence.data or "")
    db.session.commit()
    if not changed:
        flash(_("Nothing changed: the consent was already recorded so."), "info")
    elif granted:
        flash(_("Consent recorded: enterprises of the school's alliances can now see this student."), "success")
    else:
        flash(_("Consent withdrawn: enterprises no longer see this student."), "success")
    return redirect(url_for("cohorts.student", student_id=student.id))


@bp.route("/students/<int:student_id>/edit", methods=["GET", "POST"])
@login_required
def edit(student_id: int):
    student = queries.student_with_details(access.student_or_404(student_id))
    form = StudentForm(obj=student, gender=student.gender.value)
    if not form.is_submitted():
        form.certificates.data = format_certificates((c.name, c.level) for c in student.certificates)
        form.wanted_cities.data = ";".join(c.name for c in student.wanted_cities)
        form.phone.data = form.id_number.data = ""  # never prefilled: they would leave the page unmasked
    if form.validate_on_submit():
        changed = services.update_student(student, form.values(), actor=current_user)
        db.session.commit()
        flash(_("Student saved.") if changed else _("Nothing changed."), "success")
        return redirect(url_for("cohorts.student", student_id=student.id))
    page = render_template(
        "cohorts/edit.html",
        student=student,
        form=form,
        masked_phone=mask_phone(student.phone),
        masked_id_number=mask_id_number(student.id_number),
    )
    return no_store(current_app.make_response(page))
