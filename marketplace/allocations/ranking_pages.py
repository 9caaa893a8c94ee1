"""What the ranking pages show of a ranking: a page of it, filtered; identical openings as one row; the fit floor.

A ranking is computed over the whole pool (one sort in the engine) and, with kept rows, remembered until the rows or
the day move (`allocations.candidate_pool`, `RowStore.remember`); filters and pages select from its rows, so a
candidate keeps the place it holds in the whole ranking whatever the filter.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from marketplace import ranking
from marketplace.alliances.models import Alliance, Membership, in_force_on
from marketplace.allocations.candidate_pool import CandidatePool
from marketplace.allocations.ranking_forms import PER_PAGE, CandidateFilters, CohortFilters
from marketplace.cohorts.models import Cohort, Student
from marketplace.db import ids_in
from marketplace.extensions import db
from marketplace.orgs.models import Organization
from marketplace.paging import ListPage
from marketplace.reference.models import Major, Region

DEFAULT_FIT_FLOOR: float = Alliance.__table__.c.fit_floor.default.arg


# ------------------------------------------------------------------------------------ an opening's candidates
def _schools(pool: CandidatePool) -> list[tuple[int, str, int]]:
    """(id, name, city id) of the candidates' schools: names and cities are read anew, the ids are the ranking's."""
    return db.session.execute(
        sa.select(Organization.id, Organization.name, Organization.city_id)
        .where(ids_in(Organization.id, pool.kept.distinct_schools))
    ).all()  # fmt: skip


def filter_candidates(pool: CandidatePool, f: CandidateFilters) -> CandidatePool:
    """On the engine's plain data: a filter loads no student, and a candidate keeps its place."""
    mask = np.ones(len(pool.school_ids), dtype=bool)
    if f.school is not None:
        mask &= pool.school_ids == f.school
    if f.major is not None:
        mask &= pool.major_ids == f.major
    if f.member:
        mask &= pool.ranked.priority == (f.member == "yes")
    if f.city is not None:
        in_city = [school for school, _, city in _schools(pool) if city == f.city]
        mask &= np.isin(pool.school_ids, np.array(in_city, dtype=np.int64)) | pool.wanting(f.city)
    return pool.keep(mask)


def candidate_choices(pool: CandidatePool) -> dict[str, list[tuple[int, str]]]:
    """The schools, majors and cities the ranked candidates have, for the filter's options."""
    schools = _schools(pool)
    city_ids = {city for _, _, city in schools}.union(*pool.wanted_city_sets())
    majors = db.session.execute(sa.select(Major.id, Major.name).where(ids_in(Major.id, pool.kept.distinct_majors)))
    cities = db.session.execute(sa.select(Region.id, Region.name).where(ids_in(Region.id, city_ids)))
    return {
        name: sorted(((i, n) for i, n in options), key=lambda item: item[1])
        for name, options in (("school_choices", [(i, n) for i, n, _ in schools]), ("major_choices", majors),
                              ("city_choices", cities))
    }  # fmt: skip


# ------------------------------------------------------------------------------------------ a student's openings
@dataclass(frozen=True)
class OpeningGroup:
    """Openings a student cannot tell apart (same enterprise, kind, occupation, title, city, pay, dates and fit),
    shown as one row: the first is the one a nomination goes to."""

    place: int
    suggestions: tuple[ranking.Suggestion, ...]

    @property
    def first(self) -> ranking.Suggestion:
        return self.suggestions[0]

    @property
    def opening(self):
        return self.first.opening

    @property
    def places_left(self) -> int:
        return sum(s.opening.remaining for s in self.suggestions)

    def target(self, already: set[int]):
        """The opening a nomination from this row goes to: the first not yet put forward for; None if none is left."""
        return next((s.opening for s in self.suggestions if s.opening.id not in already), None)


def _same(s: ranking.Suggestion) -> tuple:
    o = s.facts
    return (o.enterprise_id, o.kind, o.occupation_id, o.title, o.city_id, o.pay_min, o.pay_max, o.start_date,
            o.end_date, s.fit)  # fmt: skip


def group_openings(suggestions: Sequence[ranking.Suggestion], k: int) -> list[OpeningGroup]:
    """The best k rows: equal fits ordered by pay (highest first), then start date (earliest first), and
    identical openings grouped into one row. Sorted and grouped on the kept facts; only the rows shown load their
    openings."""
    ordered = sorted(suggestions, key=lambda s: (-s.fit, -s.facts.pay_max, -s.facts.pay_min, s.facts.start_date,
                                                 s.opening_id))  # fmt: skip
    groups: dict[tuple, list[ranking.Suggestion]] = {}
    for s in ordered:
        key = _same(s)
        if key not in groups and len(groups) == k:
            continue  # an identical opening of a group already shown may still follow
        groups.setdefault(key, []).append(s)
    rows = [OpeningGroup(n, tuple(members)) for n, members in enumerate(groups.values(), 1)]
    ranking.attach_openings(s for g in rows for s in g.suggestions)
    return rows


def fit_floor(school_id: int, on: date) -> float:
    """Below this fit a school is told "no suitable opening": the lowest floor among its alliances in force."""
    lowest = db.session.scalar(
        sa.select(sa.func.min(Alliance.fit_floor))
        .join(Membership, Membership.alliance_id == Alliance.id)
        .where(Membership.organization_id == school_id, in_force_on(on))
    )
    return DEFAULT_FIT_FLOOR if lowest is None else lowest


# ---------------------------------------------------------------------------------------- a cohort's best openings
@dataclass(frozen=True)
class CohortRow:
    student: Student
    groups: list[OpeningGroup]  # the best openings at or above the fit floor, identical ones as one


# Identical openings are grouped after ranking, so each student's ranking reaches further than the rows it shows.
REACH = 12


def cohort_students(cohort: Cohort, f: CohortFilters) -> list[Student]:
    query = (
        ranking.candidates_query()
        .where(Student.cohort_id == cohort.id)
        .options(selectinload(Student.major))
        .order_by(None)
        .order_by(Student.student_no, Student.id)
    )
    if f.major is not None:
        query = query.where(Student.major_id == f.major)
    return list(db.session.scalars(query))


def cohort_page(cohort: Cohort, f: CohortFilters, page: int, floor: float, k: int = 3) -> ListPage:
    """A page of the cohort's consenting students with their best k openings at or above the floor. Without the
    "suitable" filter only the page's students are ranked."""
    students = cohort_students(cohort, f)
    if not f.suitable:
        result = ListPage(students, page, PER_PAGE)
        best = ranking.cohort_best(cohort, k=REACH, students=result.items)
        result.items = [_row(s, best, floor, k) for s in result.items]
        return result
    best = ranking.cohort_best(cohort, k=REACH, students=students)
    rows = [_row(s, best, floor, k) for s in students]
    return ListPage([r for r in rows if bool(r.groups) == (f.suitable == "yes")], page, PER_PAGE)


def _row(student: Student, best: dict, floor: float, k: int) -> CohortRow:
    return CohortRow(student, group_openings([s for s in best.get(student.id, []) if s.fit >= floor], k))


def cohort_major_choices(cohort: Cohort) -> list[tuple[int, str]]:
    return [
        (major_id, name)
        for major_id, name in db.session.execute(
            sa.select(Major.id, Major.name)
            .where(Major.id.in_(sa.select(Student.major_id).where(Student.cohort_id == cohort.id)))
            .order_by(Major.name)
        )
    ]
