"""Availability through the app (issue 13, item 3): rankings both ways, a cohort's best and allocation runs leave
out openings that overlap what a student accepted, openings that started or end too soon, and full openings."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from marketplace.allocations.models import AllocationRun, AllocationSeat
from marketplace.auth.models import Role
from marketplace.orgs.models import OrgKind
from marketplace.pipeline.models import Placement, PlacementStatus
from marketplace.plans.models import OpeningKind
from tests.factories import (
    AllianceFactory,
    MembershipFactory,
    OrganizationFactory,
    PracticeBaseFactory,
    PracticeRequestFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
)
from tests.pipeline_factories import CohortFactory, NominationFactory, OpeningFactory, PlanFactory, StudentFactory

TODAY = date(2026, 12, 1)
JOB = (date(2027, 3, 1), date(2027, 8, 28))  # the 就业 offer of the example


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """The day the pages and runs see, so that the dates below keep their meaning."""
    for module in ("marketplace.ranking", "marketplace.allocations.services", "marketplace.rowcache.store"):
        monkeypatch.setattr(f"{module}.local_today", lambda: TODAY)
    return TODAY


@pytest.fixture
def world(db):
    """An alliance with a school (one cohort) and two enterprises, each with a published plan; the clerk."""
    alliance = AllianceFactory()
    school = SchoolFactory(name="甲职业学校")
    employer, host = (
        OrganizationFactory(kind=OrgKind.ENTERPRISE, staff_count=1000, name=n) for n in ("丙公司", "丁工厂")
    )
    for org in (school, employer, host):
        MembershipFactory(alliance=alliance, organization=org)
    plans = []
    for enterprise in (employer, host):
        plan = PlanFactory(enterprise=enterprise)
        plan.alliances = [alliance]
        plans.append(plan)
    cohort = CohortFactory(school=school)
    clerk = UserFactory(organization=alliance.secretariat, role=Role.SECRETARIAT)
    db.session.commit()
    return alliance, school, plans, cohort, clerk


def _opening(plan, title, start, end, major, **kw):
    opening = OpeningFactory(plan=plan, title=title, start_date=start, end_date=end, **kw)
    opening.majors = [major]
    return opening


def _accept(db, student, opening, start, end):
    """The student accepted the opening's offer: an accepted nomination with its open placement."""
    nomination = NominationFactory(opening=opening, student=student, status="accepted")
    opening.filled += 1
    db.session.add(Placement(opening=opening, student=student, nomination=nomination, kind=opening.kind,
                             start_date=start, end_date=end, pay=5000))  # fmt: skip
    return nomination


def _run(client, db, alliance) -> AllocationRun:
    assert (
        client.post(f"/alliances/{alliance.id}/allocations", data={"choices": 10, "scope": "members"}).status_code
        == 302
    )
    return db.session.scalar(sa.select(AllocationRun).order_by(AllocationRun.id.desc()).limit(1))


def _seats(db, run) -> set[tuple[int, int]]:
    return set(db.session.execute(
        sa.select(AllocationSeat.student_id, AllocationSeat.opening_id).where(AllocationSeat.run_id == run.id)
    ).all())  # fmt: skip


