"""Half-year plans and openings through the app: rules with reasons, publishing, copying, the openings list."""

from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.alliances.models import Membership, MembershipStatus
from marketplace.audit.models import AuditEvent
from marketplace.auth.models import Role
from marketplace.extensions import db as _db
from marketplace.orgs.models import OrgKind
from marketplace.plans.models import HiringPlan, Opening, OpeningKind, PlanStatus
from marketplace.reference.models import Major, Occupation
from tests.factories import AllianceFactory, MembershipFactory, OrganizationFactory, UserFactory, region
from tests.pipeline_factories import OpeningFactory, PlanFactory
from tests.querycount import count_queries


@pytest.fixture
def hr(db):
    enterprise = OrganizationFactory(kind=OrgKind.ENTERPRISE, staff_count=800)
    MembershipFactory(organization=enterprise)
    return UserFactory(organization=enterprise, role=Role.ORG_ADMIN)


def _alliance_of(user) -> int:
    return _db.session.scalar(
        sa.select(Membership.alliance_id).where(Membership.organization_id == user.organization_id)
    )


def opening_data(**overrides):
    turner = _db.session.scalar(sa.select(Occupation).where(Occupation.code == "6-18-01-01"))
    major = _db.session.scalar(sa.select(Major).order_by(Major.code))
    data = {
        "kind": "post_internship", "title": "数控车床操作工", "occupation_code": turner.code, "majors": [major.id],
        "skills": "数控编程, 识图", "certificates": "车工:中级", "city": region("371400").id, "headcount": 5,
        "pay_min": 4000, "pay_max": 5000, "post_wage": 5000, "start_date": "2027-03-01", "end_date": "2027-08-31",
        "shift_pattern": "day", "staff_in_post": 40, "description": "",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_enterprise_builds_and_publishes_a_plan(client, login_as, db, hr):
    login_as(hr)
    alliance_id = _alliance_of(hr)
    response = client.post("/plans/new", data={"year": 2027, "half": 1, "labour_standards": "五险一金",
                                               "alliances": [alliance_id]})  # fmt: skip
    assert response.status_code == 302
    plan = db.session.scalar(sa.select(HiringPlan))
    assert (plan.year, plan.half, plan.status, [a.id for a in plan.alliances]) == (
        2027,
        1,
        PlanStatus.DRAFT,
        [alliance_id],
    )
    assert client.post(f"/plans/{plan.id}/publish").status_code == 302
    db.session.refresh(plan)
    assert plan.status is PlanStatus.DRAFT  # no openings yet: refused
    assert client.post(f"/plans/{plan.id}/openings/new", data=opening_data()).status_code == 302
    opening = db.session.scalar(sa.select(Opening))
    assert (opening.kind, opening.occupation.name, opening.city.name) == (OpeningKind.POST_INTERNSHIP, "车工", "德州市")
    assert [(c.name, c.min_level) for c in opening.certificates] == [("车工", 2)]
    client.post(f"/plans/{plan.id}/publish")
    db.session.refresh(plan)
    assert plan.status is PlanStatus.PUBLISHED
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"plan_saved", "opening_saved", "plan_published"} <= actions


def test_a_plan_cannot_be_published_to_an_alliance_the_enterprise_is_not_in(client, login_as, db, hr):
    login_as(hr)
    stranger = AllianceFactory()
    response = client.post("/plans/new", data={"year": 2027, "half": 1, "alliances": [stranger.id]})
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HiringPlan)) == 0


def test_one_plan_per_half_year(client, login_as, db, hr):
    PlanFactory(enterprise=hr.organization, year=2027, half=1)
    login_as(hr)
    response = client.post("/plans/new", data={"year": 2027, "half": 1}, headers={"Accept-Language": "en"})
    assert "already a plan for this half-year" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"shift_pattern": "night"}, "night shifts or overtime"),
        ({"requires_overtime": "y"}, "night shifts or overtime"),
        ({"restricted_venue": "y"}, "bars, KTV"),
        ({"via_paid_agent": "y"}, "paid agents"),
        ({"labour_dispatch": "y"}, "labour dispatch"),  # art. 16(6)
        ({"heavy_labour": "y"}, "intensity III"),  # art. 16(7)
        ({"high_risk": "y"}, "underground"),
        ({"holiday_work": "y"}, "statutory holidays"),
        ({"pay_min": 3999}, "at least 4000 yuan"),
        ({"post_wage": ""}, "regular wage"),
        ({"end_date": "2027-02-01"}, "before the start date"),
        ({"pay_max": 100}, "below the lower end"),
        ({"occupation_code": "9-99-99-99"}, "by its code"),
        ({"certificates": "车工:特级"}, "车工:特级"),
    ],
)
def test_internship_rules_and_bad_input_are_refused_with_reasons(client, login_as, db, hr, overrides, message):
    plan = PlanFactory(enterprise=hr.organization, status=PlanStatus.DRAFT)
    login_as(hr)
    response = client.post(f"/plans/{plan.id}/openings/new", data=opening_data(**overrides),
                           headers={"Accept-Language": "en"})  # fmt: skip
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Opening)) == 0


