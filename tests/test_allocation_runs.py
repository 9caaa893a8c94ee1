"""Allocation runs a secretariat can trust: only the newest proposal on unchanged inputs is confirmed, confirming
shows first what it will do, the nominations it makes say they come from the run, and each side is told once."""

import re

import pytest
import sqlalchemy as sa

from marketplace.allocations.models import AllocationRun, AllocationSeat, RunStatus
from marketplace.auth.models import Role
from marketplace.cohorts.models import Student
from marketplace.notifications.models import Notification
from marketplace.orgs.models import OrgKind
from marketplace.pipeline.models import Nomination, NominationSource, NominationStatus
from tests.factories import AllianceFactory, MembershipFactory, OrganizationFactory, SchoolFactory, UserFactory
from tests.pipeline_factories import CohortFactory, OpeningFactory, PlanFactory, StudentFactory

EN, ZH = {"Accept-Language": "en"}, {"Accept-Language": "zh-CN"}


@pytest.fixture
def world(db):
    """One alliance: two member schools with three and two students of one major, two member enterprises with an
    opening of three places each for that major, and the secretariat's clerk."""
    alliance = AllianceFactory(priority_tolerance=0.02)
    schools = [SchoolFactory(name="甲职业学校"), SchoolFactory(name="乙技工学校")]
    enterprises = [OrganizationFactory(kind=OrgKind.ENTERPRISE, staff_count=1000, name=n) for n in ("丙机械", "丁电气")]
    for org in (*schools, *enterprises):
        MembershipFactory(alliance=alliance, organization=org)
    openings = []
    for enterprise in enterprises:
        plan = PlanFactory(enterprise=enterprise)
        plan.alliances = [alliance]
        openings.append(OpeningFactory(plan=plan, headcount=3))
    cohorts = [CohortFactory(school=school) for school in schools]
    students = [StudentFactory(cohort=cohort, name=f"{cohort.school.name[0]}生{i}", grade_score=70 + i)
                for cohort, n in zip(cohorts, (3, 2), strict=True) for i in range(n)]  # fmt: skip
    for opening in openings:
        opening.majors = [students[0].major]
    for student in students:
        student.major = students[0].major
    clerk = UserFactory(organization=alliance.secretariat, role=Role.SECRETARIAT)
    db.session.commit()
    return alliance, schools, enterprises, openings, students, clerk


def _run(client, db, alliance, scope: str = "members") -> AllocationRun:
    assert client.post(f"/alliances/{alliance.id}/allocations", data={"choices": 10, "scope": scope}).status_code == 302
    return db.session.scalar(sa.select(AllocationRun).order_by(AllocationRun.id.desc()).limit(1))


def _confirm(client, run, headers=EN):
    """Both steps: the preview, then the confirmation of the count it showed, box ticked."""
    preview = client.post(f"/allocations/{run.id}/confirm", headers=headers)
    expected = re.search(r'name="expected"[^>]*value="(\d+)"', preview.get_data(as_text=True))
    assert expected, preview.get_data(as_text=True)[:2000]
    return client.post(f"/allocations/{run.id}/confirm", data={"expected": expected[1], "acknowledged": "y"},
                       headers=headers)  # fmt: skip


def _notices_to_members(db) -> list[Notification]:
    """Notifications but the secretariat's own that its background run is ready."""
    return db.session.scalars(
        sa.select(Notification).where(Notification.kind != "allocation_ready").order_by(Notification.organization_id)
    ).all()


