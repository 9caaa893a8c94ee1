"""The internship rules of 职业学校学生实习管理规定 (教职成〔2021〕4号) as data and pure functions.

Each rule carries the article it comes from and the regulation's words (`RULES`). `verified` says whether the article
number was read in the 2021 text itself; where only the 2021 wording was found (in reports of the revision) and not
its number, `article` is None and the page cites the regulation without an article rather than guess one.

| rule | article (2021) | the regulation's words |
|---|---|---|
| enterprise_share, post_share | 11 (1st para.) | 岗位实习学生的人数一般不超过实习单位在岗职工总数的10%，在具体岗位 |
| | | 实习的学生人数一般不高于同类岗位在岗职工总人数的20% |
| first_year | 16(1) | 不得安排、接收一年级在校学生进行岗位实习 |
| min_age | 16(2) | 不得安排、接收未满16周岁的学生进行岗位实习 |
| minors_forbidden_work | 16(3) | 不得安排未成年学生从事《未成年工特殊保护规定》中禁忌从事的劳动 |
| women_forbidden_work | 16(4) | 不得安排实习的女学生从事《女职工劳动保护特别规定》中禁忌从事的劳动 |
| restricted_venue | 16(5) | 酒吧、夜总会、歌厅、洗浴中心、电子游戏厅、网吧等营业性娱乐场所 |
| paid_agent | 16(6) | 不得通过中介机构或有偿代理组织、安排和管理学生实习工作 |
| labour_dispatch | 16(6) | 劳务派遣 is not named in the 2021 text: our reading of 16(6)'s 中介机构或有偿代理 |
| heavy_labour | 16(7) | 不得安排学生从事III级强度及以上体力劳动或其他有害身心健康的实习 |
| high_risk | 17(1) | 高空、井下、放射性、有毒、易燃易爆，以及其他具有较高安全风险的实习 |
| holiday_work | 17(2) | 安排学生在休息日、法定节假日实习 |
| night_or_overtime | 17(3) | 安排学生加班和上夜班 |
| min_pay | 18 | 原则上应不低于本单位相同岗位工资标准的80%或最低档工资标准 … 以货币形式及时、足额、直接支付给学生 |
| pay records | 18 | 原则上支付周期不得超过1个月，不得以物品或代金券等代替货币支付或经过第三方转发 |

Art. 17 opens with its one exception: "除相关专业和实习岗位有特殊要求，并事先报上级主管部门备案的实习安排外" — the
product does not model that filing, so 17(1)–(3) are refused outright (an alliance cannot waive them).
The gates before a start (internships/gates.py) cite art. 14 (the tripartite agreement, content in art. 15), art. 9
(1st para., 知情同意书 signed by the student and the guardian), art. 35 (实习责任保险, paid by the school or the
enterprise, never deducted from the student) and art. 20 (no deposits, fees or withheld papers).

Sources: the 2021 text as published with the notice (gov.cn attachment of 2022-01-21,
http://www.moe.gov.cn/srcsite/A07/moe_737/s3876_qt/202201/t20220121_595529.html), read in a word-for-word copy;
arts. 2, 16 and 18 also matched against https://wechat.estsglobal.com/wechat/law_contents/348 and /350. Checked for
issue 15 on 2026-12-03: every article above was read in that text (the 2016 rules, 教职成〔2016〕3号, number them
differently: shares art. 9, prohibitions art. 15, pay art. 17).

Each check returns breaches; a breach marked `waivable` is a rule the regulation words as "generally"
(一般不超过), which the alliance secretariat may waive for one opening with a recorded reason.
"""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from marketplace.plans.models import OpeningKind, ShiftPattern

ENTERPRISE_SHARE = "enterprise_share"
POST_SHARE = "post_share"
MIN_AGE = "min_age"
FIRST_YEAR = "first_year"
MINORS_FORBIDDEN_WORK = "minors_forbidden_work"
WOMEN_FORBIDDEN_WORK = "women_forbidden_work"
NIGHT_OR_OVERTIME = "night_or_overtime"
HOLIDAY_WORK = "holiday_work"
RESTRICTED_VENUE = "restricted_venue"
PAID_AGENT = "paid_agent"
LABOUR_DISPATCH = "labour_dispatch"
HEAVY_LABOUR = "heavy_labour"
HIGH_RISK = "high_risk"
MIN_PAY = "min_pay"


@dataclass(frozen=True)
class Rule:
    code: str
    article: str | None  # "16(3)": article and item of the 2021 text (None: cite the regulation without one)
    words: str  # the regulation's words, short


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule(FIRST_YEAR, "16(1)", "安排、接收一年级在校学生进行岗位实习"),
        Rule(MIN_AGE, "16(2)", "安排、接收未满16周岁的学生进行岗位实习"),
        Rule(MINORS_FORBIDDEN_WORK, "16(3)", "安排未成年学生从事《未成年工特殊保护规定》中禁忌从事的劳动"),
        Rule(WOMEN_FORBIDDEN_WORK, "16(4)", "安排实习的女学生从事《女职工劳动保护特别规定》中禁忌从事的劳动"),
        Rule(RESTRICTED_VENUE, "16(5)", "酒吧、夜总会、歌厅、洗浴中心、电子游戏厅、网吧等营业性娱乐场所"),
        Rule(PAID_AGENT, "16(6)", "通过中介机构或有偿代理组织、安排和管理学生实习工作"),
        Rule(LABOUR_DISPATCH, "16(6)", "通过中介机构或有偿代理组织、安排和管理学生实习工作"),
        Rule(HEAVY_LABOUR, "16(7)", "III级强度及以上体力劳动或其他有害身心健康的实习"),
        Rule(MIN_PAY, "18", "不低于本单位相同岗位工资标准的80%或最低档工资标准"),
        Rule(HIGH_RISK, "17(1)", "高空、井下、放射性、有毒、易燃易爆，以及其他具有较高安全风险的实习"),
        Rule(HOLIDAY_WORK, "17(2)", "安排学生在休息日、法定节假日实习"),
        Rule(NIGHT_OR_OVERTIME, "17(3)", "安排学生加班和上夜班"),
        Rule(ENTERPRISE_SHARE, "11", "岗位实习学生的人数一般不超过实习单位在岗职工总数的10%"),
        Rule(POST_SHARE, "11", "在具体岗位实习的学生人数一般不高于同类岗位在岗职工总人数的20%"),
    )
}

