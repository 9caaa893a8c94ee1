"""Demo market: ~3,000 graduates in cohorts, ~600 openings in two half-year plans, pipeline in every state."""

import random
from datetime import date

import sqlalchemy as sa

from marketplace.alliances.models import IN_FORCE_STATUSES, Alliance, Membership
from marketplace.auth.models import User
from marketplace.cohorts.models import Cohort, ConsentRecord, Gender, Student, StudentCertificate
from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.orgs.models import Organization, OrgKind, SchoolLevel
from marketplace.pipeline.models import Nomination, NominationSource, NominationStatus, Placement, PlacementStatus
from marketplace.plans.models import HiringPlan, Opening, OpeningCertificate, OpeningKind, PlanStatus, ShiftPattern
from marketplace.reference.models import Major, MajorLevel, Occupation

STUDENTS_PER_SCHOOL = 100
GRADUATION_YEAR = 2027
# title, occupation code, words the wanted majors' names contain, certificate
POSTS = (
    ("数控车床操作工", "6-18-01-01", ("数控", "机械", "车工"), "车工"),
    ("数控铣工", "6-18-01-02", ("数控", "机械"), "铣工"),
    ("焊工", "6-18-02-04", ("焊接",), "焊工"),
    ("维修电工", "6-31-01-03", ("电气", "机电"), "电工"),
    ("汽车维修技师助理", "4-12-01-01", ("汽车",), "汽车维修工"),
    ("模具工", "6-18-04-01", ("模具",), "模具工"),
    ("装配钳工", "6-20-01-01", ("机械", "机电", "机器人"), "装配钳工"),
    ("会计助理", "2-06-03-00", ("会计",), ""),
    ("中餐厨师", "4-03-02-01", ("烹饪",), "中式烹调师"),
)
KIND_WEIGHTS = {
    OpeningKind.POST_INTERNSHIP: 5, OpeningKind.EMPLOYMENT: 4, OpeningKind.COGNITIVE_INTERNSHIP: 1,
    OpeningKind.WORK_STUDY: 1, OpeningKind.ORDER_CLASS: 1, OpeningKind.APPRENTICESHIP: 1,
}  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英浩宇子涵欣怡梓轩一诺"
LEVEL_OF_SCHOOL = {SchoolLevel.JIGONG: MajorLevel.JIGONG, SchoolLevel.ZHONGZHI: MajorLevel.ZHONGZHI,
                   SchoolLevel.GAOZHI: MajorLevel.GAOZHI, SchoolLevel.BENKE: MajorLevel.GAOZHI}  # fmt: skip
SKILLS = ["识图", "CAD", "PLC", "钳工基础", "数控编程", "安全生产", "Office", "沟通"]
HALVES = ((2026, 2, date(2026, 7, 1)), (2027, 1, date(2027, 3, 1)))


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _students(rng, school: Organization, cohort: Cohort, majors: list[Major], recorder: User | None) -> list[Student]:
    students = []
    for i in range(STUDENTS_PER_SCHOOL):
        major = rng.choice(majors)
        consent = rng.random() < 0.85
        student = Student(
            school=school, cohort=cohort, student_no=f"{GRADUATION_YEAR - 3}{school.id:03d}{i:04d}", name=_name(rng),
            gender=rng.choice(list(Gender)), birth_date=date(2008, 1, 1).replace(month=rng.randint(1, 12)),
            enrolled_on=date(GRADUATION_YEAR - 3, 9, 1), major=major, level=major.level,
            skills="、".join(rng.sample(SKILLS, 3)),
            grade_score=round(rng.uniform(60, 98), 1), phone=f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}",
            wanted_kinds=rng.sample([k.value for k in OpeningKind], 2), wanted_cities=[school.city],
            consent_to_share=consent,
        )  # fmt: skip
        if rng.random() < 0.4:
            student.certificates = [StudentCertificate(name=rng.choice(POSTS)[3] or "电工", level=rng.randint(1, 3))]
        if consent:
            student.consents = [ConsentRecord(granted=True, recorded_by_id=getattr(recorder, "id", None),
                                              evidence="2026-09 入学教育签字")]  # fmt: skip
        db.session.add(student)  # before autoflush meets it in cohort.students
        students.append(student)
    return students


def _openings(rng, plan: HiringPlan, start: date, majors: list[Major], occupations: dict) -> None:
    for _ in range(rng.randint(4, 6)):
        title, code, words, cert = rng.choice(POSTS)
        kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
        wage = rng.randrange(4000, 8001, 500)
        opening = Opening(
            kind=kind, title=title, occupation=occupations.get(code), city=plan.enterprise.city,
            headcount=rng.randint(2, 10), pay_min=wage * 4 // 5, pay_max=wage, post_wage=wage,
            start_date=start, end_date=start.replace(month=start.month + 5, day=28),
            shift_pattern=rng.choice([ShiftPattern.DAY, ShiftPattern.TWO_SHIFTS]), staff_in_post=rng.randint(40, 200),
            skills="识图、" + title, description=f"{plan.enterprise.name}招聘{title}，提供食宿。",
        )  # fmt: skip
        opening.majors = [m for m in majors if any(w in m.name for w in words)][:4]
        if cert:
            opening.certificates = [OpeningCertificate(name=cert, min_level=rng.randint(1, 2))]
        plan.openings.append(opening)


