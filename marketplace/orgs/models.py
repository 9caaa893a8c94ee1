"""Organisations (法人单位): schools, enterprises, industry associations, research institutes."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import UTCDateTime, enum_column, utcnow
from marketplace.extensions import db
from marketplace.i18n import register_labels
from marketplace.reference.models import Region


class OrgKind(enum.StrEnum):
    SCHOOL = "school"
    ENTERPRISE = "enterprise"
    ASSOCIATION = "association"
    INSTITUTE = "institute"


register_labels(
    (OrgKind.SCHOOL, _l("School")),
    (OrgKind.ENTERPRISE, _l("Enterprise")),
    (OrgKind.ASSOCIATION, _l("Industry association")),
    (OrgKind.INSTITUTE, _l("Research institute")),
)


class SchoolLevel(enum.StrEnum):
    JIGONG = "jigong"  # 技工院校
    ZHONGZHI = "zhongzhi"  # 中职
    GAOZHI = "gaozhi"  # 高职
    BENKE = "benke"  # 本科


register_labels(
    (SchoolLevel.JIGONG, _l("Technical school")),
    (SchoolLevel.ZHONGZHI, _l("Secondary vocational school")),
    (SchoolLevel.GAOZHI, _l("Higher vocational college")),
    (SchoolLevel.BENKE, _l("Undergraduate institution")),
)


class Organization(db.Model):
    """A legal person (法人单位) identified by its unified social credit code (统一社会信用代码)."""

    __tablename__ = "organizations"
    __table_args__ = (
        sa.CheckConstraint("length(credit_code) = 18", name="credit_code_length"),
        sa.CheckConstraint("staff_count IS NULL OR staff_count >= 0", name="staff_count_nonnegative"),
        sa.CheckConstraint("school_level IS NULL OR kind = 'school'", name="school_level_only_for_schools"),
        sa.CheckConstraint("staff_count IS NULL OR kind = 'enterprise'", name="staff_count_only_for_enterprises"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(128))
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind, "org_kind"), index=True)
    credit_code: Mapped[str] = mapped_column(sa.String(18), unique=True)
    province_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"))
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    staff_count: Mapped[int | None]
    school_level: Mapped[SchoolLevel | None] = mapped_column(enum_column(SchoolLevel, "school_level"))
    contact_name: Mapped[str] = mapped_column(sa.String(64), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(32), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    address: Mapped[str] = mapped_column(sa.String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    province: Mapped[Region] = relationship(foreign_keys=[province_id])
    city: Mapped[Region] = relationship(foreign_keys=[city_id])

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.name}>"

    def can_view_private(self, user) -> bool:
        """Contact details, staff and edit pages: own organisation or a platform admin."""
        return user.is_authenticated and (user.is_platform_admin or user.organization_id == self.id)

    def can_edit(self, user) -> bool:
        return user.is_authenticated and (
            user.is_platform_admin or (user.organization_id == self.id and user.is_org_admin)
        )
