"""Encoded rows kept per process between requests, refreshed from the change log (`listeners`).

A store holds, for one database and one day, the engine rows of every student and opening a page or a run has
asked for, encoded once against a shared vocabulary (`matching.features.Encoder`); a page assembles the space it
needs from them (`FeatureSpace.assemble`), which gives the same fits as building it anew. Before each use the store
reads the change log past the last entry it applied and forgets the rows those entries name: the next use reloads
them. `version` (the last entry applied) says which data a ranking used. A store reads committed rows through its
own session, so that a request's uncommitted writes never reach another request.

With `RANKING_ROWS_KEPT` off (the tests' default) every use builds a fresh store from the caller's session: the same
code, nothing kept.
"""

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import numpy as np
import sqlalchemy as sa
from flask import current_app, has_request_context, request
from sqlalchemy.orm import Session, selectinload

from marketplace import availability
from marketplace.cohorts.models import Cohort, Student, StudentCertificate
from marketplace.db import reading_only
from marketplace.extensions import db
from marketplace.orgs.models import Organization
from marketplace.permissions import visibility
from marketplace.plans.models import HiringPlan, Opening, OpeningCertificate, OpeningKind
from marketplace.rowcache import plain
from marketplace.rowcache.models import EVERY_OPENING, OPENING, STUDENT, RankingChange
from marketplace.timeutil import local_today
from matching.features import (
    Catalogue,
    Encoder,
    FeatureSpace,
    PriorityGroups,
    Rows,
    Vocabulary,
    classification_text_model,
)
from matching.ranking import Engine

WINDOW = 1_000  # change ids re-read below the last one applied: a transaction may commit a lower id later
# Rankings remembered per store and kind (`RowStore.remember`, the key's first item): an opening's candidates are
# about 2.5 MB at 50,000, a student's openings a few kB.
# Remembered per worker, per kind: rankings, and beside each the explanations of the rows its pages showed.
RANKINGS_KEPT = {"candidates": 32, "openings": 1_000, "candidates-explained": 32, "openings-explained": 1_000}


class _Side:
    """One side's kept rows: the encoded rows (some of them forgotten) and each live record's row, as a dict and as
    an array indexed by record id (-1: not kept), so that a page's tens of thousands of ids are looked up at once."""

    def __init__(self):
        self.rows: Rows | None = None
        self.row_of: dict[int, int] = {}  # read only: change it through append, forget, forget_all, reset
        self._at = np.full(0, -1, dtype=np.int64)

    def items(self) -> list:
        return [] if self.rows is None else [self.rows.items[r] for r in self.row_of.values()]

    def append(self, rows: Rows) -> None:
        start = 0 if self.rows is None else len(self.rows)
        self.rows = rows if self.rows is None else Rows.concat([self.rows, rows])
        ids = np.array([item.id for item in rows.items], dtype=np.int64)
        if len(ids) and ids.max() >= len(self._at):
            grown = np.full(max(int(ids.max()) + 1, 2 * len(self._at)), -1, dtype=np.int64)
            grown[: len(self._at)] = self._at
            self._at = grown
        self._at[ids] = np.arange(start, start + len(ids))
        self.row_of.update(zip(ids.tolist(), range(start, start + len(ids)), strict=True))

    def forget(self, record_id: int) -> None:
        if self.row_of.pop(record_id, None) is not None:
            self._at[record_id] = -1

    def forget_all(self) -> None:
        self.row_of.clear()
        self._at[:] = -1

    def reset(self, rows: Rows) -> None:
        self.rows = None
        self.forget_all()
        self.append(rows)

    def _rows_of(self, ids: Sequence[int]) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        found = np.full(len(ids), -1, dtype=np.int64)
        inside = ids < len(self._at)
        found[inside] = self._at[ids[inside]]
        return found

    def missing(self, ids: Sequence[int]) -> list[int]:
        """The ids (sorted, distinct) whose rows are not kept."""
        ids = np.asarray(ids, dtype=np.int64)
        return np.unique(ids[self._rows_of(ids) < 0]).tolist()

    def take(self, ids: Sequence[int]) -> Rows:
        rows = self._rows_of(ids)
        if len(rows) and rows.min() < 0:
            raise KeyError(f"rows not kept: {np.asarray(ids)[rows < 0][:5].tolist()}")
        return self.rows.take(rows)

    def compact(self) -> None:
        """Drop forgotten rows once they outnumber the live ones."""
        if self.rows is not None and len(self.rows) > 2 * max(len(self.row_of), 1_000):
            ids = list(self.row_of)
            self.reset(self.take(ids))