def _count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --------------------------------------------------------------------------------------------- item 2: preview
def test_confirming_shows_what_will_happen_and_acts_only_on_the_ticked_second_post(client, login_as, db, world):
    alliance, schools, enterprises, _, _, clerk = world
    login_as(clerk)
    run = _run(client, db, alliance)
    assert len(run.seats) == 5

    preview = client.post(f"/allocations/{run.id}/confirm", headers=EN)
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert re.search(r'id="preview-nominations">5<', page)
    assert re.search(r'id="preview-notifications">4<', page), "two schools and two enterprises, once each"
    for org in (*schools, *enterprises):
        assert org.name in page
    assert '甲职业学校</td><td class="text-end">3' in page, "grouped: the school with three students"
    assert _count(db, Nomination) == 0, "the first POST only shows"
    assert _notices_to_members(db) == [], "the secretariat alone was told the run is ready"

    unticked = client.post(f"/allocations/{run.id}/confirm", data={"expected": 5}, headers=EN)
    assert unticked.status_code == 200
    assert "Tick the box" in unticked.get_data(as_text=True)
    assert _count(db, Nomination) == 0

    wrong_count = client.post(f"/allocations/{run.id}/confirm", data={"expected": 4, "acknowledged": "y"})
    assert wrong_count.status_code == 302
    assert _count(db, Nomination) == 0, "the count reviewed is not what would happen: refused"

    ticked = client.post(f"/allocations/{run.id}/confirm", data={"expected": 5, "acknowledged": "y"}, headers=EN)
    assert ticked.status_code == 302
    done = client.get(f"/allocations/{run.id}").get_data(as_text=True)
    assert "5 nominations created; 0 seats skipped; 4 organisations notified." in done
    db.session.refresh(run)
    assert run.status is RunStatus.CONFIRMED
    assert _count(db, Nomination) == 5


def test_the_run_page_offers_review_not_a_one_click_confirmation(client, login_as, db, world):
    alliance, *_, clerk = world
    login_as(clerk)
    run = _run(client, db, alliance)
    page = client.get(f"/allocations/{run.id}", headers=EN).get_data(as_text=True)
    assert "Review and confirm into nominations" in page
    assert 'id="run-blocked"' not in page


# ------------------------------------------------------------------------------------- item 1: stale runs
def test_a_run_whose_inputs_changed_is_refused_and_says_what_changed(client, login_as, db, world):
    alliance, schools, _, openings, students, clerk = world
    login_as(clerk)
    run = _run(client, db, alliance)
    # Since the run: one student joins, one withdraws consent, one changes their grade; one opening loses a place.
    StudentFactory(cohort=students[0].cohort, name="新生", major=students[0].major)
    students[1].consent_to_share = False
    students[2].grade_score = 99
    openings[0].headcount = 2
    db.session.commit()

    page = client.get(f"/allocations/{run.id}", headers=ZH).get_data(as_text=True)
    assert "核对并确认" not in page, "no confirm button on a stale run"
    assert ("自本方案计算以来数据已变化（学生：新增 1 名、移出 1 名、变化 1 名；"
            "岗位：新增 0 个、移出 0 个、变化 1 个）。请重新运行分配，再确认新的方案。") in page  # fmt: skip

    client.post(f"/allocations/{run.id}/confirm", data={"expected": 5, "acknowledged": "y"}, headers=EN)
    refused = client.get("/").get_data(as_text=True)
    assert ("The data changed since this run was computed (students: 1 added, 1 removed, 1 changed; openings: "
            "0 added, 0 removed, 1 changed).") in refused  # fmt: skip
    assert client.post(f"/allocations/{run.id}/confirm").status_code == 302, "not even the preview"
    db.session.refresh(run)
    assert run.status is RunStatus.PROPOSED
    assert _count(db, Nomination) == 0

    fresh = _run(client, db, alliance)
    assert _confirm(client, fresh).status_code == 302
    assert _count(db, Nomination) == 5, "the new student in, the one who withdrew consent out"


def test_only_the_newest_proposal_is_confirmed_and_confirming_supersedes_the_others(client, login_as, db, world):
    alliance, *_, clerk = world
    login_as(clerk)
    first, second = _run(client, db, alliance, "everyone"), _run(client, db, alliance)

    page = client.get(f"/allocations/{first.id}", headers=EN).get_data(as_text=True)
    assert f"Run {second.id} is newer: only the newest proposal may be confirmed." in page
    assert "Review and confirm" not in page
    client.post(f"/allocations/{first.id}/confirm", data={"expected": 5, "acknowledged": "y"})
    db.session.refresh(first)
    assert first.status is RunStatus.PROPOSED
    assert _count(db, Nomination) == 0

    assert _confirm(client, second).status_code == 302
    db.session.refresh(first)
    db.session.refresh(second)
    assert second.status is RunStatus.CONFIRMED
    assert (first.status, first.superseded_by_id) == (RunStatus.DISCARDED, second.id)
    page = client.get(f"/allocations/{first.id}", headers=ZH).get_data(as_text=True)
    assert f"已被方案 {second.id} 取代" in page
    assert "核对并确认" not in page
    client.post(f"/allocations/{first.id}/confirm", data={"expected": 5, "acknowledged": "y"})
    assert _count(db, Nomination) == 5, "the superseded run made nothing"
    listing = client.get(f"/alliances/{alliance.id}/allocations", headers=EN).get_data(as_text=True)
    assert f"superseded by run {second.id}" in listing


