"""The only adapter between database rows and the matching engine.

It reads open openings and consenting graduates, turns them into the engine's plain data, and answers with rows:
ranked candidates for an opening, ranked openings for a student, a cohort's best openings.

Choices made here (the engine leaves them to the product):
- Candidates are students who consented to share their data, whom the opening's enterprise may see (its fellow
  members' students, and those their school put forward to it: `permissions.visible_students_condition`) and who
  hold no ongoing placement of the same kind.
- Availability (`marketplace.availability`): openings are those of published plans with places left, not started
  and with enough of their period remaining (by the alliance's minimum; on pages, the largest of the plan's
  alliances); a student is out for every opening whose dates overlap an accepted offer or open placement of theirs.
- Priority: the student's school and the enterprise are both members in force, on the opening's start date, of an
  alliance the plan is published to. The opening's τ is the smallest tolerance among the alliances that can grant
  priority for it (published to, enterprise a member in force): see `matching.priority`. Computed in SQL for all
  of a page's openings at once (`priority_sets`).
- Weights: those adopted by the first alliance (lowest id) the plan is published to that adopted any; otherwise
  the engine's defaults. Weights belong to the opening, so one pair has one fit on every page.
- Skill similarity uses the TF-IDF fitted on the 2022 classification, so a pair's fit does not depend on which
  other rows a page loaded.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from marketplace import availability
from marketplace.alliances.models import ONCE_ACTIVE_STATUSES, Alliance, Membership
from marketplace.cohorts.models import Cohort, Student
from marketplace.db import ids_in, utcnow
from marketplace.extensions import db
from marketplace.plans.models import HiringPlan, Opening
from marketplace.practice.models import PracticeBase, PracticeRequest
from marketplace.practice.queries import base_loads
from marketplace.reference.models import Region
from marketplace.rowcache import plain, store
from marketplace.timeutil import local_today
from matching import model as m
from matching.features import Catalogue, Explanation, classification_text_model
from matching.ranking import Engine, GraduateRanking, OpeningRanking


@dataclass
class Snapshot:
    """Rows read at one moment and the engine built from them; `student_ids[i]` is the engine's graduate i."""

    engine: Engine
    student_ids: list[int]
    openings: list[Opening]
    at: datetime
    indexes: plain.Indexes  # positions of majors and regions in the engine's plain data
    version: int = 0  # the change-log entry the kept rows had reached (`rowcache.store`); 0 when built afresh


def open_openings_query(alliance: Alliance | None = None) -> sa.Select:
    """Openings available today (`availability.available_openings`), by `alliance`'s minimum if given."""
    return (
        sa.select(Opening)
        .join(HiringPlan)
        .where(availability.available_openings(local_today(), alliance))
        .options(
            selectinload(Opening.majors),
            selectinload(Opening.certificates),
            selectinload(Opening.plan).selectinload(HiringPlan.alliances),
            selectinload(Opening.plan).selectinload(HiringPlan.enterprise),  # pages name it: one query, not one each
        )
        .order_by(Opening.id)
    )


def candidates_query() -> sa.Select:
    """Consenting students, with what the engine reads of them."""
    return (
        sa.select(Student)
        .where(Student.consent_to_share.is_(True))
        .options(selectinload(Student.certificates), selectinload(Student.wanted_cities), selectinload(Student.cohort))
        .order_by(Student.id)
    )


def candidate_ids(opening: Opening) -> list[int]:
    """The consenting students the opening's enterprise may see today, if the opening is available; those busy over
    its dates are left to the engine's filter (the same rule as `availability.free_during`)."""
    with store.using() as rows:
        return candidate_ids_in(rows, opening)


def candidate_ids_in(rows: store.RowStore, opening: Opening) -> list[int]:
    """`candidate_ids` in a store already in use."""
    if opening.id not in rows.open_opening_set():
        return []
    return rows.visible_student_ids(opening.plan.enterprise_id)


