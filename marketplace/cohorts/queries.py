"""Read queries of the cohort pages; each is a fixed number of statements, whatever the number of rows."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from marketplace.auth.models import User
from marketplace.cohorts.models import Cohort, ConsentRecord, Student
from marketplace.extensions import db
from marketplace.orgs.models import Organization, OrgKind
from marketplace.reference.models import Major, Region, RegionLevel


def school_cohorts(school_id: int) -> list[tuple[Cohort, int, int]]:
    """The school's cohorts, latest graduation year first, with their student and consenting-student counts."""
    consenting = sa.func.coalesce(sa.func.sum(sa.case((Student.consent_to_share, 1), else_=0)), 0)
    return db.session.execute(
        sa.select(Cohort, sa.func.count(Student.id), consenting)
        .outerjoin(Student, Student.cohort_id == Cohort.id)
        .where(Cohort.school_id == school_id)
        .group_by(Cohort.id)
        .order_by(Cohort.graduation_year.desc())
    ).all()


def schools() -> list[Organization]:
    return db.session.scalars(
        sa.select(Organization).where(Organization.kind == OrgKind.SCHOOL).order_by(Organization.name)
    ).all()


def cohort_majors(cohort_id: int) -> list[Major]:
    return db.session.scalars(
        sa.select(Major)
        .where(Major.id.in_(sa.select(Student.major_id).where(Student.cohort_id == cohort_id)))
        .order_by(Major.code)
    ).all()


def students_page(cohort_id: int, *, major_id: int | None, consent: bool | None, page: int, per_page: int):
    query = (
        sa.select(Student)
        .where(Student.cohort_id == cohort_id)
        .options(selectinload(Student.major))
        .order_by(Student.student_no)
    )
    if major_id:
        query = query.where(Student.major_id == major_id)
    if consent is not None:
        query = query.where(Student.consent_to_share == consent)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def student_with_details(student: Student) -> Student:
    """Load the student's certificates and wanted cities in one go (the detail page shows both)."""
    return db.session.scalars(
        sa.select(Student)
        .where(Student.id == student.id)
        .options(selectinload(Student.certificates), selectinload(Student.wanted_cities), selectinload(Student.major))
    ).one()


def consent_history(student_id: int) -> list[tuple[ConsentRecord, str | None]]:
    return db.session.execute(
        sa.select(ConsentRecord, User.name)
        .outerjoin(User, User.id == ConsentRecord.recorded_by_id)
        .where(ConsentRecord.student_id == student_id)
        .order_by(ConsentRecord.id.desc())
    ).all()


def city_ids_by_name() -> dict[str, int]:
    return dict(db.session.execute(sa.select(Region.name, Region.id).where(Region.level == RegionLevel.CITY)).all())


def major_choices() -> list[tuple[int, object, str, str]]:
    return db.session.execute(
        sa.select(Major.id, Major.level, Major.code, Major.name).order_by(Major.level, Major.code)
    ).all()