# ------------------------------------------------------------------------ item 4: source and grouped notices
def test_allocation_nominations_say_so_and_each_side_is_told_once(client, login_as, db, world):
    alliance, schools, enterprises, openings, students, clerk = world
    login_as(clerk)
    run = _run(client, db, alliance)
    _confirm(client, run)

    nominations = db.session.scalars(sa.select(Nomination)).all()
    assert {(n.source, n.allocation_run_id, n.status) for n in nominations} == {
        (NominationSource.ALLOCATION, run.id, NominationStatus.NOMINATED)
    }
    notices = _notices_to_members(db)
    by_org = {n.organization_id: n for n in notices}
    assert len(notices) == 4, "one per organisation"
    assert set(by_org) == {o.id for o in (*schools, *enterprises)}
    assert {by_org[s.id].kind for s in schools} == {"allocation_to_school"}
    assert [by_org[s.id].params["count"] for s in schools] == [3, 2]
    assert {by_org[e.id].kind for e in enterprises} == {"allocation_to_enterprise"}
    assert sum(by_org[e.id].params["count"] for e in enterprises) == 5
    assert {n.target["run_id"] for n in notices} == {run.id}

    login_as(UserFactory(organization=schools[0]))
    inbox = client.get("/notifications", headers=ZH).get_data(as_text=True)
    assert f"联盟分配方案 #{run.id}（{alliance.short_name}）：为贵校 3 名学生提出推荐" in inbox
    own = client.get(f"/allocations/{run.id}", headers=EN).get_data(as_text=True)
    assert "Proposed by the alliance&#39;s allocation" in own
    assert all(s.name in own for s in students[:3])
    assert not any(s.name in own for s in students[3:])

    enterprise = enterprises[1]
    login_as(UserFactory(organization=enterprise))
    own = client.get(f"/allocations/{run.id}").get_data(as_text=True)
    theirs = db.session.scalars(sa.select(AllocationSeat).where(AllocationSeat.opening_id == openings[1].id)).all()
    assert theirs
    assert all(s.student.name in own for s in theirs)
    assert openings[0].title not in own, "only the enterprise's own seats"

    login_as(UserFactory(organization=SchoolFactory()))
    assert client.get(f"/allocations/{run.id}").status_code == 404, "a school the run did not touch"
    login_as(clerk)
    proposal = _run(client, db, alliance)
    login_as(UserFactory(organization=schools[0]))
    assert client.get(f"/allocations/{proposal.id}").status_code == 404, "a proposal is the secretariat's alone"


def test_a_later_run_leaves_out_students_an_allocation_already_put_forward_until_that_ends(client, login_as, db, world):
    alliance, _, _, openings, students, clerk = world
    login_as(clerk)
    first = _run(client, db, alliance)
    _confirm(client, first)
    seated = set(db.session.scalars(sa.select(AllocationSeat.student_id).where(AllocationSeat.run_id == first.id)))
    assert seated
    StudentFactory(cohort=students[4].cohort, name="后来生", major=students[0].major)
    db.session.commit()
    later = _run(client, db, alliance)
    proposed = set(db.session.scalars(sa.select(AllocationSeat.student_id).where(AllocationSeat.run_id == later.id)))
    assert not proposed & seated  # spoken for: no second allocation nomination to another opening
    assert db.session.scalar(sa.select(Student.id).where(Student.name == "后来生")) in proposed
    # Once the enterprise turns one of them down, the next run may propose them again.
    freed = db.session.scalar(sa.select(Nomination).where(Nomination.allocation_run_id == first.id).limit(1))
    freed.status = NominationStatus.REJECTED
    db.session.commit()
    again = _run(client, db, alliance)
    proposed = set(db.session.scalars(sa.select(AllocationSeat.student_id).where(AllocationSeat.run_id == again.id)))
    assert freed.student_id in proposed
