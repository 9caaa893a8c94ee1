"""Risk warnings (实习风险预警) as set-based queries: each kind is one query over the placements in a scope (a school's
students, or the member schools of an alliance), never a loop that asks the database once per placement.

Every date arithmetic is done on `today` in Python, so the SQL compares columns with constants and reads the same
on SQLite and PostgreSQL. Pay follows art. 18 as `internships.gates` words it (paid by the end of the next month, at
least 80% of the post's wage): the month index `year × 12 + month` turns "two months later" into integer arithmetic.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy.orm import aliased, selectinload

from marketplace.alliances.models import Membership, in_force_on
from marketplace.cohorts.models import Student
from marketplace.extensions import db
from marketplace.grading.models import FinalGrade
from marketplace.internships.gates import month_start, pay_due_by
from marketplace.internships.models import Agreement, AttendanceMonth, Insurance, PayRecord
from marketplace.pipeline.models import Placement, PlacementStatus
from marketplace.plans.models import HiringPlan, Opening, OpeningKind
from marketplace.risks.kinds import RiskKind
from marketplace.students.models import Journal
from marketplace.students.services import JOURNAL_KINDS

POST = OpeningKind.POST_INTERNSHIP
INTERNSHIP_KINDS = tuple(k for k in OpeningKind if k.is_internship)


@dataclass(frozen=True)
class Thresholds:
    """Settings with defaults (config `RISK_*`)."""

    start_within_days: int = 14  # agreement and insurance: warn from this many days before the start
    journal_gap_days: int = 14  # no journal for this many days
    absent_days: int = 3  # more absent days than this in a month
    ungraded_after_days: int = 30  # ended this many days ago without a final grade …
    ungraded_within_days: int = 180  # … and no longer ago than this: older ones predate grading on the platform

    @classmethod
    def from_config(cls) -> "Thresholds":
        c = current_app.config
        return cls(c["RISK_START_WITHIN_DAYS"], c["RISK_JOURNAL_GAP_DAYS"], c["RISK_ABSENT_DAYS"],
                   c["RISK_UNGRADED_AFTER_DAYS"], c["RISK_UNGRADED_WITHIN_DAYS"])  # fmt: skip


@dataclass(frozen=True)
class Risk:
    kind: RiskKind
    placement_id: int
    school_id: int
    since: date  # the day the warning began to hold
    month: date | None = None  # for the monthly kinds (absences, pay)

    @property
    def key(self) -> str:
        """One warning, one notification: the sweep keys it so that it is sent once."""
        return f"risk:{self.kind.value}:{self.placement_id}:{self.month.isoformat() if self.month else ''}"


def _month_index(column) -> sa.ColumnElement[int]:
    return sa.cast(sa.extract("year", column), sa.Integer) * 12 + sa.cast(sa.extract("month", column), sa.Integer)


def _index(day: date) -> int:
    return day.year * 12 + day.month


def _base(scope, *columns):
    return (
        sa.select(Placement.id, Student.school_id, *columns)
        .select_from(Placement)
        .join(Student, Student.id == Placement.student_id)
        .where(scope, Placement.status == PlacementStatus.ONGOING)
    )


def _with_opening(query):
    return query.join(Opening, Opening.id == Placement.opening_id)


def _near_start(scope, today: date, t: Thresholds) -> list[Risk]:
    """Agreement and insurance, from `start_within_days` before the start of a 岗位实习 on."""
    horizon = today + timedelta(days=t.start_within_days)
    latest, later = aliased(Agreement), aliased(Agreement)
    signed_latest = sa.exists().where(
        latest.placement_id == Placement.id, latest.school_signed_on.is_not(None),
        latest.enterprise_signed_on.is_not(None), latest.student_signed_on.is_not(None), latest.no_fees_confirmed,
        ~sa.exists().where(later.placement_id == latest.placement_id, later.version > latest.version),
    )  # fmt: skip
    end = sa.func.coalesce(Placement.end_date, Opening.end_date)
    covered = sa.exists().where(Insurance.placement_id == Placement.id, Insurance.covers_from <= Placement.start_date,
                                Insurance.covers_to >= end)  # fmt: skip
    near = sa.and_(Placement.kind == POST, Placement.start_date <= horizon)
    risks = []
    for kind, missing in ((RiskKind.AGREEMENT, ~signed_latest), (RiskKind.INSURANCE, ~covered)):
        query = _with_opening(_base(scope, Placement.start_date)).where(near, missing)
        risks += [Risk(kind, pid, school, start - timedelta(days=t.start_within_days))
                  for pid, school, start in db.session.execute(query)]  # fmt: skip
    return risks


def _journals(scope, today: date, t: Thresholds) -> list[Risk]:
    """Started internships that keep journals, still running, whose last journal's week ended `journal_gap_days`
    ago or more (or that have none since the start)."""
    began = sa.func.coalesce(Placement.arrived_on, Placement.start_date)
    last = (
        sa.select(Journal.placement_id, sa.func.max(Journal.week_start).label("week"))
        .group_by(Journal.placement_id)
        .subquery()
    )
    gap = timedelta(days=t.journal_gap_days)
    query = (
        _base(scope, began, last.c.week)
        .outerjoin(last, last.c.placement_id == Placement.id)
        .where(Placement.kind.in_(JOURNAL_KINDS), sa.or_(Placement.kind != POST, Placement.arrived_on.is_not(None)),
               began <= today - gap, sa.or_(Placement.end_date.is_(None), Placement.end_date >= today),
               sa.or_(last.c.week.is_(None), last.c.week <= today - gap - timedelta(days=7)))
    )  # fmt: skip
    risks = []
    for pid, school, start, week in db.session.execute(query):
        silent_from = _as_date(week) + timedelta(days=7) if week else _as_date(start)
        risks.append(Risk(RiskKind.JOURNALS, pid, school, silent_from + gap))
    return risks


def _as_date(value) -> date:
    """SQLite returns an aggregate or COALESCE of dates as text."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _absences(scope, t: Thresholds) -> list[Risk]:
    query = (
        _base(scope, AttendanceMonth.month)
        .join(AttendanceMonth, AttendanceMonth.placement_id == Placement.id)
        .where(AttendanceMonth.absent > t.absent_days)
    )
    return [Risk(RiskKind.ABSENCES, pid, school, month, month) for pid, school, month in db.session.execute(query)]


