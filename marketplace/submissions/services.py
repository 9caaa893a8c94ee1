"""Information reports and their monthly duty (德州实施办法 art. 7(4), 10), and the annual assessment cycle
(art. 11–13). They flush, never commit; deadlines are the alliance's local days (Asia/Shanghai)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from marketplace.alliances import services as alliance_services
from marketplace.alliances.models import Alliance, Membership, in_force_on
from marketplace.audit.services import record
from marketplace.extensions import db
from marketplace.governance.models import Motion, MotionKind
from marketplace.governance.services import table_motion
from marketplace.notifications import catalogue as kinds
from marketplace.notifications.services import notify
from marketplace.refusals import Refusal
from marketplace.submissions import evidence
from marketplace.submissions.models import Assessment, AssessmentCycle, InfoReport, ReportKind
from marketplace.timeutil import ALLIANCE_TZ

REMIND_DAYS_BEFORE = 7  # members who have not self-assessed are reminded this many days before the deadline


class ReportingError(Refusal):
    """A step the charter or the cycle's deadlines refuse; the message is shown to the user."""


def local_day(now: datetime) -> date:
    return now.astimezone(ALLIANCE_TZ).date()


def membership_in_force(alliance: Alliance, org_id: int | None, today: date) -> Membership | None:
    return alliance_services.membership_in_force(alliance.id, org_id, today)


def members_in_force(alliance: Alliance, today: date) -> list[Membership]:
    return list(
        db.session.scalars(
            sa.select(Membership)
            .where(Membership.alliance_id == alliance.id, in_force_on(today))
            .order_by(Membership.organization_id)
        )
    )


# --- information reports (信息报送) -------------------------------------------------------------------------------


def submit_report(
    alliance: Alliance,
    org_id: int,
    *,
    kind: ReportKind,
    title: str,
    body: str,
    period_month: date | None,
    actor,
    today: date,
) -> InfoReport:
    if membership_in_force(alliance, org_id, today) is None:
        raise ReportingError(_l("Only member units in force can report to this alliance."))
    report = InfoReport(
        alliance_id=alliance.id, organization_id=org_id, kind=kind, title=title.strip(), body=body.strip(),
        period_month=period_month.replace(day=1) if period_month else None, submitted_on=today,
        submitted_by_id=getattr(actor, "id", None),
    )  # fmt: skip
    db.session.add(report)
    db.session.flush()
    record("info_report_submitted", report, actor=actor, alliance_id=alliance.id, kind=kind.value)
    return report


@dataclass(frozen=True)
class ReportingStatus:
    """A member's reporting duty on a day: silent since `since` (its last report, or the day it joined)."""

    membership: Membership
    last_report: date | None
    since: date
    interval: int
    today: date

    @property
    def days_silent(self) -> int:
        return (self.today - self.since).days

    @property
    def due(self) -> date:
        return self.since + timedelta(days=self.interval)

    @property
    def late(self) -> bool:
        return self.days_silent > self.interval

    @property
    def window(self) -> int:
        """Which interval of silence this is (1: days interval+1 to 2×interval); one reminder per window."""
        return (self.days_silent - 1) // self.interval


def reporting_status(alliance: Alliance, today: date) -> list[ReportingStatus]:
    """Every member with a reporting duty (none where the charter sets no interval; never the secretariat itself,
    to which the reports go), longest silent first."""
    interval = alliance.reporting_interval_days
    if not interval:
        return []
    members = [m for m in members_in_force(alliance, today) if m.organization_id != alliance.secretariat_org_id]
    last = dict(
        db.session.execute(
            sa.select(InfoReport.organization_id, sa.func.max(InfoReport.submitted_on))
            .where(InfoReport.alliance_id == alliance.id, InfoReport.submitted_on <= today)
            .group_by(InfoReport.organization_id)
        ).all()
    )
    rows = []
    for m in members:
        last_report = last.get(m.organization_id)
        since = max(d for d in (last_report, m.effective_from) if d is not None)
        rows.append(ReportingStatus(m, last_report, since, interval, today))
    return sorted(rows, key=lambda r: (r.since, r.membership.organization_id))


def late_members(alliance: Alliance, today: date) -> list[ReportingStatus]:
    return [r for r in reporting_status(alliance, today) if r.late]


def remind_late(alliance: Alliance, today: date) -> list[ReportingStatus]:
    """Remind each late member once per interval window of silence; returns those reminded now."""
    sent = []
    for r in late_members(alliance, today):
        key = f"report-due:{alliance.id}:{r.since.isoformat()}:{r.window}"
        note = notify(r.membership.organization_id, kinds.REPORT_DUE, {"alliance_id": alliance.id}, key=key,
                      alliance=alliance.short_name, days=r.days_silent, interval=r.interval)  # fmt: skip
        if note is not None:
            sent.append(r)
    return sent