def test_employment_openings_may_have_night_shifts(client, login_as, db, hr):
    plan = PlanFactory(enterprise=hr.organization, status=PlanStatus.DRAFT)
    login_as(hr)
    response = client.post(f"/plans/{plan.id}/openings/new",
                           data=opening_data(kind="employment", shift_pattern="night", post_wage=""))  # fmt: skip
    assert response.status_code == 302


def test_copy_last_half_year_as_a_start(client, login_as, db, hr):
    plan = PlanFactory(enterprise=hr.organization)
    OpeningFactory(plan=plan, filled=2, start_date=date(2027, 3, 1), end_date=date(2027, 6, 30))
    login_as(hr)
    assert client.post(f"/plans/{plan.id}/copy").status_code == 302
    copy = db.session.scalar(sa.select(HiringPlan).where(HiringPlan.half == 2))
    assert (copy.year, copy.status) == (2027, PlanStatus.DRAFT)
    (opening,) = copy.openings
    assert (opening.filled, opening.start_date, opening.end_date) == (0, date(2027, 9, 1), date(2027, 12, 30))
    assert client.post(f"/plans/{plan.id}/copy").status_code == 302  # second copy refused, with a message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HiringPlan)) == 2


def test_plan_access(client, login_as, db, hr):
    draft = PlanFactory(enterprise=hr.organization, status=PlanStatus.DRAFT)
    other_hr = UserFactory(organization=OrganizationFactory())
    school_user = UserFactory(organization=OrganizationFactory(kind=OrgKind.SCHOOL, staff_count=None))
    login_as(other_hr)
    assert client.get(f"/plans/{draft.id}").status_code == 404
    assert client.get(f"/plans/{draft.id}/edit").status_code == 404
    assert client.post(f"/plans/{draft.id}/publish").status_code == 404
    login_as(school_user)
    assert client.get("/plans/new").status_code == 403
    login_as(hr)
    assert client.get(f"/plans/{draft.id}").status_code == 200


def test_openings_list_filters_and_no_n_plus_one(client, login_as, db, hr):
    published = PlanFactory(enterprise=hr.organization)
    majors = db.session.scalars(sa.select(Major).order_by(Major.code).limit(2)).all()
    welder = db.session.scalar(sa.select(Occupation).where(Occupation.code == "6-18-02-04"))
    for i in range(3):
        o = OpeningFactory(plan=published, kind=OpeningKind.EMPLOYMENT, title=f"就业岗{i}")
        o.majors = [majors[0]]
    w = OpeningFactory(plan=published, kind=OpeningKind.POST_INTERNSHIP, title="焊工实习", occupation=welder)
    w.majors = [majors[1]]
    OpeningFactory(plan=PlanFactory(status=PlanStatus.DRAFT), title="草稿岗位")
    db.session.commit()
    login_as(hr)
    page = client.get("/openings").get_data(as_text=True)
    assert "就业岗0" in page
    assert "焊工实习" in page
    assert "草稿岗位" not in page
    assert "焊工实习" not in client.get("/openings?kind=employment").get_data(as_text=True)
    assert "就业岗1" not in client.get("/openings?occupation=6-18-02").get_data(as_text=True)
    by_major = client.get(f"/openings?major={majors[1].id}").get_data(as_text=True)
    assert "就业岗1" not in by_major
    assert f'<option value="{majors[1].id}" selected>' in by_major, "the filter shows the major chosen"
    assert "焊工实习" not in client.get("/openings?half_year=2027H2").get_data(as_text=True)

    with count_queries(db.engine) as few:
        client.get("/openings")
    for i in range(20):
        o = OpeningFactory(plan=published, title=f"更多岗位{i}")
        o.majors = majors
    db.session.commit()
    with count_queries(db.engine) as many:
        assert "更多岗位19" in client.get("/openings").get_data(as_text=True)
    assert len(many) == len(few)


def test_occupation_suggestion_reads_noisy_job_board_titles(client, login_as, db, hr):
    login_as(hr)
    results = client.get("/occupations/suggest", query_string={"q": "招聘氩弧焊工（急）8千"}).get_json()
    assert (results[0]["code"], results[0]["name"]) == ("6-18-02-04", "焊工")
    assert len(results) <= 5
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)
    assert client.get("/occupations/suggest?q=").get_json() == []


def test_membership_status_matters_for_publishing(db, hr):
    from marketplace.plans.services import member_alliances

    assert len(member_alliances(hr.organization_id)) == 1
    membership = db.session.scalar(sa.select(Membership).where(Membership.organization_id == hr.organization_id))
    membership.status = MembershipStatus.LAPSED
    db.session.flush()
    assert member_alliances(hr.organization_id) == []
