"""Notifications are data (kind + parameters + target), rendered when read in the reader's language; the bell."""

import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from marketplace.notifications import catalogue as kinds
from marketplace.notifications.models import Notification
from marketplace.notifications.services import notify
from marketplace.pipeline.models import NominationStatus
from tests.factories import OrganizationFactory, PracticeRequestFactory, UserFactory
from tests.pipeline_factories import NominationFactory
from tests.querycount import count_queries

ZH, EN = {"Accept-Language": "zh-CN"}, {"Accept-Language": "en"}


def page(client, headers=None) -> str:
    response = client.get("/notifications", headers=headers or ZH)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def items(html: str) -> list[str]:
    return re.findall(r'<li class="list-group-item[^"]*">(.*?)</li>', html, re.S)


def test_a_service_stores_kind_parameters_and_target_not_text(client, login_as, db):
    req = PracticeRequestFactory()
    login_as(UserFactory())
    response = client.post(f"/practice/requests/{req.id}/decline", data={"reason": "本期名额已满"}, headers=EN)
    assert response.status_code == 302
    note = db.session.scalar(sa.select(Notification))
    assert (note.organization_id, note.kind) == (req.teacher.school_id, "practice_declined")
    assert note.params["teacher"] == req.teacher.name
    assert note.params["reason"] == "本期名额已满"
    assert (note.endpoint, note.target) == ("practice.request_detail", {"request_id": req.id})


def test_the_same_row_reads_in_chinese_and_in_english(client, login_as, db):
    req = PracticeRequestFactory()
    school_user = UserFactory(organization=req.teacher.school)
    login_as(UserFactory())
    client.post(f"/practice/requests/{req.id}/decline", data={"reason": "本期名额已满"}, headers=EN)  # actor in en
    login_as(school_user)
    link = f'<a href="/practice/requests/{req.id}">'
    [zh] = items(page(client, ZH))
    assert link in zh
    assert "婉拒了" in zh
    assert "declined" not in zh
    [en] = items(page(client, EN))
    assert link in en
    assert "declined the practice request of" in en
    with client.session_transaction() as session:  # the language chosen in the menu wins over the browser's
        session["lang"] = "zh"
    assert "婉拒了" in items(page(client, EN))[0]


def test_a_status_shows_its_label_never_its_code(client, login_as, db):
    n = NominationFactory(status=NominationStatus.OFFERED)
    school_user = UserFactory(organization=n.student.school)
    notify(n.student.school_id, kinds.NOMINATION_MOVED, {"nomination_id": n.id}, student=n.student.name,
           opening=n.opening.title, status=NominationStatus.OFFERED)  # fmt: skip
    db.session.commit()
    assert db.session.scalar(sa.select(Notification.params))["status"] == "offered"
    login_as(school_user)
    [zh] = items(page(client, ZH))
    assert f"{n.student.name} · {n.opening.title}：已发录用通知" in zh
    assert "offered" not in zh.lower()
    assert f'href="/nominations/{n.id}"' in zh
    [en] = items(page(client, EN))
    assert f"{n.student.name} · {n.opening.title}: Offered" in en


def test_legacy_text_keeps_its_words_and_only_links_inside_the_site(client, login_as, db):
    org = OrganizationFactory()
    n = NominationFactory()

    # The old shape, as the migration stores old rows: a ready-made text and a hand-written path.
    def legacy(text, path):
        return Notification(organization_id=org.id, kind="text", params={"message": text, "link": path})

    db.session.add_all([legacy("推荐：张三 → 数控车工", f"/nominations/{n.id}"),
                        legacy("外部链接", "//evil.example/phish"), legacy("无效链接", "/no/such/page")])  # fmt: skip
    db.session.commit()
    assert set(db.session.scalars(sa.select(Notification.kind))) == {"text"}
    login_as(UserFactory(organization=org))
    for headers in (ZH, EN):
        bad_path, evil, good = items(page(client, headers))
        assert good.startswith(f'<a href="/nominations/{n.id}">推荐：张三 → 数控车工</a>')
        assert "<a" not in evil
        assert "外部链接" in evil
        assert "evil.example" not in evil
        assert "<a" not in bad_path
        assert "无效链接" in bad_path


def test_the_bell_counts_unread_in_one_query_and_mark_read_clears_it(client, login_as, db):
    org, other = OrganizationFactory(), OrganizationFactory()
    for i in range(3):
        notify(org.id, kinds.TEXT, message=f"通知{i}")
    notify(other.id, kinds.TEXT, message="别的单位")
    db.session.commit()
    login_as(UserFactory(organization=org))
    with count_queries(db.engine) as statements:
        html = client.get("/orgs/mine", headers=ZH).get_data(as_text=True)
    assert re.search(r'id="unread-count"[^>]*>3</span>', html)
    assert len([s for s in statements if "notifications" in s]) == 1
    response = client.post("/notifications/read")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/notifications")
    html = page(client)
    assert "unread-count" not in html
    assert "fw-semibold" not in html
    unread = sa.select(Notification.organization_id).where(Notification.read_at.is_(None))
    assert list(db.session.scalars(unread)) == [other.id]  # another organisation's stay unread


def test_the_bell_costs_anonymous_pages_nothing(client, db):
    with count_queries(db.engine) as statements:
        assert client.get("/auth/login").status_code == 200
    assert not [s for s in statements if "notifications" in s]


def test_keyed_notifications_are_sent_once_per_organisation(db):
    org, other = OrganizationFactory(), OrganizationFactory()
    assert notify(org.id, kinds.TEXT, key="k", message="a") is not None
    assert notify(org.id, kinds.TEXT, key="k", message="a") is None
    assert notify(other.id, kinds.TEXT, key="k", message="a") is not None


def test_a_kind_refuses_parameters_or_link_values_it_does_not_take(db):
    org = OrganizationFactory()
    with pytest.raises(TypeError):
        notify(org.id, kinds.MOTION_PASSED, {"membership_id": 1}, alliance="A", motion="M")  # no date
    with pytest.raises(TypeError):
        notify(org.id, kinds.MOTION_PASSED, {"alliance_id": 1}, alliance="A", motion="M", date="2026-01-01")


@pytest.mark.parametrize("kind", [k for k in kinds.KINDS.values() if k is not kinds.TEXT], ids=lambda k: k.name)
def test_every_kind_has_chinese_words_and_renders_in_both_languages(kind, db):
    params = {name: (3 if f"%({name})d" in kind.text._args[0] else "X") for name in kind.params}
    row = Notification(kind=kind.name, params=params, endpoint=kind.endpoint, target={})
    with force_locale("en"):
        english = row.message
    with force_locale("zh"):
        chinese = row.message
    assert english != chinese
    assert not re.search(r"[A-Za-z]{2,}", chinese), chinese  # no English word left in the zh text
