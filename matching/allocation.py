"""Proposer-proposing deferred acceptance with capacities (hospitals/residents), in vectorised numpy rounds.

Graduates propose to openings, or teachers to enterprise practice bases: both are the many-to-one
"hospitals/residents" problem, so one function serves both and needs no special case for either. The
result is the proposer-optimal stable matching: no proposer and receiver would both rather be together
than with what they got, and every proposer gets the best receiver it can have in any stable matching.

Inputs are compressed rows (CSR) so that 50,000 proposers with 10-20 choices each cost a few flat arrays
and no Python object per pair:

* proposer ``p`` ranks ``pref_indices[pref_indptr[p]:pref_indptr[p + 1]]``, best first;
* ``receiver_score`` is aligned with ``pref_indices``: how much that receiver wants that proposer;
* a receiver ranks proposers by score (higher first), then ``tiebreak`` (lower first), then proposer
  index (lower first), so its order is total and results are deterministic. The caller folds rules such
  as 同等条件下优先 into the score; this module only needs the order.

Why rounds rather than one proposal at a time: the proposer-optimal matching does not depend on the order
in which free proposers propose, so every free proposer proposes to its next choice at once and each
receiver keeps its best ``capacity`` among what it held and what arrived. Each round is a handful of
numpy passes over the proposals and the holdings of the receivers that received one, so Python pays per
round, not per proposal. Receiver preferences become one integer key per pair, grouped by receiver, so
that "keep the best" is a plain integer sort and "is this proposal hopeless" one comparison with the
receiver's worst held key.

Regional caps (Kamada and Kojima's flexible deferred acceptance, AER 2015): receivers may belong to a region
whose cap bounds how many proposers its receivers take together (an enterprise, whose interns may not exceed a
share of its staff across its openings). Each round, a region whose receivers received proposals chooses how many
each keeps from the counts they hold: first up to its *target* each, then one more at a time, receiver by
receiver in index order (round robin), until the cap is reached; each receiver keeps its best that many. That
choice depends only on the counts and takes fewer from no receiver when another gets more applicants, so the
rounds still end in the proposer-optimal stable matching, stable in the regional sense: a pair blocks when the
proposer prefers the receiver and the region, choosing again with the proposer added, would keep them (a free
seat within both caps, a worse proposer of that receiver, or, in a full region, a seat that comes earlier in the
round robin than the last seat of another receiver of the region).

``blocking_pairs`` checks any assignment against the same preferences, so tests and the product can show
that an allocation is stable rather than assert it.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

__all__ = ["Allocation", "Regions", "blocking_pairs", "deferred_acceptance"]

# Threshold of a receiver with a free seat: any key is below it.
_ANY = np.iinfo(np.int64).max


@dataclass(frozen=True, eq=False)
class Allocation:
    """The outcome of deferred acceptance; arrays are read-only.

    ``assignment[p]`` is the receiver proposer ``p`` got, -1 if unplaced; ``rank_of_assignment[p]`` is the
    0-based position of that receiver in ``p``'s list, -1 if unplaced, so "got a first choice" is
    ``rank_of_assignment == 0``. ``proposals`` counts every proposal made (it is the same in any proposal
    order: each proposer goes down its list to its final receiver) and ``rounds`` the parallel rounds.
    """

    assignment: np.ndarray
    rank_of_assignment: np.ndarray
    proposals: int
    rounds: int
    n_receivers: int

    def placed_by_receiver(self) -> np.ndarray:
        """How many proposers each receiver took, to compare with its capacity."""
        placed = self.assignment[self.assignment >= 0]
        return np.bincount(placed, minlength=self.n_receivers)

    def unplaced(self) -> np.ndarray:
        """Indices of the proposers left without a receiver, for a second round or a human."""
        return np.flatnonzero(self.assignment < 0)


@dataclass(frozen=True, eq=False)
class Regions:
    """Caps shared by groups of receivers: ``of_receiver[j]`` is receiver j's region, -1 for none.

    ``caps[r]`` bounds what region r's receivers take together; ``targets[j]`` (default 0) is what receiver j
    keeps before the round robin shares out the rest of its region's cap, in receiver index order. Targets of a
    region must not add up to more than its cap.
    """

    of_receiver: np.ndarray
    caps: np.ndarray
    targets: np.ndarray | None = None

    def placed(self, allocation: "Allocation") -> np.ndarray:
        """How many proposers each region's receivers took together, to compare with its cap."""
        region = self.of_receiver[allocation.assignment[allocation.assignment >= 0]]
        return np.bincount(region[region >= 0], minlength=len(self.caps))


