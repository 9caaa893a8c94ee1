"""Demo data: the seeds' four alliances, their schools and enterprises, memberships with history, logins."""

import random
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from marketplace.alliances import services
from marketplace.alliances.models import Alliance, Tier
from marketplace.alliances.models import MembershipStatus as S
from marketplace.auth.models import Role, User
from marketplace.auth.passwords import hash_password
from marketplace.extensions import db
from marketplace.orgs.credit_code import make_credit_code
from marketplace.orgs.models import Organization, OrgKind, SchoolLevel
from marketplace.reference.models import Region

DEMO_PASSWORD = "Demo-2027-xqt"  # noqa: S105  (printed by `flask demo load`; demo databases only)
EMAIL_DOMAIN = "demo.xqt.cn"
DEMO_SCHOOL, DEMO_ENTERPRISE = "衡水科技工程学校", "德州华锐数控机床有限公司"

CITIES = {  # city: (division code, telephone area code, weight for generated enterprises)
    "衡水": ("131100", "0318", 18), "德州": ("371400", "0534", 18), "石家庄": ("130100", "0311", 8),
    "济南": ("370100", "0531", 8), "沧州": ("130900", "0317", 6), "聊城": ("371500", "0635", 6),
    "淄博": ("370300", "0533", 5), "保定": ("130600", "0312", 3), "邢台": ("130500", "0319", 3),
    "青岛": ("370200", "0532", 3), "潍坊": ("370700", "0536", 2),
}  # fmt: skip
J, Z, G = SchoolLevel.JIGONG, SchoolLevel.ZHONGZHI, SchoolLevel.GAOZHI
SCHOOLS = (  # name, city, level
    ("衡水市技师学院", "衡水", J), ("衡水科技工程学校", "衡水", Z), ("衡水职业技术学院", "衡水", G),
    ("衡水市职业技术教育中心", "衡水", Z), ("衡水市第一技工学校", "衡水", J),
    ("衡水智能制造技工学校", "衡水", J), ("衡水市冀州区职业技术教育中心", "衡水", Z),
    ("故城县职业技术教育中心", "衡水", Z), ("德州交通职业中等专业学校", "德州", Z),
    ("德州市技师学院", "德州", J), ("德州职业技术学院", "德州", G), ("德州科技职业学院", "德州", G),
    ("德州信息工程中等专业学校", "德州", Z), ("德州市陵城区职业教育中心", "德州", Z),
    ("禹城市职业教育中心学校", "德州", Z), ("齐河县职业中等专业学校", "德州", Z),
    ("德州智能制造技工学校", "德州", J), ("河北机电职业技术学院", "邢台", G),
    ("石家庄市技师学院", "石家庄", J), ("河北化工医药职业技术学院", "石家庄", G),
    ("保定技师学院", "保定", J), ("沧州市技师学院", "沧州", J), ("沧州职业技术学院", "沧州", G),
    ("济南市技师学院", "济南", J), ("山东劳动职业技术学院", "济南", G),
    ("济南工程职业技术学院", "济南", G), ("聊城市技师学院", "聊城", J), ("淄博市技师学院", "淄博", J),
    ("淄博职业学院", "淄博", G), ("青岛市技师学院", "青岛", J), ("山东工业技师学院", "潍坊", J),
)  # fmt: skip
ASSOC, INST = OrgKind.ASSOCIATION, OrgKind.INSTITUTE
OTHERS = (  # industry associations and research institutes: name, city, kind
    ("河北省职业技术教育学会", "石家庄", ASSOC), ("山东省机械工业协会", "济南", ASSOC),
    ("衡水市装备制造行业协会", "衡水", ASSOC), ("河北省职业教育研究所", "石家庄", INST),
    ("山东省智能制造研究院", "济南", INST),
)  # fmt: skip
FLAGSHIPS = {
    DEMO_ENTERPRISE: "德州",
    "衡水恒通橡塑制品有限公司": "衡水",
    "衡水冀康汽车零部件有限公司": "衡水",
}
ENTERPRISE_COUNT = 80
BRANDS = (
    "华锐", "恒达", "鑫源", "泰和", "宏远", "金诺", "中联", "瑞丰", "博远", "通达", "永盛", "天宇",
    "众诚", "精工", "铭诚", "凯瑞", "德润", "宝泰", "海川", "亿鑫", "北辰", "润通", "远航", "嘉诚",
)  # fmt: skip
MACHINERY = (
    "数控机床", "汽车零部件", "智能装备", "精密机械", "工程机械", "机器人科技", "电气设备",
    "暖通设备", "农业机械", "液压件",
)  # fmt: skip
TRADES = MACHINERY + (
    "橡塑制品", "新材料科技", "物流", "冷链物流", "供应链管理", "信息技术", "软件科技", "电子科技",
)  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ("建国", "志强", "秀英", "丽娟", "海涛", "文静", "晓明", "春梅", "立新", "宏伟", "玉兰", "振华")
STREETS = ("人民路", "胜利路", "新华路", "长江大道", "科技路", "创业路", "富民路", "迎宾大道")
CODE_KINDS = {OrgKind.SCHOOL: ("1", "2"), INST: ("1", "2"), OrgKind.ENTERPRISE: ("9", "1"), ASSOC: ("5", "1")}

