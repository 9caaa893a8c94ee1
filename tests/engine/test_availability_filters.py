"""Hard filters of availability: a graduate's busy periods and the enterprises that declined them, on every path."""

from datetime import date

import numpy as np
import pytest

from matching.model import Opening
from matching.ranking import Engine
from tests.engine.test_ranking import catalogue, graduate

JOB = (date(2027, 3, 1), date(2027, 8, 28))  # an accepted 就业 offer


def opening(id, start, end, enterprise=100):
    return Opening(id=id, enterprise=enterprise, kind="post_internship", majors=(0,), start=start, end=end)


@pytest.mark.parametrize(
    ("start", "end", "kept"),
    [
        pytest.param(date(2027, 3, 1), date(2027, 8, 28), False, id="the same dates"),
        pytest.param(date(2027, 8, 28), date(2027, 12, 31), False, id="starting on the job's last day"),
        pytest.param(date(2026, 12, 1), date(2027, 3, 1), False, id="ending on the job's first day"),
        pytest.param(date(2027, 9, 1), date(2028, 2, 28), True, id="after the job"),
        pytest.param(date(2026, 9, 1), date(2027, 2, 28), True, id="before the job"),
    ],
)
def test_an_opening_overlapping_a_busy_period_is_out_of_every_ranking(start, end, kept):
    free, busy = graduate(1), graduate(2, busy=(JOB,))
    engine = Engine(catalogue(), [free, busy], [opening(10, start, end)])
    assert [p.id for p in engine.rank_graduates(0).places] == ([1, 2] if kept else [1])
    assert len(engine.rank_openings(1).places) == int(kept)
    by_opening, by_graduate = engine.rank_all_openings(5), engine.rank_all_graduates(5)
    assert sorted(by_opening.index.tolist()) == ([0, 1] if kept else [0])
    assert by_graduate.indptr.tolist() == [0, 1, 1 + int(kept)]


def test_many_busy_periods_and_openings_in_one_batch():
    periods = ((date(2027, 1, 1), date(2027, 1, 31)), (date(2027, 6, 1), date(2027, 6, 30)))
    openings = [opening(j, date(2027, m, 1), date(2027, m, 28)) for j, m in enumerate(range(1, 13), 1)]
    engine = Engine(catalogue(), [graduate(1, busy=periods), graduate(2)], openings)
    top = engine.rank_all_graduates(12)
    assert sorted(engine.space.opening_ids[top.row(0)[i][0]] for i in range(len(top.row(0)))) == [
        2, 3, 4, 5, 7, 8, 9, 10, 11, 12
    ]  # fmt: skip
    assert len(top.row(1)) == 12


def test_an_enterprise_that_declined_a_graduate_is_not_proposed_again():
    openings = [opening(1, None, None, enterprise=7), opening(2, None, None, enterprise=8)]
    engine = Engine(catalogue(), [graduate(1, declined_by=frozenset({7})), graduate(2)], openings)
    assert [p.id for p in engine.rank_openings(0).places] == [2]
    assert [p.id for p in engine.rank_graduates(0).places] == [2]
    assert engine.space.eligible_pairs(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])).tolist() == [
        False, True, True, True
    ]  # fmt: skip
