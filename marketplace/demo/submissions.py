"""Demo information reports and annual assessments, as of 2026-11-21.

Members report through 2025–2026 (德州: monthly, some members have fallen silent; the others now and then). 德州 has a
closed 2025 assessment in which one member was graded 不合格, and an open 2026 one in which that member is still
ungraded, so that the secretariat can grade it 不合格 again and see the removal motion tabled (德州实施办法 art. 12).
机械 has its 2026 cycle under its 年度工作考核制度 (章程 art. 11).
"""

import random
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from marketplace.alliances.models import Alliance, Membership
from marketplace.audit.models import AuditEvent
from marketplace.auth.models import User
from marketplace.demo.data import DEMO_ENTERPRISE, DEMO_SCHOOL, EMAIL_DOMAIN
from marketplace.extensions import db
from marketplace.governance.models import Attendance, Meeting
from marketplace.notifications.models import Notification
from marketplace.orgs.models import OrgKind
from marketplace.submissions import services
from marketplace.submissions.models import AssessmentCycle, InfoReport, ReportKind
from marketplace.timeutil import ALLIANCE_TZ

TODAY = date(2026, 11, 21)
FIRST = date(2025, 1, 1)
DZ, JX = "德州智造联盟", "机械行业技工联盟"
EVERY_DAYS = {DZ: (20, 30)}  # other alliances set no interval: members report now and then
NOW_AND_THEN = (45, 110)
DZ_STANDARD = """德州职教联盟{year}年度工作考核标准（依据《实施办法》第十、十三条）
一、信息报送（20分）：每月至少向秘书处报送一次信息。
二、会议与活动（20分）：按时参加理事会及联盟组织的会议、活动，无故缺席每次扣5分。
三、用工计划（20分，企业成员）：每半年制定用工计划并通过联盟网站发布。
四、实习就业（20分）：企业优先安排成员学校学生实习实训、就业；学校落实毕业生就业岗位。
五、教师企业实践（20分）：企业接收、学校选派专业教师到企业实践。
自评于12月10日前上报秘书处，秘书处于12月30日前复评。结果分为优秀、较好、合格、不合格。"""
JX_STANDARD = """机械行业技工院校高水平专业建设联盟{year}年度工作考核（章程第十一条）
一、参加联盟及所在专业协作组活动情况（每工作年度无故两次不参加活动的予以解聘）。
二、课程与实训基地共建、技能评价、师资培养等工作完成情况。
三、向联盟报送工作动态与成果情况。"""
TOPICS = {
    ReportKind.NEWS: ("{m}月校企合作动态", "本月与成员单位开展校企合作交流{n}次，组织学生赴企业参观学习。"),
    ReportKind.RESULTS: ("订单班与实训基地建设成果", "本季度新签订单班协议{n}份，实训基地新增工位{n}个。"),
    ReportKind.DATA: ("{m}月实习就业数据", "本月在岗实习学生{n}人，新增就业{n}人，专业对口率稳定。"),
}


def _at(day: date, rng) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=ALLIANCE_TZ).astimezone(UTC)


def _members(alliance: Alliance, today: date) -> list[Membership]:
    return [m for m in services.members_in_force(alliance, today) if m.organization_id != alliance.secretariat_org_id]


def _users() -> dict[int, User]:
    """One user per organisation that has any (the demo logins), to sign what the unit submits."""
    return {u.organization_id: u for u in db.session.scalars(sa.select(User).order_by(User.id.desc()))}


def _reports(alliance: Alliance, rng: random.Random, silent: set[int], users: dict[int, User], dormant=()) -> None:
    gap = EVERY_DAYS.get(alliance.short_name, NOW_AND_THEN)
    for m in _members(alliance, TODAY):
        if m.organization_id in dormant:
            continue
        org = m.organization
        # Silent members stopped at some point in 2026; the others last reported within the past few weeks.
        stop = TODAY - timedelta(days=rng.randint(40, 200)) if org.id in silent else TODAY
        day = max(FIRST, m.effective_from) + timedelta(days=rng.randint(0, 20))
        while day <= stop:
            kind = rng.choice(
                list(ReportKind) if org.kind is OrgKind.ENTERPRISE else [ReportKind.NEWS, ReportKind.DATA]
            )
            title, body = TOPICS[kind]
            n, month = rng.randint(2, 12), (day - timedelta(days=10)).replace(day=1)
            user = users.get(org.id)
            at = _at(day, rng)
            report = InfoReport(
                alliance_id=alliance.id, organization_id=org.id, kind=kind, title=title.format(m=month.month),
                body=body.format(n=n), period_month=month if kind is not ReportKind.RESULTS else None,
                submitted_on=day, submitted_by_id=user.id if user else None, created_at=at,
            )  # fmt: skip
            db.session.add(report)
            db.session.flush()
            details = {"alliance_id": alliance.id, "kind": kind.value, "demo": True}
            event = AuditEvent(
                at=at,
                actor_id=report.submitted_by_id,
                organization_id=org.id,
                details=details,
                action="info_report_submitted",
                object_type="info_reports",
                object_id=report.id,
            )
            db.session.add(event)
            day += timedelta(days=rng.randint(*gap))