GRADES = ["优秀", "较好", "合格", "不合格"]
ALLIANCES = (  # key, name, short name, secretariat (also the chair), description
    ("hs", "衡水技工教育联盟", "衡水技工联盟", "衡水市技师学院",
     "联盟由衡水市技师学院牵头，联合衡水及周边技工院校、职业学校和骨干企业自愿组成。"
     "联盟推动专业共建、订单培养和教师企业实践。"
     "企业选用毕业生时，联盟院校在同等条件下优先予以满足。"),
    ("dz", "德州市智能制造产学研创新联盟", "德州智造联盟", "德州职业技术学院",
     "联盟围绕德州智能制造产业，联合院校、企业和科研机构开展产学研合作。"
     "企业成员每半年制定用工计划并通过联盟网站发布，"
     "优先安排成员学校学生实习实训和就业。"),
    ("zz", "全国中等职业教育合作发展联席会", "中职联席会", "河北省职业技术教育学会",
     "联席会是中等职业学校和相关单位自愿结成的全国性合作平台，不收取会费。"
     "成员单位交流办学经验，共享实习就业信息，联合开展教师培训。"),
    ("jx", "机械行业技工院校高水平专业建设联盟", "机械行业技工联盟", "山东省机械工业协会",
     "联盟服务机械行业技工院校的高水平专业建设，设专家委员会和各专业协作组。"
     "成员单位共建课程与实训基地，联合开展技能评价和师资培养，不收取任何费用。"),
)  # fmt: skip
# admission (num, den, strict), quorum (num, den), notice months, lapse years, term years, term limit,
# reporting interval days
CHARTERS = {
    "hs": ((2, 3, False), (2, 3), 3, 3, 5, 2, None),
    "dz": ((2, 3, True), (2, 3), 0, None, 5, None, 30),
    "zz": ((1, 2, True), (1, 2), 0, None, 3, None, None),
    "jx": ((1, 2, False), (1, 2), 0, None, 4, None, None),
}
HS_RESOLUTIONS = ("approve_withdrawal", "expel", "amend_charter", "annual_plan", "other")  # 衡水 art. 15: 2/3 以上
# Issue 6: each charter's governance rules, article by article (see README "Governance").
GOVERNANCE = {
    "hs": dict(  # 衡水章程 art. 8–9, 12–13, 15–16, 19
        admission_checklist=["具备法人资格", "承认并遵守联盟章程", "愿意为衡水技工教育发展做贡献"],
        vote_rules={k: ">= 2/3 present" for k in HS_RESOLUTIONS},
        withdrawal_requires_vote=True, standing_share_num=1, standing_share_den=3,
    ),
    "dz": dict(  # 德州章程 art. 11–12; 德州实施办法 art. 6–7, 12–13
        admission_vote_base="council", admission_checklist=["具有独立法人资格的合法机构", "承认联盟章程"],
        vote_rules={"remove": "> 1/2 present"}, removal_after_failed_years=2,
        tier_quotas={"chair": 1, "vice_chair": 2, "standing": 5},
    ),
    "zz": dict(  # 联席会条例 art. 6, 8, 12, 15, 18–19, 23
        admission_checklist=["认可并承诺遵守联席会条例"], vote_rules={"amend_charter": "> 1/2 present"},
        certificate_prefix="ZZLXH", expert_term_years=3,
    ),
    "jx": dict(  # 机械联盟章程 art. 6–7, 9, 11
        admission_checklist=["具备法人资格", "承认并遵守联盟章程", "机械行业相关技工院校、企业或行业组织"],
        absence_flag_count=2, expert_term_years=4, expert_max_age=60, expert_min_title="associate_senior",
    ),
}  # fmt: skip
# vice chairs, standing, directors among the active members; the rest are 成员单位
TIERS = {"hs": (3, 2, 12), "dz": (2, 5, 10), "zz": (5, 4, 6), "jx": (3, 3, 6)}
# lifecycle scenarios besides the two pending applications each alliance gets
SPECIAL = {
    "hs": ("withdrawn", "lapsed", "leaving"),
    "dz": ("expelled", "rejected"),
    "zz": ("withdrawn", "rejected"),
}
APPLIED_ON = {  # application dates of the scenarios other than a plain active membership
    "applied": date(2026, 11, 9), "reviewing": date(2026, 10, 12), "rejected": date(2025, 10, 9),
    "withdrawn": date(2022, 8, 2), "leaving": date(2023, 1, 30), "lapsed": date(2022, 1, 30),
    "expelled": date(2022, 8, 2),
}  # fmt: skip
EFFECTIVE = [date(y, m, 1) for y in (2022, 2023, 2024) for m in (3, 9)]
P, SEC, ADM, STAFF = Role.PLATFORM_ADMIN, Role.SECRETARIAT, Role.ORG_ADMIN, Role.ORG_STAFF
USERS = (  # role description, email local part, name, mobile, role, organisation
    ("platform admin", "admin", "赵立新", "13803110001", P, "河北省职业教育研究所"),
    ("secretariat 衡水", "mishu.hs", "孙丽娟", "13931800002", SEC, "衡水市技师学院"),
    ("secretariat 德州", "mishu.dz", "周海涛", "15953400003", SEC, "德州职业技术学院"),
    ("secretariat 中职", "mishu.zz", "李文静", None, SEC, "河北省职业技术教育学会"),
    ("secretariat 机械", "mishu.jx", "王振华", None, SEC, "山东省机械工业协会"),
    ("school admin", "school", "刘春梅", "13731800004", ADM, DEMO_SCHOOL),
    ("school staff", "school.staff", "张晓明", None, STAFF, DEMO_SCHOOL),
    ("enterprise admin", "hr", "陈红霞", "18853400005", ADM, DEMO_ENTERPRISE),
    ("enterprise staff", "hr.staff", "杨永辉", None, STAFF, DEMO_ENTERPRISE),
)


