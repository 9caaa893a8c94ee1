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
from marketplace.practice.models import PracticeBase, PracticeRequest, PracticeStatus, Teacher
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


class TeacherFactory(BaseFactory):
    class Meta:
        model = Teacher

    school = factory.SubFactory(SchoolFactory)
    staff_no = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"教师{n}")
    specialty = "数控技术"


class PracticeBaseFactory(BaseFactory):
    class Meta:
        model = PracticeBase

    enterprise = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"数控加工实践基地{n}")
    specialty = "数控技术"
    city = factory.LazyFunction(lambda: region("131100"))
    capacity = 2
    available_from = date(2026, 1, 1)
    available_until = date(2026, 12, 31)
    mentor_name = "李师傅"
    mentor_title = "高级技师"


class PracticeRequestFactory(BaseFactory):
    """An open request by default; pass status, base and days_served for an accepted or served one."""

    class Meta:
        model = PracticeRequest

    teacher = factory.SubFactory(TeacherFactory)
    specialty = factory.LazyAttribute(lambda o: o.teacher.specialty)
    start_date = date(2026, 7, 1)
    end_date = date(2026, 8, 29)
    days = 60
    status = PracticeStatus.REQUESTED


# Cohorts and students (the schools' cohort feature). Imported here, not at the top, to keep this an append-only block.
from marketplace.cohorts.models import Cohort, Gender, Student  # noqa: E402
from marketplace.reference.models import Major, MajorLevel  # noqa: E402


def major(code: str = "660105", level: MajorLevel = MajorLevel.ZHONGZHI) -> Major:
    """A major of the demo catalogue loaded by the test app (660105 焊接技术应用, 中职)."""
    return db.session.scalar(sa.select(Major).where(Major.level == level, Major.code == code))


class CohortFactory(BaseFactory):
    class Meta:
        model = Cohort

    school = factory.SubFactory(SchoolFactory)
    graduation_year = 2027


class StudentFactory(BaseFactory):
    """A student without consent to share, with a mobile number and an ID number that passes its check digit."""

    class Meta:
        model = Student

    cohort = factory.SubFactory(CohortFactory)
    school = factory.LazyAttribute(lambda s: s.cohort.school)
    student_no = factory.Sequence(lambda n: f"2024{n:06d}")
    name = factory.Sequence(lambda n: f"学生{n}")
    gender = Gender.MALE
    birth_date = date(2008, 5, 12)
    enrolled_on = date(2024, 9, 1)
    major = factory.LazyFunction(major)
    level = factory.LazyAttribute(lambda s: s.major.level)
    phone = "13912345678"
    id_number = "131102200805120013"
    consent_to_share = False


class StudentUserFactory(BaseFactory):
    """A student's own account: no organisation, linked to one student record."""

    class Meta:
        model = User

    class Params:
        student = None  # the Student the account belongs to

    student_id = factory.LazyAttribute(lambda u: u.student.id)
    name = factory.LazyAttribute(lambda u: u.student.name)
    email = None
    mobile = None
    password_hash = factory.LazyFunction(_password_hash)
    organization = None
    role = Role.STUDENT
