"""Deferred acceptance at alliance scale, printed as `figure:` lines by ``python -m matching.bench_allocation``.

The market mimics a national graduation season: each graduate lists 10-20 distinct openings drawn from a
Zipf-like popularity (a few openings are on most lists), openings have 1-30 seats, and openings score
graduates independently. Scores are a random permutation, so the instance is tie-free and the PyPI
``matching`` package must produce exactly our assignment.
"""

import time
import tracemalloc
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from matching.allocation import blocking_pairs, deferred_acceptance
from matching.oracle import preferences, solve_algorithm, to_assignment

SEED = 20240601
ZIPF_EXPONENT = 1.0
MIN_CHOICES, MAX_CHOICES, MAX_CAPACITY = 10, 20, 30


class Market(NamedTuple):
    """A generated instance in the layout ``deferred_acceptance`` takes."""

    indptr: np.ndarray
    indices: np.ndarray
    score: np.ndarray
    capacities: np.ndarray


def make_market(n_proposers: int, n_receivers: int, seed: int = SEED) -> Market:
    """Generate a skewed, tie-free market without a Python loop over proposers."""
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, n_receivers + 1) ** ZIPF_EXPONENT
    popularity = popularity[rng.permutation(n_receivers)] / popularity.sum()
    wanted = rng.integers(MIN_CHOICES, MAX_CHOICES + 1, n_proposers)
    indices, lengths = _distinct_draws(rng, popularity, wanted)
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    score = rng.permutation(len(indices)) / max(len(indices), 1)
    capacities = rng.integers(1, MAX_CAPACITY + 1, n_receivers)
    return Market(indptr, indices, score, capacities)


def _distinct_draws(
    rng: np.random.Generator, popularity: np.ndarray, wanted: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Draw with replacement, keep each row's first ``wanted`` distinct receivers in drawing order.

    Four draws per wanted choice leave popular receivers repeating but almost always enough distinct
    ones; a row that falls short keeps the distinct receivers it got.
    """
    n_rows, n_receivers = len(wanted), len(popularity)
    draws = rng.choice(n_receivers, size=(n_rows, 4 * MAX_CHOICES), p=popularity)
    row_value = np.arange(n_rows)[:, None] * n_receivers + draws
    first = np.zeros(draws.size, bool)
    first[np.unique(row_value, return_index=True)[1]] = True
    first = first.reshape(draws.shape)
    keep = first & (np.cumsum(first, axis=1) <= wanted[:, None])
    return draws[keep], keep.sum(axis=1)


def allocate(market: Market) -> np.ndarray:
    """Our allocation's assignment for ``market``."""
    return deferred_acceptance(market.indptr, market.indices, market.score, market.capacities).assignment


def best_time(function: Callable[[], object], repeat: int = 3) -> float:
    """Best wall time of ``repeat`` calls: the least disturbed by the rest of the machine."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def peak_mb(function: Callable[[], object]) -> float:
    """Peak memory traced while ``function`` runs, in MB; numpy reports its buffers to tracemalloc."""
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def oracle_ratio(market: Market) -> float:
    """How many times faster we are than the PyPI ``HospitalResident`` algorithm, asserting equal results.

    The package's time counts building its players from ready dictionaries and solving, once (it takes
    seconds, so noise is small); ours counts validation, keys and rounds, best of three.
    """
    prefs = preferences(market.indptr, market.indices, market.score, market.capacities)
    started = time.perf_counter()
    matches = solve_algorithm(prefs)
    oracle_s = time.perf_counter() - started
    if not np.array_equal(to_assignment(matches, len(market.indptr) - 1), allocate(market)):
        raise AssertionError("deferred_acceptance differs from the PyPI matching package")
    return oracle_s / best_time(lambda: allocate(market))


def run() -> list[tuple[str, float, str]]:
    """Time 50k x 5k, its peak memory, 100k x 10k against it, and 20k x 2k against the PyPI solver."""
    market = make_market(50_000, 5_000)
    base_s = best_time(lambda: allocate(market))
    if blocking_pairs(*market, allocate(market)):
        raise AssertionError("deferred_acceptance returned an unstable matching")
    peak = peak_mb(lambda: allocate(market))
    doubled = make_market(100_000, 10_000)
    doubled_s = best_time(lambda: allocate(doubled))
    return [
        ("allocate_50k_s", base_s, "s"),
        ("allocate_peak_mb", peak, "MB"),
        ("allocate_vs_matching_ratio", oracle_ratio(make_market(20_000, 2_000)), "x"),
        ("allocate_doubling_ratio", doubled_s / base_s, "x"),
    ]


def main() -> None:
    for name, value, unit in run():
        print(f"figure: {name} = {value:.3f} {unit}", flush=True)


if __name__ == "__main__":
    main()
