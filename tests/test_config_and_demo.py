"""Configuration from the environment, and the demo data command."""

import secrets

import pytest
import sqlalchemy as sa

from marketplace import create_app
from marketplace.alliances import services
from marketplace.alliances.models import Alliance, Membership, MembershipStatus
from marketplace.auth.models import Role, User
from marketplace.config import Config, ConfigError, ProductionConfig, TestConfig, _dev_secret_key
from marketplace.orgs.credit_code import credit_code_error
from marketplace.orgs.models import Organization, OrgKind
from marketplace.timeutil import local_today


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(ProductionConfig)
    monkeypatch.setenv("SECRET_KEY", "too-short")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_production_needs_a_database_url_and_secures_cookies(monkeypatch):
    key = secrets.token_hex(32)
    monkeypatch.setenv("SECRET_KEY", key)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        create_app(ProductionConfig)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app(ProductionConfig)
    assert app.config["SECRET_KEY"] == key
    assert (
        app.config["SESSION_COOKIE_SECURE"],
        app.config["SESSION_COOKIE_HTTPONLY"],
        app.config["SESSION_COOKIE_SAMESITE"],
    ) == (True, True, "Lax")


def test_production_and_development_keep_ranking_rows_and_the_suite_does_not(monkeypatch):
    """Kept rows are what makes the ranking pages fast; the suite builds them afresh (its change-log ids repeat)."""
    monkeypatch.setenv("SECRET_KEY", secrets.token_hex(32))
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    assert create_app(ProductionConfig).config["RANKING_ROWS_KEPT"] is True
    assert create_app(Config).config["RANKING_ROWS_KEPT"] is True
    assert create_app(TestConfig).config["RANKING_ROWS_KEPT"] is False


def test_development_key_is_generated_once_into_instance(tmp_path):
    first = _dev_secret_key(tmp_path)
    assert len(first) == 64
    assert _dev_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert not hasattr(Config, "SECRET_KEY")
    assert not hasattr(TestConfig, "SECRET_KEY")


def test_demo_load_builds_the_four_alliances_once(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "admin@demo.xqt.cn" in result.output
    names = set(db.session.scalars(sa.select(Alliance.short_name)))
    assert len(names) == 4
    counts = dict(db.session.execute(sa.select(Organization.kind, sa.func.count()).group_by(Organization.kind)).all())
    assert counts[OrgKind.SCHOOL] >= 25
    assert counts[OrgKind.ENTERPRISE] >= 70
    assert all(credit_code_error(c) is None for c in db.session.scalars(sa.select(Organization.credit_code)))
    statuses = set(db.session.scalars(sa.select(Membership.status)))
    assert {MembershipStatus.ACTIVE, MembershipStatus.APPLIED, MembershipStatus.WITHDRAWN} <= statuses
    assert set(db.session.scalars(sa.select(User.role))) == set(Role)
    orgs_before = db.session.scalar(sa.select(sa.func.count()).select_from(Organization))

    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0
    assert "already present" in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == orgs_before


def test_demo_school_and_enterprise_are_fellow_members_and_can_log_in(app, client, db, demo_copy):
    from marketplace.demo.data import DEMO_PASSWORD

    demo_copy.load()
    school = db.session.scalar(sa.select(User).where(User.email == "school@demo.xqt.cn"))
    hr = db.session.scalar(sa.select(User).where(User.email == "hr@demo.xqt.cn"))
    assert services.are_fellow_members(school.organization_id, hr.organization_id, local_today())
    response = client.post("/auth/login", data={"identifier": "school@demo.xqt.cn", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "衡水" in client.get("/alliances").get_data(as_text=True)