def _pay(scope, today: date) -> list[Risk]:
    """Art. 18: each paid month late or short, and each month unpaid after its due day."""
    paid = _with_opening(_base(scope, PayRecord.month, PayRecord.paid_on)).join(
        PayRecord, PayRecord.placement_id == Placement.id
    )
    late = paid.where(_month_index(PayRecord.paid_on) - _month_index(PayRecord.month) >= 2)
    short = paid.where(Opening.post_wage.is_not(None), PayRecord.amount * 5 < Opening.post_wage * 4)
    risks = [Risk(RiskKind.PAY_LATE, pid, school, pay_due_by(m) + timedelta(days=1), m)
             for pid, school, m, _paid in db.session.execute(late)]  # fmt: skip
    risks += [
        Risk(RiskKind.PAY_SHORT, pid, school, paid_on, m) for pid, school, m, paid_on in db.session.execute(short)
    ]
    return risks + _unpaid(scope, today)


def _unpaid(scope, today: date) -> list[Risk]:
    """Months due (from the arrival's month to the last month whose due day has passed, within the period) without a
    pay record: the placements with fewer records than months due in one query, their months in a second."""
    cutoff = _index(month_start(today) - relativedelta(months=2))  # the last month whose due day is before today
    first = _month_index(Placement.arrived_on)
    end = _month_index(sa.func.coalesce(Placement.end_date, Opening.end_date))
    last = sa.case((end < cutoff, end), else_=cutoff)
    records = (
        sa.select(sa.func.count(PayRecord.id))
        .where(PayRecord.placement_id == Placement.id, _month_index(PayRecord.month) >= first,
               _month_index(PayRecord.month) <= last)
        .scalar_subquery()
    )  # fmt: skip
    query = _with_opening(_base(scope, Placement.arrived_on, sa.func.coalesce(Placement.end_date, Opening.end_date)))
    query = query.where(Placement.kind == POST, Placement.arrived_on.is_not(None), records < last - first + 1)
    rows = db.session.execute(query).all()
    if not rows:
        return []
    paid: dict[int, set[date]] = {}
    for pid, month in db.session.execute(
        sa.select(PayRecord.placement_id, PayRecord.month).where(PayRecord.placement_id.in_([r[0] for r in rows]))
    ):
        paid.setdefault(pid, set()).add(month)
    risks = []
    for pid, school, arrived, end_day in rows:
        month, stop = month_start(arrived), min(month_start(_as_date(end_day)), month_start(today) - relativedelta(
            months=2))  # fmt: skip
        while month <= stop:
            if month not in paid.get(pid, ()):
                risks.append(Risk(RiskKind.PAY_UNPAID, pid, school, pay_due_by(month) + timedelta(days=1), month))
            month += relativedelta(months=1)
    return risks


