"""Registration, login by email or mobile, rate limit, CSRF, dead cookies after logout/password change."""

import re

import pytest
import sqlalchemy as sa

from marketplace.audit.models import AuditEvent
from marketplace.auth.models import Invitation, Role, User
from marketplace.orgs.credit_code import check_character
from marketplace.orgs.models import Organization, OrgKind
from tests.factories import PASSWORD, UserFactory, region


def _registration(**overrides):
    first17 = "91131100MA0ABCDE1"
    data = {
        "org_name": "衡水恒信精密机械有限公司",
        "kind": "enterprise",
        "credit_code": first17 + check_character(first17),
        "city": region("131100").id,
        "school_level": "",
        "staff_count": "320",
        "contact_name": "李经理",
        "contact_phone": "0318-2150001",
        "contact_email": "",
        "address": "",
        "name": "李华",
        "email": "Li.Hua@Example.cn",
        "mobile": "13912345678",
        "password": "Strong-pass-2027",
        "confirm": "Strong-pass-2027",
    }
    data.update(overrides)
    return data


def _audit_actions(db) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_register_creates_organisation_and_admin_and_logs_in(client, db):
    response = client.post("/auth/register", data=_registration())
    assert response.status_code == 302
    org = db.session.scalar(sa.select(Organization))
    user = db.session.scalar(sa.select(User))
    assert (org.kind, org.staff_count, org.city.code, org.province.code) == (
        OrgKind.ENTERPRISE,
        320,
        "131100",
        "130000",
    )
    assert (user.email, user.role, user.organization_id) == ("li.hua@example.cn", Role.ORG_ADMIN, org.id)
    assert user.password_hash.startswith("$argon2id$")
    assert "organization_registered" in _audit_actions(db)
    assert client.get("/org").status_code == 200


@pytest.mark.parametrize(
    ("override", "field_message"),
    [
        ({"credit_code": "91131100MA0ABCDE1X"}, "check character"),
        ({"credit_code": "91131100MA0ABCDE"}, "18 characters"),
        ({"kind": "school", "staff_count": ""}, "school must give its level"),
        ({"staff_count": ""}, "staff count"),
        ({"mobile": "12345"}, "11-digit"),
        ({"password": "short", "confirm": "short"}, "at least 10"),
        ({"confirm": "Different-pass-1"}, "Passwords differ"),
        ({"city": "999999"}, "Not a valid choice"),
    ],
)
def test_register_rejects_bad_input_with_a_message(client, db, override, field_message):
    client.set_cookie("lang", "en")
    response = client.post("/auth/register", data=_registration(**override), headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert field_message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 0


def test_register_refuses_a_duplicate_credit_code(client, db):
    first = UserFactory()
    response = client.post(
        "/auth/register",
        data=_registration(credit_code=first.organization.credit_code),
        headers={"Accept-Language": "en"},
    )
    assert "already registered" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 1


@pytest.mark.parametrize("identifier", ["boss@example.cn", "BOSS@example.cn ", "13800001111"])
def test_login_by_email_or_mobile(client, db, identifier):
    UserFactory(email="boss@example.cn", mobile="13800001111")
    response = client.post("/auth/login", data={"identifier": identifier, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/org").status_code == 200
    assert _audit_actions(db)[-1] == "login"


def test_wrong_password_and_inactive_users_cannot_log_in(client, db):
    UserFactory(email="a@example.cn")
    UserFactory(email="b@example.cn", active=False)
    for email, password in (("a@example.cn", "wrong-password-1"), ("b@example.cn", PASSWORD)):
        response = client.post("/auth/login", data={"identifier": email, "password": password})
        assert response.status_code == 200
    assert client.get("/org").status_code == 302
    assert _audit_actions(db) == ["login_failed", "login_failed"]


def test_login_is_rate_limited(client, db):
    UserFactory(email="a@example.cn")
    codes = [
        client.post("/auth/login", data={"identifier": "a@example.cn", "password": "nope-nope-1"}).status_code
        for _ in range(6)
    ]
    assert codes == [200] * 5 + [429]
    page = client.post("/auth/login", data={"identifier": "a@example.cn", "password": PASSWORD})
    assert page.status_code == 429
    assert "429" in page.get_data(as_text=True)


def test_open_redirect_after_login_is_refused(client, db):
    UserFactory(email="a@example.cn")
    response = client.post(
        "/auth/login?next=//evil.example.com/x", data={"identifier": "a@example.cn", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_copied_cookie_is_dead_after_logout(app, client, db):
    UserFactory(email="a@example.cn")
    client.post("/auth/login", data={"identifier": "a@example.cn", "password": PASSWORD})
    stolen = client.get_cookie("session").value
    client.post("/auth/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/org")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_password_change_kills_other_sessions_but_keeps_this_one(app, client, db):
    user = UserFactory(email="a@example.cn")
    other_browser = app.test_client()
    for c in (client, other_browser):
        c.post("/auth/login", data={"identifier": "a@example.cn", "password": PASSWORD})
    response = client.post(
        "/auth/password",
        data={"current": PASSWORD, "password": "New-password-99", "confirm": "New-password-99"},
    )
    assert response.status_code == 302
    assert client.get("/org").status_code == 200
    assert other_browser.get("/org").status_code == 302
    db.session.refresh(user)
    assert "password_changed" in _audit_actions(db)


def test_password_change_needs_the_current_password(client, db, login_as):
    user = UserFactory()
    login_as(user)
    response = client.post(
        "/auth/password", data={"current": "wrong-one-1", "password": "New-password-99", "confirm": "New-password-99"}
    )
    assert response.status_code == 200
    db.session.refresh(user)
    assert user.session_version == 1


def test_forms_reject_posts_without_csrf_token(csrf_app, db):
    UserFactory(email="a@example.cn")
    client = csrf_app.test_client()
    response = client.post("/auth/login", data={"identifier": "a@example.cn", "password": PASSWORD})
    assert response.status_code == 400
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/auth/login", data={"identifier": "a@example.cn", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_invitation_flow(app, client, db, login_as):
    admin = UserFactory(email="admin@example.cn")
    login_as(admin)
    response = client.post("/auth/staff", data={"email": "Colleague@Example.cn", "role": "org_staff"})
    link = re.search(r"http://localhost(/auth/invitation/[\w-]+)", response.get_data(as_text=True)).group(1)
    assert db.session.scalar(sa.select(Invitation.token_hash)) not in link  # only the hash is stored
    newcomer = app.test_client()
    response = newcomer.post(
        link, data={"name": "小张", "mobile": "", "password": "Colleague-pw-1", "confirm": "Colleague-pw-1"}
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "colleague@example.cn"))
    assert (user.organization_id, user.role) == (admin.organization_id, Role.ORG_STAFF)
    assert newcomer.get(link).status_code == 404  # single use


def test_staff_cannot_invite(client, db, login_as):
    login_as(UserFactory(role=Role.ORG_STAFF))
    assert client.post("/auth/staff", data={"email": "x@example.cn", "role": "org_admin"}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_deactivated_user_is_logged_out_at_once(app, client, db, login_as):
    admin = UserFactory()
    colleague = UserFactory(organization=admin.organization, role=Role.ORG_STAFF)
    colleague_browser = app.test_client()
    with colleague_browser.session_transaction() as s:
        s["_user_id"] = colleague.get_id()
    assert colleague_browser.get("/org").status_code == 200
    login_as(admin)
    client.post(f"/auth/staff/{colleague.id}/active", data={"active": "0"})
    assert colleague_browser.get("/org").status_code == 302
