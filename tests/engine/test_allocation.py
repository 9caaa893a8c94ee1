"""Deferred acceptance with capacities: worked examples, stability by brute force, the PyPI solver as oracle."""

import sys
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import oracle
from matching.allocation import blocking_pairs, deferred_acceptance
from matching.bench_allocation import make_market


class Market(NamedTuple):
    indptr: np.ndarray
    indices: np.ndarray
    score: np.ndarray
    capacities: np.ndarray
    tiebreak: np.ndarray | None = None


def market(rows: list[list[int]], scores: list[list[float]], capacities: list[int], tiebreak=None) -> Market:
    """Build the CSR arrays from one preference list and one score list per proposer."""
    lengths = [len(row) for row in rows]
    return Market(
        np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        np.array([r for row in rows for r in row], dtype=np.int64),
        np.array([s for row in scores for s in row], dtype=np.float64),
        np.array(capacities, dtype=np.int64),
        None if tiebreak is None else np.array(tiebreak, dtype=np.int64),
    )


def allocate(m: Market):
    return deferred_acceptance(m.indptr, m.indices, m.score, m.capacities, m.tiebreak)


def blocking(m: Market, assignment) -> set[tuple[int, int]]:
    return set(blocking_pairs(m.indptr, m.indices, m.score, m.capacities, np.asarray(assignment), m.tiebreak))


def brute_force_blocking(m: Market, assignment) -> set[tuple[int, int]]:
    """Every (proposer, receiver) pair that would rather be together, by the definition, pair by pair."""
    n = len(m.indptr) - 1
    rows = [m.indices[m.indptr[p] : m.indptr[p + 1]].tolist() for p in range(n)]
    score = {(p, r): m.score[m.indptr[p] + i] for p in range(n) for i, r in enumerate(rows[p])}
    ties = list(range(n)) if m.tiebreak is None else m.tiebreak.tolist()

    def receiver_rank(r: int, p: int) -> tuple:
        return (-score[p, r], ties[p], p)

    taken = {r: [p for p in range(n) if assignment[p] == r] for r in range(len(m.capacities))}
    found = set()
    for p, row in enumerate(rows):
        for position, r in enumerate(row):
            if assignment[p] != -1 and row.index(assignment[p]) <= position:
                continue
            seat_free = len(taken[r]) < m.capacities[r]
            if seat_free or any(receiver_rank(r, p) < receiver_rank(r, q) for q in taken[r]):
                found.add((p, r))
    return found


def oracle_assignment(m: Market) -> np.ndarray:
    prefs = oracle.preferences(m.indptr, m.indices, m.score, m.capacities, m.tiebreak)
    return oracle.to_assignment(oracle.solve_game(prefs), len(m.indptr) - 1)


# --- worked examples -------------------------------------------------------------------------------------


def test_textbook_hospital_resident_example():
    """The PyPI package's own HR example: residents A S D J L, hospitals M C G with 2 seats each."""
    residents, hospitals = "ASDJL", "MCG"
    resident_prefs = {"A": "C", "S": "CM", "D": "CMG", "J": "CGM", "L": "MCG"}
    hospital_prefs = {"M": "DLSJ", "C": "DASLJ", "G": "DJL"}
    rows = [[hospitals.index(h) for h in resident_prefs[r]] for r in residents]
    scores = [[-float(hospital_prefs[h].index(r)) for h in resident_prefs[r]] for r in residents]
    result = allocate(market(rows, scores, [2, 2, 2]))
    assert [hospitals[h] for h in result.assignment] == ["C", "M", "C", "G", "M"]
    assert result.rank_of_assignment.tolist() == [0, 1, 0, 1, 0]
    assert result.placed_by_receiver().tolist() == [2, 2, 1]
    # A S D J L each propose to C (or M for L); C keeps D and A; S and J move on once.
    assert (result.proposals, result.rounds) == (7, 2)


def test_popular_opening_with_one_seat_goes_to_the_highest_score():
    # Three graduates want opening 0 (1 seat) first, opening 1 (1 seat) second.
    m = market([[0, 1], [0, 1], [0, 1]], [[0.2, 0.9], [0.7, 0.5], [0.4, 0.1]], [1, 1])
    result = allocate(m)
    assert result.assignment.tolist() == [1, 0, -1]
    assert result.rank_of_assignment.tolist() == [1, 0, -1]
    assert result.unplaced().tolist() == [2]
    assert result.proposals == 5
    assert blocking(m, result.assignment) == set()