def priority_sets(openings: Sequence[Opening]) -> dict[int, tuple[float, frozenset[int]]]:
    """`plain.priority_sets` in the request's session."""
    return plain.priority_sets(db.session, openings)


def build_snapshot(student_ids: Sequence[int], openings: Sequence[Opening], *, exclude_placed: bool = True) -> Snapshot:
    """The engine over these students and openings. `exclude_placed=False`: as if nobody held a placement or an
    offer (the weights' learning looks back at decided nominations)."""
    at, ids = utcnow(), list(student_ids)
    if not exclude_placed:
        indexes = plain.Indexes(db.session)
        indexes.add_occupations(db.session, {o.occupation_id for o in openings} - {None})
        graduates = plain.graduates(db.session, ids, indexes, local_today(), exclude_placed=False)
        rows = plain.openings(db.session, openings, indexes)
        text_model = classification_text_model()
        catalogue = Catalogue(indexes.majors, indexes.occupations, indexes.places, text_model=text_model)
        return Snapshot(Engine(catalogue, graduates, rows, text_model=text_model), ids, list(openings), at, indexes)
    built = store.engine(ids, [o.id for o in openings])
    return Snapshot(built.engine, ids, list(openings), at, built.indexes, built.version)


# ---------------------------------------------------------------------------------------------------- views' API
# The pages rank the whole pool once (one sort in the engine; with kept rows, once per version of the rows and day:
# `RowStore.remember`) and page, filter and group the ranked rows from the engine's plain data; only the rows a page
# shows load their student or opening (`attach_students`, `attach_openings`), and a row's explanation is computed
# only when shown.
NAMED = 3  # a decided place names this many of the candidates it passed (it may pass hundreds)
EXPLANATIONS_KEPT = 5_000  # per remembered ranking: past it, what its pages explained is forgotten at once


@dataclass
class Passed:
    """A candidate without priority whom a priority place passed, and by how much better that candidate fits."""

    student_id: int
    fit: float
    gap: float  # the passed candidate's fit minus the holder's: at most τ
    student: Student | None = None


@dataclass
class Candidate:
    student_id: int
    place: int
    fit: float
    priority: bool  # the student's school is a member school for this opening
    passed: tuple[int, ...]  # ids of the candidates without priority this place passed (decided by priority)
    passed_over: tuple[Passed, ...] = ()  # the first NAMED of them, best fit first
    engine: Engine | None = field(default=None, repr=False, compare=False)
    graduate: int = 0
    school_id: int = 0
    major_id: int | None = None
    wanted_city_ids: tuple[int, ...] = ()
    student: Student | None = field(default=None, repr=False, compare=False)  # `attach_students`

    @cached_property
    def explanation(self) -> Explanation:
        return self.engine.explain(self.graduate, 0)


def _explain_all(rows: Sequence, pair) -> None:
    """Fill the rows' explanations in one pass per engine (their cached property), for the rows a page shows that
    have none yet (a remembered ranking's rows have theirs from `remembered_explanations`)."""
    by_engine: dict[int, list] = {}
    for row in rows:
        if "explanation" not in row.__dict__:
            by_engine.setdefault(id(row.engine), []).append(row)
    for group in by_engine.values():
        for row, explanation in zip(group, group[0].engine.explain_many([pair(r) for r in group]), strict=True):
            row.__dict__["explanation"] = explanation


def attach_students(candidates: Sequence[Candidate]) -> None:
    """Load the students of these candidates and of the candidates they passed, in one query."""
    ids = {c.student_id for c in candidates} | {p.student_id for c in candidates for p in c.passed_over}
    rows = db.session.scalars(
        sa.select(Student).where(ids_in(Student.id, sorted(ids)))
        .options(joinedload(Student.school), joinedload(Student.major))  # what the pages name: one query
    )  # fmt: skip
    by_id = {s.id: s for s in rows}
    _explain_all(candidates, lambda c: (c.graduate, 0))
    for c in candidates:
        c.student = by_id[c.student_id]
        for p in c.passed_over:
            p.student = by_id[p.student_id]


