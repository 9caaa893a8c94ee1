"""Deferred acceptance under regional caps (Kamada–Kojima): an enterprise's interns across its openings.

The references here are written from the definitions, one proposal and one pair at a time: the region's choice
(targets first, then round robin in receiver order, within the cap), flexible deferred acceptance run
sequentially, and a pair that blocks when the region, choosing again with the proposer added, keeps them.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.allocation import Regions, blocking_pairs, deferred_acceptance
from tests.engine.test_allocation import Market, market


def regions(of: list[int], caps: list[int], targets: list[int] | None = None) -> Regions:
    return Regions(np.array(of, np.int64), np.array(caps, np.int64), None if targets is None else np.array(targets))


def allocate(m: Market, r: Regions | None):
    return deferred_acceptance(m.indptr, m.indices, m.score, m.capacities, m.tiebreak, regions=r)


def blocking(m: Market, r: Regions | None, assignment) -> set[tuple[int, int]]:
    return set(blocking_pairs(m.indptr, m.indices, m.score, m.capacities, np.asarray(assignment), m.tiebreak, r))


# --- references from the definitions -----------------------------------------------------------------------
class Reference:
    """The market as Python lists: rows, each receiver's order of proposers, capacities, regions."""

    def __init__(self, m: Market, r: Regions | None):
        n = len(m.indptr) - 1
        self.rows = [m.indices[m.indptr[p] : m.indptr[p + 1]].tolist() for p in range(n)]
        score = {(p, h): m.score[m.indptr[p] + i] for p in range(n) for i, h in enumerate(self.rows[p])}
        ties = list(range(n)) if m.tiebreak is None else m.tiebreak.tolist()
        self.rank = {(p, h): (-score[p, h], ties[p], p) for p, h in score}
        self.capacity = m.capacities.tolist()
        n_receivers = len(self.capacity)
        self.region = [-1] * n_receivers if r is None else r.of_receiver.tolist()
        self.caps = [] if r is None else r.caps.tolist()
        self.target = [0] * n_receivers if r is None or r.targets is None else np.asarray(r.targets).tolist()

    def members(self, h: int) -> list[int]:
        return [h] if self.region[h] < 0 else [j for j, x in enumerate(self.region) if x == self.region[h]]

    def choose(self, h: int, applicants: dict[int, list[int]]) -> dict[int, list[int]]:
        """What h's region keeps of `applicants` (receiver → proposers): targets, then round robin, within the cap."""
        members = self.members(h)
        best = {j: sorted(applicants[j], key=lambda p, j=j: self.rank[p, j]) for j in members}
        want = {j: min(len(best[j]), self.capacity[j]) for j in members}
        if self.region[h] < 0:
            return {h: best[h][: want[h]]}
        count = {j: min(want[j], self.target[j]) for j in members}
        left = self.caps[self.region[h]] - sum(count.values())
        while left > 0 and any(count[j] < want[j] for j in members):
            for j in members:
                if left > 0 and count[j] < want[j]:
                    count[j] += 1
                    left -= 1
        return {j: best[j][: count[j]] for j in members}

    def sequential_fda(self) -> list[int]:
        """Flexible deferred acceptance with one proposal at a time."""
        next_choice = [0] * len(self.rows)
        held: dict[int, list[int]] = {h: [] for h in range(len(self.capacity))}
        free = [p for p in range(len(self.rows)) if self.rows[p]]
        while free:
            p = free.pop()
            h = self.rows[p][next_choice[p]]
            held[h].append(p)
            before = {j: set(held[j]) for j in self.members(h)}
            held.update(self.choose(h, held))
            for j, was in before.items():
                for q in was - set(held[j]):
                    next_choice[q] += 1
                    if next_choice[q] < len(self.rows[q]):
                        free.append(q)
        assignment = [-1] * len(self.rows)
        for h, proposers in held.items():
            for p in proposers:
                assignment[p] = h
        return assignment

    def blocking(self, assignment) -> set[tuple[int, int]]:
        held = {h: [p for p, x in enumerate(assignment) if x == h] for h in range(len(self.capacity))}
        found = set()
        for p, row in enumerate(self.rows):
            for position, h in enumerate(row):
                if assignment[p] != -1 and row.index(assignment[p]) <= position:
                    continue
                if p in self.choose(h, {**held, h: [*held[h], p]})[h]:
                    found.add((p, h))
        return found


# --- worked examples ---------------------------------------------------------------------------------------
def test_the_cap_follows_the_students_across_an_enterprises_openings():
    """An enterprise may take 2 interns in all; its openings 0 and 1 have 2 places each. Three students prefer
    opening 1: a split fixed in advance (2 places to opening 0, none left for 1) would leave them out; the region
    gives both seats to opening 1, its best two, and the third goes to opening 2 of another enterprise."""
    m = market([[1, 2], [1, 2], [1, 2]], [[0.9, 0.5], [0.8, 0.5], [0.7, 0.5]], [2, 2, 5])
    result = allocate(m, regions([0, 0, -1], [2]))
    assert result.assignment.tolist() == [1, 1, 2]
    assert blocking(m, regions([0, 0, -1], [2]), result.assignment) == set()
    assert blocking(m, regions([0, 0, -1], [2]), [2, 2, 2]) == {(0, 1), (1, 1), (2, 1)}


