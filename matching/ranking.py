"""Rankings both ways: top-k graduates for an opening (under 同等条件下优先), top-k openings for a graduate.

`Engine.rank_graduates` / `rank_openings` rank one row exactly over every candidate. `rank_all_openings` /
`rank_all_graduates` rank every row at once with `sparse_dot_topn` (multi-threaded sparse product keeping the top
2k of each row), then apply the hard filters and the priority order exactly on that pool; a row left with fewer
than k eligible candidates is recomputed exactly. In a batch ranking the "passed" lists are drawn from the pool,
so they may name fewer passed candidates than the exact ranking of the same opening would.

For a graduate, openings are ranked by fit alone (then opening id): the charters' rule is about enterprises
selecting graduates; whether the graduate's school has priority at an opening is reported, not used.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from sparse_dot_topn import sp_matmul_topn

from matching.features import Catalogue, Explanation, FeatureSpace
from matching.model import Graduate, Opening
from matching.priority import QUANTUM, fit_order, passed_candidates, priority_order, quantise

_THRESHOLD = -1.0  # hard-filter penalties push excluded pairs far below this; every real key is ≥ 0


@dataclass(frozen=True)
class RankedGraduate:
    graduate: int  # index into the engine's graduates
    id: int
    fit: float
    priority: bool
    passed: tuple[int, ...] = ()  # ids of candidates without priority this place passed, best fit first

    @property
    def index(self) -> int:
        return self.graduate

    @property
    def decided_by_priority(self) -> bool:
        return bool(self.passed)


@dataclass(frozen=True)
class OpeningRanking:
    opening: int
    id: int
    tolerance: float
    eligible: int  # candidates that passed the hard filters (in a batch: within the pool)
    places: tuple[RankedGraduate, ...]
    exact: bool = True

    @property
    def decided_places(self) -> list[int]:
        """1-based places decided by priority."""
        return [n for n, place in enumerate(self.places, 1) if place.decided_by_priority]


@dataclass(frozen=True)
class RankedPool:
    """An opening's whole ranking as arrays in ranked order, for pages that filter and page thousands of places
    and show a few: `places(positions)` makes the places shown, each the same as in `rank_graduates`."""

    opening: int
    id: int
    tolerance: float
    graduate: np.ndarray  # engine graduate index of each place
    ids: np.ndarray
    fit_q: np.ndarray
    priority: np.ndarray
    decided: np.ndarray  # the place is held by priority over a better-fitting candidate without it

    @property
    def eligible(self) -> int:
        return len(self.graduate)

    @property
    def decided_places(self) -> list[int]:
        """1-based places decided by priority."""
        return (np.flatnonzero(self.decided) + 1).tolist()

    def places(self, positions: Sequence[int]) -> list[RankedGraduate]:
        """The places at these 0-based positions, with whom each decided place passed (best fit first)."""
        others = np.flatnonzero(~self.priority)
        result = []
        for p in positions:
            passed = ()
            if self.decided[p]:
                f, i = self.fit_q[others], self.ids[others]
                ahead = (f > self.fit_q[p]) | ((f == self.fit_q[p]) & (i < self.ids[p]))
                chosen = others[ahead & (others > p)]
                passed = tuple(int(x) for x in self.ids[chosen[fit_order(self.fit_q[chosen], self.ids[chosen])]])
            result.append(RankedGraduate(int(self.graduate[p]), int(self.ids[p]), self.fit_q[p] / QUANTUM,
                                         bool(self.priority[p]), passed))  # fmt: skip
        return result


@dataclass(frozen=True)
class RankedOpening:
    opening: int
    id: int
    fit: float
    priority: bool
    decided_by_priority = False  # a graduate's openings are ranked by fit alone

    @property
    def index(self) -> int:
        return self.opening


@dataclass(frozen=True)
class GraduateRanking:
    graduate: int
    id: int
    eligible: int
    places: tuple[RankedOpening, ...]


class Engine:
    def __init__(
        self, catalogue: Catalogue, graduates: Sequence[Graduate], openings: Sequence[Opening], text_model=None
    ):
        self.space = FeatureSpace(catalogue, graduates, openings, text_model)

    @classmethod
    def over(cls, space: FeatureSpace) -> "Engine":
        """An engine over a space assembled from kept rows (`FeatureSpace.assemble`)."""
        engine = cls.__new__(cls)
        engine.space = space
        return engine

    @property
    def graduates(self) -> list[Graduate]:
        return self.space.graduates

    @property
    def openings(self) -> list[Opening]:
        return self.space.openings

    def explain(self, graduate: int, opening: int) -> Explanation:
        return self.space.explain(graduate, opening)

    def explain_many(self, pairs) -> list[Explanation]:
        return self.space.explain_many(pairs)

    def has_priority(self, graduates: np.ndarray, openings: np.ndarray) -> np.ndarray:
        return self.space.has_priority(graduates, openings)

    # ------------------------------------------------------------------ one row, exact
    def rank_graduates(self, opening: int, k: int = 20) -> OpeningRanking:
        s = self.space
        candidates = np.flatnonzero(s.eligible(opening))
        fit = s.fit_column(opening)[candidates]
        return self._opening_ranking(opening, candidates, fit, k, exact=True)

    def rank_pool(self, opening: int) -> RankedPool:
        """Every eligible graduate of one opening in ranked order, as arrays (`RankedPool`)."""
        s = self.space
        candidates = np.flatnonzero(s.eligible(opening))
        fit_q = quantise(s.fit_column(opening)[candidates])
        prio = self.has_priority(candidates, np.full(len(candidates), opening))
        ids = s.graduate_ids[candidates]
        tolerance = float(s.tolerance[opening])
        order = priority_order(fit_q, prio, ids, int(quantise(tolerance)))
        graduate, fit_q, prio, ids = candidates[order], fit_q[order], prio[order], ids[order]
        decided = _decided_in_pool(np.zeros(len(order), dtype=np.int64), fit_q, prio, ids)
        return RankedPool(opening, int(s.opening_ids[opening]), tolerance, graduate, ids, fit_q, prio, decided)

    def _opening_ranking(self, opening: int, candidates, fit, k: int, exact: bool) -> OpeningRanking:
        s = self.space
        fit_q = quantise(fit)
        prio = self.has_priority(candidates, np.full(len(candidates), opening))
        ids = s.graduate_ids[candidates]
        tolerance = float(s.tolerance[opening])
        order = priority_order(fit_q, prio, ids, int(quantise(tolerance)))
        passed = passed_candidates(order, fit_q, prio, ids, k) if prio.any() else [()] * min(k, len(order))
        places = tuple(
            RankedGraduate(
                graduate=int(candidates[c]),
                id=int(ids[c]),
                fit=fit_q[c] / QUANTUM,
                priority=bool(prio[c]),
                passed=tuple(int(ids[p]) for p in passed[n]),
            )
            for n, c in enumerate(order[:k])
        )
        return OpeningRanking(opening, int(s.opening_ids[opening]), tolerance, len(candidates), places, exact)

    def rank_openings_to_level(self, graduate: int, levels: int) -> GraduateRanking:
        """Every eligible opening down to the `levels`-th distinct fit (ties included), by fit then id: what a page
        that groups equal-fit openings needs, without making a place for each of thousands below it."""
        s = self.space
        openings = np.arange(len(s.openings))
        openings = openings[s.eligible_pairs(np.full(len(openings), graduate), openings)]
        fit_q = quantise(s.fit_row(graduate)[openings])
        distinct = np.unique(fit_q)[::-1]
        if len(distinct) > levels:
            keep = fit_q >= distinct[levels - 1]
            ranking = self._graduate_ranking(graduate, openings[keep], fit_q[keep] / QUANTUM, int(keep.sum()))
            return replace(ranking, eligible=len(openings))
        return self._graduate_ranking(graduate, openings, fit_q / QUANTUM, len(openings))

    def _rank_openings_of(self, graduates: np.ndarray, k: int, chunk: int = 256) -> dict[int, GraduateRanking]:
        """The top k openings of many graduates, as `rank_openings` ranks them (fit, then opening id), their fits
        computed a chunk of rows at a time (the same sums in the same order, so the same fits).

        Fit and id make one integer key per pair, so each row's best `8k` openings in exactly that order are
        found without sorting the row; the filters are applied to those first, and only a row with fewer than k
        eligible among them is filtered over every opening. `eligible` counts the eligible openings looked at
        (at least k where the ranking is full)."""
        s = self.space
        n_o = len(s.openings)
        result = {}
        if not n_o:
            return {int(g): GraduateRanking(int(g), int(s.graduate_ids[g]), 0, ()) for g in graduates}
        by_id = np.empty(n_o, dtype=np.int64)
        by_id[np.argsort(s.opening_ids, kind="stable")] = np.arange(n_o)
        width = min(n_o, 8 * k)
        for start in range(0, len(graduates), chunk):
            rows = np.asarray(graduates[start : start + chunk], dtype=np.int64)
            fits = (s.G[rows] @ s.O.T).toarray()
            key = quantise(fits) * n_o + (n_o - 1 - by_id)  # larger is better; unique within a row
            best = (
                np.argpartition(-key, width - 1, axis=1)[:, :width]
                if width < n_o
                else np.tile(np.arange(n_o), (len(rows), 1))
            )
            best = np.take_along_axis(best, np.argsort(-np.take_along_axis(key, best, 1), axis=1), 1)
            ok = s.eligible_pairs(np.repeat(rows, width), best.ravel()).reshape(len(rows), width)
            for r, graduate in enumerate(rows.tolist()):
                if ok[r].sum() >= k or width == n_o:
                    openings = best[r][ok[r]]
                else:
                    openings = np.flatnonzero(s.eligible_pairs(np.full(n_o, graduate), np.arange(n_o)))
                result[graduate] = self._graduate_ranking(graduate, openings, fits[r, openings], k)
        return result

    def _complete_ties(self, rows, openings, fit_q, short, floor_q, k: int, width: int = 1024, chunk: int = 2048):
        """Complete, without ranking them again, the rows of `short` whose pool holds k eligible openings but whose
        k-th fit `t` ties with openings the pool may have cut (the pool's smallest key, or the fit of the pairs the
        product does not produce, `floor_q`). Every opening above `t` is in the pool, so the exact top k is the
        pool's eligible entries above `t`, then the eligible openings at exactly `t` by id: those are looked for
        among the first `width` openings by id. A row they cannot complete is left for `_rank_openings_of`.
        Arrays sorted by row then rank in; the same arrays with the completed rows replaced, and those rows, out."""
        s = self.space
        n_rows = len(s.graduates)
        first = np.searchsorted(rows, short)
        count = np.searchsorted(rows, short, side="right") - first
        rich = count >= k
        candidates, first = short[rich], first[rich]
        tie = fit_q[first + k - 1]
        sure = tie >= floor_q[candidates]  # below the floor, pairs the product skipped would rank above the tie
        candidates, tie = candidates[sure], tie[sure]
        if not len(candidates):
            return rows, openings, fit_q, np.zeros(0, dtype=np.int64)
        tie_of = np.full(n_rows, np.iinfo(np.int64).max)
        tie_of[candidates] = tie
        above = fit_q > tie_of[rows]
        need = k - np.bincount(rows[above], minlength=n_rows)[candidates]
        window = np.argsort(s.opening_ids, kind="stable")[:width]
        settled, add_rows, add_openings = [], [], []
        for start in range(0, len(candidates), chunk):
            part, wanted = candidates[start : start + chunk], need[start : start + chunk]
            fits = quantise((s.G[part] @ s.O[window].T).toarray())
            match = fits == tie[start : start + chunk, None]
            match &= s.eligible_pairs(np.repeat(part, len(window)), np.tile(window, len(part))).reshape(match.shape)
            taken = match & (np.cumsum(match, axis=1) <= wanted[:, None])
            enough = taken.sum(axis=1) == wanted
            r, c = np.nonzero(taken & enough[:, None])
            settled.append(part[enough])
            add_rows.append(part[r])
            add_openings.append(window[c])
        settled = np.concatenate(settled)
        done = np.zeros(n_rows, dtype=bool)
        done[settled] = True
        keep = ~done[rows] | above
        add_rows, add_openings = np.concatenate(add_rows), np.concatenate(add_openings)
        rows = np.concatenate((rows[keep], add_rows))
        openings = np.concatenate((openings[keep], add_openings))
        fit_q = np.concatenate((fit_q[keep], tie_of[add_rows]))
        order = np.lexsort((s.opening_ids[openings], -fit_q, rows))
        return rows[order], openings[order], fit_q[order], settled

    def rank_openings(self, graduate: int, k: int = 20) -> GraduateRanking:
        s = self.space
        openings = np.arange(len(s.openings))
        openings = openings[s.eligible_pairs(np.full(len(openings), graduate), openings)]
        fit = s.fit_row(graduate)[openings]
        return self._graduate_ranking(graduate, openings, fit, k)

    def _graduate_ranking(self, graduate: int, openings, fit, k: int) -> GraduateRanking:
        s = self.space
        fit_q = quantise(fit)
        if len(fit_q) > 4 * k:  # only the openings tied with or above the k-th best fit can be in the first k
            best = np.flatnonzero(fit_q >= np.partition(fit_q, len(fit_q) - k)[len(fit_q) - k])
            order = best[fit_order(fit_q[best], s.opening_ids[openings[best]])[:k]]
        else:
            order = fit_order(fit_q, s.opening_ids[openings])[:k]
        prio = self.has_priority(np.full(len(order), graduate), openings[order])
        places = tuple(
            RankedOpening(int(openings[c]), int(s.opening_ids[openings[c]]), fit_q[c] / QUANTUM, bool(p))
            for c, p in zip(order, prio, strict=True)
        )
        return GraduateRanking(graduate, int(s.graduate_ids[graduate]), len(openings), places)

    # ------------------------------------------------------------------ every row, batched
    def rank_all_openings(self, k: int = 20, n_threads: int = 2, exact: bool = True) -> "TopK":
        """Top-k graduates of every opening under the priority rule, as flat arrays. `exact=False`: a row with too
        few eligible candidates in the pool keeps the pool's (an audit of what the batch ranked, not a ranking)."""
        s = self.space
        left = sp.hstack([s.O, s.O_filter, s.O_school], format="csr")
        right = sp.hstack([s.G, s.G_filter, s.G_school], format="csr")
        left, right, offset = _without_constant_columns(left, right)
        pool = sp_matmul_topn(left, right.T.tocsr(), top_n=2 * k, threshold=_THRESHOLD, n_threads=n_threads)
        pool.data += offset[np.repeat(np.arange(pool.shape[0]), np.diff(pool.indptr))]
        rows, cands, keys = _rows_of(pool)
        keep = s.eligible_pairs(cands, rows)
        rows, cands, keys = rows[keep], cands[keep], keys[keep]
        prio = self.has_priority(cands, rows)
        fit_q = quantise(keys - s.tolerance[rows] * prio)
        ids = s.graduate_ids[cands]
        key_q = fit_q + quantise(s.tolerance)[rows] * prio
        order = np.lexsort((ids, ~prio, -key_q, rows))
        rows, cands, fit_q, prio, ids = rows[order], cands[order], fit_q[order], prio[order], ids[order]
        decided = _decided_in_pool(rows, fit_q, prio, ids)
        short = _rows_to_redo(pool, rows, key_q[order], k, 2 * k) if exact else ()
        redone = {int(j): self.rank_graduates(int(j), k) for j in short}
        return TopK.from_sorted(rows, cands, fit_q, prio, decided, k, len(s.openings), redone)

    def rank_all_graduates(self, k: int = 20, n_threads: int = 2) -> "TopK":
        """Top-k openings of every graduate by fit, as flat arrays."""
        s = self.space
        left = sp.hstack([s.G, s.G_filter], format="csr")
        right = sp.hstack([s.O, s.O_filter], format="csr")
        left, right, offset = _without_constant_columns(left, right)
        pool = sp_matmul_topn(left, right.T.tocsr(), top_n=2 * k, threshold=_THRESHOLD, n_threads=n_threads)
        pool.data += offset[np.repeat(np.arange(pool.shape[0]), np.diff(pool.indptr))]
        rows, openings, fit = _rows_of(pool)
        keep = s.eligible_pairs(rows, openings)
        rows, openings, fit_q = rows[keep], openings[keep], quantise(fit[keep])
        order = np.lexsort((s.opening_ids[openings], -fit_q, rows))
        rows, openings, fit_q = rows[order], openings[order], fit_q[order]
        floor_q = quantise(offset)
        short = _rows_to_redo(pool, rows, fit_q, k, 2 * k, floor_q)
        rows, openings, fit_q, settled = self._complete_ties(rows, openings, fit_q, short, floor_q, k)
        prio = self.has_priority(rows, openings)
        exact = self._rank_openings_of(np.setdiff1d(short, settled), k)
        none_decided = np.zeros(len(rows), dtype=bool)
        return TopK.from_sorted(rows, openings, fit_q, prio, none_decided, k, len(s.graduates), exact)


