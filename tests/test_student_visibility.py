"""Who an enterprise may see (issue 12, hole 3): a consenting student of a fellow member school in force, or one
their school put forward to it. Through the app: the opening page, the ranking, invite and the allocation run."""

from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.alliances.models import MembershipStatus
from marketplace.allocations.models import AllocationRun, AllocationSeat
from marketplace.auth.models import Role
from marketplace.cohorts.models import Cohort
from marketplace.extensions import db as _db
from marketplace.orgs.models import OrgKind
from marketplace.permissions import enterprise_may_see, visibility
from marketplace.pipeline import services
from marketplace.pipeline.models import Nomination, NominationStatus
from marketplace.reference.models import Major
from marketplace.timeutil import local_today
from tests.factories import AllianceFactory, MembershipFactory, OrganizationFactory, SchoolFactory, UserFactory
from tests.pipeline_factories import CohortFactory, NominationFactory, OpeningFactory, PlanFactory, StudentFactory

VISIBLE = ("fellow", "put_forward")
HIDDEN = ("no_alliance", "other_alliance", "withdrawn", "expelled", "not_consenting", "same_school_not_put_forward",
          "put_forward_then_withdrawn")  # fmt: skip


@dataclass
class World:
    alliance: object
    opening: object
    hr: object
    students: dict


def _school(alliance=None, **membership):
    school = SchoolFactory()
    if alliance is not None:
        MembershipFactory(alliance=alliance, organization=school, **membership)
    return school


def _student(school, name, **kwargs):
    """A consenting student of `school`, in the school's one cohort."""
    cohort = _db.session.scalar(sa.select(Cohort).where(Cohort.school_id == school.id)) or CohortFactory(school=school)
    return StudentFactory(cohort=cohort, name=name, **kwargs)


@pytest.fixture
def world(db) -> World:
    """An enterprise in one alliance, its opening published there, and a consenting student of each kind of school."""
    alliance, elsewhere = AllianceFactory(), AllianceFactory()
    enterprise = OrganizationFactory(kind=OrgKind.ENTERPRISE, staff_count=1000)
    MembershipFactory(alliance=alliance, organization=enterprise)
    plan = PlanFactory(enterprise=enterprise)
    plan.alliances = [alliance]
    opening = OpeningFactory(plan=plan, headcount=10)
    earlier = OpeningFactory(plan=plan)
    lone_school, lone_school_2 = _school(), _school()
    lone_user, lone_user_2 = UserFactory(organization=lone_school), UserFactory(organization=lone_school_2)
    students = {
        "fellow": _student(_school(alliance), "联盟成员校学生"),
        "no_alliance": _student(_school(), "无联盟学校学生"),
        "other_alliance": _student(_school(elsewhere), "别的联盟学生"),
        "withdrawn": _student(_school(alliance, status=MembershipStatus.WITHDRAWN, effective_until=date(2025, 1, 1)),
                              "已退出学校学生"),
        "expelled": _student(_school(alliance, status=MembershipStatus.EXPELLED, effective_until=date(2025, 6, 1)),
                             "被除名学校学生"),
        "not_consenting": _student(_school(alliance), "未同意学生", consent_to_share=False),
        "put_forward": _student(lone_school, "学校推荐学生"),
        "same_school_not_put_forward": _student(lone_school, "同校未推荐学生"),
        "put_forward_then_withdrawn": _student(lone_school_2, "推荐后撤回学生"),
    }  # fmt: skip
    NominationFactory(opening=earlier, student=students["put_forward"], status=NominationStatus.NOMINATED,
                      created_by_id=lone_user.id)  # fmt: skip
    NominationFactory(opening=earlier, student=students["put_forward_then_withdrawn"],
                      status=NominationStatus.WITHDRAWN, created_by_id=lone_user_2.id)  # fmt: skip
    opening.majors = [students["fellow"].major]
    hr = UserFactory(organization=enterprise, role=Role.ORG_STAFF)
    db.session.commit()
    return World(alliance, opening, hr, students)


def test_the_rule_per_record(world):
    enterprise_id = world.opening.plan.enterprise_id
    seen = {key for key, student in world.students.items() if enterprise_may_see(enterprise_id, student)}
    assert seen == set(VISIBLE)


def test_the_rule_as_sets_agrees_with_the_rule_per_record(world):
    """`visibility` (what an allocation run uses for thousands of pairs) is `visible_students_condition` as sets;
    consent is the caller's filter, so the non-consenting student is the one case they may differ on."""
    enterprise_id = world.opening.plan.enterprise_id
    sets = visibility([enterprise_id], local_today())
    seen = {
        key for key, s in world.students.items() if s.consent_to_share and sets.sees(enterprise_id, s.id, s.school_id)
    }
    assert seen == set(VISIBLE)