def test_a_student_who_accepted_a_job_is_not_proposed_for_an_internship_over_the_same_dates(
    client, login_as, db, world
):
    alliance, school, (employer_plan, host_plan), cohort, clerk = world
    hired, free = StudentFactory(cohort=cohort, name="已就业生"), StudentFactory(cohort=cohort, name="待分配生")
    free.major = hired.major
    job = _opening(employer_plan, "数控操作工", *JOB, hired.major, headcount=1)
    same = _opening(host_plan, "同期岗位实习", *JOB, hired.major, kind=OpeningKind.POST_INTERNSHIP, headcount=2)
    after = _opening(host_plan, "后期岗位实习", date(2027, 9, 1), date(2028, 2, 28), hired.major,
                     kind=OpeningKind.POST_INTERNSHIP, headcount=2)  # fmt: skip
    _accept(db, hired, job, *JOB)
    db.session.commit()

    login_as(UserFactory(organization=host_plan.enterprise, role=Role.ORG_STAFF))
    assert "已就业生" not in client.get(f"/openings/{same.id}/ranking").get_data(as_text=True)
    assert "待分配生" in client.get(f"/openings/{same.id}/ranking").get_data(as_text=True)
    assert "已就业生" in client.get(f"/openings/{after.id}/ranking").get_data(as_text=True)

    login_as(UserFactory(organization=school))
    page = client.get(f"/students/{hired.id}/openings").get_data(as_text=True)
    assert "后期岗位实习" in page
    assert "同期岗位实习" not in page
    cohort_page = client.get(f"/cohorts/{cohort.id}/matches").get_data(as_text=True)
    row = cohort_page[cohort_page.index("已就业生") : cohort_page.index("</tr>", cohort_page.index("已就业生"))]
    assert "后期岗位实习" in row
    assert "同期岗位实习" not in row

    login_as(clerk)
    run = _run(client, db, alliance)
    seats = _seats(db, run)
    assert (hired.id, same.id) not in seats
    assert (hired.id, after.id) in seats
    assert (free.id, same.id) in seats


def test_a_placement_that_ended_frees_the_student_and_one_not_ended_does_not(client, login_as, db, world):
    alliance, school, (employer_plan, host_plan), cohort, clerk = world
    student = StudentFactory(cohort=cohort, name="提前离岗生")
    job = _opening(employer_plan, "数控操作工", *JOB, student.major, headcount=1)
    _opening(host_plan, "同期岗位实习", *JOB, student.major, kind=OpeningKind.POST_INTERNSHIP)
    _accept(db, student, job, *JOB)
    db.session.commit()
    login_as(UserFactory(organization=school))
    assert "同期岗位实习" not in client.get(f"/students/{student.id}/openings").get_data(as_text=True)

    placement = db.session.scalar(sa.select(Placement))
    placement.status, placement.end_date = PlacementStatus.LEFT_EARLY, date(2027, 3, 20)
    db.session.commit()
    assert "同期岗位实习" in client.get(f"/students/{student.id}/openings").get_data(as_text=True)


def test_openings_that_started_end_too_soon_or_are_full_are_not_proposed(client, login_as, db, world):
    alliance, school, (plan, _), cohort, clerk = world
    student = StudentFactory(cohort=cohort, name="应届生")
    soon = TODAY + timedelta(days=5)
    internship = OpeningKind.POST_INTERNSHIP  # an employment starting this year is not for next year's graduates
    openings = {
        "已开始岗位": _opening(plan, "已开始岗位", date(2026, 7, 1), date(2027, 6, 30), student.major),
        "余26天岗位": _opening(plan, "余26天岗位", soon, TODAY + timedelta(days=26), student.major, kind=internship),
        "余31天岗位": _opening(plan, "余31天岗位", soon, TODAY + timedelta(days=31), student.major, kind=internship),
        "已满岗位": _opening(plan, "已满岗位", *JOB, student.major, headcount=2, filled=2),
        "正常岗位": _opening(plan, "正常岗位", *JOB, student.major),
    }
    kept = {"余31天岗位", "正常岗位"}
    db.session.commit()

    login_as(UserFactory(organization=school))
    page = client.get(f"/students/{student.id}/openings").get_data(as_text=True)
    assert {title for title in openings if title in page} == kept
    login_as(UserFactory(organization=plan.enterprise, role=Role.ORG_STAFF))
    for title, opening in openings.items():
        listed = "应届生" in client.get(f"/openings/{opening.id}/ranking").get_data(as_text=True)
        assert listed == (title in kept), title

    login_as(clerk)
    run = _run(client, db, alliance)
    assert {o for _, o in _seats(db, run)} <= {openings[t].id for t in kept}
    assert run.summary["openings"] == len(kept)


