"""The internship rules of 职业学校学生实习管理规定 (教职成〔2021〕4号) as pure functions.

Each check returns breaches; a breach marked `waivable` is a rule the regulation words as "generally"
(一般不超过), which the alliance secretariat may waive for one opening with a recorded reason.
"""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from marketplace.plans.models import OpeningKind, ShiftPattern

ENTERPRISE_SHARE = "enterprise_share"  # interns ≤ 10% of the enterprise's staff (art. 16)
POST_SHARE = "post_share"  # interns ≤ 20% of the staff in the same post (art. 16)
MIN_AGE = "min_age"  # no 岗位实习 under 16 (art. 10)
FIRST_YEAR = "first_year"  # no 岗位实习 in the first year of study (art. 10)
NIGHT_OR_OVERTIME = "night_or_overtime"  # no night shifts or overtime for interns (art. 16)
RESTRICTED_VENUE = "restricted_venue"  # no bars, KTV, internet cafés and the like (art. 10)
PAID_AGENT = "paid_agent"  # no placements through paid agents (art. 10)
MIN_PAY = "min_pay"  # 岗位实习 pay ≥ 80% of the same post's wage (art. 17)

WAIVABLE = frozenset({ENTERPRISE_SHARE, POST_SHARE})
# Kinds counted against the 10%/20% shares: every internship that puts students in posts (not visits).
SHARE_KINDS = frozenset(
    {OpeningKind.POST_INTERNSHIP, OpeningKind.WORK_STUDY, OpeningKind.ORDER_CLASS, OpeningKind.APPRENTICESHIP}
)


@dataclass(frozen=True)
class Breach:
    rule: str
    detail: dict

    @property
    def waivable(self) -> bool:
        return self.rule in WAIVABLE


def opening_breaches(
    *,
    kind: OpeningKind,
    shift_pattern: ShiftPattern,
    requires_overtime: bool,
    restricted_venue: bool,
    via_paid_agent: bool,
    pay_min: int,
    post_wage: int | None,
) -> list[Breach]:
    """Rules that concern the opening itself, checked when it is saved."""
    if not kind.is_internship:
        return []
    breaches = []
    if shift_pattern is ShiftPattern.NIGHT or requires_overtime:
        breaches.append(Breach(NIGHT_OR_OVERTIME, {}))
    if restricted_venue:
        breaches.append(Breach(RESTRICTED_VENUE, {}))
    if via_paid_agent:
        breaches.append(Breach(PAID_AGENT, {}))
    if kind is OpeningKind.POST_INTERNSHIP:
        if post_wage is None:
            breaches.append(Breach(MIN_PAY, {"missing_wage": True}))
        elif pay_min * 5 < post_wage * 4:
            breaches.append(Breach(MIN_PAY, {"minimum": -(-post_wage * 4 // 5)}))
    return breaches


def student_breaches(*, kind: OpeningKind, birth_date: date, enrolled_on: date, start_date: date) -> list[Breach]:
    """Rules about the student on the opening's start date."""
    if kind is not OpeningKind.POST_INTERNSHIP:
        return []
    breaches = []
    if start_date < birth_date + relativedelta(years=16):
        breaches.append(Breach(MIN_AGE, {"sixteen_on": (birth_date + relativedelta(years=16)).isoformat()}))
    if start_date < enrolled_on + relativedelta(years=1):
        breaches.append(Breach(FIRST_YEAR, {"from": (enrolled_on + relativedelta(years=1)).isoformat()}))
    return breaches


def share_limits(enterprise_staff: int, staff_in_post: int) -> tuple[int, int]:
    """The most interns the shares allow: 10% of the enterprise's staff, 20% of the post's (art. 16), rounded down."""
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
