"""What a school must be able to show for a 岗位实习 (教职成〔2021〕4号): the tripartite agreement and its versions,
the guardian's consent, the liability insurance, and after the start the monthly pay and attendance."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import UTCDateTime, enum_column, utcnow
from marketplace.extensions import db
from marketplace.i18n import register_labels
from marketplace.pipeline.models import Placement


class Agreement(db.Model):
    """One version of the tripartite agreement (三方实习协议); an amendment is a new version, old ones are kept.

    The student's signature is recorded by the school on the student's (or guardian's) behalf until students sign
    for themselves: `student_recorded_by_id` names who recorded it."""

    __tablename__ = "internship_agreements"
    __table_args__ = (sa.UniqueConstraint("placement_id", "version", name="uq_internship_agreements_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id"), index=True)
    version: Mapped[int]
    post: Mapped[str] = mapped_column(sa.Text)  # 实习岗位
    place: Mapped[str] = mapped_column(sa.Text)  # 实习地点
    period: Mapped[str] = mapped_column(sa.Text)  # 实习期限
    hours: Mapped[str] = mapped_column(sa.Text)  # 工作时间和休息休假
    pay: Mapped[str] = mapped_column(sa.Text)  # 实习报酬及支付方式
    insurance: Mapped[str] = mapped_column(sa.Text)  # 实习责任保险
    safety: Mapped[str] = mapped_column(sa.Text)  # 安全保障
    responsibilities: Mapped[str] = mapped_column(sa.Text)  # 各方责任
    termination: Mapped[str] = mapped_column(sa.Text)  # 协议解除
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    school_signed_on: Mapped[date | None]
    school_signed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    enterprise_signed_on: Mapped[date | None]
    enterprise_signed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The enterprise confirms it takes no fees or deposits and withholds no documents (不收费、不收押金、不扣证件).
    no_fees_confirmed: Mapped[bool] = mapped_column(default=False)
    student_signed_on: Mapped[date | None]
    student_signer: Mapped[str] = mapped_column(sa.String(64), default="")  # the student, or the guardian's name
    student_recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    placement: Mapped[Placement] = relationship()
    student_recorded_by = relationship("User", foreign_keys=[student_recorded_by_id])

    @property
    def fully_signed(self) -> bool:
        return None not in (self.school_signed_on, self.enterprise_signed_on, self.student_signed_on)

    @property
    def signed_by_anyone(self) -> bool:
        return any((self.school_signed_on, self.enterprise_signed_on, self.student_signed_on))


class GuardianConsent(db.Model):
    """The guardian's informed consent (知情同意书) for a student under 18 on the start date."""

    __tablename__ = "guardian_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id"), unique=True)
    guardian_name: Mapped[str] = mapped_column(sa.String(64))
    relation: Mapped[str] = mapped_column(sa.String(32))
    signed_on: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InsurancePayer(enum.StrEnum):
    """Who paid the premium: the school or the enterprise, never the student (a CHECK keeps it so)."""

    SCHOOL = "school"
    ENTERPRISE = "enterprise"


register_labels((InsurancePayer.SCHOOL, _l("The school")), (InsurancePayer.ENTERPRISE, _l("The enterprise")))


class Insurance(db.Model):
    """Internship liability insurance (实习责任保险) covering the placement."""

    __tablename__ = "internship_insurance"
    __table_args__ = (sa.CheckConstraint("covers_to >= covers_from", name="cover_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id"), index=True)
    insurer: Mapped[str] = mapped_column(sa.String(128))
    policy_no: Mapped[str] = mapped_column(sa.String(64))
    covers_from: Mapped[date]
    covers_to: Mapped[date]
    payer: Mapped[InsurancePayer] = mapped_column(enum_column(InsurancePayer, "insurance_payer"))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def covers(self, first: date, last: date) -> bool:
        return self.covers_from <= first and self.covers_to >= last


class PayMethod(enum.StrEnum):
    """How a month's pay reached the student: money, directly (art. 18); goods, vouchers and third parties are not."""

    TRANSFER = "transfer"  # to the student's own account
    CASH = "cash"  # handed to the student


register_labels(
    (PayMethod.TRANSFER, _l("Transfer to the student's own account")),
    (PayMethod.CASH, _l("Cash handed to the student")),
)


class PayRecord(db.Model):
    """One month's internship pay (实习报酬) as the enterprise paid it."""

    __tablename__ = "pay_records"
    __table_args__ = (
        sa.UniqueConstraint("placement_id", "month", name="uq_pay_records_month"),
        sa.CheckConstraint("amount >= 0", name="amount_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id"), index=True)
    month: Mapped[date]  # the first day of the month paid for
    amount: Mapped[int]  # yuan
    paid_on: Mapped[date]
    method: Mapped[PayMethod] = mapped_column(enum_column(PayMethod, "pay_method"))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttendanceMonth(db.Model):
    """Days present, absent and on leave in one month, confirmed by the enterprise. No location data, ever."""

    __tablename__ = "attendance_months"
    __table_args__ = (
        sa.UniqueConstraint("placement_id", "month", name="uq_attendance_months_month"),
        sa.CheckConstraint("present >= 0 AND absent >= 0 AND on_leave >= 0", name="days_nonnegative"),
        sa.CheckConstraint("present + absent + on_leave <= 31", name="days_within_month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id"), index=True)
    month: Mapped[date]
    present: Mapped[int]
    absent: Mapped[int]
    on_leave: Mapped[int]
    confirmed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
