"""Who may open what: each role × own / other organisation × every route."""

import pytest

from marketplace.alliances.models import Membership, MembershipStatus
from marketplace.auth.models import Role, User
from marketplace.orgs.models import Organization
from tests.factories import AllianceFactory, MembershipFactory, OrganizationFactory, SchoolFactory, UserFactory

ROLES = ("anonymous", "school_admin", "school_staff", "other_admin", "secretariat", "platform_admin")


@pytest.fixture
def world(db):
    school, other = SchoolFactory(), OrganizationFactory()
    secretariat_org = SchoolFactory(name="联盟秘书处学校")
    alliance = AllianceFactory(secretariat=secretariat_org)
    other_alliance = AllianceFactory()
    membership = MembershipFactory(organization=school, alliance=alliance)
    MembershipFactory(organization=other, alliance=alliance)
    pending = MembershipFactory(
        organization=other, alliance=other_alliance, status=MembershipStatus.APPLIED, effective_from=None
    )
    users = {
        "school_admin": UserFactory(organization=school, role=Role.ORG_ADMIN),
        "school_staff": UserFactory(organization=school, role=Role.ORG_STAFF),
        "other_admin": UserFactory(organization=other, role=Role.ORG_ADMIN),
        "secretariat": UserFactory(organization=secretariat_org, role=Role.SECRETARIAT),
        "platform_admin": UserFactory(
            organization=OrganizationFactory(kind="institute", staff_count=None), role=Role.PLATFORM_ADMIN
        ),
    }
    ids = {
        "school": school.id,
        "alliance": alliance.id,
        "other_alliance": other_alliance.id,
        "membership": membership.id,
        "pending": pending.id,
        "school_staff_user": users["school_staff"].id,
    }
    return users, ids


# route template, then the expected status for each role in ROLES order (302 = redirected to login).
TABLE = [
    ("/", (200, 200, 200, 200, 200, 200)),
    ("/alliances", (302, 200, 200, 200, 200, 200)),
    ("/alliances/{alliance}", (302, 200, 200, 200, 200, 200)),
    ("/alliances/{alliance}/review", (302, 404, 404, 404, 200, 200)),
    ("/alliances/{other_alliance}/review", (302, 404, 404, 404, 404, 200)),
    ("/alliances/{other_alliance}/apply", (302, 200, 403, 302, 200, 200)),
    ("/memberships/{membership}", (302, 200, 200, 404, 200, 200)),
    ("/memberships/{pending}", (302, 404, 404, 200, 404, 200)),
    ("/org", (302, 200, 200, 200, 200, 200)),
    ("/orgs/{school}", (302, 200, 200, 200, 200, 200)),
    ("/orgs/{school}/edit", (302, 200, 404, 404, 404, 200)),
    ("/auth/staff", (302, 200, 403, 200, 200, 200)),
    ("/auth/password", (302, 200, 200, 200, 200, 200)),
    ("/alliances/new", (302, 403, 403, 403, 403, 200)),
    ("/alliances/{alliance}/charter", (302, 403, 403, 403, 403, 200)),
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
        assert "/auth/login" in response.headers["Location"] or route.endswith("/apply")


def test_other_organisations_contacts_are_not_shown(client, login_as, world):
    users, ids = world
    login_as(users["other_admin"])
    page = client.get(f"/orgs/{ids['school']}").get_data(as_text=True)
    assert "0318-2150000" not in page
    login_as(users["school_staff"])
    assert "0318-2150000" in client.get(f"/orgs/{ids['school']}").get_data(as_text=True)


# State-changing requests by a user of another organisation: refused, and nothing changes.
POSTS = [
    ("/memberships/{membership}", {"status": "expelled", "reason": "x", "effective_on": "2025-01-01"}, 404),
    ("/memberships/{membership}/withdraw", {"reason": "we leave"}, 404),
    ("/orgs/{school}/edit", {"org_name": "被篡改的学校"}, 404),
    ("/auth/staff/{school_staff_user}/active", {"active": "0"}, 404),
    ("/alliances/{alliance}/charter", {"name": "x"}, 403),
]


@pytest.mark.parametrize(("route", "data", "expected"), POSTS, ids=[p[0] for p in POSTS])
def test_other_organisation_cannot_change(client, login_as, db, world, route, data, expected):
    users, ids = world
    login_as(users["other_admin"])
    assert client.post(route.format(**ids), data=data).status_code == expected
    school_staff = db.session.get(User, ids["school_staff_user"])
    assert school_staff.active
    membership = db.session.get(Membership, ids["membership"])
    assert membership.status is MembershipStatus.ACTIVE
    assert membership.withdrawal_requested_on is None
    assert db.session.get(Organization, ids["school"]).name != "被篡改的学校"
