"""Run and store allocation proposals for an alliance; propose and adopt fit weights.

An alliance's run allocates the consenting students of its member schools (members in force today) to the open
openings of plans published to it, each opening receiving only students its enterprise may see
(`permissions.visible_students_condition`), whatever the scope:

- each student's preference list is their fit-ranked top N openings (the product keeps no separately stated
  list: wanted kinds and cities already shape the fit);
- each opening ranks its proposers by the 同等条件下优先 order (fit + τ·priority, priority first on an equal key,
  then the smaller student id): the same order as its ranked-candidates page;
- capacity is the opening's remaining headcount, capped for internships that count against the 20% share by the
  post's headroom; the 10% share is a cap on the enterprise's internships together (`enterprise_caps`): the engine's
  regional caps, stable in their sense (`matching.allocation`). A rule the secretariat waived for an opening does
  not apply to it.

The proposal is stored with its parameters, the inputs' snapshot time and digest (and each record's fingerprint,
`inputs`), timings and summary; `decisions` confirms or discards it.
"""

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from marketplace import ranking
from marketplace.alliances.models import Alliance, Membership, in_force_on
from marketplace.allocations import inputs
from marketplace.allocations.models import AllocationRun, AllocationSeat
from marketplace.audit.services import record
from marketplace.cohorts.models import Student
from marketplace.extensions import db
from marketplace.orgs.models import Organization
from marketplace.permissions import Visibility, visibility
from marketplace.pipeline.models import Nomination, NominationStatus, Placement, PlacementStatus, RuleException
from marketplace.plans import rules
from marketplace.plans.models import HiringPlan, Opening, plan_alliances
from marketplace.practice import queries as practice_queries
from marketplace.practice.models import PracticeBase, PracticeRequest, Teacher
from marketplace.reference.models import Major
from marketplace.timeutil import local_today
from matching.allocation import Regions, blocking_pairs, deferred_acceptance
from matching.model import FEATURES, Weights
from matching.priority import QUANTUM, audit, quantise
from matching.ranking import TopK
from matching.weights import feature_values
from matching.weights import propose_weights as learn_weights

DEFAULT_CHOICES = 15


SCOPES = ("members", "everyone")


OPEN_NOMINATION_STATUSES = (
    NominationStatus.NOMINATED, NominationStatus.INVITED, NominationStatus.SHORTLISTED, NominationStatus.OFFERED,
)  # fmt: skip


def alliance_inputs(
    alliance: Alliance, on: date, scope: str = "members"
) -> tuple[list[int], list[Opening], Visibility]:
    """The alliance's available openings (`availability`, by this alliance's minimum remaining period); the ids of
    the consenting students of its member schools ("members") or of every school ("everyone": non-members compete
    too, and 同等条件下优先 decides between them and members) not already put forward by one of its allocations (until
    that nomination ends), each kept only if some opening's enterprise may see them; and who may see whom
    (`permissions.visibility`). A student's accepted offers and open placements travel with them (the engine's
    busy periods), so that no overlapping opening is proposed to them."""
    published = sa.select(plan_alliances.c.plan_id).where(plan_alliances.c.alliance_id == alliance.id)
    openings = list(db.session.scalars(ranking.open_openings_query(alliance).where(HiringPlan.id.in_(published))))
    seen = visibility({o.plan.enterprise_id for o in openings}, on)
    # A student an allocation of this alliance already put forward is spoken for until that nomination ends:
    # proposing them again made two allocation nominations to different openings.
    spoken_for = (
        sa.select(Nomination.id)
        .join(AllocationRun, AllocationRun.id == Nomination.allocation_run_id)
        .where(Nomination.student_id == Student.id, AllocationRun.alliance_id == alliance.id,
               Nomination.status.in_(OPEN_NOMINATION_STATUSES))
        .exists()
    )  # fmt: skip
    in_scope = [~spoken_for, Student.consent_to_share.is_(True)]
    if scope == "members":
        members = sa.select(Membership.organization_id).where(Membership.alliance_id == alliance.id, in_force_on(on))
        in_scope.append(Student.school_id.in_(members))
    schools = sorted(set().union(*seen.schools.values())) if seen.schools else []
    put_forward = sorted({s for _, s in seen.put_forward})
    students = list(db.session.scalars(
        sa.select(Student.id)
        .where(sa.or_(Student.school_id.in_(schools), Student.id.in_(put_forward)), *in_scope)
        .order_by(Student.id)
    ))  # fmt: skip
    return students, openings, seen