def _minors(scope, today: date) -> list[Risk]:
    """A student under 18 today in an internship whose post is flagged as forbidden to minors (art. 16(3))."""
    born_after = today - relativedelta(years=18)  # under 18 today: born after this day
    query = _with_opening(_base(scope, Placement.start_date)).where(
        Placement.kind.in_(INTERNSHIP_KINDS), Opening.minors_forbidden_work, Student.birth_date > born_after
    )
    return [Risk(RiskKind.MINOR_FLAGGED, pid, school, start) for pid, school, start in db.session.execute(query)]


def _ungraded(scope, today: date, t: Thresholds) -> list[Risk]:
    """A started 岗位实习 whose period ended `ungraded_after_days` ago or more (but within `ungraded_within_days`),
    with no final grade."""
    end = sa.func.coalesce(Placement.end_date, Opening.end_date)
    query = (
        sa.select(Placement.id, Student.school_id, end)
        .select_from(Placement)
        .join(Student, Student.id == Placement.student_id)
        .join(Opening, Opening.id == Placement.opening_id)
        .where(scope, Placement.kind == POST, Placement.arrived_on.is_not(None),
               end <= today - timedelta(days=t.ungraded_after_days),
               end > today - timedelta(days=t.ungraded_within_days),
               ~sa.exists().where(FinalGrade.placement_id == Placement.id))
    )  # fmt: skip
    return [Risk(RiskKind.UNGRADED, pid, school, _as_date(ended) + timedelta(days=t.ungraded_after_days))
            for pid, school, ended in db.session.execute(query)]  # fmt: skip


def risks(scope, today: date, thresholds: Thresholds | None = None) -> list[Risk]:
    """Every warning in `scope` (a condition on `Student`), newest first."""
    t = thresholds or Thresholds.from_config()
    found = (_near_start(scope, today, t) + _journals(scope, today, t) + _absences(scope, t) + _pay(scope, today)
             + _minors(scope, today) + _ungraded(scope, today, t))  # fmt: skip
    return sorted(found, key=lambda r: (r.since, r.placement_id, r.kind.value), reverse=True)


def of_school(school_id: int, today: date, thresholds: Thresholds | None = None) -> list[Risk]:
    return risks(Student.school_id == school_id, today, thresholds)


def of_schools(school_ids, today: date, thresholds: Thresholds | None = None) -> list[Risk]:
    """`school_ids`: a list or a SELECT of them (an alliance's member schools)."""
    return risks(Student.school_id.in_(school_ids), today, thresholds)


def member_schools(alliance_id: int, today: date) -> sa.Select:
    """The organisations whose membership of the alliance is in force today (its schools among them)."""
    return sa.select(Membership.organization_id).where(Membership.alliance_id == alliance_id, in_force_on(today))


def placements_for(found: Iterable[Risk]) -> dict[int, Placement]:
    """The placements the warnings name, with their student and enterprise, in one query."""
    ids = {r.placement_id for r in found}
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(Placement)
        .where(Placement.id.in_(ids))
        .options(selectinload(Placement.student).selectinload(Student.school),
                 selectinload(Placement.opening).selectinload(Opening.plan).selectinload(HiringPlan.enterprise))
    ).all()  # fmt: skip
    return {p.id: p for p in rows}