@dataclass(frozen=True)
class Facts:
    """What the student's openings page sorts and groups an opening by (identical openings are one row)."""

    enterprise_id: int
    kind: OpeningKind
    occupation_id: int | None
    title: str
    city_id: int
    pay_min: int
    pay_max: int
    start_date: date
    end_date: date


class RowStore:
    def __init__(self, session: Session, today: date):
        self.session, self.today = session, today
        self.version = session.scalar(sa.select(sa.func.max(RankingChange.id))) or 0
        self.applied: set[int] = set()
        self.indexes = plain.Indexes(session)
        named = set(session.scalars(sa.select(Opening.occupation_id).distinct())) - {None}
        self.indexes.add_occupations(session, named)
        self.texts = classification_text_model()
        self.groups = PriorityGroups()
        self.students, self.openings = _Side(), _Side()
        self.facts: dict[int, Facts] = {}  # what the pages sort and group openings by
        self._open: list[int] | None = None  # ids of the openings available today
        self._open_set: set[int] | None = None
        self.students_version = 0
        self._by_school: tuple | None = None  # (students version, consenting ids by school, every consenting id)
        self._visible: dict[int, list[int]] = {}  # enterprise id → the students it may see
        self._remembered: defaultdict[str, OrderedDict] = defaultdict(OrderedDict)  # `remember`, by kind
        self.encoder = self._encoder(self._universe())

    # ------------------------------------------------------------------ vocabulary
    def _universe(self) -> Vocabulary:
        """Every value the database holds today, so that a vocabulary rarely has to grow."""
        s, region = self.session, self.indexes.region
        names = set(s.scalars(sa.select(StudentCertificate.name).distinct()))
        names |= set(s.scalars(sa.select(OpeningCertificate.name).distinct()))
        return Vocabulary(
            kinds=tuple(sorted({k.value for k in OpeningKind} | {"none"})),
            certificates=tuple(sorted(names)),
            cities=tuple(sorted(region[c] for c in s.scalars(sa.select(Opening.city_id).distinct()))),
            years=tuple(sorted(s.scalars(sa.select(Cohort.graduation_year).distinct()))),
            schools=tuple(sorted(s.scalars(sa.select(Organization.id).where(Organization.kind == "school")))),
        )

    def _encoder(self, vocabulary: Vocabulary) -> Encoder:
        i = self.indexes
        catalogue = Catalogue(i.majors, i.occupations, i.places, text_model=self.texts)
        return Encoder(catalogue, vocabulary, self.texts, self.groups)

    def _widen(self, needed: Vocabulary, occupations_added: bool) -> None:
        """Re-encode every kept row against a vocabulary (and catalogue) that covers `needed`."""
        if not occupations_added and self.encoder.vocabulary.covers(needed):
            return
        self.encoder = self._encoder(self.encoder.vocabulary.union(needed))
        for side, encode in ((self.students, self.encoder.graduates), (self.openings, self.encoder.openings)):
            items = side.items()
            side.reset(encode(items)) if items else side.__init__()

    # ------------------------------------------------------------------ refresh from the change log
    def refresh(self) -> None:
        """Forget the rows the change log names past the last entry applied. `students_version` moves with any
        change to a student, a nomination, a placement or a membership (who may see whom); `openings_version`
        with any change to an opening; the openings available today are rechecked one by one."""
        changes = self.session.execute(
            sa.select(RankingChange.id, RankingChange.entity, RankingChange.entity_id).where(
                RankingChange.id > self.version - WINDOW
            )
        ).all()
        changed_openings: set[int] = set()
        every_opening = False
        for change_id, entity, entity_id in changes:
            if change_id in self.applied:
                continue
            self.applied.add(change_id)
            if entity == STUDENT:
                self.students.forget(entity_id)
                self.students_version += 1
            elif entity == OPENING:
                self.openings.forget(entity_id)
                changed_openings.add(entity_id)
            elif entity == EVERY_OPENING:
                self.openings.forget_all()
                every_opening = True
                self.students_version += 1
            self.version = max(self.version, change_id)
            self._remembered.clear()
        if every_opening:
            self._open = None
        elif changed_openings and self._open is not None:
            self._recheck_open(changed_openings)
        self.applied = {i for i in self.applied if i > self.version - WINDOW}
        self.students.compact()
        self.openings.compact()

    def _recheck_open(self, ids: set[int]) -> None:
        available = set(self.session.scalars(
            sa.select(Opening.id).join(HiringPlan)
            .where(Opening.id.in_(sorted(ids)), availability.available_openings(self.today))
        ))  # fmt: skip
        kept = set(self._open) - ids | available
        self._open = sorted(kept)
        self._open_set = None

    def move_to(self, today: date) -> None:
        """The same store for a later day, without re-encoding it: the students whose taken periods ended in
        between are forgotten (their rows drop those periods), and what depends on the day is read again: the
        openings available and who may see whom (memberships in force)."""
        for student_id in availability.periods_ended(self.today, today, self.session):
            self.students.forget(student_id)
        self.today = today
        self._open = self._open_set = None
        self.students_version += 1
        self._remembered.clear()

    def remember(self, key: tuple, compute: Callable[[], object]):
        """What `compute` gives at this version of the rows and this day, kept until either moves (any change-log
        entry applied, or a new day), the least recently used of its kind (`key[0]`) first to go past that kind's
        `RANKINGS_KEPT`: a page viewed again, or its next page or filter, ranks nothing anew. Only plain results
        belong here (arrays, ids), never ORM objects or the feature space."""
        kept = self._remembered[key[0]]
        if key in kept:
            kept.move_to_end(key)
            return kept[key]
        value = kept[key] = compute()
        while len(kept) > RANKINGS_KEPT.get(key[0], 32):
            kept.popitem(last=False)
        return value

    # ------------------------------------------------------------------ loading
    def _load_students(self, ids: list[int]) -> None:
        graduates = plain.graduates(self.session, ids, self.indexes, self.today)
        self._widen(Vocabulary.of(graduates, ()), False)
        self.students.append(self.encoder.graduates(graduates))

    def _load_openings(self, ids: list[int]) -> None:
        openings = []
        for start in range(0, len(ids), plain.CHUNK):
            openings += self.session.scalars(
                sa.select(Opening)
                .where(Opening.id.in_(ids[start : start + plain.CHUNK]))
                .options(selectinload(Opening.majors), selectinload(Opening.certificates),
                         selectinload(Opening.plan).selectinload(HiringPlan.alliances))
            ).all()  # fmt: skip
        for o in openings:
            self.facts[o.id] = Facts(o.plan.enterprise_id, o.kind, o.occupation_id, o.title, o.city_id, o.pay_min,
                                     o.pay_max, o.start_date, o.end_date)  # fmt: skip
        added = self.indexes.add_occupations(self.session, {o.occupation_id for o in openings} - {None})
        rows = plain.openings(self.session, openings, self.indexes)
        self._widen(Vocabulary.of((), rows), added)
        self.openings.append(self.encoder.openings(rows))

    def open_opening_ids(self) -> list[int]:
        """Openings available today (pages' rule), kept and rechecked as openings change (`refresh`)."""
        if self._open is None:
            self._open = list(self.session.scalars(
                sa.select(Opening.id).join(HiringPlan).where(availability.available_openings(self.today))
                .order_by(Opening.id)
            ))  # fmt: skip
            self._open_set = None
        return self._open

    def open_opening_set(self) -> set[int]:
        if self._open_set is None:
            self._open_set = set(self.open_opening_ids())
        return self._open_set

    def consenting_by_school(self) -> tuple[int, dict[int, np.ndarray], set[int]]:
        """(students_version, school → its consenting students' ids, every consenting student's id), read again when
        a student or a membership changes."""
        if self._by_school is None or self._by_school[0] != self.students_version:
            by_school: dict[int, list[int]] = defaultdict(list)
            for student_id, school_id in self.session.execute(
                sa.select(Student.id, Student.school_id).where(Student.consent_to_share.is_(True))
            ):
                by_school[school_id].append(student_id)
            arrays = {school: np.array(ids, dtype=np.int64) for school, ids in by_school.items()}
            consenting = set().union(*by_school.values()) if by_school else set()
            self._by_school = (self.students_version, arrays, consenting)
            self._visible = {}
        return self._by_school

    def visible_student_ids(self, enterprise_id: int) -> list[int]:
        """The consenting students the enterprise may see today: `permissions.visibility` (the set form of the one
        rule) over the consenting students by school, kept until a student or a membership changes."""
        _, arrays, consenting = self.consenting_by_school()  # forgets `_visible` when students or memberships moved
        if enterprise_id not in self._visible:
            seen = visibility([enterprise_id], self.today, self.session)
            parts = [arrays[s] for s in seen.schools.get(enterprise_id, ()) if s in arrays]
            parts.append(np.array([s for _, s in seen.put_forward if s in consenting], dtype=np.int64))
            if len(self._visible) >= 256:
                self._visible.clear()
            self._visible[enterprise_id] = np.unique(np.concatenate(parts)).tolist()
        return self._visible[enterprise_id]

    def load(self, student_ids: Sequence[int], opening_ids: Sequence[int]) -> None:
        """Encode and keep the rows of these students and openings that are not kept yet."""
        missing = self.openings.missing(opening_ids)
        if missing:
            self._load_openings(missing)
        missing = self.students.missing(student_ids)
        if missing:
            self._load_students(missing)

    def space(self, student_ids: Sequence[int], opening_ids: Sequence[int]) -> FeatureSpace:
        """The feature space of these students and openings, in this order (loading the rows not kept)."""
        self.load(student_ids, opening_ids)
        empty = self.encoder.graduates([]) if not student_ids else None
        graduates = empty if empty is not None else self.students.take(list(student_ids))
        openings = self.encoder.openings([]) if not opening_ids else self.openings.take(list(opening_ids))
        return FeatureSpace.assemble(self.encoder, graduates, openings)


