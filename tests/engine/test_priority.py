"""同等条件下优先: the ranking rule, the places it decides, and the audit, as properties and worked examples."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.priority import audit, fit_order, passed_candidates, priority_order, quantise


def rank(fits, priority, tolerance, ids=None):
    fit_q = quantise(fits)
    priority = np.array(priority, dtype=bool)
    ids = np.arange(1, len(fits) + 1) if ids is None else np.array(ids)
    order = priority_order(fit_q, priority, ids, int(quantise(tolerance)))
    return order, fit_q, priority, ids


@st.composite
def candidates(draw):
    n = draw(st.integers(1, 25))
    # few distinct fit values, so that exact ties and near-ties within τ are common
    fits = draw(st.lists(st.integers(0, 40).map(lambda x: x / 100), min_size=n, max_size=n))
    priority = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    ids = draw(st.permutations(range(1, n + 1)))
    tolerance = draw(st.sampled_from([0.0, 0.01, 0.02, 0.05, 0.2]))
    return fits, priority, list(ids), tolerance


@settings(max_examples=300, deadline=None)
@given(candidates())
def test_the_rule_holds_for_every_pair(case):
    fits, priority, ids, tolerance = case
    order, fit_q, prio, ids_a = rank(fits, priority, tolerance, ids)
    position = np.empty(len(order), dtype=int)
    position[order] = np.arange(len(order))
    tau = int(quantise(tolerance))
    for a in range(len(fits)):
        for b in range(len(fits)):
            if a == b:
                continue
            if prio[a] == prio[b]:
                # within a group: by fit, then the smaller id
                a_first = (fit_q[a], -ids_a[a]) > (fit_q[b], -ids_a[b])
                assert (position[a] < position[b]) == a_first
            elif prio[a]:
                # a priority candidate is above one without priority exactly when fit_a ≥ fit_b − τ
                assert (position[a] < position[b]) == (fit_q[a] >= fit_q[b] - tau)


@settings(max_examples=200, deadline=None)
@given(candidates())
def test_zero_tolerance_only_breaks_exact_ties(case):
    fits, priority, ids, _ = case
    order, fit_q, prio, ids_a = rank(fits, priority, 0.0, ids)
    plain = fit_order(fit_q, ids_a)
    assert fit_q[order].tolist() == fit_q[plain].tolist(), "with τ = 0 every place holds the same fit as by fit alone"
    for a, b in zip(order[:-1], order[1:], strict=True):
        if fit_q[a] == fit_q[b]:
            assert (not prio[a], ids_a[a]) < (not prio[b], ids_a[b]), "a tie goes to priority, then the smaller id"


@settings(max_examples=200, deadline=None)
@given(candidates())
def test_passed_candidates_are_exactly_the_non_members_a_member_overtook(case):
    fits, priority, ids, tolerance = case
    order, fit_q, prio, ids_a = rank(fits, priority, tolerance, ids)
    position = np.empty(len(order), dtype=int)
    position[order] = np.arange(len(order))
    passed = passed_candidates(order, fit_q, prio, ids_a, len(order))
    tau = int(quantise(tolerance))
    for place, holder in enumerate(order):
        expected = {
            n
            for n in range(len(fits))
            if not prio[n]
            and prio[holder]
            and position[n] > place
            and (fit_q[n], -ids_a[n]) > (fit_q[holder], -ids_a[holder])
        }
        assert set(passed[place].tolist()) == expected
        # the audit's point: nobody passed fits better by more than τ
        assert all(fit_q[n] - fit_q[holder] <= tau for n in expected)


@settings(max_examples=200, deadline=None)
@given(candidates())
def test_audit_accepts_the_rule_and_catches_a_ranking_by_fit_where_priority_should_have_decided(case):
    fits, priority, ids, tolerance = case
    order, fit_q, prio, ids_a = rank(fits, priority, tolerance, ids)
    assert audit(fit_q[order], prio[order], ids_a[order], int(quantise(tolerance))) == []
    plain = fit_order(fit_q, ids_a)
    breaches = audit(fit_q[plain], prio[plain], ids_a[plain], int(quantise(tolerance)))
    assert (breaches == []) == np.array_equal(plain, order)


def test_audit_catches_a_member_promoted_beyond_the_tolerance():
    fits = quantise([0.70, 0.80])  # the member (first) fits worse by 0.10
    breaches = audit(fits, np.array([True, False]), np.array([1, 2]), int(quantise(0.02)))
    assert breaches
    assert "by more than τ" in breaches[0]


@pytest.mark.parametrize(
    ("member_fit", "other_fit", "tolerance", "member_first", "decided"),
    [
        pytest.param(0.80, 0.81, 0.02, True, True, id="within τ: the member goes first"),
        pytest.param(0.79, 0.81, 0.02, True, True, id="exactly τ apart: still first (≥)"),
        pytest.param(0.78, 0.81, 0.02, False, False, id="beyond τ: the better fit stays above"),
        pytest.param(0.80, 0.80, 0.0, True, True, id="τ = 0: an exact tie goes to the member"),
        pytest.param(0.799999, 0.80, 0.0, False, False, id="τ = 0: a hair worse is worse"),
        pytest.param(0.85, 0.80, 0.0, True, False, id="the member simply fits better"),
    ],
)
def test_worked_examples(member_fit, other_fit, tolerance, member_first, decided):
    # the member has the larger id, so even the final tie-break is against it
    order, fit_q, prio, ids = rank([other_fit, member_fit], [False, True], tolerance, ids=[1, 2])
    assert (order[0] == 1) == member_first
    passed = passed_candidates(order, fit_q, prio, ids, 2)
    holder_place = int(np.flatnonzero(order == 1)[0])
    assert bool(len(passed[holder_place])) == decided


def test_final_tie_break_is_the_smaller_id():
    order, *_ = rank([0.5, 0.5, 0.5], [False, False, False], 0.02, ids=[30, 10, 20])
    assert order.tolist() == [1, 2, 0]


def test_fits_equal_to_six_decimals_are_ties_whatever_the_float_noise():
    a = 0.1 + 0.2  # 0.30000000000000004
    order, *_ = rank([0.3, a], [False, True], 0.0, ids=[1, 2])
    assert order[0] == 1
