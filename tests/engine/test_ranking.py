"""Fit features, explanations, hard filters and rankings both ways, on worked examples and synthetic instances."""

from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import synthetic
from matching.features import Catalogue, certificate_value, grade_value
from matching.model import FEATURES, Graduate, Major, Occupation, Opening, Place, Weights
from matching.priority import audit, quantise
from matching.ranking import Engine

MAJORS = [
    Major("焊接技术应用", "装备制造大类"),
    Major("数控技术", "装备制造大类"),
    Major("护理", "医药卫生大类"),
    Major("园林技术", "农林牧渔大类"),
]
OCCUPATIONS = [
    Occupation("6-18-02-04", "焊工", "操作焊接设备，进行金属工件焊接"),
    Occupation("4-10-01-05", "养老护理员", "从事老年人生活照料、护理服务"),
    Occupation("4-09-10-01", "园林绿化工", "从事园林植物种植、养护、园林景观营造"),
]
PLACES = [
    Place("131100", 115.67, 37.74),  # 衡水
    Place("130100", 114.51, 38.04),  # 石家庄, same province, ~100 km
    Place("371400", 116.36, 37.44),  # 德州, other province, ~70 km from 衡水
    Place("440300", 114.06, 22.54),
]  # 深圳, far
HENGSHUI, SHIJIAZHUANG, DEZHOU, SHENZHEN = range(4)


def catalogue():
    # 园林技术 is left out of the mapping on purpose: its relation must come from text similarity
    mapping = {"焊接技术应用": ("6-18-02-04",), "数控技术": ("6-18-01",), "护理": ("4-10-01-05",)}
    return Catalogue(MAJORS, OCCUPATIONS, PLACES, mapping)


def graduate(id, **kw):
    return Graduate(id=id, school=kw.pop("school", 1), major=kw.pop("major", 0), graduation_year=2027, **kw)


def opening(id=1, **kw):
    return Opening(id=id, enterprise=kw.pop("enterprise", 100), kind=kw.pop("kind", "employment"), **kw)


def contributions(graduates, openings, g=0, o=0):
    explanation = Engine(catalogue(), graduates, openings).explain(g, o)
    return {c.feature: (c.value, c.reason) for c in explanation.contributions}


@pytest.mark.parametrize(
    ("major", "wanted", "occupation", "value", "reason"),
    [
        pytest.param(0, (0,), 0, 1.0, "exact", id="a wanted major"),
        pytest.param(1, (0,), None, 0.7, "category", id="same category as a wanted major"),
        pytest.param(0, (), 0, 0.5, "occupation", id="the reviewed table relates major and occupation"),
        pytest.param(3, (), 2, 0.4, "occupation_text", id="unmapped major, textually close occupation"),
        pytest.param(2, (0,), 0, 0.0, "none", id="unrelated"),
    ],
)
def test_major_levels(major, wanted, occupation, value, reason):
    c = contributions([graduate(1, major=major)], [opening(majors=wanted, occupation=occupation)])
    assert c["major"] == (value, reason)


@pytest.mark.parametrize(
    ("wanted", "city", "value", "reason"),
    [
        pytest.param((HENGSHUI,), HENGSHUI, 1.0, "same_city", id="same city"),
        pytest.param((HENGSHUI,), SHIJIAZHUANG, 0.6, "same_province", id="same province"),
        pytest.param((HENGSHUI,), DEZHOU, 0.4, "near", id="another province within 150 km"),
        pytest.param((HENGSHUI,), SHENZHEN, 0.0, "far", id="far away"),
        pytest.param((SHENZHEN, DEZHOU), HENGSHUI, 0.4, "near", id="the best of several wanted cities"),
        pytest.param((), SHENZHEN, 0.5, "anywhere", id="no wish is neither good nor bad"),
    ],
)
def test_place_levels(wanted, city, value, reason):
    c = contributions([graduate(1, wanted_cities=wanted)], [opening(city=city)])
    assert c["place"] == (value, reason)


def test_certificates_count_only_at_the_minimum_level_or_above():
    assert certificate_value((("焊工", 2),), (("焊工", 2),)) == (1.0, "all_held")
    assert certificate_value((("焊工", 1),), (("焊工", 2),)) == (0.0, "none_held")
    assert certificate_value((("焊工", 3),), (("焊工", 2), ("电工", 1))) == (0.5, "some_held")
    assert certificate_value((), ()) == (1.0, "none_required")