_lock = threading.RLock()
_kept: dict[str, RowStore] = {}


@dataclass(frozen=True)
class Built:
    engine: Engine
    version: int  # the last change-log entry the kept rows reflect; 0 when built afresh
    indexes: plain.Indexes  # positions of majors and regions in the engine's plain data
    facts: dict[int, Facts]


REFRESHED = "xqt.ranking_rows_refreshed"  # in a request's environ: the store it read the change log into


def _refreshed_in_this_request(store: RowStore) -> bool:
    """This request already read the change log into `store` and has committed nothing since: a page that ranks and
    then explains the rows it shows reads the log once, not twice."""
    return has_request_context() and request.environ.get(REFRESHED) is store


@sa.event.listens_for(db.session, "after_commit")
def _log_may_have_grown(session: Session) -> None:
    """A commit may have added change-log entries: the request's next `using()` reads the log again."""
    if has_request_context():
        request.environ.pop(REFRESHED, None)


@contextmanager
def using() -> Iterator[RowStore]:
    """The store to rank with: this process's kept store for the database and day, refreshed and locked while in
    use; or, with `RANKING_ROWS_KEPT` off, a fresh one over the caller's session."""
    today = local_today()
    if not current_app.config.get("RANKING_ROWS_KEPT"):
        yield RowStore(db.session, today)
        return
    key = str(db.engine.url)
    with _lock, reading_only():  # the store only reads: on SQLite it must not take the write lock
        store = _kept.get(key)
        if store is None or store.today > today:
            store = _kept[key] = RowStore(Session(db.engine), today)
        store.session.rollback()  # a new transaction: see what was committed since
        try:
            if store.today < today:
                store.move_to(today)
            if not _refreshed_in_this_request(store):
                store.refresh()
                if has_request_context():
                    request.environ[REFRESHED] = store
            yield store
        finally:
            store.session.rollback()


