"""Demo pools (issue 6): experts of 中职联席会 and 机械行业技工联盟 in every state, and 机械's collaboration groups.

Dated around 2026-11-21: one 联席会 appointment ends within the 90-day warning period, one has expired, and the
机械 secretariat finds two applicants that its charter (art. 6: 副高及以上, 不超过60周岁) does not allow it to approve.
"""

import random
from datetime import date

import sqlalchemy as sa

from marketplace.alliances.models import IN_FORCE_STATUSES, Alliance, Membership
from marketplace.audit.services import record
from marketplace.auth.models import Role, User
from marketplace.extensions import db
from marketplace.orgs.models import Organization, OrgKind
from marketplace.pools import services
from marketplace.pools.models import ConsentMethod, Expert, GroupRole, Route, TitleLevel

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ("建国", "志强", "秀英", "丽娟", "海涛", "文静", "晓明", "春梅", "立新", "宏伟", "玉兰", "振华", "卫东", "红梅")
S, A, M = TitleLevel.SENIOR, TitleLevel.ASSOCIATE_SENIOR, TitleLevel.INTERMEDIATE
# specialty, title, birth year, route, what happens: appointed on a date, "pending", "expired" (appointed long ago)
ZZ_EXPERTS = (
    ("中职教育教学管理", S, 1966, Route.APPLICATION, date(2024, 2, 1)),  # term ends 2027-01-31: renewal warning
    ("数控技术", A, 1972, Route.RECOMMENDATION, date(2025, 3, 1)),
    ("电子商务", S, 1970, Route.APPLICATION, date(2024, 9, 1)),
    ("汽车运用与维修", A, 1975, Route.RECOMMENDATION, date(2022, 9, 1)),  # ended 2025-08-31, not renewed
    ("学前教育", M, 1983, Route.RECOMMENDATION, "pending"),  # recommended with consent, awaiting review
    ("现代物流", A, 1978, Route.APPLICATION, "pending"),
)
JX_EXPERTS = (
    ("数控加工", S, 1967, Route.RECOMMENDATION, date(2023, 1, 1)),  # 4-year term ends 2026-12-31: warning
    ("焊接技术", A, 1971, Route.APPLICATION, date(2024, 6, 1)),
    ("工业机器人", S, 1974, Route.RECOMMENDATION, date(2024, 6, 1)),
    ("模具制造", A, 1964, Route.APPLICATION, "pending"),  # 62 in 2026: the age rule refuses approval
    ("电气自动化", M, 1985, Route.RECOMMENDATION, "pending"),  # 中级: the title rule refuses approval
)
GROUPS = (("数控技术专业建设协作组", "数控技术"), ("工业机器人专业建设协作组", "工业机器人"))
SEATS = (GroupRole.CHAIR, GroupRole.VICE_CHAIR, GroupRole.VICE_CHAIR, GroupRole.SECRETARY_GENERAL,
         GroupRole.DEPUTY_SECRETARY_GENERAL, GroupRole.MEMBER, GroupRole.MEMBER, GroupRole.MEMBER)  # fmt: skip


def _names(rng: random.Random):
    """Distinct demo names, so that no unit sends the same name twice."""
    names = [s + g for s in SURNAMES for g in GIVEN]
    rng.shuffle(names)
    return iter(names)


def _alliance(short_name: str) -> Alliance:
    return db.session.scalar(sa.select(Alliance).where(Alliance.short_name == short_name))


def _secretary(alliance: Alliance) -> User:
    return db.session.scalar(
        sa.select(User)
        .where(User.organization_id == alliance.secretariat_org_id, User.role == Role.SECRETARIAT)
        .order_by(User.id)
    )


def _units(alliance: Alliance, kinds) -> list[Organization]:
    return list(
        db.session.scalars(
            sa.select(Organization)
            .join(Membership, Membership.organization_id == Organization.id)
            .where(
                Membership.alliance_id == alliance.id,
                Membership.status.in_(IN_FORCE_STATUSES),
                Organization.kind.in_(kinds),
                Organization.id != alliance.secretariat_org_id,
            )
            .order_by(Organization.id)
        )
    )


def _experts(alliance: Alliance, rows, names) -> None:
    clerk = _secretary(alliance)
    units = _units(alliance, (OrgKind.SCHOOL, OrgKind.ENTERPRISE, OrgKind.INSTITUTE))
    for i, (specialty, title, born, route, outcome) in enumerate(rows):
        unit = units[(i * 3) % len(units)]
        consented = route is Route.RECOMMENDATION
        # Built directly (the demo has no login for every unit), recorded as submitted by the unit.
        expert = Expert(alliance=alliance, organization_id=unit.id, name=next(names),
                        title_level=title, birth_year=born, specialty=specialty, route=route,
                        summary=f"长期从事{specialty}专业教学与研究，主持省级以上课题。",
                        consent_on=date(2026, 10, 20) if consented else None,
                        consent_method=ConsentMethod.WRITTEN if consented else None)  # fmt: skip
        db.session.add(expert)
        db.session.flush()
        record("expert_submitted", expert, actor=None, alliance_id=alliance.id, route=route.value, demo=True)
        if outcome != "pending":
            services.approve(expert, actor=clerk, start=outcome)


def _groups(alliance: Alliance, names) -> None:
    clerk = _secretary(alliance)
    schools = _units(alliance, (OrgKind.SCHOOL,))
    firms = _units(alliance, (OrgKind.ENTERPRISE, OrgKind.ASSOCIATION, OrgKind.INSTITUTE))
    for g, (name, specialty) in enumerate(GROUPS):
        group = services.create_group(alliance, actor=clerk, name=name, specialty=specialty)
        for i, role in enumerate(SEATS):
            # Officers from 理事单位 schools; the last members are enterprises' technical experts (art. 9).
            pool = firms if role is GroupRole.MEMBER and i >= 6 and firms else schools
            unit = pool[(g * len(SEATS) + i) % len(pool)]
            services.add_group_member(group, actor=clerk, person_name=next(names),
                                      organization_id=unit.id, role=role, joined_on=date(2025, 4, 1))  # fmt: skip


def build_pools(seed: int) -> None:
    """Add the pools to the demo world built by `build_demo`; flushes, the caller commits."""
    names = _names(random.Random(seed + 6))  # noqa: S311  (demo data, not secrets)
    zz, jx = _alliance("中职联席会"), _alliance("机械行业技工联盟")
    _experts(zz, ZZ_EXPERTS, names)
    _experts(jx, JX_EXPERTS, names)
    _groups(jx, names)
    db.session.flush()
