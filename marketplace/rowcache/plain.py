"""Database rows as the engine's plain data (`matching.model`): graduates, openings and the catalogue indexes.

Choices (see `marketplace.ranking` for the rest): a student is a candidate for the kinds they want less those of an
ongoing placement, and is busy over the periods of accepted offers and open placements; an opening's τ and priority
set come from `priority_sets`, its weights from the first alliance of its plan that adopted any.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from marketplace import availability
from marketplace.alliances.models import Alliance, Membership, in_force_on
from marketplace.cohorts.models import Cohort, Gender, Student, StudentCertificate, student_cities
from marketplace.pipeline.models import Placement, PlacementStatus
from marketplace.plans.models import HiringPlan, Opening, OpeningKind, plan_alliances
from marketplace.reference.models import Major, Occupation, Region
from matching import model as m

CHUNK = 5_000  # ids per IN list
_IN_LIST_LIMIT = 500


class Indexes:
    """Positions of majors, places and occupations in the engine's catalogue, with their plain data. Majors and
    regions are every row (reference data); occupations are appended as openings name them, so that a position never
    moves."""

    def __init__(self, session: Session):
        majors = session.execute(sa.select(Major.id, Major.name, Major.category).order_by(Major.id)).all()
        regions = session.execute(
            sa.select(Region.id, Region.code, Region.longitude, Region.latitude).order_by(Region.id)
        ).all()
        self.major_ids, self.region_ids = [x.id for x in majors], [x.id for x in regions]
        self.major = {x.id: i for i, x in enumerate(majors)}
        self.region = {x.id: i for i, x in enumerate(regions)}
        self.occupation: dict[int, int] = {}
        self.majors = [m.Major(x.name, x.category) for x in majors]
        self.places = [m.Place(x.code, x.longitude, x.latitude) for x in regions]
        self.occupations: list[m.Occupation] = []

    def add_occupations(self, session: Session, ids: set[int]) -> bool:
        """Append the occupations not indexed yet; True when any was."""
        new = sorted(ids - self.occupation.keys())
        if not new:
            return False
        rows = session.execute(
            sa.select(Occupation.id, Occupation.code, Occupation.name, Occupation.definition, Occupation.tasks)
            .where(Occupation.id.in_(new))
            .order_by(Occupation.id)
        )
        for x in rows:
            self.occupation[x.id] = len(self.occupations)
            self.occupations.append(m.Occupation(x.code, x.name, f"{x.definition} {x.tasks}"))
        return True


def _plus_years(day: date, years: int) -> date:
    """`day` moved by whole years; 29 February becomes 28 February in a common year (as relativedelta does)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def post_ok_from(student) -> date:
    """The first day a 岗位实习 may start for this student: aged 16 and past the first year of study."""
    return max(_plus_years(student.birth_date, 16), _plus_years(student.enrolled_on, 1))


def kinds_left(wanted_kinds: list[str] | None, taken: set[str]) -> frozenset[str]:
    """The kinds a student is a candidate for: those wanted, less those of an ongoing placement.

    A student placed in one kind is still a candidate for the others (an employment after an internship). The engine
    reads an empty set as "any kind", so a placed student who named none wants every other kind explicitly, and one
    with nothing left wants a kind no opening has.
    """
    if not taken:
        return frozenset(wanted_kinds or [])
    wanted = set(wanted_kinds or []) or {k.value for k in OpeningKind}
    return frozenset(wanted - taken) or frozenset({"none"})


def ongoing_placements(session: Session, student_ids: Sequence[int]) -> dict[int, set[str]]:
    """Student id → kinds in which the student holds an ongoing placement."""
    result: dict[int, set[str]] = {}
    if not student_ids:
        return result
    query = sa.select(Placement.student_id, Placement.kind).where(Placement.status == PlacementStatus.ONGOING)
    if len(student_ids) <= _IN_LIST_LIMIT:
        query = query.where(Placement.student_id.in_(list(student_ids)))
    wanted = set(student_ids)
    for sid, kind in session.execute(query):
        if sid in wanted:
            result.setdefault(sid, set()).add(kind.value)
    return result


def graduates(
    session: Session, student_ids: Sequence[int], indexes: Indexes, today: date, *, exclude_placed: bool = True
) -> list[m.Graduate]:
    """These students as the engine's graduates, in this order, read as plain rows (no ORM objects: a worker
    reads tens of thousands at once)."""
    ids = list(student_ids)
    rows, certificates, cities = {}, defaultdict(list), defaultdict(list)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows |= {r.id: r for r in session.execute(
            sa.select(Student.id, Student.school_id, Student.major_id, Student.skills, Student.grade_score,
                      Student.wanted_kinds, Student.birth_date, Student.enrolled_on, Student.gender,
                      Cohort.graduation_year)
            .join(Cohort, Cohort.id == Student.cohort_id).where(Student.id.in_(chunk))
        )}  # fmt: skip
        for sid, name, level in session.execute(
            sa.select(StudentCertificate.student_id, StudentCertificate.name, StudentCertificate.level).where(
                StudentCertificate.student_id.in_(chunk)
            )
        ):
            certificates[sid].append((name, level))
        for sid, region_id in session.execute(
            sa.select(student_cities.c.student_id, student_cities.c.region_id).where(
                student_cities.c.student_id.in_(chunk)
            )
        ):
            cities[sid].append(indexes.region[region_id])
    placed = ongoing_placements(session, ids) if exclude_placed else {}
    taken = availability.taken_periods(ids, today, session) if exclude_placed else {}
    return [
        m.Graduate(
            id=s.id,
            school=s.school_id,
            major=indexes.major.get(s.major_id),
            skills=s.skills or "",
            certificates=tuple(sorted(certificates[s.id])),
            wanted_cities=tuple(sorted(cities[s.id])),
            grade=None if s.grade_score is None else s.grade_score / 100,
            wanted_kinds=kinds_left(s.wanted_kinds, placed.get(s.id, set())),
            graduation_year=s.graduation_year,
            post_ok_from=post_ok_from(s),
            adult_from=_plus_years(s.birth_date, 18),
            female=s.gender is Gender.FEMALE,
            busy=taken.get(s.id, ()),
        )
        for s in (rows[i] for i in ids)
    ]