def _interns_and_waivers(openings: list[Opening]) -> tuple[dict[int, int], Counter, dict[int, set[str]]]:
    """Interns in ongoing placements that count against the shares, per opening and per enterprise (as the pipeline
    counts them when it accepts an offer), and the rules waived for each of these openings."""
    ongoing = (
        sa.select(Opening.id, HiringPlan.enterprise_id, sa.func.count())
        .select_from(Placement)
        .join(Opening, Opening.id == Placement.opening_id)
        .join(HiringPlan, HiringPlan.id == Opening.plan_id)
        .where(Placement.status == PlacementStatus.ONGOING, Placement.kind.in_(rules.SHARE_KINDS))
        .group_by(Opening.id, HiringPlan.enterprise_id)
    )
    in_post: dict[int, int] = {}
    at_enterprise: Counter = Counter()
    for opening_id, enterprise_id, count in db.session.execute(ongoing):
        in_post[opening_id] = count
        at_enterprise[enterprise_id] += count
    waived = defaultdict(set)
    ids = [o.id for o in openings]
    for opening_id, rule in db.session.execute(
        sa.select(RuleException.opening_id, RuleException.rule).where(RuleException.opening_id.in_(ids))
    ):
        waived[opening_id].add(rule)
    return in_post, at_enterprise, waived


def capacities(openings: list[Opening]) -> np.ndarray:
    """Remaining headcount, capped by the post's share (20%) where it applies and is not waived; the enterprise's
    share is a cap across its openings, `enterprise_caps`."""
    in_post, _, waived = _interns_and_waivers(openings)
    result = []
    for o in openings:
        cap = o.remaining
        if o.kind in rules.SHARE_KINDS and rules.POST_SHARE not in waived[o.id]:
            cap = min(cap, max(0, rules.share_limits(0, o.staff_in_post)[1] - in_post.get(o.id, 0)))
        result.append(cap)
    return np.array(result, dtype=np.int64)


def enterprise_caps(openings: list[Opening]) -> Regions:
    """The enterprise share (10%) as the engine's regional caps: an enterprise's openings that count against it (the
    kinds of `rules.SHARE_KINDS`, not waived) form a region whose cap is the enterprise's headroom (its limit less
    the interns it holds); the region shares its cap out in opening order (ids), with no targets."""
    _, at_enterprise, waived = _interns_and_waivers(openings)
    region_of: dict[int, int] = {}
    caps: list[int] = []
    of_receiver = []
    for o in openings:
        if o.kind not in rules.SHARE_KINDS or rules.ENTERPRISE_SHARE in waived[o.id]:
            of_receiver.append(-1)
            continue
        enterprise = o.plan.enterprise
        if enterprise.id not in region_of:
            region_of[enterprise.id] = len(caps)
            limit = rules.share_limits(enterprise.staff_count or 0, 0)[0]
            caps.append(max(0, limit - at_enterprise[enterprise.id]))
        of_receiver.append(region_of[enterprise.id])
    return Regions(np.array(of_receiver, dtype=np.int64), np.array(caps, dtype=np.int64))


def shared_caps(regions: Regions) -> np.ndarray:
    """Per opening: the cap it shares with its enterprise's other openings, or -1 where none applies."""
    of = regions.of_receiver
    return np.where(of >= 0, regions.caps[np.maximum(of, 0)] if len(regions.caps) else -1, -1)


def enterprise_cap_figures(regions: Regions, capacity: np.ndarray, allocation) -> dict:
    """How the enterprise caps shaped a run: enterprises capped, those whose cap bound (filled while their openings
    had more places), and the places their caps held back (their openings' places beyond the cap)."""
    inside = regions.of_receiver >= 0
    places = np.bincount(regions.of_receiver[inside], weights=capacity[inside], minlength=len(regions.caps))
    places = places.astype(np.int64)
    placed = regions.placed(allocation)
    bound = (placed == regions.caps) & (places > regions.caps)
    return {
        "enterprises_capped": int(len(regions.caps)),
        "enterprise_caps_bound": int(bound.sum()),
        "seats_held_back": int(np.maximum(places - regions.caps, 0).sum()),
        "placed_under_caps": int(placed.sum()),
    }


