"""Factories for plans, openings, students and nominations (kept apart from tests/factories.py)."""

from datetime import date

import factory
import sqlalchemy as sa

from marketplace.cohorts.models import Cohort, Gender, Student
from marketplace.extensions import db
from marketplace.orgs.models import OrgKind
from marketplace.pipeline.models import Nomination, NominationStatus
from marketplace.plans.models import HiringPlan, Opening, OpeningKind, PlanStatus, ShiftPattern
from marketplace.reference.models import Major, MajorLevel
from tests.factories import BaseFactory, OrganizationFactory, SchoolFactory, UserFactory, region


def a_major() -> Major:
    return db.session.scalar(sa.select(Major).where(Major.level == MajorLevel.ZHONGZHI).order_by(Major.code))


class PlanFactory(BaseFactory):
    class Meta:
        model = HiringPlan

    enterprise = factory.SubFactory(OrganizationFactory, kind=OrgKind.ENTERPRISE, staff_count=1000)
    year = 2027
    half = 1
    status = PlanStatus.PUBLISHED


class OpeningFactory(BaseFactory):
    class Meta:
        model = Opening

    plan = factory.SubFactory(PlanFactory)
    kind = OpeningKind.EMPLOYMENT
    title = factory.Sequence(lambda n: f"数控车工{n}")
    city = factory.LazyFunction(lambda: region("131100"))
    headcount = 3
    filled = 0
    pay_min = 4000
    pay_max = 6000
    post_wage = 5000
    start_date = date(2027, 3, 1)
    end_date = date(2027, 8, 31)
    shift_pattern = ShiftPattern.DAY
    staff_in_post = 100


class CohortFactory(BaseFactory):
    class Meta:
        model = Cohort

    school = factory.SubFactory(SchoolFactory)
    graduation_year = 2027


class StudentFactory(BaseFactory):
    class Meta:
        model = Student

    cohort = factory.SubFactory(CohortFactory)
    school = factory.LazyAttribute(lambda s: s.cohort.school)
    student_no = factory.Sequence(lambda n: f"2024{n:05d}")
    name = factory.Sequence(lambda n: f"学生{n}")
    gender = Gender.MALE
    birth_date = date(2008, 5, 1)
    enrolled_on = date(2024, 9, 1)
    major = factory.LazyFunction(a_major)
    level = MajorLevel.ZHONGZHI
    phone = "13912345678"
    consent_to_share = True


class NominationFactory(BaseFactory):
    class Meta:
        model = Nomination

    opening = factory.SubFactory(OpeningFactory)
    student = factory.SubFactory(StudentFactory)
    status = NominationStatus.OFFERED
    created_by_id = factory.LazyFunction(lambda: UserFactory().id)