def test_missing_grade_counts_as_the_middle():
    assert grade_value(None) == (0.5, "no_grade")
    assert grade_value(0.9) == (0.9, "grade")


def test_explanation_sums_to_the_fit_and_weights_are_the_openings():
    weights = Weights(major=2, skills=1, certificates=0, place=1, grades=0)
    g = graduate(1, skills="氩弧焊、焊缝检验", wanted_cities=(HENGSHUI,), grade=0.8)
    o = opening(majors=(0,), occupation=0, city=SHIJIAZHUANG, skills="氩弧焊 二保焊", weights=weights)
    engine = Engine(catalogue(), [g], [o])
    explanation = engine.explain(0, 0)
    assert [c.feature for c in explanation.contributions] == list(FEATURES)
    assert explanation.fit == pytest.approx(engine.space.fit_column(0)[0])
    skills = next(c for c in explanation.contributions if c.feature == "skills")
    assert 0 < skills.value < 1
    assert explanation.fit == pytest.approx(0.5 * 1.0 + 0.25 * skills.value + 0.25 * 0.6)


@pytest.mark.parametrize("seed", [1, 2])
def test_matrix_fit_equals_the_explanations_for_every_pair(seed):
    inst = synthetic.instance(150, 40, seed=seed)
    engine = Engine(inst.catalogue, inst.graduates, inst.openings)
    for o in range(len(inst.openings)):
        column = engine.space.fit_column(o)
        explained = [engine.explain(g, o).fit for g in range(len(inst.graduates))]
        np.testing.assert_allclose(column, explained, atol=1e-12)
        assert ((column >= 0) & (column <= 1 + 1e-12)).all()


def test_hard_filters_remove_pairs_rather_than_lowering_them():
    start = date(2027, 3, 1)
    graduates = [
        graduate(1, wanted_kinds=frozenset({"employment"})),  # does not want internships
        graduate(2, post_ok_from=date(2027, 6, 1)),  # still in the first year when the internship starts
        graduate(3, major=2),  # a poor fit that passes every filter
    ]
    post = opening(1, kind="post_internship", majors=(0,), start=start, post_rules=True)
    job = opening(2, kind="employment", majors=(0,), start=start, latest_graduation_year=2026)
    engine = Engine(catalogue(), graduates, [post, job])
    ranking = engine.rank_graduates(0, k=10)
    assert [p.id for p in ranking.places] == [3]
    assert ranking.eligible == 1
    assert engine.rank_graduates(1, k=10).places == (), "2027 graduates are not yet free for a 2026 job"


def test_work_forbidden_to_minors_or_to_women_removes_those_students_art16_3_and_4():
    """教职成〔2021〕4号 art. 16(3)–(4): a minor on the start date, or a woman, is no candidate for such a post."""
    start = date(2027, 3, 1)
    graduates = [
        graduate(1, adult_from=start),  # 18 exactly on the start date: a candidate
        graduate(2, adult_from=date(2027, 3, 2)),  # one day younger: not
        graduate(3, female=True),
    ]
    minors = opening(1, kind="work_study", majors=(0,), start=start, minors_barred=True)
    women = opening(2, kind="work_study", majors=(0,), start=start, women_barred=True)
    engine = Engine(catalogue(), graduates, [minors, women])
    assert sorted(p.id for p in engine.rank_graduates(0, k=10).places) == [1, 3]
    assert sorted(p.id for p in engine.rank_graduates(1, k=10).places) == [1, 2]


def test_member_within_tolerance_goes_first_and_the_place_names_who_was_passed():
    # both wanted major and same city; the non-member has the better grade (0.1 × 0.2 = 0.02 better fit)
    graduates = [graduate(1, school=7, grade=0.9), graduate(2, school=8, grade=0.7)]
    o = opening(majors=(0,), tolerance=0.02, priority_schools=frozenset({8}))
    ranking = Engine(catalogue(), graduates, [o]).rank_graduates(0)
    assert [p.id for p in ranking.places] == [2, 1]
    assert ranking.places[0].priority
    assert ranking.places[0].passed == (1,)
    assert ranking.decided_places == [1]
    tighter = Engine(catalogue(), graduates, [opening(majors=(0,), tolerance=0.01, priority_schools=frozenset({8}))])
    assert [p.id for p in tighter.rank_graduates(0).places] == [1, 2]


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_every_opening_ranking_obeys_the_rule(seed):
    inst = synthetic.instance(120, 12, seed=seed)
    engine = Engine(inst.catalogue, inst.graduates, inst.openings)
    for o in range(len(inst.openings)):
        ranking = engine.rank_graduates(o, k=len(inst.graduates))
        fit_q = quantise([p.fit for p in ranking.places])
        prio = np.array([p.priority for p in ranking.places], dtype=bool)
        ids = np.array([p.id for p in ranking.places])
        assert audit(fit_q, prio, ids, int(quantise(ranking.tolerance))) == []


