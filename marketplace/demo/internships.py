"""Demo 岗位实习 placements of the demo school at the demo enterprise, one in each stage of the law's gates:
agreement pending (school signed only, no insurance), insured and ongoing (an amended agreement, pay and attendance
on time), and pay late (a month paid late, one short, one overdue)."""

from datetime import date

import sqlalchemy as sa

from marketplace.auth.models import User
from marketplace.cohorts.models import Student
from marketplace.demo.data import DEMO_ENTERPRISE, DEMO_SCHOOL
from marketplace.extensions import db
from marketplace.internships.models import (
    Agreement,
    AttendanceMonth,
    Insurance,
    InsurancePayer,
    PayMethod,
    PayRecord,
)
from marketplace.internships.services import default_terms
from marketplace.orgs.models import Organization
from marketplace.pipeline.models import Placement
from marketplace.plans.models import HiringPlan, Opening, OpeningKind, ShiftPattern


def _org(name: str) -> Organization:
    return db.session.scalar(sa.select(Organization).where(Organization.name == name))


def _user(org: Organization) -> User:
    return db.session.scalar(sa.select(User).where(User.organization_id == org.id).order_by(User.id))


def _signed(placement: Placement, version: int, school: User, hr: User, on: date, **changes) -> Agreement:
    terms = default_terms(placement) | changes
    return Agreement(placement=placement, version=version, created_by_id=school.id, **terms, school_signed_on=on,
                     school_signed_by_id=school.id, enterprise_signed_on=on, enterprise_signed_by_id=hr.id,
                     no_fees_confirmed=True, student_signed_on=on, student_signer=placement.student.name,
                     student_recorded_by_id=school.id)  # fmt: skip


def _months(placement: Placement, hr: User, rows) -> None:
    for month, amount, paid_on, (present, absent, leave) in rows:
        if amount is not None:
            db.session.add(PayRecord(placement_id=placement.id, month=month, amount=amount, paid_on=paid_on,
                                     method=PayMethod.TRANSFER, recorded_by_id=hr.id))  # fmt: skip
        db.session.add(AttendanceMonth(placement_id=placement.id, month=month, present=present, absent=absent,
                                       on_leave=leave, confirmed_by_id=hr.id))  # fmt: skip


def build_internships(seed: int) -> None:  # noqa: ARG001  (fixed data: the stages are the point)
    school, enterprise = _org(DEMO_SCHOOL), _org(DEMO_ENTERPRISE)
    school_user, hr = _user(school), _user(enterprise)
    plan = db.session.scalar(sa.select(HiringPlan).where(HiringPlan.enterprise_id == enterprise.id).limit(1))
    opening = Opening(
        plan=plan, kind=OpeningKind.POST_INTERNSHIP, title="数控车工（岗位实习）", city_id=enterprise.city_id,
        headcount=3, filled=3, pay_min=4000, pay_max=5000, post_wage=5000, start_date=date(2026, 7, 1),
        end_date=date(2027, 6, 30), shift_pattern=ShiftPattern.DAY, staff_in_post=60,
        skills="数控车床操作、识图", description="在师傅指导下完成数控车削加工。",
    )  # fmt: skip
    db.session.add(opening)
    placed = sa.select(Placement.student_id).where(Placement.kind == OpeningKind.POST_INTERNSHIP)
    students = db.session.scalars(
        sa.select(Student).where(Student.school_id == school.id, Student.id.not_in(placed)).order_by(Student.student_no)
    ).all()[:3]
    pending, insured, late = (
        Placement(
            opening=opening,
            student=s,
            kind=opening.kind,
            start_date=start,
            end_date=opening.end_date,
            pay=pay,
            arrived_on=arrived,
        )  # fmt: skip
        for s, start, pay, arrived in zip(
            students,
            (date(2027, 1, 4), date(2026, 9, 1), date(2026, 7, 1)),
            (4000, 4500, 4000),
            (None, date(2026, 9, 1), date(2026, 7, 1)),
            strict=True,
        )
    )
    db.session.add_all([opening, pending, insured, late])
    db.session.flush()

    draft = Agreement(placement=pending, version=1, created_by_id=school_user.id, **default_terms(pending),
                      school_signed_on=date(2026, 11, 20), school_signed_by_id=school_user.id)  # fmt: skip
    db.session.add(draft)

    db.session.add(_signed(insured, 1, school_user, hr, date(2026, 8, 20)))
    db.session.add(_signed(insured, 2, school_user, hr, date(2026, 10, 8),
                           pay="每月4500元；以货币形式按月直接支付给学生本人。"))  # fmt: skip
    db.session.add(_signed(late, 1, school_user, hr, date(2026, 6, 20)))
    for p in (insured, late):
        db.session.add(Insurance(placement_id=p.id, insurer="中国人民财产保险股份有限公司衡水市分公司",
                                 policy_no=f"PZAE-2026-{p.id:08d}", covers_from=p.start_date,
                                 covers_to=opening.end_date,
                                 payer=InsurancePayer.ENTERPRISE, recorded_by_id=hr.id))  # fmt: skip
    _months(insured, hr, [
        (date(2026, 9, 1), 4500, date(2026, 10, 10), (21, 0, 1)),
        (date(2026, 10, 1), 4500, date(2026, 11, 10), (16, 0, 0)),
        (date(2026, 11, 1), 4500, date(2026, 11, 30), (20, 1, 0)),
    ])  # fmt: skip
    _months(late, hr, [
        (date(2026, 7, 1), 4000, date(2026, 8, 10), (22, 0, 0)),
        (date(2026, 8, 1), 4000, date(2026, 10, 20), (21, 0, 0)),  # paid late
        (date(2026, 9, 1), 3500, date(2026, 10, 20), (20, 2, 0)),  # below 80% of 5000
        (date(2026, 10, 1), None, None, (15, 0, 1)),  # unpaid
    ])  # fmt: skip
    db.session.flush()