WAIVABLE = frozenset({ENTERPRISE_SHARE, POST_SHARE})
# Kinds counted against the 10%/20% shares: every internship that puts students in posts (not visits).
SHARE_KINDS = frozenset(
    {OpeningKind.POST_INTERNSHIP, OpeningKind.WORK_STUDY, OpeningKind.ORDER_CLASS, OpeningKind.APPRENTICESHIP}
)
# Opening flags that no internship may carry, in the order the form shows them.
FORBIDDEN_FLAGS = {
    "restricted_venue": RESTRICTED_VENUE,
    "via_paid_agent": PAID_AGENT,
    "labour_dispatch": LABOUR_DISPATCH,
    "heavy_labour": HEAVY_LABOUR,
    "high_risk": HIGH_RISK,
    "holiday_work": HOLIDAY_WORK,
}


@dataclass(frozen=True)
class Breach:
    rule: str
    detail: dict

    @property
    def waivable(self) -> bool:
        return self.rule in WAIVABLE

    @property
    def article(self) -> str | None:
        return RULES[self.rule].article


def opening_breaches(
    *,
    kind: OpeningKind,
    shift_pattern: ShiftPattern,
    requires_overtime: bool,
    pay_min: int,
    post_wage: int | None,
    **flags: bool,
) -> list[Breach]:
    """Rules that concern the opening itself, checked when it is saved; `flags` are the `FORBIDDEN_FLAGS` set."""
    if not kind.is_internship:
        return []
    breaches = []
    if shift_pattern is ShiftPattern.NIGHT or requires_overtime:
        breaches.append(Breach(NIGHT_OR_OVERTIME, {}))
    breaches += [Breach(rule, {}) for flag, rule in FORBIDDEN_FLAGS.items() if flags.get(flag)]
    if kind is OpeningKind.POST_INTERNSHIP:
        if post_wage is None:
            breaches.append(Breach(MIN_PAY, {"missing_wage": True}))
        elif below_pay_floor(pay_min, post_wage):
            breaches.append(Breach(MIN_PAY, {"minimum": pay_floor(post_wage)}))
    return breaches


def pay_floor(post_wage: int) -> int:
    """80% of the same post's wage, rounded up to the yuan (art. 18)."""
    return -(-post_wage * 4 // 5)


def below_pay_floor(amount: int, post_wage: int) -> bool:
    return amount * 5 < post_wage * 4


def adult_on(birth_date: date) -> date:
    return birth_date + relativedelta(years=18)


def student_breaches(
    *,
    kind: OpeningKind,
    birth_date: date,
    enrolled_on: date,
    start_date: date,
    female: bool = False,
    minors_forbidden_work: bool = False,
    women_forbidden_work: bool = False,
) -> list[Breach]:
    """Rules about the student on the opening's start date."""
    breaches = []
    if kind is OpeningKind.POST_INTERNSHIP:
        if start_date < birth_date + relativedelta(years=16):
            breaches.append(Breach(MIN_AGE, {"sixteen_on": (birth_date + relativedelta(years=16)).isoformat()}))
        if start_date < enrolled_on + relativedelta(years=1):
            breaches.append(Breach(FIRST_YEAR, {"from": (enrolled_on + relativedelta(years=1)).isoformat()}))
    if kind.is_internship:
        if minors_forbidden_work and start_date < adult_on(birth_date):
            breaches.append(Breach(MINORS_FORBIDDEN_WORK, {"adult_on": adult_on(birth_date).isoformat()}))
        if women_forbidden_work and female:
            breaches.append(Breach(WOMEN_FORBIDDEN_WORK, {}))
    return breaches


def share_limits(enterprise_staff: int, staff_in_post: int) -> tuple[int, int]:
    """The most interns the shares allow: 10% of the enterprise's staff, 20% of the post's, rounded down."""
    return enterprise_staff // 10, staff_in_post // 5


def share_breaches(
    *, kind: OpeningKind, interns_at_enterprise: int, enterprise_staff: int, interns_in_post: int, staff_in_post: int
) -> list[Breach]:
    """Would one more intern exceed 10% of the enterprise's staff or 20% of the post's? Integer arithmetic."""
    if kind not in SHARE_KINDS:
        return []
    enterprise_limit, post_limit = share_limits(enterprise_staff, staff_in_post)
    breaches = []
    if interns_at_enterprise + 1 > enterprise_limit:
        breaches.append(Breach(ENTERPRISE_SHARE, {"limit": enterprise_limit}))
    if interns_in_post + 1 > post_limit:
        breaches.append(Breach(POST_SHARE, {"limit": post_limit}))
    return breaches
