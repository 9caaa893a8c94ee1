"""Who may open what in teacher practice: each kind of organisation × own / other organisation × every route."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.alliances.models import MembershipStatus
from marketplace.auth.models import Role
from marketplace.orgs.models import OrgKind
from marketplace.practice.models import PracticeBase, PracticeDecline, PracticeRequest, PracticeStatus, Teacher
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

ROLES = ("anonymous", "school", "other_school", "enterprise", "other_enterprise", "platform_admin")


@pytest.fixture
def world(db):
    school, other_school = SchoolFactory(), SchoolFactory()
    enterprise, other_enterprise = OrganizationFactory(), OrganizationFactory()
    teacher = TeacherFactory(school=school)
    base = PracticeBaseFactory(enterprise=enterprise)
    open_req = PracticeRequestFactory(teacher=teacher)
    taken = PracticeRequestFactory(
        teacher=teacher,
        base=base,
        status=PracticeStatus.ACCEPTED,
        start_date=date(2026, 3, 1),
        end_date=date(2026, 3, 30),
        days=30,
    )
    declined = PracticeRequestFactory(teacher=teacher, status=PracticeStatus.DECLINED)
    users = {
        "school": UserFactory(organization=school, role=Role.ORG_STAFF),
        "other_school": UserFactory(organization=other_school, role=Role.ORG_ADMIN),
        "enterprise": UserFactory(organization=enterprise, role=Role.ORG_STAFF),
        "other_enterprise": UserFactory(organization=other_enterprise, role=Role.ORG_ADMIN),
        "platform_admin": UserFactory(
            organization=OrganizationFactory(kind="institute", staff_count=None), role=Role.PLATFORM_ADMIN
        ),
    }
    ids = {"teacher": teacher.id, "base": base.id, "open": open_req.id, "taken": taken.id, "declined": declined.id}
    return users, ids


# route, then the expected status for each role in ROLES order (302 = redirected to log in).
TABLE = [
    ("/practice/teachers", (302, 200, 200, 403, 403, 403)),
    ("/practice/teachers?short=1", (302, 200, 200, 403, 403, 403)),
    ("/practice/teachers/new", (302, 200, 200, 403, 403, 403)),
    ("/practice/teachers/{teacher}", (302, 200, 404, 403, 403, 403)),
    ("/practice/teachers/{teacher}/edit", (302, 200, 404, 403, 403, 403)),
    ("/practice/requests", (302, 200, 200, 403, 403, 403)),
    ("/practice/requests/new", (302, 200, 200, 403, 403, 403)),
    ("/practice/requests/{open}", (302, 200, 404, 200, 200, 404)),  # open requests: every enterprise
    ("/practice/requests/{taken}", (302, 200, 404, 200, 404, 404)),  # accepted: the school and its host
    ("/practice/requests/{declined}", (302, 200, 404, 404, 404, 404)),
    ("/practice/open", (302, 403, 403, 200, 200, 403)),
    ("/practice/hosted", (302, 403, 403, 200, 200, 403)),
    ("/practice/bases", (302, 403, 403, 200, 200, 403)),
    ("/practice/bases/new", (302, 403, 403, 200, 200, 403)),
    ("/practice/bases/{base}/edit", (302, 403, 403, 200, 404, 403)),
]
CASES = [(route, role, codes[i]) for route, codes in TABLE for i, role in enumerate(ROLES)]


@pytest.mark.parametrize(("route", "role", "expected"), CASES, ids=[f"{r}-{role}" for r, role, _ in CASES])
def test_get_access(client, login_as, world, route, role, expected):
    users, ids = world
    if role != "anonymous":
        login_as(users[role])
    response = client.get(route.format(**ids))
    assert response.status_code == expected
    if expected == 302:
        assert "/auth/login" in response.headers["Location"]


# State-changing requests by the wrong organisation: refused, and nothing changes.
POSTS = [
    ("other_school", "/practice/teachers/{teacher}/edit", {"staff_no": "X1", "name": "冒名", "specialty": "x"}, 404),
    ("other_school", "/practice/requests/{open}/cancel", {}, 404),
    ("enterprise", "/practice/requests/{open}/cancel", {}, 403),
    ("school", "/practice/requests/{open}/accept", {"base_id": "{base}"}, 403),
    ("school", "/practice/requests/{taken}/complete", {"days_served": 10}, 403),
    ("other_enterprise", "/practice/requests/{open}/accept", {"base_id": "{base}"}, 422),  # not its base
    ("other_enterprise", "/practice/requests/{taken}/complete", {"days_served": 10}, 404),
    ("other_enterprise", "/practice/requests/{taken}/decline", {"reason": "不要了"}, 404),
    ("enterprise", "/practice/requests/{declined}/accept", {"base_id": "{base}"}, 404),
    ("other_enterprise", "/practice/bases/{base}/edit", {"name": "被篡改的基地", "mentor_name": "x"}, 404),
    ("school", "/practice/bases/new", {"name": "学校的基地", "mentor_name": "x"}, 403),
    ("other_school", "/practice/requests/new", {"teacher_id": "{teacher}", "start_date": "2026-07-01",
                                                "end_date": "2026-07-10", "days": 5}, 200),  # not its teacher
]  # fmt: skip


@pytest.mark.parametrize(("role", "route", "data", "expected"), POSTS, ids=[f"{p[1]}-{p[0]}" for p in POSTS])
def test_wrong_organisation_cannot_change(client, login_as, db, world, role, route, data, expected):
    users, ids = world
    login_as(users[role])
    data = {k: v.format(**ids) if isinstance(v, str) else v for k, v in data.items()}
    assert client.post(route.format(**ids), data=data).status_code == expected
    assert db.session.get(Teacher, ids["teacher"]).name != "冒名"
    assert db.session.get(PracticeBase, ids["base"]).name != "被篡改的基地"
    statuses = {key: db.session.get(PracticeRequest, ids[key]).status for key in ("open", "taken", "declined")}
    assert statuses == {
        "open": PracticeStatus.REQUESTED,
        "taken": PracticeStatus.ACCEPTED,
        "declined": PracticeStatus.DECLINED,
    }
    counts = [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (PracticeRequest, PracticeBase)]
    assert counts == [3, 1]


@pytest.mark.parametrize(
    ("role", "page", "action", "data"),
    [
        (
            "school",
            "/practice/teachers/new",
            "/practice/teachers/new",
            {"staff_no": "T9", "name": "新", "specialty": "x"},
        ),
        ("school", "/practice/requests/{open}", "/practice/requests/{open}/cancel", {}),
        ("enterprise", "/practice/requests/{open}", "/practice/requests/{open}/decline", {"reason": "名额已满"}),
        ("enterprise", "/practice/requests/{taken}", "/practice/requests/{taken}/complete", {"days_served": 3}),
    ],
)
def test_forms_need_the_csrf_token(csrf_app, world, role, page, action, data):
    users, ids = world
    client = csrf_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = users[role].get_id()
        session["_fresh"] = True
    assert client.post(action.format(**ids), data=data).status_code == 400
    html = client.get(page.format(**ids)).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    assert client.post(action.format(**ids), data=data | {"csrf_token": token}).status_code == 302


@pytest.fixture
def secretariats(db, world):
    """The secretariat of an alliance the requests' school is a member of, and of another alliance."""
    users, ids = world
    school = users["school"].organization

    def clerk_of(alliance):
        return UserFactory(organization=alliance.secretariat, role=Role.SECRETARIAT)

    def association():
        return OrganizationFactory(kind=OrgKind.ASSOCIATION, staff_count=None)

    ours, theirs = AllianceFactory(secretariat=association()), AllianceFactory(secretariat=association())
    left = AllianceFactory(secretariat=association())
    MembershipFactory(alliance=ours, organization=school)
    MembershipFactory(alliance=theirs, organization=SchoolFactory())
    MembershipFactory(alliance=left, organization=school, status=MembershipStatus.WITHDRAWN,
                      effective_until=date(2025, 1, 1))  # fmt: skip
    return ours, clerk_of(ours), clerk_of(theirs), clerk_of(left)


