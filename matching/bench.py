"""Every figure of the matching engine, one `figure: NAME = VALUE UNIT` line each: ``python -m matching.bench``.

Ranking (50,000 graduates × 5,000 openings from `synthetic.instance`, seed fixed; generating the data is not timed):

- ``rank_build_s``: building the `Engine` (the feature space and its sparse matrices);
- ``rank_per_opening_s``: `rank_all_openings(20)`, the top-20 graduates of every opening (goal ≤ 5 s);
- ``rank_per_graduate_s``: `rank_all_graduates(20)`, the top-20 openings of every graduate (goal ≤ 5 s);
- ``one_opening_ms``: p95 of `rank_graduates(j, 20)`, the exact ranking of one opening, over 200 random
  openings (goal ≤ 50 ms; the median is printed as a comment line);
- ``rank_peak_mb``: peak resident memory of the process that ran the above (goal ≤ 600 MB). The batch products
  allocate in sparse_dot_topn's C++ code, which tracemalloc does not see, so the ranking runs in a fresh
  subprocess (``python -m matching.bench --stage rank``) and reports its ``ru_maxrss``. That peak includes
  the interpreter, the libraries, the synthetic graduates and openings as Python objects and the engine's
  matrices: everything the ranking needs, not the ranking's own allocations alone;
- ``alloc_from_ranking_s``: an allocation built from the ranking, end to end, in the same subprocess after the
  peak was read: each graduate's preference list is its top-15 openings by fit (`rank_all_graduates(15)`),
  each opening scores a graduate by fit + τ·priority exactly as `priority.priority_order` ranks (priority
  first on an equal key, then the smaller graduate id), seats are synthetic headcounts of 1-29, and
  `deferred_acceptance` runs on that. The time covers ranking, scores and deferred acceptance; the check
  that `blocking_pairs` finds no blocking pair is run afterwards and not timed.

Allocation: the figures of `matching.bench_allocation.run()` (its own market generator, scores independent of fit).

Occupations: ``occupation_top1`` / ``occupation_top5`` on the test split of the hand-labelled evaluation set, and
``occupation_6000_titles_s``: `suggest_occupations` on 6,000 titles drawn with replacement from the evaluation
set's titles, *warm*: the classification index has already been built by the evaluation call before it.

``--quick`` runs everything at 1/10 scale (5,000 × 500 ranking, 5,000 × 500 allocation market) as a smoke test;
its figures say nothing about the goals.
"""

import argparse
import math
import resource
import subprocess
import sys
import time
from collections.abc import Iterable

import numpy as np

SEED = 7
K = 20
PREFERENCES = 15  # length of a graduate's list in the allocation built from the ranking
MAX_HEADCOUNT = 30  # seats per opening are drawn from [1, MAX_HEADCOUNT)
ONE_OPENING_SAMPLES = 200
OCCUPATION_TITLES = 6_000
FULL = (50_000, 5_000)
QUICK = (5_000, 500)

Figure = tuple[str, float, str]

RANK_FIGURES = (
    "rank_build_s",
    "rank_per_opening_s",
    "rank_per_graduate_s",
    "one_opening_ms",
    "rank_peak_mb",
    "alloc_from_ranking_s",
)
ALLOCATION_FIGURES = ("allocate_50k_s", "allocate_peak_mb", "allocate_vs_matching_ratio", "allocate_doubling_ratio")
OCCUPATION_FIGURES = ("occupation_top1", "occupation_top5", "occupation_6000_titles_s")
FIGURES = RANK_FIGURES + ALLOCATION_FIGURES + OCCUPATION_FIGURES


def line(name: str, value: float, unit: str) -> str:
    return f"figure: {name} = {value:.3f} {unit}"


def parse(text: str) -> Figure | None:
    """The (name, value, unit) of a `figure:` line, None for any other line."""
    if not text.startswith("figure: "):
        return None
    name, _, rest = text[len("figure: ") :].partition(" = ")
    value, _, unit = rest.strip().partition(" ")
    return name, float(value), unit


def _elapsed(started: float) -> float:
    return time.perf_counter() - started