def built(store: RowStore, student_ids: Sequence[int], opening_ids: Sequence[int]) -> Built:
    """An engine over these students and openings (in this order), with the version of the data it used."""
    return Built(Engine.over(store.space(student_ids, opening_ids)), store.version, store.indexes, store.facts)


def engine(student_ids: Sequence[int], opening_ids: Sequence[int]) -> Built:
    with using() as store:
        return built(store, student_ids, opening_ids)


def prewarm() -> RowStore | None:
    """Keep the rows of every consenting student and every opening available today, so that no request or job
    pays for encoding them: a queue consumer calls it as it starts, and gunicorn's master before it forks its
    workers (`gunicorn.conf.py`), which then share the rows. Needs an app context; with `RANKING_ROWS_KEPT` off it
    does nothing."""
    if not current_app.config.get("RANKING_ROWS_KEPT"):
        return None
    with using() as store:
        consenting = store.session.scalars(
            sa.select(Student.id).where(Student.consent_to_share.is_(True)).order_by(Student.id)
        ).all()
        store.load(consenting, store.open_opening_ids())
        store.consenting_by_school()  # what each enterprise may see is cut from it: read once, before the fork
        return store


def forget() -> None:
    """Drop every kept store (tests, and a bulk write that bypassed the change log)."""
    with _lock:
        for store in _kept.values():
            store.session.close()
        _kept.clear()
