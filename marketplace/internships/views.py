"""The placement's law page: gates, agreement versions and PDF, consent, insurance, arrival, pay and attendance.

Only the placement's school and host enterprise act here (the platform admin reads); each POST is one service call,
committed once."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.extensions import db
from marketplace.input_guard import db_int
from marketplace.internships import gates, services
from marketplace.internships.forms import (
    AgreementForm,
    ArrivalForm,
    AttendanceForm,
    GuardianConsentForm,
    InsuranceForm,
    PayForm,
    SignForm,
)
from marketplace.internships.messages import describe, gate_message
from marketplace.internships.models import Agreement, AttendanceMonth, GuardianConsent, Insurance, PayRecord
from marketplace.internships.pdf import agreement_pdf
from marketplace.permissions import load
from marketplace.pipeline.models import Placement
from marketplace.plans import rules
from marketplace.refusals import commit
from marketplace.timeutil import local_today

bp = Blueprint("internships", __name__)


def _load(placement_id: int, *sides: str) -> Placement:
    """The placement, for one of `sides` ('school', 'enterprise') of it; anyone else who may see it is refused."""
    placement = load(Placement, placement_id)
    if placement.side_of(current_user) not in sides:
        abort(403)
    return placement


def _back(p: Placement):
    return redirect(url_for("internships.placement_law", placement_id=p.id))


def _invalid(form) -> None:
    flash(" ".join([_("Check the form:"), *(str(e) for errors in form.errors.values() for e in errors)]), "danger")


def _rows(model, p: Placement, order):
    return db.session.scalars(db.select(model).where(model.placement_id == p.id).order_by(*order)).all()


@bp.get("/placements/<int:placement_id>/internship")
@login_required
def placement_law(placement_id: int):
    p = load(Placement, placement_id)
    today = local_today()
    side = p.side_of(current_user)
    agreements = _rows(Agreement, p, [Agreement.version.desc()])
    sign_form = SignForm(prefix="sign")
    sign_form.party.choices = _parties(side)
    return render_template(
        "internships/placement.html", p=p, side=side, today=today,
        missing=[gate_message(m) for m in gates.missing_gates(p)], minor=gates.is_minor_at_start(p),
        agreements=agreements, current=agreements[0] if agreements else None,
        consent=db.session.scalar(db.select(GuardianConsent).where(GuardianConsent.placement_id == p.id)),
        policies=_rows(Insurance, p, [Insurance.id]),
        pays=_rows(PayRecord, p, [PayRecord.month.desc()]), warnings=gates.pay_warnings(p, today),
        attendance=_rows(AttendanceMonth, p, [AttendanceMonth.month.desc()]),
        floor=rules.pay_floor(p.opening.post_wage) if p.opening.post_wage else None,
        agreement_form=AgreementForm(prefix="agr", data=services.default_terms(p) if not agreements else
                                     {k: getattr(agreements[0], k) for k in services.TERMS}),
        sign_form=sign_form, consent_form=GuardianConsentForm(prefix="gc"), insurance_form=InsuranceForm(prefix="ins"),
        arrival_form=ArrivalForm(prefix="arr", data={"arrived_on": p.start_date}),
        pay_form=PayForm(prefix="pay"), attendance_form=AttendanceForm(prefix="att"),
    )  # fmt: skip


def _parties(side: str | None) -> list[tuple[str, str]]:
    if side == "school":
        return [("", _("— choose —")), ("school", _("The school")),
                ("student", _("The student (recorded by the school)"))]  # fmt: skip
    if side == "enterprise":
        return [("enterprise", _("The enterprise"))]
    return []


@bp.get("/placements/<int:placement_id>/agreement.pdf")
@login_required
def agreement_file(placement_id: int):
    p = load(Placement, placement_id)
    version = request.args.get("version", type=db_int)
    query = db.select(Agreement).where(Agreement.placement_id == p.id)
    query = query.where(Agreement.version == version) if version else query.order_by(Agreement.version.desc())
    agreement = db.session.scalars(query.limit(1)).first()
    if agreement is None:
        abort(404)
    response = Response(agreement_pdf(agreement), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="agreement-{p.id}-v{agreement.version}.pdf"'
    return response


@bp.post("/placements/<int:placement_id>/agreement")
@login_required
def save_agreement(placement_id: int):
    p = _load(placement_id, "school")
    form = AgreementForm(prefix="agr")
    if not form.validate_on_submit():
        _invalid(form)
    else:
        terms = {k: form[k].data for k in services.TERMS}
        commit(lambda: services.save_agreement(p, terms, actor=current_user), _("Agreement saved as a new version."),
               conflict=_("Someone saved a version at the same time; reload the page."))  # fmt: skip
    return _back(p)


@bp.post("/placements/<int:placement_id>/agreement/sign")
@login_required
def sign_agreement(placement_id: int):
    p = _load(placement_id, "school", "enterprise")
    side = p.side_of(current_user)
    form = SignForm(prefix="sign")
    form.party.choices = _parties(side)
    agreement = gates.current_agreement(p)
    if agreement is None:
        abort(404)
    if not form.validate_on_submit() or not form.party.data:
        _invalid(form)
        return _back(p)
    commit(lambda: services.sign_agreement(agreement, side=form.party.data, actor=current_user,
                                           on=form.signed_on.data, today=local_today(), no_fees=form.no_fees.data,
                                           student_signer=form.student_signer.data or ""),
           _("Signature recorded."))  # fmt: skip
    return _back(p)


@bp.post("/placements/<int:placement_id>/guardian-consent")
@login_required
def guardian_consent(placement_id: int):
    p = _load(placement_id, "school")
    form = GuardianConsentForm(prefix="gc")
    if not form.validate_on_submit():
        _invalid(form)
    else:
        commit(lambda: services.record_guardian_consent(p, actor=current_user, guardian_name=form.guardian_name.data,
                                                        relation=form.relation.data, signed_on=form.signed_on.data,
                                                        today=local_today()), _("Consent recorded."))  # fmt: skip
    return _back(p)


@bp.post("/placements/<int:placement_id>/insurance")
@login_required
def insurance(placement_id: int):
    p = _load(placement_id, "school", "enterprise")
    form = InsuranceForm(prefix="ins")
    if not form.validate_on_submit() or not form.payer.data:
        _invalid(form)
    else:
        commit(lambda: services.record_insurance(p, actor=current_user, insurer=form.insurer.data,
                                                 policy_no=form.policy_no.data, covers_from=form.covers_from.data,
                                                 covers_to=form.covers_to.data, payer=form.payer.data),
               _("Insurance recorded."))  # fmt: skip
    return _back(p)


@bp.post("/placements/<int:placement_id>/arrival")
@login_required
def arrival(placement_id: int):
    p = _load(placement_id, "school", "enterprise")
    form = ArrivalForm(prefix="arr")
    if not form.validate_on_submit():
        _invalid(form)
    else:
        commit(lambda: services.record_arrival(p, actor=current_user, on=form.arrived_on.data, today=local_today(),
                                               describe=describe),
               _("Arrival recorded: the placement has started."))  # fmt: skip
    return _back(p)


@bp.post("/placements/<int:placement_id>/pay")
@login_required
def pay(placement_id: int):
    p = _load(placement_id, "enterprise")
    form = PayForm(prefix="pay")
    if not form.validate_on_submit() or not form.method.data:
        _invalid(form)
    else:
        commit(lambda: services.record_pay(p, actor=current_user, month=form.month.data, amount=form.amount.data,
                                           paid_on=form.paid_on.data, method=form.method.data, today=local_today()),
               _("Pay recorded."), conflict=_("This month's pay is already recorded."))  # fmt: skip
    return _back(p)


@bp.post("/placements/<int:placement_id>/attendance")
@login_required
def attendance(placement_id: int):
    p = _load(placement_id, "enterprise")
    form = AttendanceForm(prefix="att")
    if not form.validate_on_submit():
        _invalid(form)
    else:
        commit(lambda: services.confirm_attendance(p, actor=current_user, month=form.month.data,
                                                   present=form.present.data, absent=form.absent.data,
                                                   on_leave=form.on_leave.data, today=local_today()),
               _("Attendance confirmed."),
               conflict=_("This month was confirmed at the same time; reload the page."))  # fmt: skip
    return _back(p)