def reported_days(alliance_id: int, org_ids, start: date, end: date) -> set[tuple[int, date]]:
    """(organisation, day) pairs on which it submitted an information report to the alliance."""
    rows = db.session.execute(
        sa.select(InfoReport.organization_id, InfoReport.submitted_on)
        .where(
            InfoReport.alliance_id == alliance_id,
            InfoReport.organization_id.in_(org_ids),
            InfoReport.submitted_on.between(start, end),
        )
        .distinct()
    )
    return {(org, day) for org, day in rows}


# --- the annual assessment (年度考核) -----------------------------------------------------------------------------


def due_date(year: int, month_day: str) -> date:
    """A charter deadline such as "12-10" in `year`."""
    month, day = (int(part) for part in month_day.split("-"))
    return date(year, month, day)


def open_cycle(alliance: Alliance, *, year: int, standard: str, actor, today: date) -> AssessmentCycle:
    """Publish the year's standard and give every member in force an assessment with the platform's evidence."""
    try:
        self_due = due_date(year, alliance.self_assessment_due)
        review_due = due_date(year, alliance.assessment_review_due)
    except ValueError as exc:
        raise ReportingError(_l("The charter's assessment deadlines are not valid dates.")) from exc
    if db.session.scalar(
        sa.select(AssessmentCycle.id).where(AssessmentCycle.alliance_id == alliance.id, AssessmentCycle.year == year)
    ):
        raise ReportingError(_l("The %(year)d assessment has already been opened.", year=year))
    if today > review_due:
        raise ReportingError(_l("The review deadline of %(year)d has passed (%(date)s).", year=year, date=review_due))
    grades = list(alliance.assessment_grades or [])
    if len(grades) < 2:
        raise ReportingError(_l("The charter needs at least two assessment grades."))
    cycle = AssessmentCycle(
        alliance_id=alliance.id, year=year, standard=standard.strip(), grades=grades, self_due=self_due,
        review_due=review_due, opened_on=today, opened_by_id=getattr(actor, "id", None),
    )  # fmt: skip
    db.session.add(cycle)
    for m in members_in_force(alliance, today):
        cycle.assessments.append(Assessment(membership_id=m.id, organization_id=m.organization_id))
    db.session.flush()
    refresh_evidence(cycle, today)
    record("assessment_cycle_opened", cycle, actor=actor, alliance_id=alliance.id, year=year,
           members=len(cycle.assessments))  # fmt: skip
    return cycle


def refresh_evidence(cycle: AssessmentCycle, today: date, only: list[Assessment] | None = None) -> int:
    """Recount the evidence of the assessments not yet submitted (a submitted one keeps what it was judged on)."""
    open_ones = [a for a in (only or cycle.assessments) if not a.self_assessed and not a.reviewed]
    if not open_ones:
        return 0
    counts = evidence.collect(cycle.alliance_id, [a.organization_id for a in open_ones], cycle.year, today)
    stamp = datetime.now(ALLIANCE_TZ)
    for a in open_ones:
        a.evidence, a.evidence_at = counts[a.organization_id], stamp
    db.session.flush()
    return len(open_ones)


def self_assess(assessment: Assessment, *, grade: str, summary: str, actor, now: datetime) -> Assessment:
    """The member's self-assessment, by the end of the deadline day (Beijing time); it may be revised until then."""
    cycle = assessment.cycle
    today = local_day(now)
    if today > cycle.self_due:
        raise ReportingError(
            _l("The self-assessment was due by the end of %(date)s (Beijing time); it can no longer be submitted.",
               date=cycle.self_due)
        )  # fmt: skip
    if assessment.reviewed:
        raise ReportingError(_l("The secretariat has already reviewed this assessment."))
    if grade not in cycle.grades:
        raise ReportingError(_l("Choose one of the alliance's grades."))
    first = not assessment.self_assessed
    if first:
        refresh_evidence(cycle, today, only=[assessment])
    assessment.self_grade, assessment.self_summary = grade, summary.strip()
    assessment.self_submitted_at, assessment.self_submitted_by_id = now, getattr(actor, "id", None)
    db.session.flush()
    record("assessment_self_assessed", assessment, actor=actor, year=cycle.year, grade=grade, revised=not first)
    return assessment


