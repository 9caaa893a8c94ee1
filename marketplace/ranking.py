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

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlalchemy.orm import aliased, selectinload

from marketplace import availability
from marketplace.alliances.models import ONCE_ACTIVE_STATUSES, Alliance, Membership, in_force_on
from marketplace.cohorts.models import Cohort, Gender, Student
from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.permissions import visible_students_condition
from marketplace.pipeline.models import Placement, PlacementStatus
from marketplace.plans.models import HiringPlan, Opening, OpeningKind, plan_alliances
from marketplace.practice.models import PracticeBase, PracticeRequest
from marketplace.practice.queries import base_loads
from marketplace.reference.models import Major, Occupation, Region
from marketplace.timeutil import local_today
from matching import model as m
from matching.features import Catalogue, Explanation, classification_text_model
from matching.ranking import Engine, GraduateRanking, OpeningRanking


@dataclass
class Snapshot:
    """Rows read at one moment and the engine built from them; `students[i]` is the engine's graduate i."""

    engine: Engine
    students: list[Student]
    openings: list[Opening]
    at: datetime
    digest: str


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


def candidates_query(opening: Opening | None = None) -> sa.Select:
    """Consenting students; for `opening`, none unless it is available today, and only those free over its dates."""
    query = (
        sa.select(Student)
        .where(Student.consent_to_share.is_(True))
        .options(selectinload(Student.certificates), selectinload(Student.wanted_cities), selectinload(Student.cohort))
        .order_by(Student.id)
    )
    if opening is None:
        return query
    is_available = (
        sa.select(Opening.id)
        .join(HiringPlan)
        .where(Opening.id == opening.id, availability.available_openings(local_today()))
        .exists()
    )
    return query.where(is_available, availability.free_during(opening.start_date, opening.end_date))


def _ongoing_placements(student_ids: Sequence[int]) -> dict[int, set[str]]:
    """Student id → kinds in which the student holds an ongoing placement."""
    result: dict[int, set[str]] = {}
    if not student_ids:
        return result
    rows = db.session.execute(
        sa.select(Placement.student_id, Placement.kind).where(
            Placement.status == PlacementStatus.ONGOING, Placement.student_id.in_(list(student_ids))
        )
    )
    for sid, kind in rows:
        result.setdefault(sid, set()).add(kind.value)
    return result


def _memberships() -> list[Membership]:
    """Memberships that were ever in force, of every alliance, with their alliance."""
    query = (
        sa.select(Membership)
        .where(Membership.status.in_(ONCE_ACTIVE_STATUSES), Membership.effective_from.is_not(None))
        .options(selectinload(Membership.alliance))
    )
    return list(db.session.scalars(query))


def priority_sets(openings: Sequence[Opening]) -> dict[int, tuple[float, frozenset[int]]]:
    """Opening id → (τ, organisations whose students have priority) on the opening's start date, in two queries for
    any number of openings; an opening left out has none (τ 0).

    The first query finds the alliances that can grant priority for each opening (published to, enterprise a member
    in force); the second, the members in force of each such alliance on each such day, once per (alliance, day) and
    not once per opening: at alliance scale every opening shares the same few.
    """
    ids = [o.id for o in openings]
    if not ids:
        return {}
    enterprise = aliased(Membership)
    granting = (
        sa.select(Opening.id, Opening.start_date, HiringPlan.enterprise_id, plan_alliances.c.alliance_id)
        .join(HiringPlan, HiringPlan.id == Opening.plan_id)
        .join(plan_alliances, plan_alliances.c.plan_id == HiringPlan.id)
        .join(
            enterprise,
            sa.and_(
                enterprise.alliance_id == plan_alliances.c.alliance_id,
                enterprise.organization_id == HiringPlan.enterprise_id,
                in_force_on(Opening.start_date, enterprise),
            ),
        )
        .where(Opening.id.in_(ids))
        .distinct()
    )
    rows = db.session.execute(
        granting.add_columns(Alliance.priority_tolerance).join(Alliance, Alliance.id == plan_alliances.c.alliance_id)
    ).all()
    if not rows:
        return {}
    days = granting.with_only_columns(
        Opening.start_date.label("day"), plan_alliances.c.alliance_id.label("alliance_id")
    ).subquery()
    fellow = aliased(Membership)
    members: dict[tuple[date, int], set[int]] = {}
    for day, alliance_id, organization_id in db.session.execute(
        sa.select(days.c.day, days.c.alliance_id, fellow.organization_id)
        .join(fellow, sa.and_(fellow.alliance_id == days.c.alliance_id, in_force_on(days.c.day, fellow)))
        .distinct()
    ):
        members.setdefault((day, alliance_id), set()).add(organization_id)
    grants: dict[int, tuple[date, int, dict[int, float]]] = {}
    for opening_id, day, enterprise_id, alliance_id, tolerance in rows:
        grants.setdefault(opening_id, (day, enterprise_id, {}))[2][alliance_id] = tolerance
    unions: dict[tuple[date, frozenset[int]], frozenset[int]] = {}
    result = {}
    for opening_id, (day, enterprise_id, tolerances) in grants.items():
        key = (day, frozenset(tolerances))
        if key not in unions:
            unions[key] = frozenset().union(*(members.get((day, a), ()) for a in tolerances))
        result[opening_id] = (min(tolerances.values()), unions[key] - {enterprise_id})
    return result


