"""Occupation suggestions for job-board titles: the cleaner, the ranking's contract and its accuracy.

A pure library test: no app, no database. The index is built once per process, so the first test that
asks for suggestions pays for it (about a second).
"""

import csv
import threading
import time

import pytest

from matching import occupations
from matching.occupations import clean_title, evaluate, suggest_occupations, synonym_wording

WELDER = "6-18-02-04"  # 焊工
LATHE_OPERATOR = "6-18-01-01"  # 车工: operates a lathe, including its numerical control
PLASTICS_MOULDER = "6-14-02-00"  # 塑料制品成型制作工: operates injection moulding machines
MOULD_MAKER = "6-18-04-01"  # 模具工
ACCOUNTANT = "2-06-03-00"  # 会计专业人员


@pytest.mark.parametrize(
    ("title", "cleaned"),
    [
        ("招聘氩弧焊工（急）", "氩弧焊工"),
        ("【深圳】富士康科技集团 急招普工 包吃住 5000-8000元/月", "普工"),
        ("会计（北京）6K-8K 双休 五险一金", "会计"),
        ("诚聘厨师 月薪过万 18-45岁", "厨师"),
        ("数控车床操作工 8千", "数控车床操作工"),
        ("JD20230512 仓管员 2名", "仓管员"),
        ("高级焊工 学徒 1.2万-1.5万", "焊工"),
        ("（北京朝阳）保安 月休4天", "保安"),
        ("宝安区 电子厂普工 做六休一", "电子厂普工"),
        ("店员（可兼职）", "店员"),
        ("诚聘司机一名", "司机"),
    ],
)
def test_cleaner_removes_job_board_noise(title, cleaned):
    assert clean_title(title) == cleaned


@pytest.mark.parametrize(
    ("title", "cleaned"),
    [
        ("招聘专员", "招聘专员"),  # the recruiter's own title keeps 招聘
        ("招商专员（上海浦东新区）", "招商专员"),  # 招商 is not the hiring verb 招
        ("A2司机 年薪15万", "a2司机"),  # a licence class names the vehicle
        ("C++开发 .NET", "c++开发 .net"),
        ("三明治制作员", "三明治制作员"),  # a city's short form inside an ordinary word
    ],
)
def test_cleaner_keeps_words_that_look_like_noise(title, cleaned):
    assert clean_title(title) == cleaned


@pytest.mark.parametrize("title", ["", "   ", "!!!", "12345", "（急）包吃住 5000元"])
def test_cleaner_leaves_nothing_of_pure_noise(title):
    assert clean_title(title) == ""


def test_synonyms_add_the_classification_wording_and_the_longest_word_wins():
    assert synonym_wording("二保焊") == "焊工"
    assert synonym_wording("客服主管") == "客户服务管理员"  # not also the call-centre agent of 客服
    assert synonym_wording("焊工") == ""  # already in the classification's words
    assert synonym_wording("") == ""


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("招聘氩弧焊工（急）", WELDER),
        ("数控车床操作工 8千", LATHE_OPERATOR),
        ("会计（北京）6K-8K 双休 五险一金", ACCOUNTANT),
        ("注塑工 长白班", PLASTICS_MOULDER),
    ],
)
def test_obvious_titles_land_first(title, code):
    [suggestions] = suggest_occupations([title])
    assert suggestions[0][0] == code


def test_definition_beats_a_wrong_alias():
    # csco22.csv lists 注塑工 as an alias of 模具工; the definitions say moulders operate the machines.
    [suggestions] = suggest_occupations(["注塑工"])
    assert suggestions[0][0] == PLASTICS_MOULDER
    assert suggestions[0][0] != MOULD_MAKER


@pytest.mark.parametrize("k", [1, 3, 5, 12])
def test_k_is_respected(k):
    results = suggest_occupations(["电焊工", "超市收银员", "汽修学徒 包吃住"], k=k)
    assert [len(row) for row in results] == [k, k, k]


def test_k_zero_and_no_titles_give_nothing():
    assert suggest_occupations(["焊工"], k=0) == [[]]
    assert suggest_occupations([]) == []


def test_scores_are_sorted_bounded_and_occupations_distinct():
    results = suggest_occupations(["招聘氩弧焊工（急）", "护工 医院 陪护", "Java开发工程师", "普工"], k=8)
    for row in results:
        scores = [score for _, _, score in row]
        assert scores == sorted(scores, reverse=True)
        assert all(0.0 <= score <= 1.0 for score in scores)
        assert len({code for code, _, _ in row}) == len(row)


def test_suggestions_are_level_four_occupations_named_without_markers():
    with occupations.CLASSIFICATION_CSV.open(encoding="utf-8", newline="") as handle:
        level4 = {row["code"] for row in csv.DictReader(handle) if row["level"] == "4"}
    [suggestions] = suggest_occupations(["化工操作工 DCS中控"], k=5)
    assert {code for code, _, _ in suggestions} <= level4
    assert "化工总控工" in [name for _, name, _ in suggestions]  # the file says 化工总控工S


@pytest.mark.parametrize("title", ["", "   ", "!!!", "12345", "asdfgh", "（急）包吃住"])
def test_empty_or_garbage_titles_give_nothing_or_low_scores(title):
    [suggestions] = suggest_occupations([title])
    assert all(score < 0.3 for _, _, score in suggestions)


def test_the_index_is_built_once_when_threads_race(monkeypatch):
    monkeypatch.setattr(occupations, "_index", None)  # restored after the test
    builds = []

    def slow_build():
        builds.append(1)
        time.sleep(0.05)  # long enough for the other threads to arrive while the first builds
        return object()

    monkeypatch.setattr(occupations, "_build_index", slow_build)
    results = []
    threads = [threading.Thread(target=lambda: results.append(occupations._get_index())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1
    assert len({id(result) for result in results}) == 1


def test_the_evaluation_set_is_labelled_with_level_four_codes():
    with occupations.CLASSIFICATION_CSV.open(encoding="utf-8", newline="") as handle:
        level4 = {row["code"] for row in csv.DictReader(handle) if row["level"] == "4"}
    with occupations.EVAL_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 300
    assert {row["split"] for row in rows} == {"dev", "test"}
    assert len({row["title"] for row in rows}) == len(rows)
    assert {row["code"] for row in rows} <= level4


def test_held_out_accuracy_meets_the_goals():
    top1, top5 = evaluate("test")
    assert top1 >= 0.60, f"top-1 {top1:.3f} on the test split is below 0.60"
    assert top5 >= 0.85, f"top-5 {top5:.3f} on the test split is below 0.85"