def test_the_opening_page_offers_only_students_the_enterprise_may_see(client, login_as, world):
    login_as(world.hr)
    page = client.get(f"/openings/{world.opening.id}").get_data(as_text=True)
    for key in VISIBLE:
        assert world.students[key].name in page, key
    for key in HIDDEN:
        assert world.students[key].name not in page, key


@pytest.mark.parametrize("viewer", ["enterprise", "secretariat"])
def test_the_ranking_lists_only_students_the_enterprise_may_see(client, login_as, world, viewer):
    login_as(world.hr if viewer == "enterprise" else
             UserFactory(organization=world.alliance.secretariat, role=Role.SECRETARIAT))  # fmt: skip
    response = client.get(f"/openings/{world.opening.id}/ranking")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for key in VISIBLE:
        assert world.students[key].name in page, key
    for key in HIDDEN:
        assert world.students[key].name not in page, key


@pytest.mark.parametrize("key", HIDDEN)
def test_inviting_a_student_the_enterprise_may_not_see_is_refused_and_creates_nothing(client, login_as, db, world,
                                                                                      key):  # fmt: skip
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Nomination))
    login_as(world.hr)
    response = client.post(f"/openings/{world.opening.id}/invite", data={"student_id": world.students[key].id})
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Nomination)) == before


@pytest.mark.parametrize("key", VISIBLE)
def test_inviting_a_student_the_enterprise_may_see_works(client, login_as, db, world, key):
    login_as(world.hr)
    response = client.post(f"/openings/{world.opening.id}/invite", data={"student_id": world.students[key].id})
    assert response.status_code == 302
    nomination = db.session.scalar(sa.select(Nomination).where(Nomination.opening_id == world.opening.id))
    assert (nomination.student_id, nomination.status) == (world.students[key].id, NominationStatus.INVITED)


def test_the_service_refuses_an_invitation_the_view_would_not_offer(db, world, app):
    student = world.students["no_alliance"]
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(services.PipelineError,
                                                                                    match="may not see"):  # fmt: skip
        services.put_forward(student, world.opening, actor=world.hr, invited=True)
    assert db.session.scalar(sa.select(Nomination).where(Nomination.opening_id == world.opening.id)) is None


def test_withdrawing_consent_hides_even_a_student_put_forward(db, world):
    student = world.students["put_forward"]
    student.consent_to_share = False
    db.session.commit()
    assert not enterprise_may_see(world.opening.plan.enterprise_id, student)


def _another_major(db, major):
    return db.session.scalar(sa.select(Major).where(Major.category != major.category).order_by(Major.id))


@pytest.mark.parametrize("scope", ["everyone", "members"])
def test_the_allocation_gives_each_opening_only_students_its_enterprise_may_see(client, login_as, db, world, scope):
    """A second enterprise of the alliance also shares another alliance with the school of `other_alliance`: that
    student may be allocated to its opening, never to the first enterprise's, though that one fits them better."""
    other_school = world.students["other_alliance"].school
    second = OrganizationFactory(kind=OrgKind.ENTERPRISE, staff_count=1000)
    MembershipFactory(alliance=world.alliance, organization=second)
    shared = AllianceFactory()
    MembershipFactory(alliance=shared, organization=second)
    MembershipFactory(alliance=shared, organization=other_school)
    plan = PlanFactory(enterprise=second)
    plan.alliances = [world.alliance]
    far = OpeningFactory(plan=plan, headcount=10)
    far.majors = [_another_major(db, world.students["fellow"].major)]
    db.session.commit()
    login_as(UserFactory(organization=world.alliance.secretariat, role=Role.SECRETARIAT))
    response = client.post(f"/alliances/{world.alliance.id}/allocations", data={"choices": 10, "scope": scope})
    assert response.status_code == 302
    run = db.session.scalar(sa.select(AllocationRun))
    seats = {s.student_id: s.opening_id for s in db.session.scalars(sa.select(AllocationSeat))}
    ids = {key: s.id for key, s in world.students.items()}
    if scope == "everyone":
        assert set(seats) == {ids["fellow"], ids["put_forward"], ids["other_alliance"]}
        assert seats[ids["put_forward"]] != far.id, "put forward to the first enterprise only"
        assert seats[ids["other_alliance"]] == far.id, "seen by the second enterprise only"
    else:
        assert set(seats) == {ids["fellow"]}, "the only member school's student"
    assert run.summary["students"] == len(seats)
    for student_id, opening_id in seats.items():
        enterprise_id = second.id if opening_id == far.id else world.opening.plan.enterprise_id
        student = next(s for s in world.students.values() if s.id == student_id)
        assert enterprise_may_see(enterprise_id, student)
