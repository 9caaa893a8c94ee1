"""The evidence the platform holds for a member's annual assessment: what it did for the alliance in one calendar
year, counted in a few grouped queries for all members at once, and stored on the assessment as a snapshot."""

from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from marketplace.cohorts.models import Student
from marketplace.extensions import db
from marketplace.governance.models import Attendance, AttendanceStatus, Meeting
from marketplace.pipeline.models import Placement
from marketplace.plans.models import HiringPlan, Opening, OpeningKind, PlanStatus, plan_alliances
from marketplace.practice.models import HOLDING_STATUSES, PracticeBase, PracticeRequest, Teacher
from marketplace.submissions.models import InfoReport

# key → label, in the order the pages show them
LABELS = {
    "plans_published": _l("Hiring plans published to the alliance"),
    "openings_headcount": _l("Headcount in those plans"),
    "interns_hosted": _l("Interns hosted"),
    "graduates_hosted": _l("Graduates employed"),
    "students_placed": _l("Own students placed"),
    "teachers_hosted": _l("Teachers hosted for practice"),
    "teachers_sent": _l("Teachers sent to practice"),
    "reports_submitted": _l("Information reports submitted"),
    "months_reported": _l("Months with a report"),
    "meetings_attended": _l("Meetings attended"),
    "meetings_excused": _l("Meetings missed with leave"),
    "meetings_absent": _l("Meetings missed without excuse"),
}
KEYS = tuple(LABELS)


def _grouped(query) -> dict[int, int]:
    return {org: int(n or 0) for org, n in db.session.execute(query).all()}


def collect(alliance_id: int, org_ids: list[int], year: int, today: date) -> dict[int, dict]:
    """Counts per organisation for `year`, as known on `today` (later events are not counted yet)."""
    first, last = date(year, 1, 1), min(date(year, 12, 31), today)

    def in_year(column):
        return column.between(first, last)

    ids = list(org_ids)
    plans = (
        sa.select(HiringPlan.id, HiringPlan.enterprise_id)
        .join(plan_alliances, plan_alliances.c.plan_id == HiringPlan.id)
        .where(plan_alliances.c.alliance_id == alliance_id, HiringPlan.enterprise_id.in_(ids))
        .where(HiringPlan.year == year, HiringPlan.status == PlanStatus.PUBLISHED)
        .subquery()
    )
    hosted = (
        sa.select(HiringPlan.enterprise_id, sa.func.count())
        .join(Opening, Opening.plan_id == HiringPlan.id)
        .join(Placement, Placement.opening_id == Opening.id)
        .where(HiringPlan.enterprise_id.in_(ids), in_year(Placement.start_date))
        .group_by(HiringPlan.enterprise_id)
    )
    attendance = (
        sa.select(Attendance.organization_id, sa.func.count())
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Meeting.alliance_id == alliance_id, Meeting.attendance_taken_at.is_not(None))
        .where(in_year(Meeting.held_on), Attendance.organization_id.in_(ids))
        .group_by(Attendance.organization_id)
    )
    counts = {
        "plans_published": _grouped(sa.select(plans.c.enterprise_id, sa.func.count()).group_by(plans.c.enterprise_id)),
        "openings_headcount": _grouped(
            sa.select(plans.c.enterprise_id, sa.func.sum(Opening.headcount))
            .join(Opening, Opening.plan_id == plans.c.id)
            .group_by(plans.c.enterprise_id)
        ),
        "interns_hosted": _grouped(hosted.where(Placement.kind != OpeningKind.EMPLOYMENT)),
        "graduates_hosted": _grouped(hosted.where(Placement.kind == OpeningKind.EMPLOYMENT)),
        "students_placed": _grouped(
            sa.select(Student.school_id, sa.func.count())
            .join(Placement, Placement.student_id == Student.id)
            .where(Student.school_id.in_(ids), in_year(Placement.start_date))
            .group_by(Student.school_id)
        ),
        "teachers_hosted": _practice_by(
            PracticeBase.enterprise_id, PracticeRequest.base_id == PracticeBase.id, ids, first, last
        ),
        "teachers_sent": _practice_by(Teacher.school_id, PracticeRequest.teacher_id == Teacher.id, ids, first, last),
        "reports_submitted": _grouped(
            sa.select(InfoReport.organization_id, sa.func.count())
            .where(InfoReport.alliance_id == alliance_id, InfoReport.organization_id.in_(ids))
            .where(in_year(InfoReport.submitted_on))
            .group_by(InfoReport.organization_id)
        ),
        "meetings_attended": _grouped(attendance.where(Attendance.status == AttendanceStatus.PRESENT)),
        "meetings_excused": _grouped(attendance.where(Attendance.status == AttendanceStatus.EXCUSED)),
        "meetings_absent": _grouped(attendance.where(Attendance.status == AttendanceStatus.ABSENT)),
    }
    months: dict[int, set[int]] = defaultdict(set)
    for org, day in db.session.execute(
        sa.select(InfoReport.organization_id, InfoReport.submitted_on).where(
            InfoReport.alliance_id == alliance_id, InfoReport.organization_id.in_(ids), in_year(InfoReport.submitted_on)
        )
    ):
        months[org].add(day.month)
    counts["months_reported"] = {org: len(m) for org, m in months.items()}
    return {org: {"year": year, "as_of": last.isoformat(), **{k: counts[k].get(org, 0) for k in KEYS}} for org in ids}


def _practice_by(org_column, join_on, ids: list[int], first: date, last: date) -> dict[int, int]:
    """Teacher practice accepted or served, by the hosting enterprise (via its base) or the sending school."""
    return _grouped(
        sa.select(org_column, sa.func.count())
        .select_from(PracticeRequest)
        .join(org_column.class_, join_on)
        .where(PracticeRequest.status.in_(HOLDING_STATUSES), PracticeRequest.start_date.between(first, last))
        .where(org_column.in_(ids))
        .group_by(org_column)
    )