class _Regions(NamedTuple):
    """Validated regions, their receivers grouped (region, then receiver index) as CSR."""

    of: np.ndarray  # int64 per receiver, -1 for none
    cap: np.ndarray  # int64 per region
    target: np.ndarray  # int64 per receiver
    member_ptr: np.ndarray  # int64, n_regions + 1
    members: np.ndarray  # int64, receivers by region then index


class _Market(NamedTuple):
    """Validated inputs plus the receivers' preferences as one sortable key per pair."""

    indptr: np.ndarray  # int64, n_proposers + 1
    indices: np.ndarray  # int64, receiver of each pair
    owner: np.ndarray  # int64, proposer of each pair
    capacities: np.ndarray  # int64, per receiver
    key: np.ndarray  # int64, receiver * n_pairs + rank of the pair among all pairs by the receivers' order
    pair_at: np.ndarray  # int64, the pair ranked i-th, so a key's pair is pair_at[key % n_pairs]


def deferred_acceptance(
    pref_indptr: np.ndarray,
    pref_indices: np.ndarray,
    receiver_score: np.ndarray,
    capacities: np.ndarray,
    tiebreak: np.ndarray | None = None,
    regions: Regions | None = None,
) -> Allocation:
    """Return the proposer-optimal stable matching (within ``regions``' caps); raises ValueError on malformed input.

    Every listed pair is acceptable to both sides; a receiver with capacity 0 takes nobody and a proposer
    with an empty list stays unplaced.
    """
    market = _market(pref_indptr, pref_indices, receiver_score, capacities, tiebreak)
    ptr, rounds = _propose(market, _regions(regions, len(market.capacities)))
    start, end = market.indptr[:-1], market.indptr[1:]
    placed = ptr < end
    assignment = np.full(len(ptr), -1, np.int32)
    assignment[placed] = market.indices[ptr[placed]]
    rank = np.where(placed, ptr - start, -1).astype(np.int32)
    proposals = int(np.minimum(ptr + 1, end).sum() - start.sum())
    assignment.setflags(write=False)
    rank.setflags(write=False)
    return Allocation(assignment, rank, proposals, rounds, len(market.capacities))


def blocking_pairs(
    pref_indptr: np.ndarray,
    pref_indices: np.ndarray,
    receiver_score: np.ndarray,
    capacities: np.ndarray,
    assignment: np.ndarray,
    tiebreak: np.ndarray | None = None,
    regions: Regions | None = None,
) -> list[tuple[int, int]]:
    """Return the (proposer, receiver) pairs that block ``assignment``; empty means it is stable.

    A listed pair blocks when the proposer is unplaced or ranks the receiver above its assignment, and the
    receiver ranks the proposer above one it took, or has a free seat that its region would let it fill: the
    region is below its cap, or full while the receiver's next seat comes before the last seat of another of
    its receivers in the region's order (see the module docstring). Raises ValueError if the assignment is not
    a matching of this market (a receiver outside the proposer's list, over capacity, a region over its cap),
    because stability means nothing then.
    """
    market = _market(pref_indptr, pref_indices, receiver_score, capacities, tiebreak)
    region = _regions(regions, len(market.capacities))
    n_receivers = len(market.capacities)
    assigned_pair = _assigned_pairs(market, assignment)
    taken = np.bincount(market.indices[assigned_pair], minlength=n_receivers)
    if np.any(taken > market.capacities):
        raise ValueError(f"assignment exceeds the capacity of receivers {np.flatnonzero(taken > market.capacities)}")
    worst_taken = np.full(n_receivers, -1, np.int64)
    np.maximum.at(worst_taken, market.indices[assigned_pair], market.key[assigned_pair])
    position = np.arange(len(market.indices)) - market.indptr[market.owner]
    assigned_position = np.full(len(market.indptr) - 1, np.iinfo(np.int64).max)
    assigned_position[market.owner[assigned_pair]] = position[assigned_pair]
    proposer_wants = position < assigned_position[market.owner]
    free_seat = taken < market.capacities
    if region is not None:
        free_seat &= _region_lets_in(region, taken)
    receiver_wants = free_seat[market.indices] | (market.key < worst_taken[market.indices])
    blocking = np.flatnonzero(proposer_wants & receiver_wants)
    return list(zip(market.owner[blocking].tolist(), market.indices[blocking].tolist(), strict=True))