def rank_candidates(opening: Opening, *, k: int | None = 20, students: Iterable[Student] | None = None):
    """The top k students (k None: every eligible one) for one opening, with the priority decisions and whom each
    decided place passed: (ranking, candidates). The ranking's `places` are those returned; with k given the
    candidates' students are loaded (`attach_students`), otherwise the caller loads those it shows.

    By default the candidates are the students the opening's enterprise may see today.
    """
    ids = candidate_ids(opening) if students is None else [s.id for s in students]
    built = store.engine(ids, [opening.id])
    whole: OpeningRanking = built.engine.rank_graduates(0, len(ids))
    fit_of = {p.id: p.fit for p in whole.places}
    places = whole.places if k is None else whole.places[:k]
    graduates, majors, regions = built.engine.graduates, built.indexes.major_ids, built.indexes.region_ids
    candidates = []
    for n, p in enumerate(places, 1):
        passed_over = tuple(Passed(i, fit_of[i], fit_of[i] - p.fit) for i in p.passed[:NAMED])
        g = graduates[p.graduate]
        candidates.append(
            Candidate(p.id, n, p.fit, p.priority, p.passed, passed_over, built.engine, p.graduate, g.school,
                      None if g.major is None else majors[g.major], tuple(regions[c] for c in g.wanted_cities))
        )  # fmt: skip
    if k is not None:
        attach_students(candidates)
    return replace(whole, places=places), candidates


@dataclass
class Suggestion:
    opening_id: int
    place: int
    fit: float
    priority: bool  # the student's school is a member school for this opening (reported, not used: see matching)
    engine: Engine | None = field(default=None, repr=False, compare=False)
    graduate: int = 0
    index: int = 0
    opening: Opening | None = field(default=None, repr=False, compare=False)  # `attach_openings`
    facts: store.Facts | None = field(default=None, repr=False, compare=False)  # what pages sort and group by
    student_id: int = 0  # whose: a remembered suggestion (no engine) is explained over the student and those shown

    @cached_property
    def explanation(self) -> Explanation:
        if self.engine is None:
            return _explain_remembered([self])[0]
        return self.engine.explain(self.graduate, self.index)


def attach_openings(suggestions: Iterable[Suggestion]) -> None:
    """Load the openings of these suggestions (with what the pages show of them) in one query per chunk."""
    suggestions = [s for s in suggestions if s.opening is None]
    ids = sorted({s.opening_id for s in suggestions})
    by_id = {}
    for start in range(0, len(ids), 5_000):
        by_id |= {o.id: o for o in db.session.scalars(
            sa.select(Opening).where(ids_in(Opening.id, ids[start : start + 5_000])).options(
                joinedload(Opening.plan).joinedload(HiringPlan.enterprise), joinedload(Opening.city))
        )}  # fmt: skip
    _explain_remembered([s for s in suggestions if s.engine is None])
    _explain_all(suggestions, lambda s: (s.graduate, s.index))
    for s in suggestions:
        s.opening = by_id[s.opening_id]


def _explain_remembered(suggestions: Sequence[Suggestion]) -> list[Explanation]:
    """Suggestions of a remembered ranking have no engine (`rank_openings`): their explanations are remembered beside
    it (`remembered_explanations`). Sets and returns each one's explanation."""
    by_student: dict[int, list[Suggestion]] = {}
    for s in suggestions:
        by_student.setdefault(s.student_id, []).append(s)
    for student_id, shown in by_student.items():
        known = remembered_explanations("openings", student_id, [s.opening_id for s in shown])
        for s in shown:
            s.__dict__["explanation"] = known[s.opening_id]
    return [s.__dict__["explanation"] for s in suggestions]


