"""Graduate destinations as the ministry counts them (毕业去向): the code table, each graduate's destination records
(appended versions, never edited), the schools' deadlines, the alliances' counting settings and dated snapshots.

The effective destination of a graduate at a snapshot (the rule every rate uses):
- a version counts only if it was recorded on or before the snapshot's date and its content was entered on or before
  the school's deadline for the cohort (default 31 August of the graduation year); content entered later is kept and
  shown as late, but never counted;
- of the counted versions, only approved ones (审核通过) are a destination;
- a graduate may have several records over time (sequence 1, 2, …): the effective one is the approved version with
  the highest sequence, then the highest version. A graduate without one counts as "no destination recorded".
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.auth.models import User
from marketplace.cohorts.models import Student
from marketplace.db import UTCDateTime, enum_column, utcnow
from marketplace.extensions import db
from marketplace.i18n import register_labels
from marketplace.orgs.models import Organization
from marketplace.reference.models import Occupation, Region

DEADLINE_MONTH_DAY = (8, 31)  # changes close on 31 August of the graduation year unless the school sets another day
SNAPSHOT_DAYS = ("09-01", "12-31")  # the secretariat's default snapshot dates (MM-DD of the graduation year)


class DestinationGroup(enum.StrEnum):
    """The ministry's destination categories; each imported code is counted as one of them."""

    CONTRACT = "contract"  # 协议和合同就业
    FLEXIBLE = "flexible"  # 灵活就业
    ENTREPRENEUR = "entrepreneur"  # 自主创业
    FURTHER_STUDY = "further_study"  # 升学
    SEEKING = "seeking"  # 待就业
    NOT_SEEKING = "not_seeking"  # 暂不就业


register_labels(
    (DestinationGroup.CONTRACT, _l("Employment by agreement or contract")),
    (DestinationGroup.FLEXIBLE, _l("Flexible employment")),
    (DestinationGroup.ENTREPRENEUR, _l("Self-employment (own business)")),
    (DestinationGroup.FURTHER_STUDY, _l("Further study")),
    (DestinationGroup.SEEKING, _l("Seeking employment")),
    (DestinationGroup.NOT_SEEKING, _l("Not seeking employment for now")),
)
G = DestinationGroup
DEFAULT_COUNTED = (G.CONTRACT, G.FLEXIBLE, G.ENTREPRENEUR, G.FURTHER_STUDY)
DEFAULT_EMPLOYED = (G.CONTRACT, G.FLEXIBLE, G.ENTREPRENEUR)


class Ownership(enum.StrEnum):
    STATE = "state"  # 国有企业
    PRIVATE = "private"  # 民营企业
    FOREIGN = "foreign"  # 外资企业
    PUBLIC = "public"  # 机关事业单位
    OTHER = "other"


register_labels(
    (Ownership.STATE, _l("State-owned enterprise")),
    (Ownership.PRIVATE, _l("Private enterprise")),
    (Ownership.FOREIGN, _l("Foreign-invested enterprise")),
    (Ownership.PUBLIC, _l("Government or public institution")),
    (Ownership.OTHER, _l("Other employer")),
)


class EmployerSize(enum.StrEnum):
    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


register_labels(
    (EmployerSize.MICRO, _l("Micro")),
    (EmployerSize.SMALL, _l("Small")),
    (EmployerSize.MEDIUM, _l("Medium")),
    (EmployerSize.LARGE, _l("Large")),
)


class RecordStatus(enum.StrEnum):
    PROPOSED = "proposed"  # drafted from a job placement; the graduate has not confirmed it
    SUBMITTED = "submitted"  # registered or confirmed by the graduate; awaiting the school's audit
    APPROVED = "approved"  # 审核通过
    RETURNED = "returned"  # 退回: the school sent it back with a reason


register_labels(
    (RecordStatus.PROPOSED, _l("Proposed from a placement")),
    (RecordStatus.SUBMITTED, _l("Awaiting the school's audit")),
    (RecordStatus.APPROVED, _l("Approved")),
    (RecordStatus.RETURNED, _l("Sent back")),
)


class DestinationCode(db.Model):
    """A destination code (毕业去向代码) with the category it counts as; alliance_id NULL = the default set."""

    __tablename__ = "destination_codes"
    __table_args__ = (sa.UniqueConstraint("alliance_id", "code", name="uq_destination_codes_alliance_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("alliances.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(64))
    group: Mapped[DestinationGroup] = mapped_column(enum_column(DestinationGroup, "destination_group"))


class DestinationSettings(db.Model):
    """How one alliance counts (口径): which categories count toward 落实率 and 就业率, and whether 自主创业 is shown
    under 灵活就业. A snapshot copies them, so changing them later never moves a published figure."""

    __tablename__ = "destination_settings"

    alliance_id: Mapped[int] = mapped_column(sa.ForeignKey("alliances.id"), primary_key=True)
    counted_groups: Mapped[list[str]] = mapped_column(sa.JSON, default=lambda: [g.value for g in DEFAULT_COUNTED])
    employed_groups: Mapped[list[str]] = mapped_column(sa.JSON, default=lambda: [g.value for g in DEFAULT_EMPLOYED])
    entrepreneur_as_flexible: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def frozen(self) -> dict:
        return {"counted": sorted(self.counted_groups), "employed": sorted(self.employed_groups),
                "entrepreneur_as_flexible": self.entrepreneur_as_flexible}  # fmt: skip


def default_settings() -> dict:
    return {"counted": sorted(g.value for g in DEFAULT_COUNTED), "employed": sorted(g.value for g in DEFAULT_EMPLOYED),
            "entrepreneur_as_flexible": False}  # fmt: skip


class DestinationDeadline(db.Model):
    """A school's own deadline for a cohort's changes, where it is not 31 August."""

    __tablename__ = "destination_deadlines"

    school_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), primary_key=True)
    graduation_year: Mapped[int] = mapped_column(primary_key=True)
    deadline: Mapped[date]