def _preferences(snapshot: ranking.Snapshot, choices: int, seen: Visibility):
    """CSR preference lists from each student's top openings whose enterprise may see them, with each opening's
    score for the student."""
    engine = snapshot.engine
    top = _visible_only(snapshot, engine.rank_all_graduates(choices), seen, choices)
    rows = np.repeat(np.arange(len(snapshot.student_ids)), np.diff(top.indptr))
    return top, rows, _receiver_scores(engine, top)


def visible_pairs(snapshot: ranking.Snapshot, seen: Visibility, graduates: np.ndarray, openings: np.ndarray):
    """For aligned arrays of engine graduates and openings: may the opening's enterprise see the graduate?"""
    space = snapshot.engine.space
    enterprises = sorted(seen.schools)
    column = {e: n for n, e in enumerate(enterprises)}
    schools = space.encoder.vocabulary.schools
    sees = np.zeros((len(enterprises) + 1, len(schools)), dtype=bool)
    for e, n in column.items():
        sees[n] = np.isin(np.array(schools, dtype=np.int64), np.fromiter(seen.schools[e], dtype=np.int64))
    enterprise_of = space.opening_enterprise
    row_of = np.array([column.get(int(e), len(enterprises)) for e in enterprise_of], dtype=np.int64)
    keep = sees[row_of[openings], space.graduate_school[graduates]]
    if seen.put_forward:
        stride = int(max(space.graduate_ids.max(initial=0), 0)) + 1
        codes = np.array([e * stride + s for e, s in seen.put_forward], dtype=np.int64)
        keep |= np.isin(enterprise_of[openings] * stride + space.graduate_ids[graduates], codes)
    return keep


def _visible_only(snapshot: ranking.Snapshot, top: TopK, seen: Visibility, choices: int) -> TopK:
    """`top` without the openings whose enterprise may not see the student. A full row that lost places is ranked
    again over every opening, so that it still lists its best `choices` among those it may go to."""
    n = len(snapshot.student_ids)
    rows = np.repeat(np.arange(n), np.diff(top.indptr))
    keep = visible_pairs(snapshot, seen, rows, top.index)
    full = np.diff(top.indptr) >= choices
    exact = {}
    for i in sorted(set(rows[~keep].tolist())):
        if full[i]:
            ranked = snapshot.engine.rank_openings(i, len(snapshot.openings))
            indexes = np.array([p.opening for p in ranked.places], dtype=np.int64)
            allowed = visible_pairs(snapshot, seen, np.full(len(indexes), i), indexes)
            places = [p for p, ok in zip(ranked.places, allowed.tolist(), strict=True) if ok]
            exact[i] = replace(ranked, places=tuple(places[:choices]))
    return TopK.from_sorted(rows[keep], top.index[keep], quantise(top.fit[keep]), top.priority[keep],
                            top.decided[keep], choices, n, exact)  # fmt: skip


def _receiver_scores(engine, top) -> np.ndarray:
    """Each listed pair's score on the receiving side: the 同等条件下优先 key (fit + τ·priority) in integer units,
    exact in float64, with an equal key going to priority; the allocation's tie-break is then the proposer's id."""
    key_q = quantise(top.fit) + quantise(engine.space.tolerance)[top.index] * top.priority
    return (key_q * 2 + top.priority).astype(np.float64)


def _no_progress(stage: str, done: int = 0, total: int | None = None) -> None:
    pass


