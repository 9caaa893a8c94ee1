"""Demo governance, so that each alliance's secretariat finds its charter at work: yearly council meetings and
activities 2023–2026 with attendance and decided motions, officers in their terms (a 衡水 term ending within the
warning window), the pending applications' admission motions, a 衡水 withdrawal whose notice has run and one whose
notice has not, a 衡水 member silent for three years, a 机械 member absent twice this work year, and 联席会
membership certificates."""

import random
from datetime import date, timedelta

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from marketplace.alliances.models import Alliance, Membership, MembershipStatus, Tier
from marketplace.alliances.services import decide
from marketplace.auth.models import Role, User
from marketplace.extensions import db
from marketplace.governance import services
from marketplace.governance.certificates import assign_number
from marketplace.governance.models import AttendanceStatus, Body, Meeting, MotionKind, Office, OfficerTerm

YEARS = (2023, 2024, 2025, 2026)
OFFICERS = {  # short-name key → (office, person, first term's start, terms served so far)
    "hs": ((Office.CHAIR, "高志刚", date(2016, 12, 1), 2), (Office.SECRETARY_GENERAL, "孙丽娟", date(2022, 1, 5), 1)),
    "dz": ((Office.CHAIR, "马庆华", date(2022, 6, 1), 1), (Office.SECRETARY_GENERAL, "周海涛", date(2022, 6, 1), 1)),
    "zz": ((Office.CHAIR, "陈立民", date(2021, 12, 1), 2), (Office.SECRETARY_GENERAL, "李文静", date(2024, 12, 1), 1)),
    "jx": ((Office.CHAIR, "王振华", date(2023, 9, 1), 1), (Office.SECRETARY_GENERAL, "赵明远", date(2023, 9, 1), 1)),
}  # fmt: skip


def _key(alliance: Alliance) -> str:
    from marketplace.demo.data import ALLIANCES

    return next(key for key, name, *_ in ALLIANCES if name == alliance.name)


def _clerk(alliance: Alliance) -> User:
    return db.session.scalar(
        sa.select(User).where(User.organization_id == alliance.secretariat_org_id, User.role == Role.SECRETARIAT)
    )