def _peak_rss_mb() -> float:
    """Peak resident set size of this process so far; ru_maxrss is in KB on Linux (bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024**2 if sys.platform == "darwin" else peak / 1024


# ---------------------------------------------------------------------------------------------- ranking stage
def rank_stage(n_graduates: int, n_openings: int, emit) -> None:
    """Run in a fresh process: build, rank both ways, one opening, peak RSS, then the allocation from the ranking."""
    from matching import synthetic
    from matching.ranking import Engine

    data = synthetic.instance(n_graduates, n_openings, seed=SEED)  # not timed
    started = time.perf_counter()
    engine = Engine(data.catalogue, data.graduates, data.openings)
    emit("rank_build_s", _elapsed(started), "s")
    print(f"# peak RSS with the data and the engine built, before ranking: {_peak_rss_mb():.0f} MB", flush=True)

    started = time.perf_counter()
    by_opening = engine.rank_all_openings(K)
    emit("rank_per_opening_s", _elapsed(started), "s")
    started = time.perf_counter()
    by_graduate = engine.rank_all_graduates(K)
    emit("rank_per_graduate_s", _elapsed(started), "s")
    print(
        f"# rows with fewer than {K} places: {int((np.diff(by_opening.indptr) < K).sum())} openings, "
        f"{int((np.diff(by_graduate.indptr) < K).sum())} graduates",
        flush=True,
    )
    del by_opening, by_graduate

    rng = np.random.default_rng(SEED)
    engine.rank_graduates(0, K)  # warm-up: first-call costs of scipy are not the engine's
    times = []
    for j in rng.integers(0, n_openings, ONE_OPENING_SAMPLES).tolist():
        started = time.perf_counter()
        engine.rank_graduates(j, K)
        times.append(_elapsed(started) * 1000)
    print(f"# one opening: median {np.median(times):.3f} ms over {len(times)} openings", flush=True)
    emit("one_opening_ms", float(np.percentile(times, 95)), "ms")

    emit("rank_peak_mb", _peak_rss_mb(), "MB")

    headcounts = np.random.default_rng(SEED).integers(1, MAX_HEADCOUNT, n_openings)
    started = time.perf_counter()
    market, result = allocation_from_ranking(engine, headcounts)
    emit("alloc_from_ranking_s", _elapsed(started), "s")
    check_allocation_from_ranking(market, result)


def allocation_from_ranking(engine, headcounts: np.ndarray) -> tuple[dict, object]:
    """Graduates propose down their top-`PREFERENCES` openings; openings rank by fit + τ·priority.

    The receiver's order is `priority.priority_order`'s: the quantised key fit + τ·priority descending, priority
    first on an equal key, then the smaller graduate id. The key is doubled and the priority bit added, so one
    float score (exact: far below 2⁵³) carries the first two, and the graduate ids are the tie-break.
    """
    from matching.allocation import deferred_acceptance
    from matching.priority import quantise

    space = engine.space
    started = time.perf_counter()
    ranking = engine.rank_all_graduates(PREFERENCES)
    ranked_s = _elapsed(started)
    openings = ranking.index
    # A graduate row's `priority` is `Engine.has_priority(graduate, opening)`: whether the graduate's school has
    # priority at that opening. Its τ is the opening's tolerance, as in `rank_all_openings`.
    priority = ranking.priority
    key = quantise(ranking.fit) + quantise(space.tolerance)[openings] * priority
    score = (2 * key + priority).astype(np.float64)
    market = {
        "pref_indptr": ranking.indptr,
        "pref_indices": openings,
        "receiver_score": score,
        "capacities": headcounts,
        "tiebreak": space.graduate_ids,
    }
    started = time.perf_counter()
    result = deferred_acceptance(**market)
    print(
        f"# allocation from the ranking: rank_all_graduates({PREFERENCES}) {ranked_s:.3f} s, "
        f"deferred acceptance {_elapsed(started):.3f} s",
        flush=True,
    )
    return market, result


def check_allocation_from_ranking(market: dict, result) -> None:
    """Raise AssertionError unless the allocation is stable; print how it went as comment lines."""
    from matching.allocation import blocking_pairs

    blocking = blocking_pairs(**market, assignment=result.assignment)
    if blocking:
        raise AssertionError(f"allocation from the ranking has {len(blocking)} blocking pairs, e.g. {blocking[:5]}")
    placed = result.assignment >= 0
    print(
        f"# allocation from the ranking: {int(placed.sum())} of {len(placed)} graduates placed, "
        f"{int((result.rank_of_assignment == 0).sum())} at their first choice, {result.rounds} rounds, "
        f"{int(market['capacities'].sum())} seats; no blocking pair",
        flush=True,
    )


def rank_figures(quick: bool) -> Iterable[Figure]:
    """Run the ranking stage in a fresh interpreter (for an honest peak RSS) and relay its lines as they come."""
    command = [sys.executable, "-m", "matching.bench", "--stage", "rank", *(["--quick"] if quick else [])]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as child:  # noqa: S603 (our own module)
        for text in child.stdout or ():
            figure = parse(text)
            if figure is None:
                print(text, end="", flush=True)
            else:
                yield figure
    if child.returncode:
        raise RuntimeError(f"the ranking stage failed with exit code {child.returncode}")


# ---------------------------------------------------------------------------------------------- allocation
def allocation_figures(quick: bool) -> list[Figure]:
    from matching import bench_allocation as ba

    if not quick:
        return ba.run()
    # bench_allocation.run() at 1/10 scale, same figure names.
    market = ba.make_market(5_000, 500)
    base_s = ba.best_time(lambda: ba.allocate(market))
    if ba.blocking_pairs(*market, ba.allocate(market)):
        raise AssertionError("deferred_acceptance returned an unstable matching")
    doubled = ba.make_market(10_000, 1_000)
    return [
        ("allocate_50k_s", base_s, "s"),
        ("allocate_peak_mb", ba.peak_mb(lambda: ba.allocate(market)), "MB"),
        ("allocate_vs_matching_ratio", ba.oracle_ratio(ba.make_market(2_000, 200)), "x"),
        ("allocate_doubling_ratio", ba.best_time(lambda: ba.allocate(doubled)) / base_s, "x"),
    ]


# ---------------------------------------------------------------------------------------------- occupations
def occupation_figures() -> list[Figure]:
    from matching import occupations

    top1, top5 = occupations.evaluate("test")  # cold: builds the classification index
    titles = [title for title, _ in occupations.load_eval(None)]
    sample = [titles[i] for i in np.random.default_rng(SEED).integers(0, len(titles), OCCUPATION_TITLES)]
    started = time.perf_counter()
    occupations.suggest_occupations(sample, k=5)  # warm
    return [
        ("occupation_top1", top1, "fraction"),
        ("occupation_top5", top5, "fraction"),
        ("occupation_6000_titles_s", _elapsed(started), "s"),
    ]


def run(quick: bool = False) -> list[Figure]:
    """Every figure, printed as it is measured; returns them too."""
    n_graduates, n_openings = QUICK if quick else FULL
    print(
        f"# matching bench: ranking {n_graduates:,} graduates x {n_openings:,} openings, seed {SEED}"
        f"{' (--quick: 1/10 scale)' if quick else ''}",
        flush=True,
    )
    figures: list[Figure] = []

    def record(batch: Iterable[Figure]) -> None:
        for name, value, unit in batch:
            print(line(name, value, unit), flush=True)
            figures.append((name, value, unit))

    record(rank_figures(quick))
    record(allocation_figures(quick))
    record(occupation_figures())
    missing = [name for name in FIGURES if name not in {f[0] for f in figures}]
    bad = [name for name, value, _ in figures if not math.isfinite(value)]
    if missing or bad:
        raise RuntimeError(f"figures missing {missing} or not finite {bad}")
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m matching.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1/10 scale, a smoke test")
    parser.add_argument(
        "--stage",
        choices=("all", "rank"),
        default="all",
        help="rank: only the ranking stage, in this process (what the full run starts as a child)",
    )
    args = parser.parse_args(argv)
    if args.stage == "rank":
        rank_stage(*(QUICK if args.quick else FULL), emit=lambda *f: print(line(*f), flush=True))
    else:
        run(quick=args.quick)


if __name__ == "__main__":
    main()