def has_demo() -> bool:
    """Whether any alliance exists, in which case the demo is not loaded again."""
    return db.session.scalar(sa.select(Alliance.id).limit(1)) is not None


def demo_logins() -> list[tuple[str, str]]:
    """One (role description, login email) per demo role; all share DEMO_PASSWORD."""
    return [(desc, f"{local}@{EMAIL_DOMAIN}") for desc, local, *_ in USERS]


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=UTC)


def _steps(scenario: str, alliance: Alliance, applied: date) -> list[tuple[S, date, str]]:
    """The lifecycle steps after the application, for one scenario."""
    review = (S.UNDER_REVIEW, applied + timedelta(days=10), "秘书处资格审查通过，提交理事会审议")
    approve = (S.ACTIVE, applied + timedelta(days=30), "理事会审议通过")
    asked = date(2024, 3, 1)
    left = alliance.earliest_withdrawal(asked) + timedelta(days=14)
    return {
        "applied": [],
        "reviewing": [review],
        "active": [review, approve],
        "rejected": [review, (S.REJECTED, approve[1], "经理事会审议，暂不符合成员条件")],
        "withdrawn": [
            review, approve, (S.WITHDRAWAL_REQUESTED, asked, "书面申请退出联盟"),
            (S.WITHDRAWN, left, "理事会同意退出，收回成员证书"),
        ],
        "leaving": [review, approve, (S.WITHDRAWAL_REQUESTED, date(2026, 10, 15), "因办学调整书面申请退出")],
        "lapsed": [review, approve, (S.LAPSED, date(2025, 3, 1), "连续三年未履行成员义务，视为退出")],
        "expelled": [review, approve, (S.EXPELLED, date(2025, 1, 20), "连续两年考核不合格，理事会表决终止")],
    }[scenario]  # fmt: skip