def run(
    alliance: Alliance, *, actor, choices: int = DEFAULT_CHOICES, scope: str = "members", progress=_no_progress
) -> AllocationRun:
    """Compute and store (flush) a proposal. `progress(stage, done, total)` hears each stage as it starts and the
    counts it reaches (a background job shows them: `marketplace.jobs`)."""
    if scope not in SCOPES or not 1 <= choices <= 50:
        raise ValueError("scope must be one of SCOPES and choices between 1 and 50")
    timings = {}
    started = time.perf_counter()
    progress("reading")
    students, openings, visible = alliance_inputs(alliance, local_today(), scope)
    progress("building", 0, len(students))
    snapshot = ranking.build_snapshot(students, openings)
    timings["read_and_build_s"] = time.perf_counter() - started
    step = time.perf_counter()
    progress("ranking", 0, len(snapshot.student_ids))
    top, rows, score = _preferences(snapshot, choices, visible)
    progress("ranking", len(snapshot.student_ids), len(snapshot.student_ids))
    timings["rank_s"] = time.perf_counter() - step
    step = time.perf_counter()
    progress("allocating", 0, len(snapshot.student_ids))
    capacity, regions = capacities(openings), enterprise_caps(openings)
    ids = snapshot.engine.space.graduate_ids
    allocation = deferred_acceptance(top.indptr, top.index, score, capacity, tiebreak=ids, regions=regions)
    placed = int((allocation.assignment >= 0).sum())
    progress("allocating", placed, len(snapshot.student_ids))
    timings["allocate_s"] = time.perf_counter() - step
    blocking = blocking_pairs(top.indptr, top.index, score, capacity, allocation.assignment, ids, regions)
    passed_fit = _passed_fits(top, rows, allocation, ids)
    tolerance = snapshot.engine.space.tolerance
    read = inputs.fingerprint(snapshot, visible, capacity, shared_caps(regions))
    run = AllocationRun(
        alliance=alliance,
        parameters={
            "choices": choices,
            "scope": scope,
            "tolerance_rule": "smallest τ among the alliances granting priority",
            "weights": "adopted by the plan's first alliance, else defaults",
            "inputs": read.as_json(),  # what each record looked like: a stale run can say what changed
        },
        snapshot_at=snapshot.at,
        inputs_digest=read.digest,
        timings={k: round(v, 4) for k, v in timings.items()},
        summary={},
        created_by_id=actor.id,
    )
    db.session.add(run)
    progress("storing", 0, placed)
    for i, j in enumerate(allocation.assignment.tolist()):
        if j < 0:
            continue
        at = top.indptr[i] + int(allocation.rank_of_assignment[i])
        run.seats.append(AllocationSeat(
            student_id=snapshot.student_ids[i], opening_id=snapshot.openings[j].id, fit=float(top.fit[at]),
            choice=int(allocation.rank_of_assignment[i]) + 1, priority=bool(top.priority[at]),
            decided_by_priority=not np.isnan(passed_fit[at]),
            passed_fit=None if np.isnan(passed_fit[at]) else float(passed_fit[at]), tolerance=float(tolerance[j]),
        ))  # fmt: skip
    run.summary = (
        _summary(snapshot, allocation, capacity, run.seats, blocking)
        | _ranking_audit(snapshot.engine)
        | enterprise_cap_figures(regions, capacity, allocation)
    )
    db.session.flush()
    progress("storing", placed, placed)
    record("allocation_run", run, actor=actor, placed=run.summary["placed"], students=run.summary["students"])
    return run


def _passed_fits(top, rows, allocation, ids: np.ndarray) -> np.ndarray:
    """For each listed pair that is a seat held by priority over a better-fitting student without it, that student's
    fit (NaN for every other pair).

    The passed student listed the same opening, was not kept by it (holds a later choice or nothing), and comes
    first by fit order (fit, then id). The engine's order guarantees the fit gap is within the opening's τ.
    """
    fit_q = quantise(top.fit)
    assignment, got = allocation.assignment, allocation.rank_of_assignment
    seat = assignment[rows] == top.index
    # Only a student who proposed here was passed: one placed at an earlier choice never reached this opening.
    position = np.arange(len(rows)) - top.indptr[rows]
    proposed = (assignment[rows] < 0) | (got[rows] > position)
    rejected = ~seat & ~top.priority & proposed
    best_rejected: dict[int, tuple[int, int]] = {}
    for at in np.flatnonzero(rejected):
        candidate = (int(fit_q[at]), -int(ids[rows[at]]))
        j = int(top.index[at])
        if candidate > best_rejected.get(j, (-1, 0)):
            best_rejected[j] = candidate
    passed_fit = np.full(len(rows), np.nan)
    for at in np.flatnonzero(seat & top.priority):
        j = int(top.index[at])
        if j in best_rejected and best_rejected[j] > (int(fit_q[at]), -int(ids[rows[at]])):
            passed_fit[at] = best_rejected[j][0] / QUANTUM
    return passed_fit


