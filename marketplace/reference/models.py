"""Reference data: administrative regions, the 2022 occupational classification, the major catalogue."""

import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import enum_column
from marketplace.extensions import db
from marketplace.i18n import register_labels


class RegionLevel(enum.StrEnum):
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"


class Region(db.Model):
    """Administrative region (行政区划): province 省, prefecture city 市, district/county 区县."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(6), unique=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    level: Mapped[RegionLevel] = mapped_column(enum_column(RegionLevel, "region_level"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    longitude: Mapped[float | None]
    latitude: Mapped[float | None]

    parent: Mapped["Region | None"] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name}>"


class Occupation(db.Model):
    """Occupation of the 2022 national classification (职业分类大典): 大类/中类/小类/细类 = levels 1–4."""

    __tablename__ = "occupations"
    # A small class without subdivisions appears twice in the classification: as level 3 and as level 4.
    __table_args__ = (
        sa.CheckConstraint("level BETWEEN 1 AND 4", name="level_range"),
        sa.UniqueConstraint("level", "code", name="uq_occupations_level_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), index=True)
    name: Mapped[str] = mapped_column(sa.String(128))
    level: Mapped[int] = mapped_column(sa.SmallInteger)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("occupations.id"), index=True)
    definition: Mapped[str] = mapped_column(sa.Text, default="")
    tasks: Mapped[str] = mapped_column(sa.Text, default="")
    aliases: Mapped[str] = mapped_column(sa.Text, default="")
    is_digital: Mapped[bool] = mapped_column(default=False)
    is_green: Mapped[bool] = mapped_column(default=False)

    parent: Mapped["Occupation | None"] = relationship(remote_side=[id])


class MajorLevel(enum.StrEnum):
    JIGONG = "jigong"  # 技工院校
    ZHONGZHI = "zhongzhi"  # 中职
    GAOZHI = "gaozhi"  # 高职专科


register_labels(
    (MajorLevel.JIGONG, _l("Technical school")),
    (MajorLevel.ZHONGZHI, _l("Secondary vocational")),
    (MajorLevel.GAOZHI, _l("Higher vocational")),
)


class Major(db.Model):
    """A major of the vocational major catalogue (专业目录): code, name, level, category (专业大类)."""

    __tablename__ = "majors"
    __table_args__ = (sa.UniqueConstraint("level", "code", name="uq_majors_level_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(128))
    level: Mapped[MajorLevel] = mapped_column(enum_column(MajorLevel, "major_level"))
    category: Mapped[str] = mapped_column(sa.String(64))


# Which occupations a major prepares for (专业对口), from the matching engine's reviewed table: the reports count a
# placement as major-relevant when its opening's occupation is linked to the graduate's major (or the opening asked
# for that major). Filled by `loaders.link_majors_to_occupations` whenever majors are loaded.
major_occupations = sa.Table(
    "major_occupations",
    db.metadata,
    sa.Column("major_id", sa.ForeignKey("majors.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("occupation_id", sa.ForeignKey("occupations.id", ondelete="CASCADE"), primary_key=True),
)
