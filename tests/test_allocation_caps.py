"""The 10% share inside an allocation run (issue 13, item 5): an enterprise's internships together stay within the
share of its staff, the seats go where the students want them within that cap, and the run says where caps bound."""

from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.allocations.models import AllocationRun, AllocationSeat
from marketplace.auth.models import Role
from marketplace.orgs.models import OrgKind
from marketplace.pipeline.models import Placement, RuleException
from marketplace.plans import rules
from marketplace.plans.models import OpeningKind
from tests.factories import AllianceFactory, MembershipFactory, OrganizationFactory, SchoolFactory, UserFactory
from tests.pipeline_factories import CohortFactory, NominationFactory, OpeningFactory, PlanFactory, StudentFactory

INTERNSHIP = OpeningKind.POST_INTERNSHIP


@pytest.fixture(autouse=True)
def today(monkeypatch):
    for module in ("marketplace.ranking", "marketplace.allocations.services", "marketplace.rowcache.store"):
        monkeypatch.setattr(f"{module}.local_today", lambda: date(2026, 12, 1))


@pytest.fixture
def world(db):
    """An enterprise of 20 staff (10%: two interns) in an alliance with a school of four students of one major; its
    two openings of two places each count against the share: a 工学交替 (the lower id) and a 岗位实习."""
    alliance = AllianceFactory()
    school = SchoolFactory()
    enterprise = OrganizationFactory(kind=OrgKind.ENTERPRISE, staff_count=20, name="小型工厂")
    for org in (school, enterprise):
        MembershipFactory(alliance=alliance, organization=org)
    plan = PlanFactory(enterprise=enterprise)
    plan.alliances = [alliance]
    cohort = CohortFactory(school=school)
    students = [StudentFactory(cohort=cohort, name=f"学生{i}", grade_score=90 - i) for i in range(4)]
    for student in students[1:]:
        student.major = students[0].major
    first = OpeningFactory(plan=plan, kind=OpeningKind.WORK_STUDY, title="装配工学交替", headcount=2, skills="")
    second = OpeningFactory(plan=plan, kind=INTERNSHIP, title="数控实习", headcount=2, skills="数控 编程")
    second.majors = [students[0].major]
    for student in students:
        student.skills = "数控 编程"
    clerk = UserFactory(organization=alliance.secretariat, role=Role.SECRETARIAT)
    db.session.commit()
    return alliance, plan, students, first, second, clerk


def _run(client, login_as, db, alliance, clerk) -> AllocationRun:
    login_as(clerk)
    assert (
        client.post(f"/alliances/{alliance.id}/allocations", data={"choices": 10, "scope": "members"}).status_code
        == 302
    )
    return db.session.scalar(sa.select(AllocationRun).order_by(AllocationRun.id.desc()).limit(1))


def _placed(db, run) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(AllocationSeat.opening_id, sa.func.count()).where(AllocationSeat.run_id == run.id)
        .group_by(AllocationSeat.opening_id)
    )  # fmt: skip
    return dict(rows.all())


def test_the_enterprise_cap_follows_the_students_to_the_opening_they_want(client, login_as, db, world):
    """The students want 岗位实习 only: a split of the cap fixed in opening order would give both interns to the
    工学交替 and leave everyone out; the cap goes where there is demand."""
    alliance, plan, students, first, second, clerk = world
    for student in students:
        student.wanted_kinds = [INTERNSHIP.value]
    db.session.commit()
    run = _run(client, login_as, db, alliance, clerk)
    assert _placed(db, run) == {second.id: 2}, "two interns in all, both where the students want to go"
    assert run.summary["blocking_pairs"] == 0
    assert run.summary["enterprises_capped"] == 1
    assert run.summary["enterprise_caps_bound"] == 1
    assert run.summary["seats_held_back"] == 2, "four places, two allowed"
    page = client.get(f"/allocations/{run.id}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "1 家企业设有上限，1 家达到上限，2 个名额因此未分配" in page


def test_openings_that_both_have_demand_share_the_cap_round_robin(client, login_as, db, world):
    alliance, plan, students, first, second, clerk = world
    run = _run(client, login_as, db, alliance, clerk)
    assert _placed(db, run) == {first.id: 1, second.id: 1}, "one seat each, in opening order, within the cap of two"
    assert run.summary["blocking_pairs"] == 0


def test_interns_already_there_use_up_the_cap_and_other_kinds_do_not_count(client, login_as, db, world):
    alliance, plan, students, first, second, clerk = world
    outsider = StudentFactory(name="在岗实习生")
    db.session.add(Placement(opening=first, student=outsider, nomination=NominationFactory(opening=first,
                             student=outsider, status="accepted"), kind=INTERNSHIP, start_date=date(2026, 9, 1),
                             end_date=date(2027, 2, 28), pay=4000))  # fmt: skip
    job = OpeningFactory(plan=plan, kind=OpeningKind.EMPLOYMENT, title="正式岗位", headcount=5)
    job.majors = [students[0].major]
    db.session.commit()
    run = _run(client, login_as, db, alliance, clerk)
    placed = _placed(db, run)
    assert placed.get(first.id, 0) + placed.get(second.id, 0) == 1, "one intern there already: one more allowed"
    assert placed[job.id] == 3, "everyone else is placed: employment does not count against the share"


def test_a_waived_opening_is_outside_the_cap(client, login_as, db, world):
    alliance, plan, students, first, second, clerk = world
    db.session.add(RuleException(opening_id=second.id, rule=rules.ENTERPRISE_SHARE, reason="联盟批准",
                                 granted_by_id=clerk.id, alliance_id=alliance.id))  # fmt: skip
    db.session.commit()
    run = _run(client, login_as, db, alliance, clerk)
    assert _placed(db, run) == {second.id: 2, first.id: 2}
    assert run.summary["enterprises_capped"] == 1
    assert run.summary["enterprise_caps_bound"] == 0, "the 工学交替 alone has no more places than the cap"