@pytest.mark.parametrize("seed", [3, 11])
def test_batch_rankings_equal_the_exact_ones(seed):
    inst = synthetic.instance(1500, 200, seed=seed)
    engine = Engine(inst.catalogue, inst.graduates, inst.openings)
    by_opening, by_graduate = engine.rank_all_openings(10), engine.rank_all_graduates(10)
    for o in range(len(inst.openings)):
        exact = engine.rank_graduates(o, 10)
        assert [r[0] for r in by_opening.row(o)] == [p.graduate for p in exact.places]
        assert [r[3] for r in by_opening.row(o)] == [p.decided_by_priority for p in exact.places]
        np.testing.assert_allclose([r[1] for r in by_opening.row(o)], [p.fit for p in exact.places], atol=2e-6)
    for g in range(0, len(inst.graduates), 5):
        exact = engine.rank_openings(g, 10)
        assert [r[0] for r in by_graduate.row(g)] == [p.opening for p in exact.places]
    assert by_opening.decided.any(), "the instance exercises priority"


def test_graduates_rank_openings_by_fit_and_see_the_priority_marker():
    graduates = [graduate(1, school=8, wanted_cities=(HENGSHUI,))]
    openings = [
        opening(1, majors=(0,), city=SHENZHEN, priority_schools=frozenset({8}), tolerance=0.05),
        opening(2, majors=(0,), city=HENGSHUI),
    ]
    ranking = Engine(catalogue(), graduates, openings).rank_openings(0)
    assert [(p.id, p.priority) for p in ranking.places] == [(2, False), (1, True)]


@pytest.mark.parametrize("seed", [5, 17])
def test_batch_graduate_rankings_stay_exact_for_bare_and_barred_graduates(seed):
    """Graduates who share nothing but the constant columns with most openings (no major, skills, cities or
    certificates: their pools are short and their rankings end in openings tied on fit, by id) and women barred
    from most openings (pools of which few are eligible): every row the batch cannot settle is ranked again, and
    the batch equals the exact ranking, places and fits."""
    inst = synthetic.instance(1200, 240, seed=seed)
    rng = np.random.default_rng(seed)
    graduates = [
        replace(g, major=None, skills="", wanted_cities=(), certificates=()) if n % 3 == 0
        else replace(g, female=True) if n % 3 == 1 else g
        for n, g in enumerate(inst.graduates)
    ]  # fmt: skip
    openings = [replace(o, women_barred=bool(rng.random() < 0.7)) for o in inst.openings]
    engine = Engine(inst.catalogue, graduates, openings)
    by_graduate = engine.rank_all_graduates(10)
    for g in range(len(graduates)):
        exact = engine.rank_openings(g, 10)
        assert [r[0] for r in by_graduate.row(g)] == [p.opening for p in exact.places], g
        np.testing.assert_allclose([r[1] for r in by_graduate.row(g)], [p.fit for p in exact.places], atol=2e-6)


def test_batch_graduate_rankings_settle_ties_at_the_pool_cut_by_opening_id(monkeypatch):
    """Openings that copy four templates tie by the hundred: each graduate's pool is cut inside a tie, and the exact
    ranking takes the tied openings by id. Most rows are completed from the first openings by id; those that are
    not are ranked again; every row equals the exact ranking."""
    inst = synthetic.instance(1500, 300, seed=4)
    templates = inst.openings[:4]
    openings = [replace(templates[n % 4], id=o.id, enterprise=o.enterprise) for n, o in enumerate(inst.openings)]
    engine = Engine(inst.catalogue, inst.graduates, openings)
    redone = []
    original = Engine._rank_openings_of

    def counted(self, rows, k):
        redone.append(len(rows))
        return original(self, rows, k)

    monkeypatch.setattr(Engine, "_rank_openings_of", counted)
    top = engine.rank_all_graduates(10)
    for g in range(len(inst.graduates)):
        assert [r[0] for r in top.row(g)] == [p.opening for p in engine.rank_openings(g, 10).places], g
    assert redone[0] < len(inst.graduates) / 2, "ties are completed by id, not ranked again"