def test_the_secretariat_reads_the_requests_its_practice_allocation_links_to(client, login_as, world, secretariats):
    users, ids = world
    alliance, clerk, _, _ = secretariats
    login_as(clerk)
    allocation = client.get(f"/alliances/{alliance.id}/practice-allocation").get_data(as_text=True)
    assert f'href="/practice/requests/{ids["open"]}"' in allocation
    for key in ("open", "taken", "declined"):
        response = client.get(f"/practice/requests/{ids[key]}")
        assert response.status_code == 200, key
        page = response.get_data(as_text=True)
        for action in ("accept", "decline", "cancel", "complete"):
            assert f"/practice/requests/{ids[key]}/{action}" not in page, "read-only: no action is offered"
        assert "/practice/open" not in page, "no tabs of pages the secretariat may not open"


@pytest.mark.parametrize("which", ["another alliance", "an alliance the school left"])
def test_other_secretariats_still_get_404(client, login_as, world, secretariats, which):
    users, ids = world
    _, _, other, former = secretariats
    login_as(other if which == "another alliance" else former)
    for key in ("open", "taken", "declined"):
        assert client.get(f"/practice/requests/{ids[key]}").status_code == 404, key


@pytest.mark.parametrize(("route", "data"), [("accept", {"base_id": "{base}"}), ("decline", {"reason": "不合适"}),
                                             ("cancel", {}), ("complete", {"days_served": 3})])  # fmt: skip
def test_the_secretariat_cannot_act_on_a_request(client, login_as, db, world, secretariats, route, data):
    users, ids = world
    login_as(secretariats[1])
    data = {k: v.format(**ids) if isinstance(v, str) else v for k, v in data.items()}
    for key in ("open", "taken"):
        assert client.post(f"/practice/requests/{ids[key]}/{route}", data=data).status_code in (403, 404)
    statuses = {key: db.session.get(PracticeRequest, ids[key]).status for key in ("open", "taken")}
    assert statuses == {"open": PracticeStatus.REQUESTED, "taken": PracticeStatus.ACCEPTED}


def test_any_enterprise_declines_an_open_request_for_itself_only(client, login_as, db, world):
    """A decline by an enterprise the school never asked is that enterprise's answer: it closes nothing for the rest."""
    users, ids = world
    open_link = f"/practice/requests/{ids['open']}"
    login_as(users["other_enterprise"])
    assert client.post(f"{open_link}/decline", data={"reason": "不合适"}).status_code == 302
    assert open_link not in client.get("/practice/open").get_data(as_text=True)
    assert client.get(open_link).status_code == 200, "it may still read the request it answered"
    statuses = {key: db.session.get(PracticeRequest, ids[key]).status for key in ("open", "taken", "declined")}
    assert statuses == {
        "open": PracticeStatus.REQUESTED,
        "taken": PracticeStatus.ACCEPTED,
        "declined": PracticeStatus.DECLINED,
    }
    [decline] = db.session.scalars(sa.select(PracticeDecline)).all()
    assert (decline.request_id, decline.enterprise_id) == (ids["open"], users["other_enterprise"].organization_id)

    login_as(users["enterprise"])
    assert open_link in client.get("/practice/open").get_data(as_text=True)
    assert f"{open_link}/decline" in client.get(open_link).get_data(as_text=True)