def _grade(rng: random.Random, grades: list[str]) -> str:
    return rng.choices(grades[:-1], weights=[2, 5, 3][: len(grades) - 1])[0]


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=ALLIANCE_TZ)


def _self_assess(cycle: AssessmentCycle, rng, share: float, days: tuple[date, date], skip: set[int], users) -> None:
    span = (days[1] - days[0]).days
    for a in cycle.assessments:
        if a.organization_id in skip or rng.random() > share:
            continue
        grade = _grade(rng, cycle.grades)
        summary = f"本单位{cycle.year}年度认真履行联盟成员职责，按要求报送信息、参加联盟会议和活动，自评为“{grade}”。"
        day = days[0] + timedelta(days=rng.randint(0, span))
        services.self_assess(a, grade=grade, summary=summary, actor=users.get(a.organization_id), now=_noon(day))


def _review(cycle: AssessmentCycle, rng, assessments, clerk, on: date, failing: int | None = None) -> None:
    for a in assessments:
        if a.organization_id == failing:
            grade, comment = cycle.failing_grade, "全年信息报送明显不足，无故缺席理事会会议，予以通报并限期整改。"
        else:
            grade, comment = (
                a.self_grade or _grade(rng, cycle.grades),
                "同意自评结果。" if a.self_grade else "未自评，依据平台数据复评。",
            )
        services.review(a, grade=grade, comment=comment, actor=clerk, now=_noon(on))
        note = db.session.scalar(sa.select(Notification).where(Notification.key == f"assessment-failed:{a.id}"))
        if note is not None:
            note.created_at = _noon(on).astimezone(UTC)


def _dormant(alliance: Alliance) -> set[int]:
    """Members invited to the governance demo's meetings since 2023 who never came: they do not report either,
    so that 衡水's three-year lapse rule has a member to act on."""
    invited = db.session.execute(
        sa.select(Attendance.organization_id, sa.func.max(sa.case((Attendance.status == "present", 1), else_=0)))
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Meeting.alliance_id == alliance.id, Meeting.attendance_taken_at.is_not(None))
        .group_by(Attendance.organization_id)
        .having(sa.func.count() >= 4)
    ).all()
    return {org for org, came in invited if not came}


def build_reporting(seed: int) -> None:
    """Reports for every demo alliance, 德州's 2025 and 2026 assessments, 机械's 2026 assessment; flushes only."""
    rng = random.Random(seed + 11)  # noqa: S311  (demo data, not secrets)
    alliances = {a.short_name: a for a in db.session.scalars(sa.select(Alliance).order_by(Alliance.id))}
    users = _users()
    dz, jx = alliances.get(DZ), alliances.get(JX)
    clerks = {
        key: db.session.scalar(sa.select(User).where(User.email == f"mishu.{key}@{EMAIL_DOMAIN}"))
        for key in ("dz", "jx")
    }
    failing = None
    if dz is not None:  # the member graded 不合格 in 2025: neither a demo login nor the chair, and silent since
        candidates = [m for m in _members(dz, date(2025, 11, 14))
                      if m.organization.name not in (DEMO_ENTERPRISE, DEMO_SCHOOL)]  # fmt: skip
        failing = rng.choice(candidates).organization_id
    for alliance in alliances.values():
        dormant = _dormant(alliance)
        members = [m.organization_id for m in _members(alliance, TODAY)]
        demo = {m.organization_id for m in _members(alliance, TODAY) if m.organization.name == DEMO_ENTERPRISE}
        silent = set(rng.sample([o for o in members if o not in demo], k=len(members) // 6)) | {failing} - demo
        _reports(alliance, rng, silent, users, dormant)
    db.session.flush()
    if dz is not None:
        clerk = clerks["dz"]
        done = services.open_cycle(dz, year=2025, standard=DZ_STANDARD.format(year=2025), actor=clerk,
                                   today=date(2025, 11, 14))  # fmt: skip
        _self_assess(done, rng, 0.85, (date(2025, 11, 20), date(2025, 12, 10)), {failing}, users)
        _review(done, rng, done.assessments, clerk, date(2025, 12, 22), failing=failing)
        current = services.open_cycle(dz, year=2026, standard=DZ_STANDARD.format(year=2026), actor=clerk,
                                      today=date(2026, 11, 2))  # fmt: skip
        _self_assess(current, rng, 0.55, (date(2026, 11, 5), date(2026, 11, 20)), {failing}, users)
        early = [a for a in current.assessments if a.self_assessed][:4]
        _review(current, rng, early, clerk, date(2026, 11, 20))
    if jx is not None:
        cycle = services.open_cycle(jx, year=2026, standard=JX_STANDARD.format(year=2026), actor=clerks["jx"],
                                    today=date(2026, 11, 6))  # fmt: skip
        _self_assess(cycle, rng, 0.4, (date(2026, 11, 9), date(2026, 11, 20)), set(), users)
    db.session.flush()