def remembered_explanations(kind: str, owner: int, wanted: Sequence[int]) -> dict[int, Explanation]:
    """Explanations of the rows a page shows of a remembered ranking (id → explanation): with `kind` "candidates",
    `wanted` are students ranked for the opening `owner`; with "openings", openings ranked for the student `owner`.
    They are remembered beside the ranking until the rows or the day move, and those not yet are computed in an engine
    over the owner and them alone, which gives the same explanations (each is computed from the pair's rows). A page
    viewed again explains nothing anew (the skills' text model made it a millisecond per page)."""
    with store.using() as rows:
        known = rows.remember((f"{kind}-explained", owner), dict)
        missing = [i for i in dict.fromkeys(wanted) if i not in known]
        if missing:
            if len(known) + len(missing) > EXPLANATIONS_KEPT:
                known.clear()
            if kind == "candidates":
                engine = store.built(rows, missing, [owner]).engine
                pairs = [(n, 0) for n in range(len(missing))]
            else:
                engine = store.built(rows, [owner], missing).engine
                pairs = [(0, n) for n in range(len(missing))]
            known.update(zip(missing, engine.explain_many(pairs), strict=True))
        return {i: known[i] for i in wanted}


def _suggestions(built: store.Built, graduate: int, ranking: GraduateRanking) -> list[Suggestion]:
    return [
        Suggestion(p.id, n, p.fit, p.priority, built.engine, graduate, p.opening, facts=built.facts[p.id])
        for n, p in enumerate(ranking.places, 1)
    ]


def rank_openings(
    student: Student, *, k: int | None = 20, openings: Sequence[Opening] | None = None, levels: int | None = None
):
    """The top k open openings (k None: every eligible one, or with `levels` those down to the levels-th distinct
    fit) for one student: (ranking, suggestions). With k given the suggestions' openings are loaded; otherwise the
    caller loads those it shows (`attach_openings`)."""
    fresh: list[store.Built] = []
    with store.using() as rows:

        def rank() -> GraduateRanking:
            ids = rows.open_opening_ids() if openings is None else [o.id for o in openings]
            fresh.append(store.built(rows, [student.id], ids))
            if k is None and levels is not None:
                return fresh[0].engine.rank_openings_to_level(0, levels)
            return fresh[0].engine.rank_openings(0, len(ids) if k is None else k)

        # Over today's open openings the ranking is remembered until the rows move (`RowStore.remember`).
        ranking = rank() if openings is not None else rows.remember(("openings", student.id, k, levels), rank)
        facts = rows.facts
    if fresh:
        suggestions = _suggestions(fresh[0], 0, ranking)
    else:
        suggestions = [Suggestion(p.id, n, p.fit, p.priority, facts=facts[p.id], student_id=student.id)
                       for n, p in enumerate(ranking.places, 1)]  # fmt: skip
    if k is not None:
        attach_openings(suggestions)
    return ranking, suggestions


def cohort_best(
    cohort: Cohort, *, k: int = 3, students: Sequence[Student] | None = None
) -> dict[int, list[Suggestion]]:
    """Each consenting student's best k openings (student id → suggestions, openings loaded), in one engine build;
    `students` narrows the cohort's consenting students (a page, a filter)."""
    if students is None:
        students = list(db.session.scalars(candidates_query().where(Student.cohort_id == cohort.id)))
    with store.using() as rows:
        ids = rows.open_opening_ids()
        if not students or not ids:
            return {}
        built = store.built(rows, [s.id for s in students], ids)
    engine = built.engine
    best = {student.id: _suggestions(built, i, engine.rank_openings(i, k)) for i, student in enumerate(students)}
    attach_openings(s for rows in best.values() for s in rows)
    return best


def _memberships() -> list[Membership]:
    """Memberships that were ever in force, of every alliance, with their alliance."""
    query = (
        sa.select(Membership)
        .where(Membership.status.in_(ONCE_ACTIVE_STATUSES), Membership.effective_from.is_not(None))
        .options(selectinload(Membership.alliance))
    )
    return list(db.session.scalars(query))


