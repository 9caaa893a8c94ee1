"""Chinese first, English on request; friendly error pages in both languages."""

from pathlib import Path

import pytest
from babel.support import Translations

from marketplace import create_app
from marketplace.config import TestConfig
from tests.factories import UserFactory

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def test_catalogue_lives_in_zh_not_zh_CN():
    """Babel reads a zh_CN folder as zh_Hans_CN and silently ignores it; ours must be `zh` and compiled."""
    assert (TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.mo").exists()
    assert not (TRANSLATIONS / "zh_CN").exists()
    catalogue = Translations.load(str(TRANSLATIONS), ["zh"])
    assert catalogue.gettext("Log in") == "登录"


@pytest.mark.parametrize(
    ("accept_language", "expected", "absent"),
    [
        (None, "登录", "Log in"),
        ("zh-CN,zh;q=0.9", "登录", "Log in"),
        ("zh-Hans-CN", "登录", "Log in"),
        ("en-US,en;q=0.8", "Log in", "登录"),
        ("fr-FR", "登录", "Log in"),
    ],
)
def test_login_page_language_follows_the_browser(client, accept_language, expected, absent):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    page = client.get("/auth/login", headers=headers).get_data(as_text=True)
    assert expected in page
    assert f">{absent}<" not in page


def test_language_switch_sticks_for_the_session(client):
    response = client.post("/lang/en", data={"next": "/auth/login"}, headers={"Accept-Language": "zh-CN"})
    assert response.headers["Location"] == "/auth/login"
    page = client.get("/auth/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Email, mobile number or student number" in page
    client.post("/lang/zh")
    assert "邮箱或手机号" in client.get("/auth/login").get_data(as_text=True)
    assert client.post("/lang/xx").status_code == 404


def test_language_switch_does_not_redirect_off_site(client):
    assert client.post("/lang/en", data={"next": "//evil.example.com"}).headers["Location"] == "/"


@pytest.mark.parametrize(("lang", "text"), [("zh-CN", "页面不存在"), ("en", "The page does not exist")])
def test_404_page_is_friendly_in_both_languages(client, lang, text):
    response = client.get("/no/such/page", headers={"Accept-Language": lang})
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)


@pytest.mark.parametrize(("lang", "text"), [("zh-CN", "无权操作"), ("en", "Not allowed")])
def test_403_page_is_friendly_in_both_languages(client, login_as, lang, text):
    login_as(UserFactory())
    response = client.get("/alliances/new", headers={"Accept-Language": lang})
    assert response.status_code == 403
    assert text in response.get_data(as_text=True)


def test_500_page_is_friendly(app):
    fresh = create_app(
        TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], PROPAGATE_EXCEPTIONS=False
    )

    @fresh.get("/_boom")
    def boom():
        raise RuntimeError("boom")

    response = fresh.test_client().get("/_boom", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 500
    assert "系统出错了" in response.get_data(as_text=True)


def test_bootstrap_is_served_locally(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert "cdn.jsdelivr.net" not in page
    assert "https://" not in page.split("<body")[0]
    css = client.get("/bootstrap/static/css/bootstrap.min.css")
    assert css.status_code == 200
    assert b"Bootstrap" in css.data[:200]