def _seat_order(region: _Regions, receivers: np.ndarray, seat: np.ndarray) -> np.ndarray:
    """The place of receiver j's ``seat``-th seat (1-based) in its region's order: targets first, then round robin
    (the k-th seat beyond the target of each receiver in index order, then the (k+1)-th...)."""
    beyond = np.maximum(seat - region.target[receivers], 0)
    return beyond * len(region.of) + receivers


def _region_lets_in(region: _Regions, taken: np.ndarray) -> np.ndarray:
    """Per receiver: would its region, offered one more proposer for it, give it one more seat? Raises ValueError
    if a region is over its cap."""
    n_receivers, n_regions = len(region.of), len(region.cap)
    if n_regions == 0:
        return np.ones(n_receivers, dtype=bool)
    inside = region.of >= 0
    held = np.bincount(region.of[inside], weights=taken[inside], minlength=n_regions).astype(np.int64)
    if np.any(held > region.cap):
        raise ValueError(f"assignment exceeds the cap of regions {np.flatnonzero(held > region.cap)}")
    # In a full region the seat given up is the last one in the region's order among those held.
    last = np.full(n_regions, -1, np.int64)
    holding = np.flatnonzero(inside & (taken > 0))
    np.maximum.at(last, region.of[holding], _seat_order(region, holding, taken[holding]))
    receivers = np.arange(n_receivers)
    next_seat = _seat_order(region, receivers, taken + 1)
    r = np.where(inside, region.of, 0)
    return ~inside | (held[r] < region.cap[r]) | (next_seat < last[r])


def _assigned_pairs(market: _Market, assignment: np.ndarray) -> np.ndarray:
    """Indices of the pairs in ``assignment``; raises ValueError if a receiver is not in the proposer's list."""
    assignment = _integers(assignment, "assignment")
    n_proposers = len(market.indptr) - 1
    if len(assignment) != n_proposers:
        raise ValueError(f"assignment must have one entry per proposer ({n_proposers}), got {len(assignment)}")
    if np.any(assignment < -1):
        raise ValueError("assignment must hold receiver indices, or -1 for unplaced")
    is_assigned = market.indices == assignment[market.owner]
    counted = np.bincount(market.owner[is_assigned], minlength=n_proposers)
    outside = np.flatnonzero((assignment >= 0) & (counted == 0))
    if len(outside):
        raise ValueError(f"proposers {outside[:10].tolist()} are assigned a receiver outside their list")
    return np.flatnonzero(is_assigned)


def _propose(market: _Market, regions: _Regions | None) -> tuple[np.ndarray, int]:
    """Run the rounds; return each proposer's final position in the pair arrays (its row end if unplaced)."""
    ptr = market.indptr[:-1].copy()
    end = market.indptr[1:]
    free = np.flatnonzero(ptr < end)
    held = _Holdings(market, regions)
    rounds = 0
    while len(free):
        rounds += 1
        rejected = held.receive(market.key[ptr[free]], free)
        ptr[rejected] += 1
        free = rejected[ptr[rejected] < end[rejected]]
    return ptr, rounds