def priority_sets(session: Session, openings: Sequence[Opening]) -> dict[int, tuple[float, frozenset[int]]]:
    """Opening id → (τ, organisations whose students have priority) on the opening's start date, in two queries for
    any number of openings; an opening left out has none (τ 0).

    The first query finds the alliances that can grant priority for each opening (published to, enterprise a member
    in force); then one query per (alliance, day) finds its members in force that day, not one per opening: at
    alliance scale every opening shares the same few.
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
        .distinct()
    )
    # A long IN list makes SQLite plan this join badly (48 s for 20,000 ids against 0.3 s for every opening): for
    # many openings, read every opening's grants and keep those asked for.
    if len(ids) <= _IN_LIST_LIMIT:
        granting = granting.where(Opening.id.in_(ids))
    wanted = set(ids)
    rows = [
        row
        for row in session.execute(
            granting.add_columns(Alliance.priority_tolerance).join(
                Alliance, Alliance.id == plan_alliances.c.alliance_id
            )
        )
        if row[0] in wanted
    ]
    if not rows:
        return {}
    pairs = sorted({(day, alliance_id) for _, day, _, alliance_id, _ in rows})
    fellow = aliased(Membership)
    members: dict[tuple[date, int], set[int]] = {}
    for day, alliance_id in pairs:  # one query per (day, alliance): at alliance scale a handful, not one per opening
        members[(day, alliance_id)] = set(session.scalars(
            sa.select(fellow.organization_id).where(fellow.alliance_id == alliance_id, in_force_on(day, fellow))
        ))  # fmt: skip
    grants: dict[int, tuple[date, int, dict[int, float]]] = {}
    for opening_id, day, enterprise_id, alliance_id, tolerance in rows:
        grants.setdefault(opening_id, (day, enterprise_id, {}))[2][alliance_id] = tolerance
    unions: dict[tuple[date, frozenset[int]], frozenset[int]] = {}
    less: dict[tuple, frozenset[int]] = {}  # one set object per (union, enterprise): its hash is computed once
    result = {}
    for opening_id, (day, enterprise_id, tolerances) in grants.items():
        key = (day, frozenset(tolerances))
        if key not in unions:
            unions[key] = frozenset().union(*(members.get((day, a), ()) for a in tolerances))
        if (key, enterprise_id) not in less:
            less[(key, enterprise_id)] = unions[key] - {enterprise_id}
        result[opening_id] = (min(tolerances.values()), less[(key, enterprise_id)])
    return result


def weights(opening: Opening) -> m.Weights:
    for alliance in sorted(opening.plan.alliances, key=lambda a: a.id):
        if alliance.fit_weights:
            return _weights(tuple(sorted(alliance.fit_weights.items())))
    return DEFAULT_WEIGHTS


@lru_cache(maxsize=256)
def _weights(items: tuple) -> m.Weights:
    return m.Weights.from_mapping(dict(items))


DEFAULT_WEIGHTS = m.Weights()


def openings(session: Session, rows: Sequence[Opening], indexes: Indexes) -> list[m.Opening]:
    """`rows` (with majors, certificates and plan's alliances loaded) as the engine's openings; the occupations they
    name must be indexed (`Indexes.add_occupations`)."""
    priority = priority_sets(session, rows)
    result = []
    for o in rows:
        tolerance, schools = priority.get(o.id, (0.0, frozenset()))
        result.append(
            m.Opening(
                id=o.id,
                enterprise=o.plan.enterprise_id,
                kind=o.kind.value,
                occupation=indexes.occupation.get(o.occupation_id),
                majors=tuple(sorted(indexes.major[x.id] for x in o.majors)),
                skills=f"{o.title} {o.skills or ''}",
                certificates=tuple(sorted((c.name, c.min_level) for c in o.certificates)),
                city=indexes.region[o.city_id],
                start=o.start_date,
                end=o.end_date,
                post_rules=o.kind is OpeningKind.POST_INTERNSHIP,
                minors_barred=o.kind.is_internship and o.minors_forbidden_work,
                women_barred=o.kind.is_internship and o.women_forbidden_work,
                latest_graduation_year=o.start_date.year if o.kind is OpeningKind.EMPLOYMENT else None,
                tolerance=tolerance,
                priority_schools=schools,
                weights=weights(o),
            )
        )
    return result
