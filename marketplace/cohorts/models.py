"""Schools' graduating cohorts (毕业生) and the consent that lets enterprises see them."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import UTCDateTime, enum_column, utcnow
from marketplace.extensions import db
from marketplace.i18n import register_labels
from marketplace.orgs.models import Organization
from marketplace.reference.models import Major, MajorLevel, Region


class Gender(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"


register_labels(
    (Gender.MALE, _l("Male")),
    (Gender.FEMALE, _l("Female")),
)


student_cities = sa.Table(
    "student_cities",
    db.metadata,
    sa.Column("student_id", sa.ForeignKey("students.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("region_id", sa.ForeignKey("regions.id"), primary_key=True),
)


class Cohort(db.Model):
    """A school's graduating class of one year (届)."""

    __tablename__ = "cohorts"
    __table_args__ = (sa.UniqueConstraint("school_id", "graduation_year", name="uq_cohorts_school_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    graduation_year: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    school: Mapped[Organization] = relationship()
    students: Mapped[list["Student"]] = relationship(back_populates="cohort", order_by="Student.student_no")

    def can_view(self, user) -> bool:
        return user.is_authenticated and (user.organization_id == self.school_id or user.is_platform_admin)

    can_edit = can_view


class Student(db.Model):
    """A graduate (毕业生) as the school records them; enterprises see them only with consent."""

    __tablename__ = "students"
    __table_args__ = (
        sa.UniqueConstraint("school_id", "student_no", name="uq_students_school_student_no"),
        sa.CheckConstraint("grade_score IS NULL OR (grade_score >= 0 AND grade_score <= 100)", name="grade_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    student_no: Mapped[str] = mapped_column(sa.String(32))  # 学号, unique within the school
    name: Mapped[str] = mapped_column(sa.String(64))
    gender: Mapped[Gender] = mapped_column(enum_column(Gender, "gender"))
    birth_date: Mapped[date]
    enrolled_on: Mapped[date]  # 入学日期: the first-year rule of 岗位实习 counts from here
    major_id: Mapped[int] = mapped_column(sa.ForeignKey("majors.id"), index=True)
    level: Mapped[MajorLevel] = mapped_column(enum_column(MajorLevel, "student_level"))
    skills: Mapped[str] = mapped_column(sa.Text, default="")
    grade_score: Mapped[float | None]  # 0–100, where the school supplies grades
    wanted_kinds: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    phone: Mapped[str] = mapped_column(sa.String(11), default="")
    id_number: Mapped[str] = mapped_column(sa.String(18), default="")  # 身份证号, optional; always shown masked
    consent_to_share: Mapped[bool] = mapped_column(default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    school: Mapped[Organization] = relationship()
    cohort: Mapped[Cohort] = relationship(back_populates="students")
    major: Mapped[Major] = relationship()
    wanted_cities: Mapped[list[Region]] = relationship(secondary=student_cities, order_by="Region.code")
    certificates: Mapped[list["StudentCertificate"]] = relationship(
        back_populates="student", cascade="all, delete-orphan", order_by="StudentCertificate.id"
    )
    consents: Mapped[list["ConsentRecord"]] = relationship(
        back_populates="student", cascade="all, delete-orphan", order_by="ConsentRecord.id"
    )

    def can_view(self, user) -> bool:
        """The school and the platform admin. Which enterprises see a consenting student is an alliance question:
        `permissions.visible_students_condition`, the one rule, decides it (permissions.load uses both)."""
        return self.can_edit(user)

    def can_edit(self, user) -> bool:
        return user.is_authenticated and (user.organization_id == self.school_id or user.is_platform_admin)


class StudentCertificate(db.Model):
    """A vocational skill certificate held by a student, with its level (1 初级 … 5 高级技师)."""

    __tablename__ = "student_certificates"
    __table_args__ = (sa.CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    level: Mapped[int] = mapped_column(sa.SmallInteger)

    student: Mapped[Student] = relationship(back_populates="certificates")


class ConsentRecord(db.Model):
    """Each grant or withdrawal of a student's consent to share (同意共享), with who recorded it; never edited."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id", ondelete="CASCADE"), index=True)
    granted: Mapped[bool]
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    evidence: Mapped[str] = mapped_column(sa.String(255), default="")  # e.g. "signed form 2027-03-01"
    # Under 14 a student's consent is the guardian's (PIPL art. 31): who gave it, when the student's account did.
    guardian_name: Mapped[str] = mapped_column(sa.String(64), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    student: Mapped[Student] = relationship(back_populates="consents")