def test_proposer_with_empty_list_stays_unplaced():
    result = allocate(market([[], [0]], [[], [1.0]], [1]))
    assert result.assignment.tolist() == [-1, 0]
    assert result.rank_of_assignment.tolist() == [-1, 0]


def test_receiver_with_capacity_zero_takes_nobody():
    m = market([[0, 1], [0]], [[1.0, 1.0], [1.0]], [0, 1])
    result = allocate(m)
    assert result.assignment.tolist() == [1, -1]
    assert result.placed_by_receiver().tolist() == [0, 1]
    assert blocking(m, result.assignment) == set()


@pytest.mark.parametrize(
    ("tiebreak", "winner"),
    [(None, 0), ([5, 3], 1), ([3, 5], 0), ([4, 4], 0)],
    ids=["default: lower index", "lower tiebreak wins", "tiebreak agrees with index", "equal tiebreak: index"],
)
def test_equal_scores_are_broken_by_tiebreak_then_index(tiebreak, winner):
    result = allocate(market([[0], [0]], [[0.5], [0.5]], [1], tiebreak))
    assert result.assignment.tolist() == [0 if p == winner else -1 for p in range(2)]


def test_zero_and_negative_zero_scores_tie():
    result = allocate(market([[0], [0]], [[0.0], [-0.0]], [1], [1, 0]))
    assert result.assignment.tolist() == [-1, 0]


def test_scores_closer_than_the_packed_bits_are_ordered_exactly():
    """Scores one ulp apart share their high bits; the exact comparison must still decide."""
    n = 64
    scores = 1.0 + np.arange(n) * np.finfo(np.float64).eps
    m = market([[0] for _ in range(n)], [[s] for s in scores], [3])
    assert sorted(np.flatnonzero(allocate(m).assignment == 0).tolist()) == [n - 3, n - 2, n - 1]


def test_a_huge_capacity_means_no_limit():
    result = allocate(market([[0], [0], [0]], [[1.0], [2.0], [3.0]], [2**40]))
    assert result.assignment.tolist() == [0, 0, 0]


def test_empty_market():
    result = allocate(market([], [], []))
    assert result.assignment.tolist() == []
    assert (result.proposals, result.rounds) == (0, 0)


def test_result_arrays_are_read_only():
    result = allocate(market([[0]], [[1.0]], [1]))
    with pytest.raises(ValueError, match="read-only"):
        result.assignment[0] = -1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"indices": [0, 0]}, "lists receiver 0 more than once"),
        ({"indices": [0, 2]}, r"receiver indices in \[0, 2\)"),
        ({"indices": [0, -1]}, r"receiver indices in \[0, 2\)"),
        ({"indptr": [0, 1]}, r"end at len\(pref_indices\) = 2"),
        ({"indptr": [1, 2]}, "start at 0"),
        ({"indptr": [0, 2, 1, 2]}, "never decrease"),
        ({"score": [1.0]}, "one score per entry"),
        ({"score": [1.0, np.nan]}, "finite"),
        ({"capacities": [1, -1]}, ">= 0"),
        ({"capacities": [1.0, 1.0]}, "integer"),
        ({"tiebreak": [0, 1, 2]}, "one value per proposer"),
    ],
)
def test_malformed_input_is_rejected(change, message):
    base = {"indptr": [0, 2], "indices": [0, 1], "score": [1.0, 2.0], "capacities": [1, 1], "tiebreak": None}
    args = {key: None if value is None else np.asarray(value) for key, value in (base | change).items()}
    with pytest.raises(ValueError, match=message):
        deferred_acceptance(args["indptr"], args["indices"], args["score"], args["capacities"], args["tiebreak"])


def test_blocking_pairs_finds_a_swap_both_sides_want():
    # Proposer 0 prefers receiver 0, which prefers proposer 0 to proposer 1: (0, 0) blocks.
    m = market([[0, 1], [0]], [[1.0, 1.0], [0.5]], [1, 1])
    assert blocking(m, [1, 0]) == {(0, 0)}
    assert blocking(m, [0, -1]) == set()


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ([1, 1], "outside their list"),
        ([0, 0], "exceeds the capacity"),
        ([0], "one entry per proposer"),
        ([-2, 0], "-1 for unplaced"),
    ],
)
def test_blocking_pairs_rejects_what_is_not_a_matching(assignment, message):
    m = market([[0, 1], [0]], [[1.0, 1.0], [0.5]], [1, 1])
    with pytest.raises(ValueError, match=message):
        blocking(m, assignment)