def _weights(opening: Opening) -> m.Weights:
    for alliance in sorted(opening.plan.alliances, key=lambda a: a.id):
        if alliance.fit_weights:
            return m.Weights.from_mapping(alliance.fit_weights)
    return m.Weights()


def post_ok_from(student: Student) -> date:
    """The first day a 岗位实习 may start for this student: aged 16 and past the first year of study."""
    return max(student.birth_date + relativedelta(years=16), student.enrolled_on + relativedelta(years=1))


def build_snapshot(
    students: Sequence[Student], openings: Sequence[Opening], *, exclude_placed: bool = True
) -> Snapshot:
    at = utcnow()
    majors = list(db.session.scalars(sa.select(Major).order_by(Major.id)))
    major_index = {x.id: i for i, x in enumerate(majors)}
    occupation_ids = sorted({o.occupation_id for o in openings if o.occupation_id})
    occupations = (
        list(db.session.scalars(sa.select(Occupation).where(Occupation.id.in_(occupation_ids)).order_by(Occupation.id)))
        if occupation_ids
        else []
    )
    occupation_index = {x.id: i for i, x in enumerate(occupations)}
    region_ids = {o.city_id for o in openings} | {c.id for s in students for c in s.wanted_cities}
    regions = (
        list(db.session.scalars(sa.select(Region).where(Region.id.in_(region_ids)).order_by(Region.id)))
        if region_ids
        else []
    )
    region_index = {x.id: i for i, x in enumerate(regions)}
    priority = priority_sets(openings)
    placed = _ongoing_placements([s.id for s in students]) if exclude_placed else {}
    taken = availability.taken_periods([s.id for s in students], local_today()) if exclude_placed else {}

    graduates = [
        m.Graduate(
            id=s.id,
            school=s.school_id,
            major=major_index.get(s.major_id),
            skills=s.skills or "",
            certificates=tuple(sorted((c.name, c.level) for c in s.certificates)),
            wanted_cities=tuple(sorted(region_index[c.id] for c in s.wanted_cities)),
            grade=None if s.grade_score is None else s.grade_score / 100,
            wanted_kinds=_kinds_left(s, placed.get(s.id, set())),
            graduation_year=s.cohort.graduation_year,
            post_ok_from=post_ok_from(s),
            adult_from=s.birth_date + relativedelta(years=18),
            female=s.gender is Gender.FEMALE,
            busy=taken.get(s.id, ()),
        )
        for s in students
    ]
    engine_openings = []
    for o in openings:
        tolerance, schools = priority.get(o.id, (0.0, frozenset()))
        engine_openings.append(
            m.Opening(
                id=o.id,
                enterprise=o.plan.enterprise_id,
                kind=o.kind.value,
                occupation=occupation_index.get(o.occupation_id),
                majors=tuple(sorted(major_index[x.id] for x in o.majors)),
                skills=f"{o.title} {o.skills or ''}",
                certificates=tuple(sorted((c.name, c.min_level) for c in o.certificates)),
                city=region_index[o.city_id],
                start=o.start_date,
                end=o.end_date,
                post_rules=o.kind is OpeningKind.POST_INTERNSHIP,
                minors_barred=o.kind.is_internship and o.minors_forbidden_work,
                women_barred=o.kind.is_internship and o.women_forbidden_work,
                latest_graduation_year=o.start_date.year if o.kind is OpeningKind.EMPLOYMENT else None,
                tolerance=tolerance,
                priority_schools=schools,
                weights=_weights(o),
            )
        )
    text_model = classification_text_model()
    catalogue = Catalogue(
        [m.Major(x.name, x.category) for x in majors],
        [m.Occupation(x.code, x.name, f"{x.definition} {x.tasks}") for x in occupations],
        [m.Place(x.code, x.longitude, x.latitude) for x in regions],
        text_model=text_model,
    )
    digest = hashlib.sha256(repr((graduates, engine_openings)).encode()).hexdigest()
    engine = Engine(catalogue, graduates, engine_openings, text_model=text_model)
    return Snapshot(engine, list(students), list(openings), at, digest)


