"""factory_boy factories writing through the app's session; every object is committed."""

from datetime import date
from functools import cache

import factory
import sqlalchemy as sa

from marketplace.alliances.models import Alliance, Membership, MembershipStatus, Tier
from marketplace.auth.models import Role, User
from marketplace.auth.passwords import hash_password
from marketplace.extensions import db
from marketplace.orgs.credit_code import check_character
from marketplace.orgs.models import Organization, OrgKind, SchoolLevel
from marketplace.reference.models import Region

PASSWORD = "Correct-horse-42"


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def region(code: str) -> Region:
    return db.session.scalar(sa.select(Region).where(Region.code == code))


def credit_code_for(n: int, division: str = "131100") -> str:
    first17 = f"91{division}{n:09d}"
    return first17 + check_character(first17)


class BaseFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class OrganizationFactory(BaseFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试单位{n}有限公司")
    kind = OrgKind.ENTERPRISE
    credit_code = factory.Sequence(credit_code_for)
    city = factory.LazyFunction(lambda: region("131100"))  # 衡水市
    province = factory.LazyAttribute(lambda o: o.city.parent)
    staff_count = factory.LazyAttribute(lambda o: 500 if o.kind is OrgKind.ENTERPRISE else None)
    school_level = factory.LazyAttribute(lambda o: SchoolLevel.JIGONG if o.kind is OrgKind.SCHOOL else None)
    contact_name = "王老师"
    contact_phone = "0318-2150000"


class SchoolFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"测试技工学校{n}")
    kind = OrgKind.SCHOOL


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    name = factory.Sequence(lambda n: f"用户{n}")
    password_hash = factory.LazyFunction(_password_hash)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.ORG_ADMIN


class AllianceFactory(BaseFactory):
    class Meta:
        model = Alliance

    name = factory.Sequence(lambda n: f"测试职教联盟{n}")
    short_name = factory.Sequence(lambda n: f"联盟{n}")
    secretariat = factory.SubFactory(SchoolFactory)
    withdrawal_notice_months = 3


class MembershipFactory(BaseFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    alliance = factory.SubFactory(AllianceFactory)
    tier = Tier.MEMBER
    status = MembershipStatus.ACTIVE
    effective_from = date(2024, 1, 1)
