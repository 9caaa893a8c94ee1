"""Snapshots (统计时点): one INSERT … SELECT … GROUP BY per snapshot, so a published figure never moves.

Graduates of a snapshot: the cohort of its graduation year at the schools whose membership of the alliance was in
force on some day between 1 January of that year and the snapshot's date. Each graduate's effective destination
follows the rule in `models` (approved, recorded by the snapshot, content entered by the school's deadline, latest
record first). The employer counts as a member when its membership was in force on the destination's start date
(the snapshot's date when none is given): a member that left later still counts for graduates it took earlier.
"""

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from marketplace.alliances.models import IN_FORCE_STATUSES, ONCE_ACTIVE_STATUSES, Membership
from marketplace.audit.services import record
from marketplace.cohorts.models import Cohort, Student
from marketplace.destinations.models import (
    DEADLINE_MONTH_DAY,
    DestinationCode,
    DestinationDeadline,
    DestinationGroup,
    DestinationRecord,
    DestinationSettings,
    DestinationSnapshot,
    RecordStatus,
    SnapshotCell,
    default_settings,
)
from marketplace.extensions import db
from marketplace.orgs.models import Organization
from marketplace.refusals import Refusal


class SnapshotError(Refusal):
    pass


def _in_force_between(m, start, end) -> sa.ColumnElement[bool]:
    """The membership conferred rights on some day of [start, end] (dates or SQL date expressions)."""
    return sa.and_(
        m.status.in_(ONCE_ACTIVE_STATUSES), m.effective_from.is_not(None), m.effective_from <= end,
        sa.or_(sa.and_(m.effective_until.is_(None), m.status.in_(IN_FORCE_STATUSES)), m.effective_until > start),
    )  # fmt: skip


DIMENSIONS = ("school", "major", "category", "region", "industry", "employer_kind", "member")
EMPLOYED_ONLY = ("region", "industry", "employer_kind", "member")  # counted over employed graduates only
INDUSTRY_KEY_LENGTH = 32  # the industry as entered (trimmed), cut to the cell's key


def graduates_select(alliance_id: int, year: int, as_of: date, settings: dict) -> sa.Select:
    """One row per graduate in scope: school, major, the effective destination's category (as the settings show it),
    place of work relative to the school, employer's ownership, member flag, 专业对口, pay, counted and employed."""
    r = DestinationRecord
    school = aliased(Organization)
    deadline = sa.func.coalesce(DestinationDeadline.deadline, sa.literal(date(year, *DEADLINE_MONTH_DAY), sa.Date))
    schools = sa.select(Membership.organization_id).where(
        Membership.alliance_id == alliance_id, _in_force_between(Membership, date(year, 1, 1), as_of)
    )
    graduates = (
        sa.select(Student.id, Student.school_id, Student.major_id)
        .join(Cohort, Cohort.id == Student.cohort_id)
        .where(Cohort.graduation_year == year, Student.school_id.in_(schools))
    ).subquery("g")  # fmt: skip
    ranked = (
        sa.select(r.student_id, r.code_id, r.employer_org_id, r.ownership, r.province_id, r.city_id, r.start_date,
                  r.monthly_pay, r.major_relevant, r.industry,
                  sa.func.row_number().over(partition_by=r.student_id,
                                            order_by=(r.sequence.desc(), r.version.desc())).label("rn"))
        .join(graduates, graduates.c.id == r.student_id)
        .outerjoin(DestinationDeadline, sa.and_(DestinationDeadline.school_id == graduates.c.school_id,
                                                DestinationDeadline.graduation_year == year))
        .where(r.status == RecordStatus.APPROVED, r.recorded_on <= as_of, r.content_on <= deadline)
    ).subquery("ranked")  # fmt: skip
    e = sa.select(ranked).where(ranked.c.rn == 1).subquery("e")
    m = aliased(Membership)
    on_day = sa.func.coalesce(e.c.start_date, sa.literal(as_of, sa.Date))
    member = sa.exists().where(
        m.organization_id == e.c.employer_org_id, m.alliance_id == alliance_id, _in_force_between(m, on_day, on_day)
    )
    region = sa.case(
        (e.c.city_id.is_(None) & e.c.province_id.is_(None), "unknown"),
        (e.c.city_id == school.city_id, "city"),
        (e.c.province_id == school.province_id, "province"),
        else_="elsewhere",
    )
    category = DestinationCode.group
    if settings.get("entrepreneur_as_flexible"):
        # 自主创业 counted as 灵活就业: shown under it, and counted wherever 灵活就业 is.
        category = sa.case((DestinationCode.group == DestinationGroup.ENTREPRENEUR.value,
                            DestinationGroup.FLEXIBLE.value), else_=DestinationCode.group)  # fmt: skip

    def flag(condition):
        return sa.case((condition, 1), else_=0)

    return (
        sa.select(graduates.c.school_id, graduates.c.major_id, sa.cast(category, sa.String).label("category"),
                  region.label("region"), e.c.ownership.label("ownership"),
                  sa.func.nullif(sa.func.substr(sa.func.trim(e.c.industry), 1, INDUSTRY_KEY_LENGTH), "").label(
                      "industry"),
                  flag(sa.and_(e.c.employer_org_id.is_not(None), member)).label("member"),
                  flag(e.c.major_relevant.is_(True)).label("relevant"), e.c.monthly_pay.label("pay"),
                  flag(category.in_(settings["counted"])).label("counted"),
                  flag(category.in_(settings["employed"])).label("employed"))
        .select_from(graduates)
        .join(school, school.id == graduates.c.school_id)
        .outerjoin(e, e.c.student_id == graduates.c.id)
        .outerjoin(DestinationCode, DestinationCode.id == e.c.code_id)
    )  # fmt: skip