@dataclass(frozen=True)
class TopK:
    """The top-k of every row of a batch ranking as flat arrays (row i is `indptr[i]:indptr[i+1]`).

    `index` holds graduate indexes for opening rows and opening indexes for graduate rows. `decided` marks places
    decided by priority, judged within the pool the batch drew (see the module docstring).
    """

    indptr: np.ndarray
    index: np.ndarray
    fit: np.ndarray
    priority: np.ndarray
    decided: np.ndarray

    @classmethod
    def from_sorted(cls, rows, index, fit_q, prio, decided, k: int, n_rows: int, exact: dict) -> "TopK":
        """Keep the first k of each row of row-sorted arrays; rows in `exact` are replaced by their exact ranking."""
        start = np.searchsorted(rows, np.arange(n_rows))
        within = np.arange(len(rows)) - start[rows]
        take = (within < k) & ~np.isin(rows, np.fromiter(exact, dtype=np.int64, count=len(exact)))
        parts = [(rows[take], index[take], fit_q[take] / QUANTUM, prio[take], decided[take])]
        for j, ranking in exact.items():
            places = ranking.places
            parts.append(
                (
                    np.full(len(places), j),
                    np.array([p.index for p in places], dtype=np.int64),
                    np.array([p.fit for p in places], dtype=np.float64),
                    np.array([p.priority for p in places], dtype=bool),
                    np.array([p.decided_by_priority for p in places], dtype=bool),
                )
            )
        r, i, f, p, d = (np.concatenate(col) for col in zip(*parts, strict=True))
        order = np.argsort(r, kind="stable")
        indptr = np.concatenate(([0], np.cumsum(np.bincount(r, minlength=n_rows))))
        return cls(indptr, i[order], f[order], p[order], d[order])

    def row(self, i: int) -> list[tuple[int, float, bool, bool]]:
        """(index, fit, priority, decided by priority) of row i's places, best first."""
        lo, hi = self.indptr[i], self.indptr[i + 1]
        return list(
            zip(
                self.index[lo:hi].tolist(),
                self.fit[lo:hi].tolist(),
                self.priority[lo:hi].tolist(),
                self.decided[lo:hi].tolist(),
                strict=True,
            )
        )


