"""Members who stop performing their duties: automatic lapse (衡水 art. 13) and repeated absence (机械 art. 11).

衡水: 连续三年不履行成员义务的，视为自动退出联盟. Performing duties (履行成员义务) has ONE definition,
`duty_days`, which the member-activity report (marketplace/analytics/activity.py) reads too: the unit attended one
of the alliance's meetings or activities, or submitted an information report (信息报送) to it. Other use of the
platform (publishing plans, loading cohorts) is activity, not a duty. A year counts as performed when it holds one
such day; a member is judged only on full calendar years of membership.
机械: 每工作年度无故两次不参加活动的，予以解聘并告知 — the unit is flagged and the secretariat puts the dismissal
to the council.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from marketplace.alliances.models import Alliance, Membership, MembershipStatus
from marketplace.alliances.services import decide
from marketplace.extensions import db
from marketplace.governance.models import Attendance, AttendanceStatus, Meeting
from marketplace.submissions.services import reported_days


def duty_days(alliance_id: int, org_ids, start: date, end: date) -> set[tuple[int, date]]:
    """(organisation, day) pairs from `start` to `end` on which the unit performed a duty for the alliance: present
    at one of its meetings or activities, or an information report submitted. `org_ids`: a list or a subquery."""
    attended = db.session.execute(
        sa.select(Attendance.organization_id, Meeting.held_on)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Meeting.alliance_id == alliance_id, Attendance.status == AttendanceStatus.PRESENT)
        .where(Attendance.organization_id.in_(org_ids), Meeting.held_on.between(start, end))
        .distinct()
    ).all()
    return {(org, day) for org, day in attended} | reported_days(alliance_id, org_ids, start, end)


def _duty_years(alliance: Alliance, org_ids: list[int], first: int, last: int) -> set[tuple[int, int]]:
    """(organisation, year) pairs in which the unit performed a duty for the alliance."""
    return {(org, day.year) for org, day in duty_days(alliance.id, org_ids, date(first, 1, 1), date(last, 12, 31))}


def lapse_due(alliance: Alliance, today: date) -> list[Membership]:
    """Active members with no duty performed in each of the last N full calendar years of their membership."""
    years = alliance.lapse_after_years
    if not years:
        return []
    first, last = today.year - years, today.year - 1
    members = list(
        db.session.scalars(
            sa.select(Membership)
            .where(Membership.alliance_id == alliance.id, Membership.status == MembershipStatus.ACTIVE)
            .where(Membership.effective_from <= date(first, 1, 1))
            .order_by(Membership.id)
        )
    )
    if not members:
        return []
    done = _duty_years(alliance, [m.organization_id for m in members], first, last)
    return [m for m in members if not any((m.organization_id, y) in done for y in range(first, last + 1))]


def apply_lapses(alliance: Alliance, today: date) -> list[Membership]:
    """Deem the due members withdrawn on `today`; the transition names the rule (no human actor)."""
    due = lapse_due(alliance, today)
    for m in due:
        reason = f"章程：连续{alliance.lapse_after_years}年不履行成员义务，视为自动退出"
        decide(m, MembershipStatus.LAPSED, actor=None, reason=reason, on=today)
    return due


@dataclass(frozen=True)
class AbsenceFlag:
    membership: Membership
    absences: int
    meetings: list[Meeting]


def absence_flags(alliance: Alliance, year: int) -> list[AbsenceFlag]:
    """Members absent without excuse from at least `absence_flag_count` meetings or activities in the work year."""
    limit = alliance.absence_flag_count
    if not limit:
        return []
    rows = db.session.execute(
        sa.select(Attendance.organization_id, Meeting)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Meeting.alliance_id == alliance.id, Meeting.attendance_taken_at.is_not(None))
        .where(Meeting.held_on.between(date(year, 1, 1), date(year, 12, 31)))
        .where(Attendance.status == AttendanceStatus.ABSENT)
        .order_by(Meeting.held_on)
    ).all()
    counts = Counter(org for org, _ in rows)
    flagged = [org for org, n in counts.items() if n >= limit]
    if not flagged:
        return []
    members = db.session.scalars(
        sa.select(Membership)
        .where(Membership.alliance_id == alliance.id, Membership.organization_id.in_(flagged))
        .where(Membership.status.in_([MembershipStatus.ACTIVE, MembershipStatus.WITHDRAWAL_REQUESTED]))
    )
    by_org = {m.organization_id: m for m in members}
    return [
        AbsenceFlag(by_org[org], counts[org], [meeting for o, meeting in rows if o == org])
        for org in sorted(flagged)
        if org in by_org
    ]