def test_a_full_region_shares_its_seats_round_robin_in_receiver_order():
    """Cap 2, no targets: two students want opening 0 and two opening 1; each opening gets its best one."""
    m = market([[0], [0], [1], [1]], [[0.9], [0.8], [0.9], [0.8]], [2, 2])
    r = regions([0, 0], [2])
    assert allocate(m, r).assignment.tolist() == [0, -1, 1, -1]
    # Both seats at opening 0 is within the caps, but opening 1's first seat comes before opening 0's second.
    assert blocking(m, r, [0, 0, -1, -1]) == {(2, 1), (3, 1)}


def test_targets_are_kept_before_the_round_robin():
    m = market([[0], [0], [1], [1]], [[0.9], [0.8], [0.9], [0.8]], [2, 2])
    assert allocate(m, regions([0, 0], [2], [0, 2])).assignment.tolist() == [-1, -1, 1, 1]


def test_a_region_with_cap_zero_takes_nobody_and_a_large_cap_changes_nothing():
    m = market([[0, 1], [1, 0]], [[0.9, 0.5], [0.9, 0.5]], [1, 1])
    assert allocate(m, regions([0, -1], [0])).assignment.tolist() == [-1, 1]
    assert allocate(m, regions([0, 0], [99])).assignment.tolist() == allocate(m, None).assignment.tolist()
    no_region = regions([-1, -1], [])
    assert allocate(m, no_region).assignment.tolist() == allocate(m, None).assignment.tolist()
    assert blocking(m, no_region, [-1, -1]) == blocking(m, None, [-1, -1]) == {(0, 0), (1, 1), (0, 1), (1, 0)}


@pytest.mark.parametrize(
    ("r", "message"),
    [
        pytest.param(regions([0], [1]), "one region and one target per receiver", id="short"),
        pytest.param(regions([0, 1], [1]), "region indices", id="unknown region"),
        pytest.param(regions([0, 0], [-1]), ">= 0", id="negative cap"),
        pytest.param(regions([0, 0], [1], [1, 1]), "targets of a region", id="targets above the cap"),
    ],
)
def test_malformed_regions_are_rejected(r, message):
    m = market([[0]], [[1.0]], [1, 1])
    with pytest.raises(ValueError, match=message):
        allocate(m, r)


def test_blocking_pairs_refuses_a_region_over_its_cap():
    m = market([[0], [1]], [[1.0], [1.0]], [1, 1])
    with pytest.raises(ValueError, match="cap of regions"):
        blocking(m, regions([0, 0], [1]), [0, 1])


# --- properties on random small markets ---------------------------------------------------------------------
@st.composite
def capped_markets(draw) -> tuple[Market, Regions]:
    """Up to 8 proposers, 5 receivers in up to 3 regions (or none), caps and targets small enough to bind."""
    n_receivers = draw(st.integers(1, 5))
    n_proposers = draw(st.integers(0, 8))
    receiver = st.integers(0, n_receivers - 1)
    rows = draw(st.lists(st.lists(receiver, unique=True), min_size=n_proposers, max_size=n_proposers))
    flat = draw(st.lists(st.integers(-2, 2), min_size=sum(map(len, rows)), max_size=sum(map(len, rows))))
    tiebreak = draw(st.none() | st.lists(st.integers(0, 3), min_size=n_proposers, max_size=n_proposers))
    scores, start = [], 0
    for row in rows:
        scores.append([float(s) for s in flat[start : start + len(row)]])
        start += len(row)
    capacities = draw(st.lists(st.integers(0, 3), min_size=n_receivers, max_size=n_receivers))
    n_regions = draw(st.integers(1, 3))
    of = draw(st.lists(st.integers(-1, n_regions - 1), min_size=n_receivers, max_size=n_receivers))
    caps = draw(st.lists(st.integers(0, 4), min_size=n_regions, max_size=n_regions))
    targets = [0] * n_receivers
    if draw(st.booleans()):
        left = list(caps)
        for j, region in enumerate(of):
            if region >= 0:
                targets[j] = draw(st.integers(0, left[region]))
                left[region] -= targets[j]
    return market(rows, scores, capacities, tiebreak), regions(of, caps, targets)


@settings(max_examples=600, deadline=None)
@given(capped_markets())
def test_no_region_ends_above_its_cap_and_no_pair_blocks_within_the_caps(case):
    m, r = case
    result = allocate(m, r)
    assert np.all(result.placed_by_receiver() <= m.capacities)
    assert np.all(r.placed(result) <= r.caps)
    reference = Reference(m, r)
    assert reference.blocking(result.assignment.tolist()) == set()
    assert blocking(m, r, result.assignment) == set()


@settings(max_examples=600, deadline=None)
@given(capped_markets())
def test_the_rounds_give_the_matching_of_flexible_deferred_acceptance_one_proposal_at_a_time(case):
    m, r = case
    assert allocate(m, r).assignment.tolist() == Reference(m, r).sequential_fda()


@settings(max_examples=600, deadline=None)
@given(capped_markets(), st.data())
def test_blocking_pairs_agrees_with_the_definition_on_any_matching_within_the_caps(case, data):
    m, r = case
    seats, region_left = m.capacities.copy(), r.caps.copy()
    assignment = []
    for p in range(len(m.indptr) - 1):
        choice = data.draw(st.sampled_from([-1, *m.indices[m.indptr[p] : m.indptr[p + 1]].tolist()]))
        region = -1 if choice == -1 else r.of_receiver[choice]
        if choice != -1 and seats[choice] > 0 and (region < 0 or region_left[region] > 0):
            seats[choice] -= 1
            if region >= 0:
                region_left[region] -= 1
            assignment.append(choice)
        else:
            assignment.append(-1)
    assert blocking(m, r, assignment) == Reference(m, r).blocking(assignment)