# ---------------------------------------------------------------------------------------------- teacher practice
# A teacher's request plays the graduate's part and a practice base the opening's: the request's specialty is its
# only "skill", its period must fall within the base's availability (a hard filter), and there is no major,
# certificate or grade to weigh. Priority is the same rule: the teacher's school and the base's enterprise are
# fellow members, in force on the first day of the period, of some alliance (the smallest τ among those).
PRACTICE_WEIGHTS = m.Weights(major=0, skills=0.6, certificates=0, place=0.4, grades=0)


@dataclass
class PracticeSnapshot:
    engine: Engine
    requests: list[PracticeRequest]
    bases: list[PracticeBase]


def build_practice_snapshot(
    requests: Sequence[PracticeRequest], bases: Sequence[PracticeBase], *, without_declined: bool = False
) -> PracticeSnapshot:
    """`without_declined`: a request is not paired with the bases of an enterprise that declined it (a proposal);
    the request's own page still lists them, marked, so that the school sees who said no."""
    region_ids = {b.city_id for b in bases} | {r.wanted_city_id for r in requests if r.wanted_city_id}
    regions = (
        list(db.session.scalars(sa.select(Region).where(Region.id.in_(region_ids)).order_by(Region.id)))
        if region_ids
        else []
    )
    region_index = {x.id: i for i, x in enumerate(regions)}
    on = min((r.start_date for r in requests), default=local_today())
    in_force = [ms for ms in _memberships() if ms.was_in_force_on(on)]
    teachers = [
        m.Graduate(
            id=r.id,
            school=r.teacher.school_id,
            major=None,
            skills=r.specialty,
            wanted_cities=(region_index[r.wanted_city_id],) if r.wanted_city_id else (),
            needs=(r.start_date, r.end_date),
            declined_by=frozenset(d.enterprise_id for d in r.declines) if without_declined else frozenset(),
        )
        for r in requests
    ]
    receivers = []
    for b in bases:
        granting = {ms.alliance_id: ms.alliance for ms in in_force if ms.organization_id == b.enterprise_id}
        schools = frozenset(ms.organization_id for ms in in_force if ms.alliance_id in granting) - {b.enterprise_id}
        receivers.append(m.Opening(
            id=b.id,
            enterprise=b.enterprise_id,
            kind="practice",
            skills=f"{b.specialty} {b.name}",
            city=region_index[b.city_id],
            window=(b.available_from, b.available_until),
            tolerance=min((a.priority_tolerance for a in granting.values()), default=0.0),
            priority_schools=schools,
            weights=PRACTICE_WEIGHTS,
        ))  # fmt: skip
    text_model = classification_text_model()
    catalogue = Catalogue([], [], [m.Place(x.code, x.longitude, x.latitude) for x in regions], text_model=text_model)
    engine = Engine(catalogue, teachers, receivers, text_model=text_model)
    return PracticeSnapshot(engine, list(requests), list(bases))


@dataclass(frozen=True)
class BaseSuggestion:
    base: PracticeBase
    place: int
    fit: float
    priority: bool
    places_left: int
    explanation: Explanation


def rank_bases(req: PracticeRequest, *, k: int = 10) -> list[BaseSuggestion]:
    """Top-k practice bases with a place left for the request's whole period, best fit first."""
    bases = list(db.session.scalars(
        sa.select(PracticeBase).options(selectinload(PracticeBase.enterprise)).order_by(PracticeBase.id)
    ))  # fmt: skip
    held = base_loads([b.id for b in bases], req.start_date, req.end_date, exclude_id=req.id)
    left = {b.id: b.capacity - held.get(b.id, 0) for b in bases}
    bases = [b for b in bases if left[b.id] > 0]
    if not bases:
        return []
    snapshot = build_practice_snapshot([req], bases)
    ranking = snapshot.engine.rank_openings(0, k)
    return [
        BaseSuggestion(snapshot.bases[p.opening], n, p.fit, p.priority, left[snapshot.bases[p.opening].id],
                       snapshot.engine.explain(0, p.opening))
        for n, p in enumerate(ranking.places, 1)
    ]  # fmt: skip