def _joins(key: str, org: Organization, share) -> bool:
    """Whether `org` is in (or applies to) alliance `key`; `share(p)` is a draw with probability p."""
    city, firm, level = org.city.name.removesuffix("市"), org.kind is OrgKind.ENTERPRISE, org.school_level
    hebei = org.city.code.startswith("13")
    if key == "hs":  # 衡水 in full, the rest of Hebei in part, and 德州 across the provincial border
        return (city == "衡水" or org.name == DEMO_ENTERPRISE or (hebei and share(0.35))
                or (city == "德州" and share(0.6 if firm else 0.3)))  # fmt: skip
    if key == "dz":  # the mirror image; the demo school applies separately
        return org.name != DEMO_SCHOOL and (city == "德州" or (not hebei and share(0.35))
                                            or (city == "衡水" and share(0.6 if firm else 0.3)))  # fmt: skip
    if key == "zz":  # 中职 schools and institutes in full, others in part
        return (org.kind is INST or level is Z or (level is not None and share(0.5 if level is G else 0.2))
                or (firm and share(0.1)))  # fmt: skip
    machinery = firm and any(trade in org.name for trade in MACHINERY)
    return ((level is J and share(0.8)) or (level is G and share(0.3)) or (machinery and share(0.4))
            or org.name in ("山东省智能制造研究院", "衡水市装备制造行业协会"))  # fmt: skip