def _pipeline(rng, openings: list[Opening], students: list[Student], actor_id: int) -> None:
    """Nominations in every state; accepted ones become placements without overfilling any opening."""
    consenting = [s for s in students if s.consent_to_share]
    rng.shuffle(consenting)
    placed_kinds: set[tuple[int, OpeningKind]] = set()
    states = [NominationStatus.NOMINATED, NominationStatus.INVITED, NominationStatus.SHORTLISTED,
              NominationStatus.REJECTED, NominationStatus.OFFERED, NominationStatus.DECLINED,
              NominationStatus.WITHDRAWN] + [NominationStatus.ACCEPTED] * 5  # fmt: skip
    for student, opening in zip(consenting[:900], rng.choices(openings, k=900), strict=True):
        status = rng.choice(states)
        if status is NominationStatus.ACCEPTED and (
            opening.filled >= opening.headcount or (student.id, opening.kind) in placed_kinds
        ):
            status = NominationStatus.OFFERED
        source = NominationSource.ENTERPRISE if status is NominationStatus.INVITED else NominationSource.SCHOOL
        reason = "专业不对口" if status is NominationStatus.REJECTED else ""
        nomination = Nomination(opening=opening, student=student, status=status, created_by_id=actor_id,
                                source=source, reason=reason)  # fmt: skip
        db.session.add(nomination)
        if status is NominationStatus.ACCEPTED:
            opening.filled += 1
            placed_kinds.add((student.id, opening.kind))
            past = opening.start_date < date(2027, 1, 1)
            outcome = rng.choice([PlacementStatus.COMPLETED] * 4 + [PlacementStatus.LEFT_EARLY]) if past else None
            db.session.add(Placement(
                opening=opening, student=student, nomination=nomination, kind=opening.kind,
                start_date=opening.start_date, end_date=opening.end_date, pay=opening.pay_min,
                status=outcome or PlacementStatus.ONGOING, arrived_on=opening.start_date if past else None,
                enterprise_feedback="表现良好" if outcome is PlacementStatus.COMPLETED else "",
            ))  # fmt: skip


def build_market(seed: int) -> None:
    rng = random.Random(seed + 1)  # noqa: S311  (demo data, not secrets)
    majors = list(db.session.scalars(sa.select(Major).order_by(Major.level, Major.code)))
    by_level = {level: [m for m in majors if m.level is level] for level in MajorLevel}
    occupations = {o.code: o for o in db.session.scalars(sa.select(Occupation).where(Occupation.level == 4))}
    admin = db.session.scalar(sa.select(User).order_by(User.id))
    students: list[Student] = []
    for school in db.session.scalars(sa.select(Organization).where(Organization.kind == OrgKind.SCHOOL)).all():
        cohort = Cohort(school=school, graduation_year=GRADUATION_YEAR)
        db.session.add(cohort)
        level = LEVEL_OF_SCHOOL[school.school_level]
        students += _students(rng, school, cohort, by_level[level] or majors, admin)
    db.session.add_all(students)
    in_force = sa.select(Membership.organization_id, Alliance).join(Alliance, Alliance.id == Membership.alliance_id)
    alliances_of: dict[int, list[Alliance]] = {}
    for org_id, alliance in db.session.execute(in_force.where(Membership.status.in_(IN_FORCE_STATUSES))):
        alliances_of.setdefault(org_id, []).append(alliance)
    openings: list[Opening] = []
    enterprises = db.session.scalars(sa.select(Organization).where(Organization.kind == OrgKind.ENTERPRISE))
    for enterprise in enterprises:
        if enterprise.id not in alliances_of:
            continue
        for year, half, start in HALVES:
            products, needs = offerings(enterprise.name)
            plan = HiringPlan(enterprise=enterprise, year=year, half=half, status=PlanStatus.PUBLISHED,
                              published_at=utcnow(), labour_standards="五险一金，包食宿，每周休息一天",
                              core_products=products, technical_needs=needs)  # fmt: skip
            plan.alliances = alliances_of[enterprise.id]
            _openings(rng, plan, start, majors, occupations)
            db.session.add(plan)
            openings += plan.openings
    db.session.flush()
    _pipeline(rng, openings, students, admin.id)
    db.session.flush()


# What an enterprise states on its plan for the 市域产教联合体 lists, by the trade its name names (no random draw:
# the demo's other data keep their seed).
OFFERINGS = {
    "数控机床": ("立式加工中心：三轴，国产数控系统\n数控车床：卧式", "五轴联动加工精度补偿：热变形导致精度漂移"),
    "精密机械": ("精密齿轮：6 级精度\n减速器壳体", "薄壁件装夹变形：批量加工合格率低"),
    "工程机械": ("小型挖掘机：6 吨级\n装载机铲斗", "焊接机器人离线编程：换型调试时间长"),
    "汽车零部件": ("制动钳总成\n转向节", "冲压件回弹控制：模具调试周期长"),
    "电气设备": ("低压开关柜\n配电箱", "柜体装配工艺标准化：依赖老师傅经验"),
    "机器人": ("码垛机器人：负载 50 kg\n焊接工作站", "视觉引导抓取：来料位置偏差大"),
    "液压件": ("液压油缸\n齿轮泵", "密封件寿命：高温工况泄漏"),
    "农业机械": ("小麦播种机\n玉米收获机割台", "作业监测终端：田间数据采集"),
    "暖通设备": ("空气源热泵\n散热器", "换热效率测试：缺少检测手段"),
    "物流": ("冷链仓储服务\n城市配送", "仓储管理系统：库位优化"),
    "软件": ("制造执行系统（MES）\n设备联网网关", "工业数据治理：多品牌设备协议不通"),
    "橡塑": ("橡胶密封圈\n注塑件", "注塑缺陷检测：人工目检漏检"),
    "新材料": ("碳纤维复合板材", "复合材料无损检测：缺少专业人员"),
    "智能装备": ("自动化装配线", "产线数字孪生：调试周期长"),
}


def offerings(name: str) -> tuple[str, str]:
    return next((v for k, v in OFFERINGS.items() if k in name), ("", ""))