def test_the_minimum_remaining_period_is_the_alliances_and_on_pages_the_largest_of_the_plans(
    client, login_as, db, world
):
    alliance, school, (plan, _), cohort, clerk = world
    student = StudentFactory(cohort=cohort, name="应届生")
    strict = AllianceFactory(min_remaining_days=40)
    plan.alliances = [alliance, strict]
    alliance.min_remaining_days = 20
    opening = _opening(plan, "余31天岗位", TODAY + timedelta(days=5), TODAY + timedelta(days=31), student.major,
                       kind=OpeningKind.POST_INTERNSHIP)  # fmt: skip
    db.session.commit()

    login_as(UserFactory(organization=school))
    assert "余31天岗位" not in client.get(f"/students/{student.id}/openings").get_data(as_text=True), "40 days"
    login_as(clerk)
    assert _seats(db, _run(client, db, alliance)) == {(student.id, opening.id)}, "this alliance asks for 20 days"


def test_the_practice_proposal_leaves_out_the_bases_of_an_enterprise_that_declined(client, login_as, db, world):
    alliance, school, (plan, other_plan), cohort, clerk = world
    request = PracticeRequestFactory(teacher=TeacherFactory(school=school, name="数控教师"))
    declined = PracticeBaseFactory(enterprise=plan.enterprise, name="已婉拒基地", specialty=request.specialty)
    PracticeBaseFactory(enterprise=other_plan.enterprise, name="另一基地", specialty="园林")
    db.session.commit()
    login_as(clerk)
    page = client.get(f"/alliances/{alliance.id}/practice-allocation").get_data(as_text=True)
    row = page[page.index("数控教师") : page.index("</tr>", page.index("数控教师"))]
    assert "已婉拒基地" in row

    login_as(UserFactory(organization=declined.enterprise))
    assert client.post(f"/practice/requests/{request.id}/decline", data={"reason": "导师出差"}).status_code == 302
    login_as(clerk)
    page = client.get(f"/alliances/{alliance.id}/practice-allocation").get_data(as_text=True)
    row = page[page.index("数控教师") : page.index("</tr>", page.index("数控教师"))]
    assert "已婉拒基地" not in row
    assert "另一基地" in row


def test_the_platform_admin_sets_the_minimum_remaining_period_and_the_fit_floor_in_the_charter(
    client, login_as, db, world
):
    alliance = world[0]
    login_as(UserFactory(role=Role.PLATFORM_ADMIN))
    page = client.get(f"/alliances/{alliance.id}/charter", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "岗位剩余期限不少于（天）方予推荐" in page
    assert 'name="min_remaining_days"' in page
    assert 'value="30"' in page
    form = _charter_form(client, alliance)
    assert client.post(f"/alliances/{alliance.id}/charter", data=form | {"min_remaining_days": "45",
                       "fit_floor": "0.55"}).status_code == 302  # fmt: skip
    db.session.refresh(alliance)
    assert (alliance.min_remaining_days, alliance.fit_floor) == (45, 0.55)
    for bad in ({"min_remaining_days": ""}, {"min_remaining_days": "-1"}, {"fit_floor": "1.5"}):
        assert client.post(f"/alliances/{alliance.id}/charter", data=form | bad).status_code == 200, bad
    db.session.refresh(alliance)
    assert (alliance.min_remaining_days, alliance.fit_floor) == (45, 0.55)


def _charter_form(client, alliance) -> dict:
    """The charter as the form posts it, from the alliance's current values."""
    return {
        "name": alliance.name, "short_name": alliance.short_name, "description": "",
        "secretariat_org_id": alliance.secretariat_org_id, "admission_vote_num": 2, "admission_vote_den": 3,
        "quorum_num": 2, "quorum_den": 3, "withdrawal_notice_months": 0, "officer_term_years": 5,
        "assessment_grades": "优秀,较好,合格,不合格", "priority_tolerance": "0.02", "min_remaining_days": "30",
        "fit_floor": "0.4", "admission_vote_base": "present", "admission_checklist": "具备法人资格",
        "term_warning_days": 90, "self_assessment_due": "12-10", "assessment_review_due": "12-30",
        "rectification_days": 90, "expert_term_years": 3, "expert_min_title": "",
    }  # fmt: skip
