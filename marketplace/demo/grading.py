"""Demo internships in the stages after the match that the other demo modules leave out, so that every page shows
real data: the school's rubric; one 岗位实习 graded by both sides, closed and evaluated; one ended with only the
mentor's grade (a warning: ended without a grade); a minor whose missing guardian consent blocks the start; and the
demo student's next internship, whose agreement waits for the student's own signature."""

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from marketplace.auth.models import User
from marketplace.cohorts.models import Student
from marketplace.demo.data import DEMO_ENTERPRISE, DEMO_SCHOOL, EMAIL_DOMAIN
from marketplace.demo.internships import _org, _signed
from marketplace.extensions import db
from marketplace.grading.models import FinalGrade, Grade, GradeSide, GradingScheme, RubricCriterion
from marketplace.grading.services import DEFAULT_CRITERIA, combined, side_score
from marketplace.internships.models import Agreement, Insurance, InsurancePayer
from marketplace.internships.services import default_terms
from marketplace.pipeline.models import Placement, PlacementStatus
from marketplace.plans.models import HiringPlan, Opening, OpeningKind, ShiftPattern
from marketplace.students.models import Evaluation, FinalReport, Journal
from marketplace.students.services import monday

GRADED_POINTS = {GradeSide.ENTERPRISE: [92, 88, 95, 85], GradeSide.SCHOOL: [85, 82, 90, 88]}


def _user(email_local: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == f"{email_local}@{EMAIL_DOMAIN}"))


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=UTC)


def _opening(plan, enterprise, title: str, start: date, end: date, headcount: int) -> Opening:
    opening = Opening(
        plan=plan, kind=OpeningKind.POST_INTERNSHIP, title=title, city_id=enterprise.city_id, headcount=headcount,
        filled=headcount, pay_min=4000, pay_max=4800, post_wage=5000, start_date=start, end_date=end,
        shift_pattern=ShiftPattern.DAY, staff_in_post=40, skills="装配、识图、钳工",
        description="在师傅指导下完成部件装配。",
    )  # fmt: skip
    db.session.add(opening)
    return opening


def _grade(placement: Placement, side: GradeSide, by: User, on: date, comment: str) -> Grade:
    points = GRADED_POINTS[side]
    lines = [{"name": c.name, "weight": c.weight, "max_points": c.max_points, "points": p}
             for c, p in zip(DEFAULT_CRITERIA, points, strict=True)]  # fmt: skip
    grade = Grade(placement_id=placement.id, side=side, lines=lines, score=side_score(DEFAULT_CRITERIA, points),
                  comment=comment, graded_by_id=by.id, graded_at=_at(on))  # fmt: skip
    db.session.add(grade)
    return grade