class _Holdings:
    """The proposals each receiver holds: its best keys so far, sorted, in a slice of one flat array.

    A receiver's slice is as long as its capacity, capped at the number of proposers who list it, so a
    huge capacity standing for "no limit" costs no memory. ``threshold`` is the worst held key of a full
    receiver: a proposal with a larger key is rejected without touching the holdings.
    """

    def __init__(self, market: _Market, regions: _Regions | None) -> None:
        listed = np.bincount(market.indices, minlength=len(market.capacities))
        self.capacity = np.minimum(market.capacities, listed)
        if regions is not None:
            # A receiver never holds more than its region's cap.
            inside = regions.of >= 0
            self.capacity[inside] = np.minimum(self.capacity[inside], regions.cap[regions.of[inside]])
        self.regions = regions
        self.start = np.cumsum(self.capacity) - self.capacity
        self.count = np.zeros_like(self.capacity)
        self.keys = np.empty(int(self.capacity.sum()), np.int64)
        self.threshold = np.where(self.capacity > 0, _ANY, -1)
        self.stride = max(len(market.key), 1)
        self.owner = market.owner
        self.pair_at = market.pair_at

    def receive(self, keys: np.ndarray, proposers: np.ndarray) -> np.ndarray:
        """Take this round's proposals (one per proposer); return the proposers rejected or displaced."""
        receivers = keys // self.stride
        hopeful = keys < self.threshold[receivers]
        dropped = self._merge(keys[hopeful], receivers[hopeful])
        if self.regions is not None:
            dropped = np.concatenate([dropped, self._share_out(receivers[hopeful])])
        return np.concatenate([proposers[~hopeful], self.owner[self.pair_at[dropped % self.stride]]])

    def _merge(self, keys: np.ndarray, receivers: np.ndarray) -> np.ndarray:
        """Merge new keys into the receivers' holdings, keep the best ``capacity`` each, return the rest.

        Keys are grouped by receiver, so one sort of held and new keys sorts every receiver at once; the
        groups come out in the order of ``touched``, with the sizes counted beforehand.
        """
        arrivals = np.bincount(receivers, minlength=len(self.capacity))
        touched = np.flatnonzero(arrivals)
        held = self.count[touched]
        sizes = held + arrivals[touched]
        merged = np.sort(np.concatenate([self.keys[_ranges(self.start[touched], held)], keys]))
        group = np.repeat(np.arange(len(touched)), sizes)
        rank = np.arange(len(merged)) - (np.cumsum(sizes) - sizes)[group]
        capacity = self.capacity[touched]
        keep = rank < capacity[group]
        self.keys[self.start[touched][group[keep]] + rank[keep]] = merged[keep]
        self.count[touched] = np.minimum(sizes, capacity)
        full = touched[self.count[touched] == capacity]
        self.threshold[full] = self.keys[self.start[full] + self.capacity[full] - 1]
        return merged[~keep]

    def _share_out(self, receivers: np.ndarray) -> np.ndarray:
        """Let each region whose receivers got proposals choose how many each keeps; return the keys let go.

        A receiver's count is its target (or what it holds, if less), plus the round-robin seats beyond the
        target that come within the cap: the seats (receiver, k-th beyond target) sorted by (k, receiver) are
        taken in that order.
        """
        regions = self.regions
        touched = np.unique(regions.of[receivers])
        touched = touched[touched >= 0]
        if not len(touched):
            return np.zeros(0, np.int64)
        sizes = regions.member_ptr[touched + 1] - regions.member_ptr[touched]
        members = regions.members[_ranges(regions.member_ptr[touched], sizes)]
        group = np.repeat(np.arange(len(touched)), sizes)
        held = self.count[members]
        base = np.minimum(held, regions.target[members])
        left = regions.cap[touched] - np.bincount(group, weights=base, minlength=len(touched)).astype(np.int64)
        extra = held - base
        seat_of = np.repeat(np.arange(len(members)), extra)
        beyond = _ranges(np.zeros(len(members), np.int64), extra)
        order = np.lexsort((members[seat_of], beyond, group[seat_of]))
        seat_of, seat_group = seat_of[order], group[seat_of[order]]
        rank = np.arange(len(seat_of)) - np.searchsorted(seat_group, seat_group)
        granted = np.bincount(seat_of[rank < left[seat_group]], minlength=len(members))
        keep = base + granted
        start = self.start[members]
        dropped = self.keys[_ranges(start + keep, held - keep)]
        self.count[members] = keep
        capacity = self.capacity[members]
        threshold = np.where(capacity > 0, _ANY, -1)
        full = (keep == capacity) & (capacity > 0)
        threshold[full] = self.keys[start[full] + capacity[full] - 1]
        self.threshold[members] = threshold
        return dropped


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(start, start + count)`` for each pair, without a Python loop."""
    offsets = np.cumsum(counts) - counts
    return np.repeat(starts - offsets, counts) + np.arange(int(counts.sum()))


def _market(
    pref_indptr: np.ndarray,
    pref_indices: np.ndarray,
    receiver_score: np.ndarray,
    capacities: np.ndarray,
    tiebreak: np.ndarray | None,
) -> _Market:
    """Validate the inputs and compute the receivers' keys."""
    indptr = _integers(pref_indptr, "pref_indptr")
    indices = _integers(pref_indices, "pref_indices")
    capacities = _integers(capacities, "capacities")
    score = np.asarray(receiver_score, dtype=np.float64)
    _check_rows(indptr, indices, score)
    if np.any(capacities < 0):
        raise ValueError("capacities must be >= 0")
    if len(indices) and (indices.min() < 0 or indices.max() >= len(capacities)):
        raise ValueError(f"pref_indices must be receiver indices in [0, {len(capacities)})")
    n_proposers = len(indptr) - 1
    owner = np.repeat(np.arange(n_proposers), np.diff(indptr))
    _check_no_duplicates(owner, indices, len(capacities))
    order = _tiebreak_order(tiebreak, n_proposers)
    key, pair_at = _keys(indices, score, owner, order)
    return _Market(indptr, indices, owner, capacities, key, pair_at)


