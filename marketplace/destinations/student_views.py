"""The graduate's own destination page (/me/destination): register, confirm a proposal, or change a destination."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.cohorts.models import Student
from marketplace.destinations import services
from marketplace.destinations.forms import DestinationForm
from marketplace.destinations.models import RecordStatus
from marketplace.extensions import db
from marketplace.permissions import student_required
from marketplace.reference.models import Region
from marketplace.refusals import commit
from marketplace.timeutil import local_today

# Its endpoints start with "me_destination.": `permissions.keep_students_to_their_pages` lets students in.
bp = Blueprint("me_destination", __name__, url_prefix="/me/destination")


def _region_parent(city_id: int) -> int | None:
    city = db.session.get(Region, city_id)
    return city.parent_id if city else None


def _form(student: Student, current, formdata=None) -> DestinationForm:
    """Prefilled from the latest record, else from the graduate's job placement (the proposal)."""
    placement = services.employment_placement(student.id)
    base = current[0].content() if current else (services.proposal_from(placement) if placement else {})
    data = {"code": base.get("code_id"), "employer_name": base.get("employer_name"),
            "employer_credit_code": base.get("employer_credit_code"), "industry": base.get("industry"),
            "ownership": base["ownership"].value if base.get("ownership") else "",
            "size": base["size"].value if base.get("size") else "", "city": base.get("city_id") or 0,
            "job_title": base.get("job_title"), "occupation": base.get("occupation_id"),
            "start_date": base.get("start_date"), "monthly_pay": base.get("monthly_pay"),
            "proof_on_file": base.get("proof_on_file"), "no_proof_reason": base.get("no_proof_reason")}  # fmt: skip
    extra = base.get("occupation_id")
    codes = services.codes_for(student.school_id)
    if formdata is not None:
        return DestinationForm(codes, student.major_id, extra, formdata=formdata)
    return DestinationForm(codes, student.major_id, extra, data=data)


@bp.route("/", methods=["GET", "POST"])
@student_required
def show():
    student = db.session.get(Student, current_user.student_id)
    current = services.current_records(student.id)
    form = _form(student, current, request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        chosen = request.form.get("sequence", "")
        sequence = int(chosen) if chosen.isdigit() and current else None
        content = form.content(_region_parent)
        appended = commit(lambda: services.register(student, content, actor=current_user, sequence=sequence,
                                                    today=local_today()), field=form.code)  # fmt: skip
        if appended:
            if appended.late:
                deadline = services.deadline_for(student.school_id, services.graduation_year(student))
                flash(_("Recorded after the school's deadline (%(day)s): it is kept but not counted in the rates.",
                        day=deadline), "warning")  # fmt: skip
            else:
                flash(_("Sent to the school for audit."), "success")
            return redirect(url_for("me_destination.show"))
    year = services.graduation_year(student)
    return render_template(
        "destinations/me.html", student=student, form=form, current=current, versions=services.versions_of(student.id),
        deadline=services.deadline_for(student.school_id, year), today=local_today(), statuses=RecordStatus,
        proposal=services.employment_placement(student.id) if not current else None,
    )  # fmt: skip