def test_oracle_loader_leaves_our_matching_package_in_place():
    ours = sys.modules["matching"]
    package = oracle.load_pypi_matching()
    assert package is not ours
    assert sys.modules["matching"] is ours
    assert sys.modules["matching.allocation"].deferred_acceptance is deferred_acceptance
    assert hasattr(package.games, "HospitalResident")


# --- properties on random small markets -------------------------------------------------------------------


@st.composite
def markets(draw, ties: bool) -> Market:
    """Up to 8 proposers and 5 receivers; with ``ties``, scores repeat and a tiebreak may decide."""
    n_receivers = draw(st.integers(1, 5))
    n_proposers = draw(st.integers(0, 8))
    receiver = st.integers(0, n_receivers - 1)
    rows = draw(st.lists(st.lists(receiver, unique=True), min_size=n_proposers, max_size=n_proposers))
    n_pairs = sum(len(row) for row in rows)
    if ties:
        flat = draw(st.lists(st.integers(-2, 2), min_size=n_pairs, max_size=n_pairs))
        tiebreak = draw(st.none() | st.lists(st.integers(0, 3), min_size=n_proposers, max_size=n_proposers))
    else:
        flat = draw(st.permutations(range(n_pairs)))
        tiebreak = None
    scores, start = [], 0
    for row in rows:
        scores.append([float(s) for s in flat[start : start + len(row)]])
        start += len(row)
    capacities = draw(st.lists(st.integers(0, 3), min_size=n_receivers, max_size=n_receivers))
    return market(rows, scores, capacities, tiebreak)


@settings(max_examples=500, deadline=None)
@given(markets(ties=True))
def test_allocation_is_a_stable_matching(m):
    result = allocate(m)
    assignment = result.assignment
    for p in range(len(m.indptr) - 1):
        row = m.indices[m.indptr[p] : m.indptr[p + 1]].tolist()
        if assignment[p] == -1:
            assert result.rank_of_assignment[p] == -1
        else:
            assert row[result.rank_of_assignment[p]] == assignment[p]
    assert np.all(result.placed_by_receiver() <= m.capacities)
    assert brute_force_blocking(m, assignment) == set()
    assert blocking(m, assignment) == set()


@settings(max_examples=500, deadline=None)
@given(markets(ties=False))
def test_allocation_equals_the_pypi_resident_optimal_matching_without_ties(m):
    assert allocate(m).assignment.tolist() == oracle_assignment(m).tolist()


@settings(max_examples=300, deadline=None)
@given(markets(ties=True))
def test_allocation_equals_the_pypi_matching_when_tiebreak_decides(m):
    assert allocate(m).assignment.tolist() == oracle_assignment(m).tolist()


@settings(max_examples=500, deadline=None)
@given(markets(ties=True), st.data())
def test_blocking_pairs_agrees_with_brute_force_on_any_matching(m, data):
    """Random matchings, mostly unstable: each proposer picks a listed receiver or none, within capacity."""
    seats = m.capacities.copy()
    assignment = []
    for p in range(len(m.indptr) - 1):
        row = m.indices[m.indptr[p] : m.indptr[p + 1]].tolist()
        choice = data.draw(st.sampled_from([-1, *row]))
        if choice != -1 and seats[choice] > 0:
            seats[choice] -= 1
            assignment.append(choice)
        else:
            assignment.append(-1)
    assert blocking(m, assignment) == brute_force_blocking(m, assignment)


def test_a_larger_skewed_market_matches_the_pypi_algorithm_and_is_stable():
    """2,000 graduates over 200 openings: many rounds, displacements and full openings."""
    generated = make_market(2_000, 200, seed=7)
    m = Market(*generated)
    result = allocate(m)
    prefs = oracle.preferences(m.indptr, m.indices, m.score, m.capacities)
    assert result.assignment.tolist() == oracle.to_assignment(oracle.solve_algorithm(prefs), 2_000).tolist()
    assert blocking(m, result.assignment) == set()
    assert result.rounds > 5