def default_deadline(year: int) -> date:
    return date(year, *DEADLINE_MONTH_DAY)


class DestinationRecord(db.Model):
    """One version of a graduate's destination record (毕业去向登记): each change appends a version."""

    __tablename__ = "destination_records"
    __table_args__ = (
        sa.UniqueConstraint("student_id", "sequence", "version", name="uq_destination_records_version"),
        sa.CheckConstraint("sequence >= 1 AND version >= 1", name="sequence_version_positive"),
        sa.CheckConstraint("monthly_pay IS NULL OR monthly_pay >= 0", name="pay_nonnegative"),
        sa.Index("ix_destination_records_student_status", "student_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(sa.SmallInteger)  # the graduate's 1st, 2nd … destination
    version: Mapped[int] = mapped_column(sa.SmallInteger)
    status: Mapped[RecordStatus] = mapped_column(enum_column(RecordStatus, "destination_status"))
    code_id: Mapped[int] = mapped_column(sa.ForeignKey("destination_codes.id"), index=True)
    employer_name: Mapped[str] = mapped_column(sa.String(128), default="")
    employer_credit_code: Mapped[str] = mapped_column(sa.String(18), default="")
    employer_org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    industry: Mapped[str] = mapped_column(sa.String(64), default="")
    ownership: Mapped[Ownership | None] = mapped_column(enum_column(Ownership, "employer_ownership"))
    size: Mapped[EmployerSize | None] = mapped_column(enum_column(EmployerSize, "employer_size"))
    province_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"))
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"))
    job_title: Mapped[str] = mapped_column(sa.String(128), default="")
    occupation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("occupations.id"))
    start_date: Mapped[date | None]
    monthly_pay: Mapped[int | None]
    major_relevant: Mapped[bool] = mapped_column(default=False)  # the occupation is linked to the graduate's major
    proof_on_file: Mapped[bool] = mapped_column(default=False)  # contract or agreement held by the school
    no_proof_reason: Mapped[str] = mapped_column(sa.Text, default="")
    review_reason: Mapped[str] = mapped_column(sa.Text, default="")  # why the school sent it back
    placement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("placements.id"))
    content_on: Mapped[date]  # the day its content was entered (an audit keeps the day of what it audits)
    recorded_on: Mapped[date] = mapped_column(index=True)  # the day this version was appended (local date)
    late: Mapped[bool] = mapped_column(default=False)  # content entered after the deadline: kept, never counted
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    student: Mapped[Student] = relationship()
    code: Mapped[DestinationCode] = relationship()
    employer_org: Mapped[Organization | None] = relationship()
    province: Mapped[Region | None] = relationship(foreign_keys=[province_id])
    city: Mapped[Region | None] = relationship(foreign_keys=[city_id])
    occupation: Mapped[Occupation | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    CONTENT = ("code_id", "employer_name", "employer_credit_code", "employer_org_id", "industry", "ownership",
               "size", "province_id", "city_id", "job_title", "occupation_id", "start_date", "monthly_pay",
               "major_relevant", "proof_on_file", "no_proof_reason", "placement_id")  # fmt: skip

    def content(self) -> dict:
        return {name: getattr(self, name) for name in self.CONTENT}

    def can_view(self, user) -> bool:
        """The graduate, the graduate's school and platform admins."""
        if not user.is_authenticated:
            return False
        if user.is_student:
            return user.student_id == self.student_id
        return user.is_platform_admin or user.organization_id == self.student.school_id

    def can_audit(self, user) -> bool:
        return user.is_authenticated and not user.is_student and user.organization_id == self.student.school_id


class DestinationSnapshot(db.Model):
    """The secretariat's dated snapshot of one cohort's destinations (统计时点): a published figure never moves."""

    __tablename__ = "destination_snapshots"
    __table_args__ = (sa.UniqueConstraint("alliance_id", "graduation_year", "as_of", name="uq_destination_snapshots"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(sa.ForeignKey("alliances.id"), index=True)
    graduation_year: Mapped[int]
    as_of: Mapped[date]
    settings: Mapped[dict] = mapped_column(sa.JSON)  # the alliance's DestinationSettings, frozen
    graduates: Mapped[int] = mapped_column(default=0)
    taken_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SnapshotCell(db.Model):
    """One school's counts of a snapshot for one value of one grouping (dimension): additive, so that the alliance's
    figures are sums of its schools' and a page reads a few thousand rows whatever the cohort's size."""

    __tablename__ = "destination_snapshot_cells"
    __table_args__ = (sa.Index("ix_destination_snapshot_cells_snapshot_dimension", "snapshot_id", "dimension"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(sa.ForeignKey("destination_snapshots.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    # school, major, category, region, industry, employer_kind, member
    dimension: Mapped[str] = mapped_column(sa.String(16))
    key: Mapped[str | None] = mapped_column(sa.String(32))  # the grouping's value as text; NULL = none / not given
    graduates: Mapped[int]
    counted: Mapped[int]  # with a destination in the counted categories
    employed: Mapped[int]  # in the categories counted toward 就业率
    relevant: Mapped[int]  # employed and 专业对口
    paid: Mapped[int]  # employed with a starting pay
    pay_total: Mapped[int] = mapped_column(sa.BigInteger)