def review(assessment: Assessment, *, grade: str, comment: str, actor, now: datetime) -> Motion | None:
    """The secretariat's final grade (复评), by the end of the review deadline day. A failing grade is notified with
    a rectification deadline (art. 12); failing in the charter's number of consecutive years tables removal."""
    cycle, alliance = assessment.cycle, assessment.cycle.alliance
    today = local_day(now)
    if today > cycle.review_due:
        raise ReportingError(
            _l("The review was due by the end of %(date)s (Beijing time); it can no longer be recorded.",
               date=cycle.review_due)
        )  # fmt: skip
    if assessment.reviewed:
        raise ReportingError(_l("This assessment has already been reviewed; the final grade stands."))
    if grade not in cycle.grades:
        raise ReportingError(_l("Choose one of the alliance's grades."))
    if not assessment.self_assessed:
        refresh_evidence(cycle, today, only=[assessment])
    assessment.final_grade, assessment.review_comment = grade, comment.strip()
    assessment.reviewed_at, assessment.reviewed_by_id = now, getattr(actor, "id", None)
    motion = None
    if grade == cycle.failing_grade:
        assessment.rectify_by = today + timedelta(days=alliance.rectification_days)
        notify(assessment.organization_id, kinds.ASSESSMENT_FAILED, {"assessment_id": assessment.id},
               key=f"assessment-failed:{assessment.id}", alliance=alliance.short_name, year=cycle.year, grade=grade,
               date=assessment.rectify_by)  # fmt: skip
        motion = _removal_if_due(assessment, actor)
    db.session.flush()
    record("assessment_reviewed", assessment, actor=actor, year=cycle.year, grade=grade,
           self_grade=assessment.self_grade, rectify_by=assessment.rectify_by.isoformat() if assessment.rectify_by
           else None, motion_id=motion.id if motion else None)  # fmt: skip
    return motion


def failed_years(alliance_id: int, org_id: int, years: range) -> set[int]:
    """The years among `years` in which the unit's final grade was its cycle's failing grade."""
    rows = db.session.execute(
        sa.select(AssessmentCycle.year, AssessmentCycle.grades, Assessment.final_grade)
        .join(Assessment, Assessment.cycle_id == AssessmentCycle.id)
        .where(AssessmentCycle.alliance_id == alliance_id, Assessment.organization_id == org_id)
        .where(AssessmentCycle.year.in_(list(years)), Assessment.reviewed_at.is_not(None))
    )
    return {year for year, grades, final in rows if final == grades[-1]}


def _removal_if_due(assessment: Assessment, actor) -> Motion | None:
    """德州实施办法 art. 12: 连续两年被评价为“不合格”的成员单位，由联盟理事会开会表决终止其成员资格."""
    cycle, alliance = assessment.cycle, assessment.cycle.alliance
    n = alliance.removal_after_failed_years
    if not n or not assessment.membership.in_force:
        return None
    earlier = range(cycle.year - n + 1, cycle.year)
    if failed_years(alliance.id, assessment.organization_id, earlier) != set(earlier):
        return None
    org = assessment.organization
    return table_motion(
        alliance,
        kind=MotionKind.REMOVE,
        membership=assessment.membership,
        title=f"关于终止{org.name}成员资格的议案（连续{n}年考核“{cycle.failing_grade}”）",
        text=(
            f"{org.name}在{cycle.year - n + 1}—{cycle.year}年度考核中连续{n}年被评价为“{cycle.failing_grade}”。"
            f"依据联盟章程及实施办法，提请理事会表决是否终止其成员资格。"
        ),
        origin="assessment",
        actor=actor,
    )


def remind_self_assessment(alliance: Alliance, today: date) -> list[Assessment]:
    """Remind members who have not self-assessed when the deadline is at most a week away; once per cycle."""
    cycles = db.session.scalars(
        sa.select(AssessmentCycle).where(
            AssessmentCycle.alliance_id == alliance.id,
            AssessmentCycle.self_due >= today,
            AssessmentCycle.self_due <= today + timedelta(days=REMIND_DAYS_BEFORE),
        )
    )
    sent = []
    for cycle in cycles:
        for a in cycle.assessments:
            if a.self_assessed or a.reviewed or not a.membership.in_force:
                continue
            note = notify(a.organization_id, kinds.ASSESSMENT_DUE, {"assessment_id": a.id},
                          key=f"assessment-due:{cycle.id}", alliance=alliance.short_name, year=cycle.year,
                          date=cycle.self_due)  # fmt: skip
            if note is not None:
                sent.append(a)
    return sent


def my_assessments(alliance: Alliance, org_id: int) -> list[Assessment]:
    return list(
        db.session.scalars(
            sa.select(Assessment)
            .join(AssessmentCycle, AssessmentCycle.id == Assessment.cycle_id)
            .where(AssessmentCycle.alliance_id == alliance.id, Assessment.organization_id == org_id)
            .order_by(AssessmentCycle.year.desc())
        )
    )