def _ranking_audit(engine, k: int = 20) -> dict:
    """The openings' ranked candidates (top k) at the time of the run: how many places priority decided, and the
    breaches of the tolerance rule `matching.priority.audit` finds in them (there should be none)."""
    top = engine.rank_all_openings(k, exact=False)  # the rule is checked on the batch's own rows
    tolerance_q = quantise(engine.space.tolerance)
    ids = engine.space.graduate_ids
    breaches = 0
    for j in range(len(top.indptr) - 1):
        lo, hi = top.indptr[j], top.indptr[j + 1]
        if top.priority[lo:hi].any():
            breaches += len(audit(quantise(top.fit[lo:hi]), top.priority[lo:hi], ids[top.index[lo:hi]],
                                  int(tolerance_q[j])))  # fmt: skip
    return {"ranking_places": int(len(top.index)), "ranking_decided": int(top.decided.sum()),
            "ranking_breaches": breaches}  # fmt: skip


def _summary(snapshot, allocation, capacity, seats, blocking) -> dict:
    graduates, major_ids = snapshot.engine.graduates, snapshot.indexes.major_ids
    school_names = dict(db.session.execute(
        sa.select(Organization.id, Organization.name).where(Organization.id.in_({g.school for g in graduates}))
    ).all())  # fmt: skip
    major_names = dict(db.session.execute(sa.select(Major.id, Major.name)).all())
    placed = int((allocation.assignment >= 0).sum())
    by_school: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_major: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for g, j in zip(graduates, allocation.assignment.tolist(), strict=True):
        major = major_names.get(major_ids[g.major]) if g.major is not None else ""
        for table, key in ((by_school, school_names[g.school]), (by_major, major)):
            table[key][1] += 1
            table[key][0] += j >= 0
    students = len(graduates)
    return {
        "students": students,
        "openings": len(snapshot.openings),
        "capacity": int(capacity.sum()),
        "placed": placed,
        "placed_share": round(placed / students, 4) if students else 0.0,
        "first_choice": int((allocation.rank_of_assignment == 0).sum()),
        "priority_seats": sum(1 for s in seats if s.priority),
        "decided_by_priority": sum(1 for s in seats if s.decided_by_priority),
        "blocking_pairs": len(blocking),
        "rounds": allocation.rounds,
        "by_school": dict(sorted(by_school.items())),
        "by_major": dict(sorted(by_major.items())),
    }


# ---------------------------------------------------------------------------------------------------- weights
POSITIVE = (NominationStatus.OFFERED, NominationStatus.ACCEPTED, NominationStatus.DECLINED)  # the enterprise said yes


def outcomes(alliance: Alliance) -> tuple[np.ndarray, np.ndarray]:
    """Feature values and outcomes of the nominations the enterprises of this alliance's plans decided.

    An offer (whether or not the student then accepted) counts as the enterprise's yes; a rejection as its no.
    """
    published = sa.select(plan_alliances.c.plan_id).where(plan_alliances.c.alliance_id == alliance.id)
    decided = db.session.scalars(
        sa.select(Nomination)
        .join(Opening, Opening.id == Nomination.opening_id)
        .where(Opening.plan_id.in_(published), Nomination.status.in_((*POSITIVE, NominationStatus.REJECTED)))
        .order_by(Nomination.id)
    ).all()
    if not decided:
        return np.zeros((0, len(FEATURES))), np.zeros(0, dtype=bool)
    students = sorted({n.student for n in decided}, key=lambda s: s.id)
    openings = sorted({n.opening for n in decided}, key=lambda o: o.id)
    snapshot = ranking.build_snapshot([s.id for s in students], openings, exclude_placed=False)
    row = {s: i for i, s in enumerate(snapshot.student_ids)}
    column = {o.id: j for j, o in enumerate(snapshot.openings)}
    features = np.array([
        feature_values(snapshot.engine.explain(row[n.student_id], column[n.opening_id])) for n in decided
    ])  # fmt: skip
    return features, np.array([n.status in POSITIVE for n in decided])