def _regions(regions: Regions | None, n_receivers: int) -> _Regions | None:
    """Validate the regions and group their receivers; None when there are none."""
    if regions is None:
        return None
    of = _integers(regions.of_receiver, "regions.of_receiver")
    cap = _integers(regions.caps, "regions.caps")
    target = np.zeros(n_receivers, np.int64) if regions.targets is None else _integers(regions.targets, "targets")
    if len(of) != n_receivers or len(target) != n_receivers:
        raise ValueError(f"regions need one region and one target per receiver ({n_receivers})")
    if np.any(of < -1) or (len(of) and of.max() >= len(cap)):
        raise ValueError(f"regions.of_receiver must be region indices in [0, {len(cap)}), or -1 for none")
    if np.any(cap < 0) or np.any(target < 0):
        raise ValueError("region caps and targets must be >= 0")
    inside = of >= 0
    if np.any(np.bincount(of[inside], weights=target[inside], minlength=len(cap)) > cap):
        raise ValueError("the targets of a region must not add up to more than its cap")
    target = np.where(inside, target, 0)
    members = np.flatnonzero(inside)
    members = members[np.argsort(of[members], kind="stable")]
    member_ptr = np.concatenate([[0], np.cumsum(np.bincount(of[inside], minlength=len(cap)))]).astype(np.int64)
    return _Regions(of, cap, target, member_ptr, members)


def _integers(values: np.ndarray, name: str) -> np.ndarray:
    """A 1-D int64 copy-free view when possible; raises ValueError on anything else."""
    array = np.asarray(values)
    if array.ndim != 1 or not (np.issubdtype(array.dtype, np.integer) or array.size == 0):
        raise ValueError(f"{name} must be a 1-D integer array")
    return array.astype(np.int64, copy=False)


def _check_rows(indptr: np.ndarray, indices: np.ndarray, score: np.ndarray) -> None:
    """The CSR row pointers must cover ``indices`` exactly, with one finite score per pair."""
    if len(indptr) == 0 or indptr[0] != 0:
        raise ValueError("pref_indptr must start at 0")
    if indptr[-1] != len(indices):
        raise ValueError(f"pref_indptr must end at len(pref_indices) = {len(indices)}")
    if np.any(np.diff(indptr) < 0):
        raise ValueError("pref_indptr must never decrease")
    if score.shape != indices.shape:
        raise ValueError("receiver_score must have one score per entry of pref_indices")
    if not np.all(np.isfinite(score)):
        raise ValueError("receiver_score must be finite")