class _Builder:
    """The seeded random generator, the regions and the credit codes in use while building."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)  # noqa: S311  (demo data, not security)
        codes = [code for code, _, _ in CITIES.values()]
        query = sa.select(Region).where(Region.code.in_(codes))
        self.regions = {r.code: r for r in db.session.scalars(query)}
        self.used = set(db.session.scalars(sa.select(Organization.credit_code)))
        self.admin: User | None = None

    def org(self, name: str, kind: OrgKind, city: str, **extra) -> Organization:
        """One organisation with a unique valid credit code, a contact person and an address."""
        rng, (code, area, _) = self.rng, CITIES[city]
        credit = make_credit_code(code, rng, *CODE_KINDS[kind])
        while credit in self.used:
            credit = make_credit_code(code, rng, *CODE_KINDS[kind])
        self.used.add(credit)
        mobile = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        landline = f"{area}-{rng.randint(2000000, 8999999)}"
        region = self.regions[code]
        org = Organization(
            name=name, kind=kind, credit_code=credit, city=region, province=region.parent,
            contact_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            contact_phone=mobile if kind is OrgKind.ENTERPRISE and rng.random() < 0.5 else landline,
            address=f"{region.name}{rng.choice(STREETS)}{rng.randint(1, 899)}号", **extra,
        )  # fmt: skip
        db.session.add(org)
        return org

    def organizations(self) -> list[Organization]:
        """Schools, enterprises (flagships, then generated names), associations and institutes."""
        rng, names = self.rng, dict(FLAGSHIPS)
        while len(names) < ENTERPRISE_COUNT:
            city = rng.choices(list(CITIES), weights=[w for _, _, w in CITIES.values()])[0]
            names.setdefault(f"{city}{rng.choice(BRANDS)}{rng.choice(TRADES)}有限公司", city)
        orgs = [self.org(name, OrgKind.SCHOOL, city, school_level=level) for name, city, level in SCHOOLS]
        for name, city in names.items():
            orgs.append(self.org(name, OrgKind.ENTERPRISE, city, staff_count=int(50 * 100 ** rng.random())))
        orgs += [self.org(name, kind, city) for name, city, kind in OTHERS]
        db.session.flush()
        return orgs

    def membership(self, org, alliance: Alliance, scenario: str, applied: date, tier=Tier.MEMBER) -> None:
        """Apply, then walk the scenario's steps, so that history rows and audit events exist."""
        note = f"{org.name}申请加入{alliance.short_name}"
        m = services.apply(org.id, alliance, actor=self.admin, note=note, on=applied)
        m.applied_at = m.transitions[-1].at = _at(applied)
        for status, day, reason in _steps(scenario, alliance, applied):
            with_tier = tier if status is S.ACTIVE else None
            services.decide(m, status, actor=self.admin, reason=reason, on=day, tier=with_tier)
            m.decided_at = m.transitions[-1].at = _at(day)

    def alliance(self, key: str, name: str, short_name: str, secretariat: Organization, description: str):
        """The alliance with its charter parameters from DOMAIN.md."""
        (adm_num, adm_den, strict), (q_num, q_den), notice, lapse, term, limit, report = CHARTERS[key]
        alliance = Alliance(
            name=name, short_name=short_name, description=description, secretariat=secretariat,
            admission_vote_num=adm_num, admission_vote_den=adm_den, admission_vote_strict=strict,
            quorum_num=q_num, quorum_den=q_den, withdrawal_notice_months=notice, lapse_after_years=lapse,
            officer_term_years=term, officer_term_limit=limit, reporting_interval_days=report,
            assessment_grades=list(GRADES), priority_tolerance=0.02, **GOVERNANCE[key],
        )  # fmt: skip
        db.session.add(alliance)
        return alliance


def build_demo(seed: int) -> None:
    """Create the demo world in the session and flush; the caller commits."""
    b = _Builder(seed)
    orgs = b.organizations()
    by_name = {o.name: o for o in orgs}
    users = {}
    for _, local, name, mobile, role, org in USERS:
        password_hash = hash_password(DEMO_PASSWORD)
        users[local] = User(email=f"{local}@{EMAIL_DOMAIN}", mobile=mobile, name=name, role=role,
                            password_hash=password_hash, organization=by_name[org])  # fmt: skip
        db.session.add(users[local])
    db.session.flush()
    b.admin = users["admin"]
    reserved = {by_name[DEMO_SCHOOL], by_name[DEMO_ENTERPRISE]}
    for key, name, short_name, secretariat, description in ALLIANCES:
        alliance = b.alliance(key, name, short_name, by_name[secretariat], description)
        chair = by_name[secretariat]
        rest = [o for o in orgs if o is not chair and _joins(key, o, lambda p: b.rng.random() < p)]
        b.membership(chair, alliance, "active", date(2021, 12, 2), tier=Tier.CHAIR)
        others = [o for o in rest if o not in reserved]
        b.rng.shuffle(others)
        scenarios = ("applied", "reviewing", *SPECIAL.get(key, ("rejected",)))
        for org, scenario in zip(others, scenarios, strict=False):
            b.membership(org, alliance, scenario, APPLIED_ON[scenario])
        vice, standing, directors = TIERS[key]
        tiers = [Tier.VICE_CHAIR] * vice + [Tier.STANDING] * standing + [Tier.DIRECTOR] * directors
        actives = others[len(scenarios) :] + [o for o in rest if o in reserved]
        for i, org in enumerate(actives):
            tier = tiers[i] if i < len(tiers) else Tier.MEMBER
            b.membership(org, alliance, "active", b.rng.choice(EFFECTIVE) - timedelta(days=30), tier=tier)
        if key == "dz":  # the demo school's pending application, for the 德州 secretariat to review
            b.membership(by_name[DEMO_SCHOOL], alliance, "applied", date(2026, 11, 3))
    db.session.flush()