def _kinds_left(student: Student, taken: set[str]) -> frozenset[str]:
    """The kinds a student is a candidate for: those wanted, less those of an ongoing placement.

    A student placed in one kind is still a candidate for the others (an employment after an internship). The engine
    reads an empty set as "any kind", so a placed student who named none wants every other kind explicitly, and one
    with nothing left wants a kind no opening has.
    """
    if not taken:
        return frozenset(student.wanted_kinds or [])
    wanted = set(student.wanted_kinds or []) or {k.value for k in OpeningKind}
    return frozenset(wanted - taken) or frozenset({"none"})


# ---------------------------------------------------------------------------------------------------- views' API
# The pages rank the whole pool once per request (one sort in the engine) and page, filter and group the ranked
# rows; a row's explanation is computed only when a page shows it.
NAMED = 3  # a decided place names this many of the candidates it passed (it may pass hundreds)


@dataclass(frozen=True)
class Passed:
    """A candidate without priority whom a priority place passed, and by how much better that candidate fits."""

    student: Student
    fit: float
    gap: float  # the passed candidate's fit minus the holder's: at most τ


@dataclass(frozen=True)
class Candidate:
    student: Student
    place: int
    fit: float
    priority: bool  # the student's school is a member school for this opening
    passed: tuple[int, ...]  # ids of the candidates without priority this place passed (decided by priority)
    passed_over: tuple[Passed, ...] = ()  # the first NAMED of them, best fit first
    engine: Engine | None = field(default=None, repr=False, compare=False)
    graduate: int = 0

    @cached_property
    def explanation(self) -> Explanation:
        return self.engine.explain(self.graduate, 0)


def rank_candidates(opening: Opening, *, k: int | None = 20, students: Iterable[Student] | None = None):
    """The top k students (k None: every eligible one) for one opening, with the priority decisions and whom each
    decided place passed: (ranking, candidates). The ranking's `places` are those returned.

    By default the candidates are the students the opening's enterprise may see today.
    """
    if students is None:
        visible = visible_students_condition(opening.plan.enterprise_id, local_today())
        students = db.session.scalars(candidates_query(opening).where(visible))
    pool = list(students)
    snapshot = build_snapshot(pool, [opening])
    whole: OpeningRanking = snapshot.engine.rank_graduates(0, len(pool))
    fit_of = {p.id: (p.graduate, p.fit) for p in whole.places}
    places = whole.places if k is None else whole.places[:k]
    candidates = []
    for n, p in enumerate(places, 1):
        passed_over = tuple(
            Passed(snapshot.students[fit_of[i][0]], fit_of[i][1], fit_of[i][1] - p.fit) for i in p.passed[:NAMED]
        )
        candidates.append(
            Candidate(snapshot.students[p.graduate], n, p.fit, p.priority, p.passed, passed_over, snapshot.engine,
                      p.graduate)
        )  # fmt: skip
    return replace(whole, places=places), candidates


@dataclass(frozen=True)
class Suggestion:
    opening: Opening
    place: int
    fit: float
    priority: bool  # the student's school is a member school for this opening (reported, not used: see matching)
    engine: Engine | None = field(default=None, repr=False, compare=False)
    graduate: int = 0
    index: int = 0

    @cached_property
    def explanation(self) -> Explanation:
        return self.engine.explain(self.graduate, self.index)


def _suggestions(snapshot: Snapshot, graduate: int, ranking: GraduateRanking) -> list[Suggestion]:
    return [
        Suggestion(snapshot.openings[p.opening], n, p.fit, p.priority, snapshot.engine, graduate, p.opening)
        for n, p in enumerate(ranking.places, 1)
    ]


def rank_openings(student: Student, *, k: int | None = 20, openings: Sequence[Opening] | None = None):
    """The top k open openings (k None: every eligible one) for one student: (ranking, suggestions)."""
    rows = list(db.session.scalars(open_openings_query())) if openings is None else list(openings)
    snapshot = build_snapshot([student], rows)
    ranking: GraduateRanking = snapshot.engine.rank_openings(0, len(rows) if k is None else k)
    return ranking, _suggestions(snapshot, 0, ranking)


def cohort_best(
    cohort: Cohort, *, k: int = 3, students: Sequence[Student] | None = None
) -> dict[int, list[Suggestion]]:
    """Each consenting student's best k openings (student id → suggestions), in one engine build; `students`
    narrows the cohort's consenting students (a page, a filter)."""
    if students is None:
        students = list(db.session.scalars(candidates_query().where(Student.cohort_id == cohort.id)))
    openings = list(db.session.scalars(open_openings_query()))
    if not students or not openings:
        return {}
    snapshot = build_snapshot(students, openings)
    return {
        student.id: _suggestions(snapshot, i, snapshot.engine.rank_openings(i, k))
        for i, student in enumerate(snapshot.students)
    }


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