def build_grading(seed: int) -> None:  # noqa: ARG001  (fixed data: the stages are the point)
    school, enterprise = _org(DEMO_SCHOOL), _org(DEMO_ENTERPRISE)
    admin, teacher, hr = _user("school"), _user("school.staff"), _user("hr")
    db.session.add(GradingScheme(school_id=school.id, enterprise_weight=50, updated_by_id=admin.id))
    db.session.add_all(RubricCriterion(school_id=school.id, position=i, name=c.name, weight=c.weight,
                                       max_points=c.max_points) for i, c in enumerate(DEFAULT_CRITERIA))  # fmt: skip
    plan = db.session.scalar(sa.select(HiringPlan).where(HiringPlan.enterprise_id == enterprise.id).limit(1))
    placed = sa.select(Placement.student_id).where(Placement.kind == OpeningKind.POST_INTERNSHIP)
    with_account = sa.select(User.student_id).where(User.student_id.is_not(None))
    graded_student, ungraded_student, minor = db.session.scalars(
        sa.select(Student)
        .where(Student.school_id == school.id, Student.id.not_in(placed), Student.id.not_in(with_account))
        .order_by(Student.student_no.desc())
        .limit(3)
    ).all()  # fmt: skip

    spring = _opening(plan, enterprise, "装配钳工（岗位实习）", date(2026, 3, 2), date(2026, 8, 31), 2)
    winter = _opening(plan, enterprise, "电气装配（岗位实习）", date(2026, 12, 14), date(2027, 6, 30), 2)
    graded, ungraded = (
        Placement(opening=spring, student=s, kind=spring.kind, start_date=spring.start_date, end_date=spring.end_date,
                  pay=4500, arrived_on=spring.start_date, status=PlacementStatus.COMPLETED)
        for s in (graded_student, ungraded_student)
    )  # fmt: skip
    minor.birth_date, minor.enrolled_on = date(2009, 3, 1), date(2024, 9, 1)  # 17 on the start date
    blocked = Placement(opening=winter, student=minor, kind=winter.kind, start_date=winter.start_date,
                        end_date=winter.end_date, pay=4200)  # fmt: skip
    db.session.add_all([graded, ungraded, blocked])
    db.session.flush()

    for p, signed_on in ((graded, date(2026, 2, 20)), (ungraded, date(2026, 2, 20)), (blocked, date(2026, 11, 28))):
        agreement = _signed(p, 1, admin, hr, signed_on)
        if p is blocked:  # a minor's student side is the guardian's signature, recorded by the school
            agreement.student_signer = "王建国（父亲）"
        db.session.add(agreement)
        db.session.add(Insurance(placement_id=p.id, insurer="中国人民财产保险股份有限公司衡水市分公司",
                                 policy_no=f"PZAE-2026-{p.id:08d}", covers_from=p.start_date, covers_to=p.end_date,
                                 payer=InsurancePayer.SCHOOL, recorded_by_id=admin.id))  # fmt: skip
    for week in range(12):
        day = monday(graded.start_date) + timedelta(weeks=week * 2)
        text = f"第{week * 2 + 1}周：装配与检验练习，记录问题并改进。"
        db.session.add(Journal(placement_id=graded.id, week_start=day, content=text,
                               submitted_at=_at(day), review_comment="已阅。", reviewed_by_id=teacher.id,
                               reviewed_at=_at(day)))  # fmt: skip
    db.session.add(FinalReport(placement_id=graded.id, content="半年岗位实习总结：掌握了部件装配、检验与5S管理。" * 3,
                               submitted_at=_at(date(2026, 8, 28)), review_comment="总结认真。",
                               reviewed_by_id=teacher.id, reviewed_at=_at(date(2026, 9, 2))))  # fmt: skip
    e = _grade(graded, GradeSide.ENTERPRISE, hr, date(2026, 9, 1), "动手能力强，服从安排。")
    s = _grade(graded, GradeSide.SCHOOL, teacher, date(2026, 9, 3), "周志按时，总结认真。")
    db.session.add(FinalGrade(placement_id=graded.id, enterprise_score=e.score, school_score=s.score,
                              enterprise_weight=50, score=combined(e.score, s.score, 50), closed_by_id=teacher.id,
                              closed_at=_at(date(2026, 9, 5))))  # fmt: skip
    db.session.add(Evaluation(placement_id=graded.id, enterprise_id=enterprise.id, enterprise_score=5, post_score=4,
                              comment="师傅指导细致，装配岗位学到很多。", at=_at(date(2026, 8, 30))))  # fmt: skip
    _grade(ungraded, GradeSide.ENTERPRISE, hr, date(2026, 9, 1), "完成了实习任务。")
    _next_internship_of_the_demo_student(winter, admin, hr)
    db.session.flush()


def _next_internship_of_the_demo_student(opening: Opening, admin: User, hr: User) -> None:
    """The demo student's next 岗位实习, starting in two weeks: insured, its agreement signed by the school and the
    enterprise; the student signs it on the phone (until then it is a warning: the start is near)."""
    student = db.session.scalar(sa.select(Student).join(User, User.student_id == Student.id).order_by(User.id).limit(1))
    if student is None:
        return
    ongoing = sa.select(Placement.id).where(Placement.student_id == student.id,
                                           Placement.kind == OpeningKind.POST_INTERNSHIP,
                                           Placement.status == PlacementStatus.ONGOING)  # fmt: skip
    if db.session.scalar(ongoing) is not None:
        return
    placement = Placement(opening=opening, student=student, kind=opening.kind, start_date=opening.start_date,
                          end_date=opening.end_date, pay=4600)  # fmt: skip
    db.session.add(placement)
    db.session.flush()
    on = date(2026, 11, 30)
    db.session.add(Agreement(placement=placement, version=1, created_by_id=admin.id, **default_terms(placement),
                             school_signed_on=on, school_signed_by_id=admin.id, enterprise_signed_on=on,
                             enterprise_signed_by_id=hr.id, no_fees_confirmed=True))  # fmt: skip
    db.session.add(Insurance(placement_id=placement.id, insurer="中国人民财产保险股份有限公司衡水市分公司",
                             policy_no=f"PZAE-2026-{placement.id:08d}", covers_from=placement.start_date,
                             covers_to=placement.end_date, payer=InsurancePayer.ENTERPRISE,
                             recorded_by_id=hr.id))  # fmt: skip
