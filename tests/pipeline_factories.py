"""Factories for plans, openings and nominations; students consenting by default."""

__all__ = ["CohortFactory", "NominationFactory", "OpeningFactory", "PlanFactory", "StudentFactory"]

from datetime import date

import factory
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.orgs.models import OrgKind
from marketplace.pipeline.models import Nomination, NominationStatus
from marketplace.plans.models import HiringPlan, Opening, OpeningKind, PlanStatus, ShiftPattern
from marketplace.reference.models import Major, MajorLevel
from tests.factories import BaseFactory, CohortFactory, OrganizationFactory, UserFactory, region
from tests.factories import StudentFactory as BaseStudentFactory


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


class StudentFactory(BaseStudentFactory):
    """Consenting by default: the pipeline only handles students who agreed to share."""

    consent_to_share = True


class NominationFactory(BaseFactory):
    class Meta:
        model = Nomination

    opening = factory.SubFactory(OpeningFactory)
    student = factory.SubFactory(StudentFactory)
    status = NominationStatus.OFFERED
    created_by_id = factory.LazyFunction(lambda: UserFactory().id)
