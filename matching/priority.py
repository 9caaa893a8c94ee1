"""同等条件下优先 as a ranking constraint: membership breaks near-ties, never outweighs a clearly better fit.

For one opening, a candidate has priority when the candidate's school and the enterprise are fellow active
members of an alliance the opening is published to. With the opening's tolerance τ the ranking is:

- among priority candidates, and among the others, by fit (best first);
- a priority candidate ranks above a candidate without priority exactly when its fit ≥ the other's fit − τ;
- τ = 0: priority only breaks exact ties;
- the fixed final tie-break is the candidate's id, smaller first, so every ranking is deterministic.

This is a sort by the key fit + τ·priority, then priority first, then id. Fits are compared in units of 10⁻⁶
(`quantise`), so that "equal fit" means equal to six decimals whatever order the floating-point sum ran in.

Which τ applies: each alliance's charter sets its own. When an opening is published to several alliances in
which its enterprise is an active member, the *smallest* of their tolerances applies to every priority candidate
of that opening (chosen by the adapter; see `marketplace/ranking.py`). A candidate without priority is then never
passed by more than any of those charters allows, and priority candidates stay in fit order among themselves.

A place is *decided by priority* when its candidate has priority and passed at least one candidate without
priority who comes first by fit order alone (fit, then id). `passed_candidates` names them for the audit, and
`audit` checks a whole ranking against the rule.
"""

import numpy as np

QUANTUM = 1_000_000


def quantise(values) -> np.ndarray:
    """Fits (or tolerances) in integer units of 10⁻⁶."""
    return np.rint(np.asarray(values, dtype=np.float64) * QUANTUM).astype(np.int64)


def priority_order(fit_q: np.ndarray, priority: np.ndarray, ids: np.ndarray, tolerance_q: int) -> np.ndarray:
    """The permutation that ranks candidates under the rule (quantised fits and tolerance)."""
    key = fit_q + tolerance_q * priority.astype(np.int64)
    return np.lexsort((ids, ~priority.astype(bool), -key))


def fit_order(fit_q: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The permutation by fit alone (then id): the order the rule departs from."""
    return np.lexsort((ids, -fit_q))


def passed_candidates(
    order: np.ndarray, fit_q: np.ndarray, priority: np.ndarray, ids: np.ndarray, places: int
) -> list[np.ndarray]:
    """For each of the first `places` of the ranking, the candidates without priority its holder passed.

    Empty for a place held on fit alone. Indexes are into the candidate arrays, best fit first.
    """
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    others = np.flatnonzero(~priority)
    result = []
    for place in range(min(places, len(order))):
        holder = order[place]
        if not priority[holder] or not len(others):
            result.append(np.empty(0, dtype=np.int64))
            continue
        f, i = fit_q[others], ids[others]
        ahead_by_fit = (f > fit_q[holder]) | ((f == fit_q[holder]) & (i < ids[holder]))
        passed = others[ahead_by_fit & (position[others] > place)]
        result.append(passed[fit_order(fit_q[passed], ids[passed])])
    return result


def audit(fit_q: np.ndarray, priority: np.ndarray, ids: np.ndarray, tolerance_q: int) -> list[str]:
    """Check a ranking (arrays in ranked order) against the rule; returns the breaches found, empty if none.

    Runs in linear time: within-group order by comparing neighbours, the cross-group rule with a running
    minimum of the non-priority fits above each place and a running maximum of those below.
    """
    breaches = []
    priority = priority.astype(bool)
    for group, label in ((priority, "priority"), (~priority, "others")):
        f, i = fit_q[group], ids[group]
        bad = np.flatnonzero((f[1:] > f[:-1]) | ((f[1:] == f[:-1]) & (i[1:] < i[:-1])))
        breaches.extend(f"{label} out of fit order at id {int(i[b + 1])}" for b in bad)
    big = np.iinfo(np.int64).max
    other_fit = np.where(priority, -big, fit_q)
    min_other_above = np.minimum.accumulate(np.concatenate(([big], np.where(priority, big, fit_q)[:-1])))
    max_other_below = np.maximum.accumulate(other_fit[::-1])[::-1]
    max_other_below = np.concatenate((max_other_below[1:], [-big]))
    for place in np.flatnonzero(priority):
        if max_other_below[place] > fit_q[place] + tolerance_q:
            breaches.append(f"id {int(ids[place])} passed a candidate without priority who fits better by more than τ")
        if min_other_above[place] <= fit_q[place] + tolerance_q:
            breaches.append(f"id {int(ids[place])} ranks below a candidate without priority within τ of its fit")
    return breaches
