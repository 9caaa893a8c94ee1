"""Demo students as users: three post-internship students of the demo school with journals (one behind with some
reviewed, one on time with a reviewed final report, one far behind asking for a correction), the first with a login
and an open offer, and interns' evaluations of the demo enterprise (enough for its aggregate)."""

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from marketplace.auth.models import Role, User
from marketplace.auth.passwords import hash_password
from marketplace.cohorts.models import Student
from marketplace.demo.data import DEMO_ENTERPRISE, DEMO_PASSWORD, DEMO_SCHOOL, EMAIL_DOMAIN
from marketplace.extensions import db
from marketplace.orgs.models import Organization
from marketplace.pipeline.models import Nomination, NominationSource, NominationStatus, Placement, PlacementStatus
from marketplace.plans.models import HiringPlan, Opening, OpeningKind, PlanStatus
from marketplace.students.models import CorrectionRequest, Evaluation, FinalReport, Journal, JournalRequirement
from marketplace.students.services import monday

WEEKS = (
    "熟悉车间安全规程，参加三级安全教育。", "跟随师傅学习数控车床的开机、回零与对刀。",
    "练习简单轴类零件的程序输入与试切。",
    "学习游标卡尺、千分尺的使用，完成首件自检。", "独立完成一批法兰盘的粗加工，废品两件，分析了原因。",
    "参加班组质量分析会，学习5S现场管理。", "学习刀具磨损判断与更换，记录刀具寿命。",
    "参加设备周检，学习填写点检表。",
    "学习加工中心换刀程序，协助师傅调试新夹具。", "完成月度技能考核，车削尺寸精度达到要求。",
    "参与工艺卡片的整理，理解工序安排。", "总结实习收获，准备实习总结报告。",
)  # fmt: skip
REVIEWS = ("记录详实，继续保持。", "对刀步骤描述准确，注意安全。", "有反思，很好。", "请补充本周遇到的问题。")
REPORT = (
    "本次岗位实习在企业导师指导下，系统学习了数控车床的操作、编程与日常保养，完成了多批零件的加工任务。"
    "实习中体会到安全规范和质量意识的重要性，也认识到自己在识图和工艺分析方面的不足，今后将继续加强。"
)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(20), tzinfo=UTC)


def build_students(seed: int) -> None:
    school = db.session.scalar(sa.select(Organization).where(Organization.name == DEMO_SCHOOL))
    teacher = db.session.scalar(sa.select(User).where(User.email == f"school.staff@{EMAIL_DOMAIN}"))
    admin = db.session.scalar(sa.select(User).where(User.email == f"school@{EMAIL_DOMAIN}"))
    placements = db.session.scalars(
        sa.select(Placement)
        .join(Student, Student.id == Placement.student_id)
        .where(Student.school_id == school.id, Placement.kind == OpeningKind.POST_INTERNSHIP,
               Placement.start_date == date(2026, 7, 1))
        .order_by(Placement.student_id)
        .limit(3)
    ).all()  # fmt: skip
    db.session.add(JournalRequirement(school_id=school.id, min_count=12, updated_by_id=admin.id))
    for placement, (written, reviewed) in zip(placements, ((8, 5), (12, 12), (3, 0)), strict=False):
        _journals(placement, written, reviewed, teacher)
    if len(placements) >= 2:
        db.session.add(FinalReport(placement_id=placements[1].id, content=REPORT, submitted_at=_at(date(2026, 11, 20)),
                                   review_comment="总结完整，评为良好。", reviewed_by_id=teacher.id,
                                   reviewed_at=_at(date(2026, 11, 25))))  # fmt: skip
    if len(placements) >= 3:
        db.session.add(CorrectionRequest(student_id=placements[2].student_id, school_id=school.id,
                                         text="我的手机号已更换，请更新。"))  # fmt: skip
    if placements:
        _login(placements[0].student, admin)
    _evaluations()
    db.session.flush()


def _journals(placement: Placement, written: int, reviewed: int, teacher: User) -> None:
    first = monday(placement.start_date) + timedelta(weeks=1)
    for n in range(written):
        week = first + timedelta(weeks=n * 2 if written < 12 else n)
        db.session.add(Journal(
            placement_id=placement.id, week_start=week, content=WEEKS[n % len(WEEKS)],
            submitted_at=_at(week + timedelta(days=4)),
            review_comment=REVIEWS[n % len(REVIEWS)] if n < reviewed else "",
            reviewed_by_id=teacher.id if n < reviewed else None,
            reviewed_at=_at(week + timedelta(days=6)) if n < reviewed else None,
        ))  # fmt: skip


def _login(student: Student, admin: User) -> None:
    """The demo student's account (学号 and the demo password), and an offer from the demo enterprise to answer."""
    db.session.add(User(name=student.name, password_hash=hash_password(DEMO_PASSWORD), role=Role.STUDENT,
                        student_id=student.id, organization_id=None))  # fmt: skip
    nominated = sa.select(Nomination.opening_id).where(Nomination.student_id == student.id)
    opening = db.session.scalar(
        sa.select(Opening)
        .join(HiringPlan, HiringPlan.id == Opening.plan_id)
        .join(Organization, Organization.id == HiringPlan.enterprise_id)
        .where(Organization.name == DEMO_ENTERPRISE, HiringPlan.status == PlanStatus.PUBLISHED,
               Opening.kind == OpeningKind.EMPLOYMENT, Opening.filled < Opening.headcount,
               Opening.id.not_in(nominated))
        .order_by(Opening.id)
        .limit(1)
    )  # fmt: skip
    if opening is not None:
        db.session.add(Nomination(opening_id=opening.id, student_id=student.id, status=NominationStatus.OFFERED,
                                  source=NominationSource.SCHOOL, created_by_id=admin.id))  # fmt: skip


def demo_student_login() -> str | None:
    """The 学号 the demo student signs in with."""
    return db.session.scalar(
        sa.select(Student.student_no).join(User, User.student_id == Student.id).order_by(User.id).limit(1)
    )


def _evaluations() -> None:
    """Four of the demo enterprise's finished interns evaluated it: its HR sees the averages."""
    finished = db.session.scalars(
        sa.select(Placement)
        .join(Opening, Opening.id == Placement.opening_id)
        .join(HiringPlan, HiringPlan.id == Opening.plan_id)
        .join(Organization, Organization.id == HiringPlan.enterprise_id)
        .where(Organization.name == DEMO_ENTERPRISE, Placement.status == PlacementStatus.COMPLETED)
        .order_by(Placement.id)
        .limit(4)
    ).all()  # fmt: skip
    answers = ((5, 4, "师傅带教耐心，安全培训到位。"), (4, 4, ""), (4, 3, "岗位内容有些单一。"), (5, 5, "收获很大。"))
    for placement, (enterprise, post, comment) in zip(finished, answers, strict=False):
        db.session.add(Evaluation(placement_id=placement.id, enterprise_id=placement.opening.plan.enterprise_id,
                                  enterprise_score=enterprise, post_score=post, comment=comment,
                                  at=_at(placement.end_date or date(2026, 11, 1))))  # fmt: skip
