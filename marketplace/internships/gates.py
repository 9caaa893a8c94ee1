"""The law's gates before a 岗位实习 starts (教职成〔2021〕4号), and the pay warnings after it.

A placement of kind 岗位实习 begins only with its recorded arrival (`services.record_arrival`), and only when:
- the latest version of the tripartite agreement is signed by the school, the enterprise and the student (or the
  guardian), and the enterprise confirmed in it that it takes no fees or deposits and withholds no documents;
- for a student under 18 on the start date, the guardian's informed consent is recorded;
- a liability insurance policy, paid by the school or the enterprise, covers the whole period;
- the prohibitions about the student still hold on the start date (plans/rules.py `student_breaches`).

Pay (art. 18): each month from the start is paid by the end of the next month (支付周期不得超过1个月), at least
80% of the same post's wage (`Opening.post_wage`); a month paid late, short, or not yet paid when due is a warning.
"""

import enum
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from marketplace.cohorts.models import Gender
from marketplace.extensions import db
from marketplace.internships.models import Agreement, GuardianConsent, Insurance, PayRecord
from marketplace.pipeline.models import Placement
from marketplace.plans import rules


class Gate(enum.StrEnum):
    AGREEMENT = "agreement"  # no agreement drafted
    SCHOOL_SIGNATURE = "school_signature"
    ENTERPRISE_SIGNATURE = "enterprise_signature"
    STUDENT_SIGNATURE = "student_signature"
    NO_FEES = "no_fees"
    GUARDIAN_CONSENT = "guardian_consent"
    INSURANCE = "insurance"
    PROHIBITION = "prohibition"


# The article of the 2021 text each gate comes from: 14 (签订实习协议, its content in 15), 20 (no deposits, fees or
# withheld papers), 9 (知情同意书), 35 (实习责任保险); a prohibition cites its own rule's article.
ARTICLES = {
    Gate.AGREEMENT: "14",
    Gate.SCHOOL_SIGNATURE: "14",
    Gate.ENTERPRISE_SIGNATURE: "14",
    Gate.STUDENT_SIGNATURE: "14",
    Gate.NO_FEES: "20",
    Gate.GUARDIAN_CONSENT: "9",
    Gate.INSURANCE: "35",
}


@dataclass(frozen=True)
class Missing:
    gate: Gate
    breach: rules.Breach | None = None  # for PROHIBITION: which rule


def current_agreement(placement: Placement) -> Agreement | None:
    return db.session.scalar(
        sa.select(Agreement).where(Agreement.placement_id == placement.id).order_by(Agreement.version.desc()).limit(1)
    )


def is_minor_at_start(placement: Placement) -> bool:
    return placement.start_date < rules.adult_on(placement.student.birth_date)


def placement_end(placement: Placement) -> date:
    return placement.end_date or placement.opening.end_date


def missing_gates(placement: Placement) -> list[Missing]:
    """What still stands between this placement and its start; empty when it may start (or needs no gates)."""
    if not placement.needs_arrival:
        return []
    missing = []
    agreement = current_agreement(placement)
    if agreement is None:
        missing.append(Missing(Gate.AGREEMENT))
    else:
        for signed_on, gate in (
            (agreement.school_signed_on, Gate.SCHOOL_SIGNATURE),
            (agreement.enterprise_signed_on, Gate.ENTERPRISE_SIGNATURE),
            (agreement.student_signed_on, Gate.STUDENT_SIGNATURE),
        ):
            if signed_on is None:
                missing.append(Missing(gate))
        if not agreement.no_fees_confirmed:
            missing.append(Missing(Gate.NO_FEES))
    if (
        is_minor_at_start(placement)
        and db.session.scalar(sa.select(GuardianConsent.id).where(GuardianConsent.placement_id == placement.id)) is None
    ):
        missing.append(Missing(Gate.GUARDIAN_CONSENT))
    policies = db.session.scalars(sa.select(Insurance).where(Insurance.placement_id == placement.id))
    if not any(p.covers(placement.start_date, placement_end(placement)) for p in policies):
        missing.append(Missing(Gate.INSURANCE))
    student, opening = placement.student, placement.opening
    for breach in rules.student_breaches(
        kind=placement.kind, birth_date=student.birth_date, enrolled_on=student.enrolled_on,
        start_date=placement.start_date, female=student.gender is Gender.FEMALE,
        minors_forbidden_work=opening.minors_forbidden_work, women_forbidden_work=opening.women_forbidden_work,
    ):  # fmt: skip
        missing.append(Missing(Gate.PROHIBITION, breach))
    return missing


def month_start(day: date) -> date:
    return day.replace(day=1)


def pay_due_by(month: date) -> date:
    """The last day a month's pay may arrive: the end of the following month (支付周期不得超过1个月)."""
    return month + relativedelta(months=2) - relativedelta(days=1)


@dataclass(frozen=True)
class PayWarning:
    month: date
    late: bool  # paid after its due day, or still unpaid after it
    short_by: int  # yuan below 80% of the post's wage; 0 when not short
    unpaid: bool


def pay_warnings(placement: Placement, today: date) -> list[PayWarning]:
    """Months from the arrival (or start) to today whose pay is late, missing when due, or below the floor."""
    first = placement.arrived_on or placement.start_date
    if first > today:
        return []
    last = min(today, placement_end(placement))
    records = {
        r.month: r for r in db.session.scalars(sa.select(PayRecord).where(PayRecord.placement_id == placement.id))
    }
    wage = placement.opening.post_wage
    floor = rules.pay_floor(wage) if wage else 0
    warnings = []
    month = month_start(first)
    while month <= last:
        record = records.get(month)
        due = pay_due_by(month)
        if record is None:
            if today > due:
                warnings.append(PayWarning(month, late=True, short_by=0, unpaid=True))
        else:
            late = record.paid_on > due
            short = floor - record.amount if wage and rules.below_pay_floor(record.amount, wage) else 0
            if late or short:
                warnings.append(PayWarning(month, late=late, short_by=short, unpaid=False))
        month += relativedelta(months=1)
    return warnings