def _without_constant_columns(left: sp.csr_matrix, right: sp.csr_matrix):
    """Drop the columns in which every row of `right` holds the same value, returning each left row's share of them.

    Such a column adds the same amount to every pair of a left row (the certificate column of openings that require
    none, against graduates who all carry 1 there; the grade column, against openings that all weigh grades alike),
    so it cannot change the row's order but makes the sparse product visit every pair. Removing it and adding it
    back afterwards is exact and saves a full pass.
    """
    csc = right.tocsc()
    nnz = np.diff(csc.indptr)
    full = np.flatnonzero(nnz == right.shape[0])
    if right.shape[0] == 0 or not len(full):
        return left, right, np.zeros(left.shape[0])
    lo = np.minimum.reduceat(csc.data, csc.indptr[:-1][nnz > 0])
    hi = np.maximum.reduceat(csc.data, csc.indptr[:-1][nnz > 0])
    constant_of = dict(zip(np.flatnonzero(nnz > 0).tolist(), zip(lo.tolist(), hi.tolist(), strict=True), strict=True))
    constant = np.array([c for c in full if constant_of[c][0] == constant_of[c][1]], dtype=np.int64)
    if not len(constant):
        return left, right, np.zeros(left.shape[0])
    values = np.array([constant_of[c][0] for c in constant])
    offset = np.asarray(left[:, constant] @ values).ravel()
    keep = np.setdiff1d(np.arange(right.shape[1]), constant)
    return left[:, keep], right[:, keep], offset


