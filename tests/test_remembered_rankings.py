"""Rankings remembered between requests (issue 14's mixed load): with kept rows, an opening's candidates and a
student's openings are ranked once per version of the rows and day, and a page viewed again, paged or filtered shows
exactly what a fresh ranking shows, until a change moves the rows."""

import re

import pytest
from markupsafe import Markup

from marketplace.allocations import explain_html
from marketplace.auth.models import Role
from marketplace.extensions import db as _db
from marketplace.rowcache import store
from matching.features import Contribution, Explanation
from tests.factories import UserFactory
from tests.test_ranking_rows import random_market


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return re.sub(r'name="csrf_token"[^>]*>', "", response.get_data(as_text=True))


def fresh_and_kept(app, client, url: str) -> tuple[str, str, str, str]:
    """The page ranked afresh (rows not kept), then ranked with kept rows, then remembered (its explanations made
    over the rows shown), then remembered with its explanations."""
    app.config["RANKING_ROWS_KEPT"] = False
    fresh = page(client, url)
    app.config["RANKING_ROWS_KEPT"] = True
    store.forget()
    try:
        return fresh, page(client, url), page(client, url), page(client, url)
    finally:
        app.config["RANKING_ROWS_KEPT"] = False
        store.forget()


def kept_store():
    return store._kept[str(_db.engine.url)]


@pytest.mark.parametrize("seed", [1, 2])
def test_a_remembered_candidates_page_shows_what_a_fresh_ranking_shows(app, client, login_as, db, seed):
    _, openings, _ = random_market(db, seed)
    shown = 0
    for opening in openings[:4]:
        login_as(UserFactory(organization=opening.plan.enterprise, role=Role.ORG_STAFF))
        for query in ("", "?member=yes", "?member=no"):
            fresh, *kept_views = fresh_and_kept(app, client, f"/openings/{opening.id}/ranking{query}")
            assert kept_views == [fresh] * 3
            shown += fresh.count('class="progress"')
    assert shown, "the market must rank someone with an explanation"


def test_a_remembered_student_page_shows_what_a_fresh_ranking_shows(app, client, login_as, db):
    _, _, students = random_market(db, 3)
    for student in students[:5]:
        login_as(UserFactory(organization=student.school))
        fresh, *kept_views = fresh_and_kept(app, client, f"/students/{student.id}/openings")
        assert kept_views == [fresh] * 3
        assert 'class="progress"' in fresh


def test_a_change_to_a_candidate_moves_the_remembered_ranking(app, client, login_as, db, kept):
    _, openings, students = random_market(db, 4)
    opening = openings[0]
    login_as(UserFactory(organization=opening.plan.enterprise, role=Role.ORG_STAFF))
    url = f"/openings/{opening.id}/ranking"
    before = page(client, url)
    assert ("candidates", opening.id) in kept_store()._remembered["candidates"]
    named = [s for s in students if s.name in before]
    assert named, "the page names some candidates"
    named[0].name = "改名后的学生"
    named[0].skills = "养老照护 护理 园林养护"
    db.session.commit()
    after = page(client, url)
    assert "改名后的学生" in after
    assert after != before
    app.config["RANKING_ROWS_KEPT"] = False
    assert page(client, url) == after, "the page after the change is the fresh ranking's"


def test_an_edited_opening_moves_the_students_remembered_openings(app, client, login_as, db, kept):
    _, openings, students = random_market(db, 5)
    student = students[0]
    login_as(UserFactory(organization=student.school))
    url = f"/students/{student.id}/openings"
    before = page(client, url)
    assert any(key[1] == student.id for key in kept_store()._remembered["openings"])
    for opening in openings:
        opening.skills = student.skills  # every opening now asks for exactly the student's skills
    db.session.commit()
    after = page(client, url)
    assert after != before
    app.config["RANKING_ROWS_KEPT"] = False
    assert page(client, url) == after


def test_a_store_remembers_a_bounded_number_of_rankings_until_the_rows_move(app, db, kept, monkeypatch):
    _, openings, _ = random_market(db, 6)
    monkeypatch.setattr(store, "RANKINGS_KEPT", {"x": 2, "y": 1})
    computed = []

    def compute(n):
        return lambda: computed.append(n) or n

    with app.test_request_context(), store.using() as rows:
        assert [rows.remember(("x", n), compute(n)) for n in (1, 2, 1, 3, 1, 2)] == [1, 2, 1, 3, 1, 2]
        assert computed == [1, 2, 3, 2], "1 was used last, so 2 went first past the bound"
        assert [rows.remember(("y", n), compute(n)) for n in (8, 9)] == [8, 9]
        assert rows.remember(("x", 1), compute(99)) == 1, "each kind has its own bound"
    openings[0].skills = "钳工"
    db.session.commit()
    with app.test_request_context(), store.using() as rows:
        assert rows.remember(("x", 1), compute(10)) == 10, "a change-log entry forgets what was remembered"


def test_a_request_reads_the_change_log_once_until_it_commits(app, db, kept, monkeypatch):
    _, openings, _ = random_market(db, 7)
    refreshes = []
    monkeypatch.setattr(
        store.RowStore, "refresh", lambda self, real=store.RowStore.refresh: refreshes.append(1) or real(self)
    )
    with app.test_request_context():
        with store.using() as rows:
            rows.remember(("x", 1), lambda: "ranked")
        with store.using() as rows:  # the page's explanations, after its ranking
            assert rows.remember(("x", 1), lambda: "again") == "ranked"
        assert len(refreshes) == 1, "the second use in the request reads the log no more"
        openings[0].skills = "钳工"
        db.session.commit()
        with store.using() as rows:
            assert rows.remember(("x", 1), lambda: "after the commit") == "after the commit"
        assert len(refreshes) == 2, "the request's commit may have logged a change: the log is read again"
    with app.test_request_context(), store.using():
        assert len(refreshes) == 3, "each request reads the log"


def test_the_explanation_bars_escape_every_word(app):
    explanation = Explanation((Contribution("major", 0.5, 0.4, '<script>alert("x")</script>'),
                               Contribution("skills", 0.0, 0.3, "no_skills")))  # fmt: skip
    with app.test_request_context():
        html = explain_html.bars(explanation)
    assert isinstance(html, Markup)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert html.count('class="progress-bar') == 1, "a feature that adds no points draws no segment"
    assert 'style="width: 20.0%"' in html
    assert "0.50 × 0.40" in html


def test_the_bars_are_kept_per_language(app):
    explanation = Explanation((Contribution("major", 1.0, 0.4, "exact"),))
    drawn = {}
    for language in ("zh", "en", "zh"):
        # each request its own app context, as in production (the fixture's would keep the first locale)
        with app.app_context(), app.test_request_context(headers={"Accept-Language": language}):
            drawn.setdefault(language, []).append(explain_html.bars(explanation))
    assert drawn["zh"][0] == drawn["zh"][1]
    assert drawn["zh"][0] != drawn["en"][0], "the words are the request's language, not the first drawer's"
    assert "专业" in drawn["zh"][0]
    assert "Major" in drawn["en"][0]