def _hold(alliance, clerk, body, title, day, rng, *, always_absent=(), motion_titles=()):
    meeting = services.call_meeting(alliance, body=body, title=title, held_on=day, actor=clerk)
    statuses = {}
    for row in meeting.attendance:
        draw = rng.random()
        status = "present" if draw < 0.86 else "excused" if draw < 0.95 else "absent"
        statuses[row.organization_id] = "absent" if row.organization_id in always_absent else status
    services.record_attendance(meeting, statuses, actor=clerk, today=day)
    for title in motion_titles:
        motion = services.table_motion(alliance, kind=MotionKind.ANNUAL_PLAN, title=title, meeting=meeting, actor=clerk)
        present = meeting.present
        yes = present - rng.randint(0, max(0, present // 8))
        services.decide_motion(motion, yes=yes, no=present - yes, abstain=0, actor=clerk, today=day)
    return meeting


def _officers(alliance: Alliance, key: str, clerk: User) -> None:
    vices = db.session.scalars(
        sa.select(Membership).where(Membership.alliance_id == alliance.id, Membership.tier == Tier.VICE_CHAIR)
    ).all()
    posts = [*OFFICERS[key], *((Office.VICE_CHAIR, name, date(2023, 9, 1), 1) for name in ("刘国栋", "韩淑芬"))]
    for i, (office, person, start, served) in enumerate(posts):
        vice = vices[i % len(vices)].organization_id if vices else alliance.secretariat_org_id
        org_id = vice if office is Office.VICE_CHAIR else alliance.secretariat_org_id
        for n in range(1, served + 1):
            starts = start + relativedelta(years=alliance.officer_term_years * (n - 1))
            ends = starts + relativedelta(years=alliance.officer_term_years) - timedelta(days=1)
            db.session.add(OfficerTerm(alliance=alliance, office=office, person_name=person, organization_id=org_id,
                                       term_no=n, starts_on=starts, ends_on=ends, created_by_id=clerk.id))  # fmt: skip


def _pending_motions(alliance: Alliance, key: str, clerk: User, rng) -> None:
    """Applications past the qualification review wait for the council; 衡水's withdrawals wait for it too."""
    members = db.session.scalars(
        sa.select(Membership).where(Membership.alliance_id == alliance.id).order_by(Membership.id)
    ).all()
    for m in members:
        if m.status is MembershipStatus.UNDER_REVIEW:
            m.qualification = {"met": list(alliance.admission_checklist), "by": clerk.id, "on": "2026-10-22"}
            title = f"关于吸收{m.organization.name}为成员单位的议案"
            services.table_motion(alliance, kind=MotionKind.ADMIT, title=title, membership=m, tier=Tier.MEMBER,
                                  actor=clerk)  # fmt: skip
        elif m.status is MembershipStatus.WITHDRAWAL_REQUESTED:
            services.after_withdrawal_request(m, actor=clerk)
    if key == "hs":  # a withdrawal whose three months' notice ran out on 2026-11-10: the council may approve it now
        directors = [m for m in members if m.status is MembershipStatus.ACTIVE and m.tier is Tier.DIRECTOR]
        leaving = directors[-1]
        decide(leaving, MembershipStatus.WITHDRAWAL_REQUESTED, actor=None, reason="学校合并，书面申请退出联盟",
               on=date(2026, 8, 10))  # fmt: skip
        services.after_withdrawal_request(leaving, actor=clerk)


def build_governance(seed: int) -> None:
    rng = random.Random(seed + 6)  # noqa: S311  (demo data, not secrets)
    for alliance in db.session.scalars(sa.select(Alliance).order_by(Alliance.id)).all():
        key, clerk = _key(alliance), _clerk(alliance)
        actives = db.session.scalars(
            sa.select(Membership)
            .where(Membership.alliance_id == alliance.id, Membership.status == MembershipStatus.ACTIVE)
            .where(Membership.tier == Tier.MEMBER)
            .order_by(Membership.id)
        ).all()
        # 衡水 art. 13: one member, in since 2022, never performs a duty (the daily check deems it withdrawn)
        early = [m for m in actives if m.effective_from <= date(2022, 12, 31)]
        silent = {early[0].organization_id} if key == "hs" and early else set()
        for year in YEARS:
            council = Body.ASSEMBLY if key == "zz" else Body.COUNCIL
            day = date(year, 6, 18) if year == 2026 else date(year, 12, 15)
            _hold(alliance, clerk, council, f"{year}年度理事会", day, rng, always_absent=silent,
                  motion_titles=[f"{year + 1}年度工作计划"])  # fmt: skip
            _hold(alliance, clerk, Body.ACTIVITY, f"{year}年校企合作交流活动", date(year, 4, 20), rng,
                  always_absent=silent)  # fmt: skip
        if key == "jx" and actives:  # absent without excuse from both of this work year's activities
            _hold(alliance, clerk, Body.ACTIVITY, "2026年专业建设研讨会", date(2026, 9, 12), rng,
                  always_absent={actives[-1].organization_id})  # fmt: skip
            spring = sa.select(Meeting).where(Meeting.alliance_id == alliance.id, Meeting.held_on == date(2026, 4, 20))
            for meeting in db.session.scalars(spring):
                for row in meeting.attendance:
                    if row.organization_id == actives[-1].organization_id:
                        row.status = AttendanceStatus.ABSENT
        _officers(alliance, key, clerk)
        if alliance.certificate_prefix:
            members = db.session.scalars(sa.select(Membership).where(Membership.alliance_id == alliance.id))
            in_force = [m for m in members if m.effective_from is not None]
            for m in sorted(in_force, key=lambda m: (m.effective_from, m.id)):
                assign_number(m, m.effective_from)
        _pending_motions(alliance, key, clerk, rng)
    db.session.flush()
