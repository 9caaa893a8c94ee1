"""Recording the law's gates, the arrival, pay and attendance of a placement. Functions flush, never commit."""

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from marketplace.audit.services import record
from marketplace.extensions import db
from marketplace.internships.gates import current_agreement, is_minor_at_start, missing_gates, month_start
from marketplace.internships.models import (
    Agreement,
    AttendanceMonth,
    GuardianConsent,
    Insurance,
    InsurancePayer,
    PayMethod,
    PayRecord,
)
from marketplace.pipeline.models import Placement, PlacementStatus
from marketplace.refusals import Refusal

TERMS = ("post", "place", "period", "hours", "pay", "insurance", "safety", "responsibilities", "termination")
# Payment methods the enterprise may name; only money paid to the student himself is accepted (art. 18).
REFUSED_METHODS = ("goods", "third_party")


class InternshipError(Refusal):
    """A gate, pay or attendance record the rules refuse."""


def _not_future(day: date, today: date) -> None:
    if day > today:
        raise InternshipError(_l("The date cannot be in the future."))


def save_agreement(placement: Placement, terms: dict[str, str], *, actor) -> Agreement:
    """Draft the agreement, or amend it: every save is a new version with no signatures; old versions are kept."""
    if placement.status is not PlacementStatus.ONGOING:
        raise InternshipError(_l("The placement has ended: its agreement can no longer change."))
    latest = current_agreement(placement)
    agreement = Agreement(placement_id=placement.id, version=(latest.version + 1) if latest else 1,
                          created_by_id=actor.id, **{k: terms[k].strip() for k in TERMS})  # fmt: skip
    db.session.add(agreement)
    db.session.flush()
    record("agreement_saved", agreement, actor=actor, placement_id=placement.id, version=agreement.version)
    return agreement


def sign_agreement(agreement: Agreement, *, side: str, actor, on: date, today: date, no_fees: bool = False,
                   student_signer: str = "") -> None:  # fmt: skip
    """Record a party's signature on the latest version. The enterprise signs with its no-fees confirmation; the
    school records the student's (or guardian's) signature on the student's behalf, naming the signer."""
    if current_agreement(agreement.placement) is not agreement:
        raise InternshipError(_l("Only the latest version of the agreement can be signed."))
    _not_future(on, today)
    if side == "school":
        agreement.school_signed_on, agreement.school_signed_by_id = on, actor.id
    elif side == "enterprise":
        if not no_fees:
            raise InternshipError(
                _l("The enterprise signs with its confirmation that it takes no fees or deposits and keeps no papers.")
            )
        agreement.enterprise_signed_on, agreement.enterprise_signed_by_id = on, actor.id
        agreement.no_fees_confirmed = True
    elif side == "student":
        if not student_signer.strip():
            raise InternshipError(_l("Name who signed for the student: the student or the guardian."))
        agreement.student_signed_on, agreement.student_recorded_by_id = on, actor.id
        agreement.student_signer = student_signer.strip()
    else:
        raise InternshipError(_l("Only the school and the enterprise record signatures."))
    record("agreement_signed", agreement, actor=actor, side=side, on=on.isoformat())


def sign_as_student(agreement: Agreement, *, actor, today: date) -> None:
    """The student signs the latest version themselves, today, from their own pages. For a student under 18 on the
    start date the guardian signs: the school records that signature (`sign_agreement`, side "student")."""
    placement = agreement.placement
    if current_agreement(placement) is not agreement:
        raise InternshipError(_l("Only the latest version of the agreement can be signed."))
    if placement.status is not PlacementStatus.ONGOING:
        raise InternshipError(_l("The placement has ended: its agreement can no longer change."))
    if agreement.student_signed_on is not None:
        raise InternshipError(_l("The student's side of this version is already signed."))
    if is_minor_at_start(placement):
        raise InternshipError(_l("You are under 18 on the start date: your guardian signs, and the school records it."))
    agreement.student_signed_on, agreement.student_recorded_by_id = today, actor.id
    agreement.student_signer = placement.student.name
    record("agreement_signed", agreement, actor=actor, side="student", by="student", on=today.isoformat())


def record_guardian_consent(placement: Placement, *, actor, guardian_name: str, relation: str, signed_on: date,
                            today: date) -> GuardianConsent:  # fmt: skip
    if not is_minor_at_start(placement):
        raise InternshipError(_l("The student is 18 on the start date: no guardian's consent is needed."))
    _not_future(signed_on, today)
    consent = db.session.scalar(sa.select(GuardianConsent).where(GuardianConsent.placement_id == placement.id))
    if consent is None:
        consent = GuardianConsent(placement_id=placement.id)
        db.session.add(consent)
    consent.guardian_name, consent.relation = guardian_name.strip(), relation.strip()
    consent.signed_on, consent.recorded_by_id = signed_on, actor.id
    db.session.flush()
    record("guardian_consent_recorded", consent, actor=actor, placement_id=placement.id)
    return consent