def _rows_to_redo(
    pool: sp.csr_matrix, rows: np.ndarray, key_q: np.ndarray, k: int, top_n: int, floor_q: np.ndarray | None = None
) -> np.ndarray:
    """Positions (pool rows) whose batch top-k may differ from the exact one: too few eligible in the pool; a full
    pool whose k-th key equals its smallest, where candidates tied with it may have been left out of the pool (the
    exact ranking breaks such ties by id, which the pool's cut does not know about); or, given each row's `floor_q`
    (the key of a pair the product does not produce, having no column in common), a k-th key not above it: such
    pairs are never in a pool, and an eligible one may tie with the k-th and have a smaller id."""
    n_rows = pool.shape[0]
    counts = np.bincount(rows, minlength=n_rows)
    redo = counts < k
    sizes = np.diff(pool.indptr)
    start = np.searchsorted(rows, np.arange(n_rows))
    full = np.flatnonzero((sizes == top_n) & ~redo)
    if len(full):
        pool_min = quantise(pool.data[pool.indptr[full][:, None] + np.arange(top_n)].min(axis=1))
        redo[full] = key_q[start[full] + k - 1] <= pool_min
    if floor_q is not None:
        settled = np.flatnonzero(~redo)
        redo[settled] = key_q[start[settled] + k - 1] <= floor_q[settled]
    return np.flatnonzero(redo)


def _decided_in_pool(rows, fit_q, prio, ids) -> np.ndarray:
    """Places (arrays sorted by row, then rank) held by priority over a better-fitting candidate without it.

    A priority place is decided when some candidate without priority ranked after it in the same row comes
    first by fit order: a segmented suffix minimum of the fit-order rank over the non-priority candidates.
    """
    n = len(rows)
    if not n:
        return np.zeros(0, dtype=bool)
    by_fit = np.lexsort((ids, -fit_q, rows))
    fit_rank = np.empty(n, dtype=np.int64)
    fit_rank[by_fit] = np.arange(n) - np.searchsorted(rows[by_fit], rows[by_fit])
    span = np.int64(n + 1)
    value = rows * span + np.where(prio, span - 1, fit_rank)
    suffix_min = np.minimum.accumulate(value[::-1])[::-1]
    after = np.concatenate((suffix_min[1:], [np.iinfo(np.int64).max]))
    return prio & (after - rows * span < fit_rank)


def _rows_of(matrix: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, value) of every stored entry, rows ascending."""
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    return rows, matrix.indices.astype(np.int64), matrix.data.astype(np.float64)