def cells_select(snapshot_id: int, alliance_id: int, year: int, as_of: date, settings: dict) -> sa.Select:
    """Each school's counts per value of each dimension, as one UNION ALL over the per-graduate rows (a CTE)."""
    g = graduates_select(alliance_id, year, as_of, settings).cte("graduate")
    employed = g.c.employed == 1
    keys = {
        "school": sa.null(),
        "major": sa.cast(g.c.major_id, sa.String),
        "category": g.c.category,
        "region": g.c.region,
        "industry": g.c.industry,
        "employer_kind": sa.cast(g.c.ownership, sa.String),
        "member": sa.cast(g.c.member, sa.String),
    }
    measures = (sa.func.count(), sa.func.sum(g.c.counted), sa.func.sum(g.c.employed),
                sa.func.sum(g.c.employed * g.c.relevant),
                sa.func.sum(sa.case((sa.and_(employed, g.c.pay.is_not(None)), 1), else_=0)),
                sa.func.coalesce(sa.func.sum(sa.case((employed, g.c.pay), else_=0)), 0))  # fmt: skip
    parts = []
    for dimension in DIMENSIONS:
        key = keys[dimension]
        part = sa.select(sa.literal(snapshot_id), g.c.school_id, sa.literal(dimension), key.label("key"), *measures)
        if dimension in EMPLOYED_ONLY:
            part = part.where(employed)
        group = (g.c.school_id,) if dimension == "school" else (g.c.school_id, key)
        parts.append(part.group_by(*group))
    return sa.union_all(*parts)


def take(alliance_id: int, year: int, as_of: date, *, actor) -> DestinationSnapshot:
    """Take the snapshot of the cohort of `year` on `as_of` (once: a taken snapshot is never retaken)."""
    exists = db.session.scalar(sa.select(DestinationSnapshot.id).where(
        DestinationSnapshot.alliance_id == alliance_id, DestinationSnapshot.graduation_year == year,
        DestinationSnapshot.as_of == as_of))  # fmt: skip
    if exists is not None:
        raise SnapshotError(
            _l("A snapshot of this cohort on this date was already taken: published figures never move.")
        )
    settings = db.session.get(DestinationSettings, alliance_id)
    snapshot = DestinationSnapshot(alliance_id=alliance_id, graduation_year=year, as_of=as_of,
                                   settings=settings.frozen() if settings else default_settings(),
                                   taken_by_id=getattr(actor, "id", None))  # fmt: skip
    db.session.add(snapshot)
    db.session.flush()
    c = SnapshotCell.__table__.c
    columns = [c.snapshot_id, c.school_id, c.dimension, c.key, c.graduates, c.counted, c.employed, c.relevant, c.paid,
               c.pay_total]  # fmt: skip
    cells = cells_select(snapshot.id, alliance_id, year, as_of, snapshot.settings)
    db.session.execute(SnapshotCell.__table__.insert().from_select(columns, cells))
    total = sa.func.coalesce(sa.func.sum(SnapshotCell.graduates), 0)
    snapshot.graduates = db.session.scalar(
        sa.select(total).where(SnapshotCell.snapshot_id == snapshot.id, SnapshotCell.dimension == "school")
    )
    record("destination_snapshot", snapshot, actor=actor, year=year, as_of=as_of.isoformat())
    return snapshot