def record_insurance(placement: Placement, *, actor, insurer: str, policy_no: str, covers_from: date,
                     covers_to: date, payer: str) -> Insurance:  # fmt: skip
    if payer not in {p.value for p in InsurancePayer}:
        raise InternshipError(_l("The insurance is paid by the school or the enterprise, never by the student."))
    if covers_to < covers_from:
        raise InternshipError(_l("The cover ends before it begins."))
    policy = Insurance(placement_id=placement.id, insurer=insurer.strip(), policy_no=policy_no.strip(),
                       covers_from=covers_from, covers_to=covers_to, payer=InsurancePayer(payer),
                       recorded_by_id=actor.id)  # fmt: skip
    db.session.add(policy)
    db.session.flush()
    record("insurance_recorded", policy, actor=actor, placement_id=placement.id, payer=payer)
    return policy


class GatesMissing(InternshipError):
    """The placement cannot start: the message lists what is missing."""


def record_arrival(placement: Placement, *, actor, on: date, today: date, describe) -> None:
    """The student began (到岗): only once every gate holds, on a day from the start date to today.
    `describe(missing)` words the missing gates for the refusal."""
    if placement.status is not PlacementStatus.ONGOING or placement.arrived_on is not None:
        raise InternshipError(_l("The arrival is already recorded, or the placement has ended."))
    if on < placement.start_date:
        raise InternshipError(_l("The student cannot arrive before the start date."))
    _not_future(on, today)
    missing = missing_gates(placement)
    if missing:
        raise GatesMissing(describe(missing))
    placement.arrived_on = on
    record("placement_arrived", placement, actor=actor, on=on.isoformat())


def record_pay(placement: Placement, *, actor, month: date, amount: int, paid_on: date, method: str,
               today: date) -> PayRecord:  # fmt: skip
    """One month's pay. Goods, vouchers or payment through a third party are refused (art. 18)."""
    if method not in {m.value for m in PayMethod}:
        raise InternshipError(
            _l("Pay is money paid directly to the student: not goods or vouchers, not through a third party.")
        )
    _not_future(paid_on, today)
    month = month_start(month)
    if month < month_start(placement.start_date) or month > today:
        raise InternshipError(_l("The month is outside the placement's period so far."))
    if paid_on < month:
        raise InternshipError(_l("The pay date is before the month it pays for."))
    pay = PayRecord(placement_id=placement.id, month=month, amount=amount, paid_on=paid_on, method=PayMethod(method),
                    recorded_by_id=actor.id)  # fmt: skip
    db.session.add(pay)
    db.session.flush()
    record("pay_recorded", pay, actor=actor, placement_id=placement.id, month=month.isoformat(), amount=amount)
    return pay


def confirm_attendance(placement: Placement, *, actor, month: date, present: int, absent: int, on_leave: int,
                       today: date) -> AttendanceMonth:  # fmt: skip
    month = month_start(month)
    if month < month_start(placement.start_date) or month > today:
        raise InternshipError(_l("The month is outside the placement's period so far."))
    if present + absent + on_leave > 31:
        raise InternshipError(_l("A month has at most 31 days."))
    row = db.session.scalar(
        sa.select(AttendanceMonth).where(AttendanceMonth.placement_id == placement.id, AttendanceMonth.month == month)
    )
    if row is None:
        row = AttendanceMonth(placement_id=placement.id, month=month)
        db.session.add(row)
    row.present, row.absent, row.on_leave, row.confirmed_by_id = present, absent, on_leave, actor.id
    db.session.flush()
    record("attendance_confirmed", row, actor=actor, placement_id=placement.id, month=month.isoformat())
    return row


def default_terms(placement: Placement) -> dict[str, str]:
    """The agreement's terms drawn from the placement's data, in Chinese: the document is printed and signed."""
    opening, student = placement.opening, placement.student
    end = placement.end_date or opening.end_date
    occupation = f"（{opening.occupation.name}）" if opening.occupation else ""
    payer = "实习单位"
    return {
        "post": f"{opening.title}{occupation}",
        "place": f"{opening.plan.enterprise.name}，{opening.city.name}",
        "period": f"{placement.start_date.isoformat()} 至 {end.isoformat()}",
        "hours": "遵守国家关于工作时间和休息休假的规定：每日不超过8小时，每周不超过40小时；"
        "不安排加班和夜班，不安排在法定节假日实习。",
        "pay": f"每月{placement.pay}元，不低于本单位相同岗位工资标准的80%；"
        "以货币形式按月及时、足额、直接支付给学生本人，支付周期不超过1个月，不以物品或代金券代替，不经第三方转发。",
        "insurance": f"由{payer}为学生投保实习责任保险，保险期间覆盖整个实习期，保费不由学生承担。",
        "safety": "实习单位开展安全生产教育培训，提供劳动防护用品；"
        "不安排高空、井下、放射性、有毒、易燃易爆等较高安全风险的实习，不安排Ⅲ级强度及以上体力劳动。",
        "responsibilities": f"学校（{student.school.name}）选派指导教师，实习单位选派专门人员指导，"
        "学生遵守实习单位规章制度和学校实习管理规定。",
        "termination": "经三方协商一致可变更或解除本协议；实习单位违反规定安排学生实习的，学校和学生可解除本协议。",
    }
