"""Demo teacher practice: teachers at every school, a practice base per flagship enterprise, requests in each state."""

import random
from datetime import date, timedelta

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.orgs.models import Organization, OrgKind
from marketplace.plans.models import HiringPlan
from marketplace.practice.models import PracticeBase, PracticeRequest, PracticeStatus, Teacher

SPECIALTIES = ("数控技术", "焊接技术", "电气自动化", "汽车维修", "模具制造", "工业机器人")
GIVEN = ("建华", "志刚", "丽萍", "秀梅", "国强", "海燕", "永红", "立军")
SURNAMES = "王李张刘陈杨赵黄周吴"


def build_practice(seed: int) -> None:
    rng = random.Random(seed + 2)  # noqa: S311  (demo data, not secrets)
    schools = db.session.scalars(sa.select(Organization).where(Organization.kind == OrgKind.SCHOOL)).all()
    teachers = []
    for school in schools:
        for i in range(6):
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            teacher = Teacher(school_id=school.id, staff_no=f"T{school.id:03d}{i:02d}", name=name,
                              specialty=rng.choice(SPECIALTIES))  # fmt: skip
            db.session.add(teacher)
            teachers.append(teacher)
    hosts = db.session.scalars(
        sa.select(Organization)
        .where(Organization.id.in_(sa.select(HiringPlan.enterprise_id)))
        .order_by(Organization.id)
    ).all()[:20]
    bases = []
    for host in hosts:
        base = PracticeBase(enterprise_id=host.id, name=f"{host.name}教师实践基地", specialty=rng.choice(SPECIALTIES),
                            city_id=host.city_id, capacity=rng.randint(2, 5), available_from=date(2021, 1, 1),
                            available_until=date(2027, 12, 31), mentor_name=rng.choice(SURNAMES) + "工程师",
                            mentor_title="高级工程师")  # fmt: skip
        db.session.add(base)
        bases.append(base)
    db.session.flush()
    for n, teacher in enumerate(teachers):
        base = bases[n % len(bases)]
        if n % 3 == 0:  # served in the past: some teachers meet the 6-months-in-5-years rule, most do not
            start = date(2022 + n % 4, 7, 1)
            days = rng.choice((30, 60, 90, 180))
            done = PracticeRequest(teacher_id=teacher.id, specialty=teacher.specialty, start_date=start,
                                   end_date=start + timedelta(days=days - 1), days=days,
                                   status=PracticeStatus.COMPLETED, base_id=base.id, days_served=days)  # fmt: skip
            db.session.add(done)
        elif n % 3 == 1:  # open or accepted for next summer
            start = date(2027, 7, 1)
            status = PracticeStatus.ACCEPTED if n % 2 else PracticeStatus.REQUESTED
            db.session.add(PracticeRequest(teacher_id=teacher.id, specialty=teacher.specialty, start_date=start,
                                           end_date=date(2027, 8, 20), days=30, status=status,
                                           wanted_city_id=teacher.school.city_id,
                                           base_id=base.id if status is PracticeStatus.ACCEPTED else None))  # fmt: skip
    db.session.flush()