def _check_no_duplicates(owner: np.ndarray, indices: np.ndarray, n_receivers: int) -> None:
    """A receiver listed twice by one proposer has no single rank; reject rather than guess.

    The (proposer, receiver) codes are sorted as int32 when they fit, which halves the sort.
    """
    fits = len(owner) == 0 or (int(owner[-1]) + 1) * n_receivers <= np.iinfo(np.int32).max
    pairs = np.sort((owner * n_receivers + indices).astype(np.int32 if fits else np.int64))
    repeated = pairs[1:][pairs[1:] == pairs[:-1]]
    if len(repeated):
        proposer, receiver = divmod(int(repeated[0]), n_receivers)
        raise ValueError(f"proposer {proposer} lists receiver {receiver} more than once")


def _tiebreak_order(tiebreak: np.ndarray | None, n_proposers: int) -> np.ndarray:
    """Each proposer's place in the final tie-break: by ``tiebreak`` ascending, then by index."""
    if tiebreak is None:
        return np.arange(n_proposers)
    values = _integers(tiebreak, "tiebreak")
    if len(values) != n_proposers:
        raise ValueError(f"tiebreak must have one value per proposer ({n_proposers})")
    order = np.empty(n_proposers, np.int64)
    order[np.argsort(values, kind="stable")] = np.arange(n_proposers)
    return order


def _keys(
    indices: np.ndarray, score: np.ndarray, owner: np.ndarray, tiebreak_order: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One int64 key per pair: smaller is better for the receiver, and keys are grouped by receiver.

    All pairs are ranked once by (score descending, tie-break); a pair's key is its receiver times the
    number of pairs plus that rank. Pairs of one proposer may tie, but they have different receivers, so
    they are never compared.
    """
    n_pairs = len(indices)
    pair_at = _by_score(score, owner, tiebreak_order)
    rank = np.empty(n_pairs, np.int64)
    rank[pair_at] = np.arange(n_pairs)
    return indices * n_pairs + rank, pair_at


def _by_score(score: np.ndarray, owner: np.ndarray, tiebreak_order: np.ndarray) -> np.ndarray:
    """Pair indices by score descending, then tie-break, with one sort of packed integers.

    An argsort of a million floats is three times slower than sorting a million integers and grows
    faster than linearly once its permutation leaves the cache. So each score becomes an unsigned
    integer that sorts descending, its low bits are replaced by the pair index, and a plain sort of
    those integers orders the pairs by the score's high bits. Only pairs whose high bits collide (equal
    scores, or scores closer than the dropped bits) are then ordered exactly.
    """
    n_pairs = len(score)
    index_bits = max(n_pairs - 1, 1).bit_length()
    descending = _descending_bits(score)
    packed = descending >> index_bits
    packed <<= index_bits
    packed |= np.arange(n_pairs, dtype=np.uint64)
    packed.sort()
    order = (packed & ((1 << index_bits) - 1)).astype(np.int64)
    _order_collisions(order, packed >> index_bits, descending, owner, tiebreak_order)
    return order


def _descending_bits(score: np.ndarray) -> np.ndarray:
    """Unsigned integers in the opposite order of the finite ``score``, from their IEEE 754 bits.

    Non-negative floats order like their bits and negative ones in reverse, so the bits below the sign
    are flipped for non-negative scores only; that puts larger scores first. In place, because each
    temporary of a million pairs costs as much as the arithmetic.
    """
    bits = (score + 0.0).view(np.int64)  # + 0.0 turns -0.0 into 0.0: equal scores, equal bits
    flip = bits >> 63  # -1 for negative scores, 0 otherwise
    np.invert(flip, out=flip)
    flip &= np.iinfo(np.int64).max
    bits ^= flip
    return bits.view(np.uint64)


def _order_collisions(
    order: np.ndarray, high: np.ndarray, descending: np.ndarray, owner: np.ndarray, tiebreak_order: np.ndarray
) -> None:
    """Reorder in place each run of equal ``high`` in ``order`` by exact score, then tie-break."""
    same = high[1:] == high[:-1]
    in_run = np.flatnonzero(np.r_[same, False] | np.r_[False, same])
    if len(in_run) == 0:
        return
    run = np.cumsum(np.r_[True, ~same])[in_run]
    pairs = order[in_run]
    order[in_run] = pairs[np.lexsort((tiebreak_order[owner[pairs]], descending[pairs], run))]
