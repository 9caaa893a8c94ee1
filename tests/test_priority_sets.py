"""Priority sets in SQL (issue 14, item 1): the same decisions as the per-opening Python rule they replaced, in a
number of queries that does not grow with the openings."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from marketplace import ranking
from marketplace.alliances.models import Membership, MembershipStatus
from marketplace.auth.models import Role
from marketplace.orgs.models import OrgKind
from marketplace.timeutil import local_today
from tests.factories import AllianceFactory, MembershipFactory, OrganizationFactory, SchoolFactory, UserFactory
from tests.pipeline_factories import CohortFactory, OpeningFactory, PlanFactory, StudentFactory
from tests.querycount import count_queries


def python_rule(opening, memberships):
    """The rule as `ranking._priority` applied it, one opening at a time over every membership."""
    on = opening.start_date
    published = {a.id for a in opening.plan.alliances}
    in_force = [ms for ms in memberships if ms.alliance_id in published and ms.was_in_force_on(on)]
    granting = {ms.alliance_id for ms in in_force if ms.organization_id == opening.plan.enterprise_id}
    if not granting:
        return 0.0, frozenset()
    schools = frozenset(ms.organization_id for ms in in_force if ms.alliance_id in granting)
    tolerance = min(a.priority_tolerance for a in opening.plan.alliances if a.id in granting)
    return tolerance, schools - {opening.plan.enterprise_id}


@pytest.fixture
def world(db):
    """Alliances A (τ 0.05) and B (τ 0.01). School s1 left A last month and is in B; school s2 joins A tomorrow;
    enterprise e1 is in B only, e2 in both. Plans of e1 and e2 are published to both, a second plan of each to A
    only; every plan has openings starting two months ago, today and in two months."""
    today = local_today()
    a, b = AllianceFactory(priority_tolerance=0.05), AllianceFactory(priority_tolerance=0.01)
    s1, s2 = SchoolFactory(), SchoolFactory()
    e1, e2 = (OrganizationFactory(kind=OrgKind.ENTERPRISE, staff_count=500) for _ in range(2))
    MembershipFactory(alliance=a, organization=s1, status=MembershipStatus.WITHDRAWN,
                      effective_until=today - relativedelta(months=1))  # fmt: skip
    MembershipFactory(alliance=b, organization=s1)
    MembershipFactory(alliance=a, organization=s2, effective_from=today + timedelta(days=1))
    MembershipFactory(alliance=b, organization=e1)
    MembershipFactory(alliance=a, organization=e2)
    MembershipFactory(alliance=b, organization=e2)
    plans = {}
    for enterprise, half, alliances in ((e1, 1, [a, b]), (e2, 1, [a, b]), (e1, 2, [a]), (e2, 2, [a])):
        plan = PlanFactory(enterprise=enterprise, half=half)
        plan.alliances = alliances
        plans[enterprise.name, half] = plan
    openings = {}
    for (name, half), plan in plans.items():
        for months in (-2, 0, 2):
            start = today + relativedelta(months=months)
            openings[name, half, months] = OpeningFactory(
                plan=plan, start_date=start, end_date=start + relativedelta(months=3)
            )
    db.session.commit()
    return {"a": a, "b": b, "s1": s1, "s2": s2, "e1": e1, "e2": e2, "openings": openings}


def test_sql_priority_sets_equal_the_python_rule(db, world):
    openings = list(world["openings"].values())
    memberships = list(db.session.scalars(sa.select(Membership)))
    sql = ranking.priority_sets(openings)
    for opening in openings:
        assert sql.get(opening.id, (0.0, frozenset())) == python_rule(opening, memberships), opening.start_date


def test_sql_priority_sets_on_the_worlds_named_cases(world):
    s1, s2, e1, e2, o = world["s1"].id, world["s2"].id, world["e1"].id, world["e2"].id, world["openings"]
    sql = ranking.priority_sets(list(o.values()))
    # e1's plan to A and B: only B grants (e1 is not in A), so B's τ, and B's members in force.
    assert sql[o[world["e1"].name, 1, 0].id] == (pytest.approx(0.01), frozenset({s1, e2}))
    # e2's plan to A and B: both grant, the smaller τ; s1's withdrawal from A does not matter, it is in B.
    assert sql[o[world["e2"].name, 1, 0].id] == (pytest.approx(0.01), frozenset({s1, e1}))
    # e2's plan to A only: on each opening's start date, s1 before it left, nobody today, s2 once it has joined.
    assert sql[o[world["e2"].name, 2, -2].id] == (pytest.approx(0.05), frozenset({s1}))
    assert sql[o[world["e2"].name, 2, 0].id] == (pytest.approx(0.05), frozenset())
    assert sql[o[world["e2"].name, 2, 2].id] == (pytest.approx(0.05), frozenset({s2}))
    # e1's plan to A only: e1 is no member of A, so no priority at all.
    assert all(o[world["e1"].name, 2, months].id not in sql for months in (-2, 0, 2))
    assert ranking.priority_sets([]) == {}


def test_the_student_page_queries_do_not_grow_with_the_openings(client, login_as, db):
    alliance = AllianceFactory(priority_tolerance=0.02)
    school = SchoolFactory()
    MembershipFactory(alliance=alliance, organization=school)
    student = StudentFactory(cohort=CohortFactory(school=school))
    user = UserFactory(organization=school, role=Role.ORG_ADMIN)

    def add_openings(n: int) -> None:
        for _ in range(n):
            enterprise = OrganizationFactory(kind=OrgKind.ENTERPRISE, staff_count=500)
            MembershipFactory(alliance=alliance, organization=enterprise)
            plan = PlanFactory(enterprise=enterprise)
            plan.alliances = [alliance]
            OpeningFactory(plan=plan, majors=[student.major])
        db.session.commit()

    add_openings(2)
    login_as(user)
    url = f"/students/{student.id}/openings"
    with count_queries(db.engine) as few:
        assert client.get(url).status_code == 200
    add_openings(12)
    with count_queries(db.engine) as many:
        page = client.get(url)
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("数控车工") >= 14, "every opening is ranked"
    assert len(many) == len(few)