def propose_weights(alliance: Alliance):
    features, accepted = outcomes(alliance)
    return learn_weights(features, accepted) if len(accepted) else None


@dataclass(frozen=True)
class WeightWarning:
    feature: str
    current: float
    proposed: float
    to_zero: bool  # else: moved by more than half of the current weight


def weight_warnings(current: Weights, proposed: Weights) -> list[WeightWarning]:
    """Features the proposal would drop to zero (as shown, to two places) or move by more than half."""
    now, then = current.as_dict(), proposed.as_dict()
    warnings = []
    for f in FEATURES:
        to_zero = round(then[f], 2) == 0 and round(now[f], 2) > 0
        if to_zero or abs(then[f] - now[f]) > now[f] / 2:
            warnings.append(WeightWarning(f, now[f], then[f], to_zero))
    return warnings


def adopt_weights(alliance: Alliance, weights: Weights | None, *, actor) -> None:
    """Adopt `weights` for the alliance's rankings (None: back to the defaults)."""
    alliance.fit_weights = weights.as_dict() if weights is not None else None
    record("fit_weights_adopted", alliance, actor=actor, weights=alliance.fit_weights)


# ---------------------------------------------------------------------------------------------- teacher practice
@dataclass(frozen=True)
class PracticeProposal:
    """Open requests of the alliance's member schools allocated to its member enterprises' bases (a proposal only:
    each enterprise still accepts or declines the request on its page)."""

    pairs: list[tuple[PracticeRequest, PracticeBase | None, float, int]]  # request, base, fit, choice (1 = first)
    places: dict[int, int]  # base id → places it had for the proposal
    blocking: int


def practice_proposal(alliance: Alliance, *, choices: int = DEFAULT_CHOICES) -> PracticeProposal:
    """Teachers propose to their fit-ranked bases; a base prefers by the same priority-constrained order.

    A base's capacity is its places less the most teachers it already holds in the span of all these requests: a
    conservative reading that never proposes more teachers than fit on the busiest day.
    """
    on = local_today()
    members = {
        ms.organization_id
        for ms in db.session.scalars(sa.select(Membership).where(Membership.alliance_id == alliance.id))
        if ms.was_in_force_on(on)
    }
    # An enterprise that declined a request is not proposed it again (the snapshot reads each request's declines).
    requests = list(db.session.scalars(
        practice_queries.open_requests()
        .where(PracticeRequest.teacher.has(Teacher.school_id.in_(members)))
        .options(selectinload(PracticeRequest.declines))
    ).unique())  # fmt: skip
    bases = list(db.session.scalars(
        sa.select(PracticeBase).where(PracticeBase.enterprise_id.in_(members)).order_by(PracticeBase.id)
    ))  # fmt: skip
    if not requests or not bases:
        return PracticeProposal([(r, None, 0.0, 0) for r in requests], {}, 0)
    start, end = min(r.start_date for r in requests), max(r.end_date for r in requests)
    held = practice_queries.base_loads([b.id for b in bases], start, end)
    capacity = np.array([max(0, b.capacity - held.get(b.id, 0)) for b in bases])
    snapshot = ranking.build_practice_snapshot(requests, bases, without_declined=True)
    engine = snapshot.engine
    top = engine.rank_all_graduates(choices)
    score = _receiver_scores(engine, top)
    ids = engine.space.graduate_ids
    allocation = deferred_acceptance(top.indptr, top.index, score, capacity, tiebreak=ids)
    blocking = blocking_pairs(top.indptr, top.index, score, capacity, allocation.assignment, tiebreak=ids)
    pairs = []
    for i, j in enumerate(allocation.assignment.tolist()):
        if j < 0:
            pairs.append((requests[i], None, 0.0, 0))
            continue
        at = top.indptr[i] + int(allocation.rank_of_assignment[i])
        pairs.append((requests[i], bases[j], float(top.fit[at]), int(allocation.rank_of_assignment[i]) + 1))
    places = dict(zip([b.id for b in bases], capacity.tolist(), strict=True))
    return PracticeProposal(pairs, places, len(blocking))
