"""What an allocation run read, fingerprinted record by record, so that a later look can say what changed.

A student's fingerprint is what the engine saw of them and which enterprises may see them; an opening's is what the
engine saw of it and the places the run could fill. Catalogue indexes (majors, cities, occupations) are replaced by
ids, so that a record added elsewhere does not make every other record look changed. The run's `inputs_digest` is
the digest of all the fingerprints.
"""

import dataclasses
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from marketplace import ranking
from marketplace.permissions import Visibility


@dataclass(frozen=True)
class Fingerprint:
    students: dict[int, str]
    openings: dict[int, str]

    @property
    def digest(self) -> str:
        return _hash((sorted(self.students.items()), sorted(self.openings.items())), 64)

    def as_json(self) -> dict:
        return {"students": {str(k): v for k, v in self.students.items()},
                "openings": {str(k): v for k, v in self.openings.items()}}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict | None) -> "Fingerprint | None":
        if not data:
            return None
        return cls({int(k): v for k, v in data["students"].items()}, {int(k): v for k, v in data["openings"].items()})


@dataclass(frozen=True)
class Changes:
    """Records added, removed and changed since the run, by side."""

    students_added: int = 0
    students_removed: int = 0
    students_changed: int = 0
    openings_added: int = 0
    openings_removed: int = 0
    openings_changed: int = 0

    def __bool__(self) -> bool:
        return any(dataclasses.astuple(self))


def fingerprint(snapshot: ranking.Snapshot, seen: Visibility, capacity, shared_cap) -> Fingerprint:
    """`seen`: who may see whom; `capacity[j]`: the places of opening j; `shared_cap[j]`: the cap it shares with
    its enterprise's other openings (the 10% share), or -1. A student's record holds the enterprises that may see
    them as the digest of their school's list plus those they were put forward to."""
    major_ids, region_ids = snapshot.indexes.major_ids, snapshot.indexes.region_ids
    by_school: dict[int, list[int]] = defaultdict(list)
    for enterprise_id, schools in sorted(seen.schools.items()):
        for school_id in schools:
            by_school[school_id].append(enterprise_id)
    school_digest = {school_id: _hash(enterprises) for school_id, enterprises in by_school.items()}
    put_forward = defaultdict(list)
    for enterprise_id, student_id in sorted(seen.put_forward):
        put_forward[student_id].append(enterprise_id)
    students = {}
    for student_id, graduate in zip(snapshot.student_ids, snapshot.engine.graduates, strict=True):
        graduate = dataclasses.replace(
            graduate, major=None if graduate.major is None else major_ids[graduate.major],
            wanted_cities=tuple(sorted(region_ids[c] for c in graduate.wanted_cities)),
        )  # fmt: skip
        seen_by = (school_digest.get(graduate.school, ""), put_forward.get(student_id, []))
        students[student_id] = _hash((_canonical(graduate), seen_by))
    openings = {}
    rows = zip(snapshot.openings, snapshot.engine.openings, capacity, shared_cap, strict=True)
    set_digest: dict[int, str] = {}  # thousands of openings share a few priority sets: each digested once
    for opening, engine_opening, places, shared in rows:
        schools = engine_opening.priority_schools
        if id(schools) not in set_digest:
            set_digest[id(schools)] = _hash(sorted(schools))
        engine_opening = dataclasses.replace(
            engine_opening, occupation=opening.occupation_id, majors=tuple(sorted(x.id for x in opening.majors)),
            city=opening.city_id, priority_schools=set_digest[id(schools)],
        )  # fmt: skip
        openings[opening.id] = _hash((_canonical(engine_opening), opening.end_date, int(places), int(shared)))
    return Fingerprint(students, openings)


def changes(before: Fingerprint, after: Fingerprint) -> Changes:
    def count(old: dict, new: dict) -> tuple[int, int, int]:
        return (len(new.keys() - old.keys()), len(old.keys() - new.keys()),
                sum(1 for k in old.keys() & new.keys() if old[k] != new[k]))  # fmt: skip

    return Changes(*count(before.students, after.students), *count(before.openings, after.openings))


_ATOMS = frozenset({int, str, float, bool, type(None), date})
_FIELDS: dict[type, tuple[str, ...]] = {}


def _canonical(value):
    """A value whose repr is the same for equal inputs in any process: sets sorted, dataclasses as field tuples.
    (Called on every student of an alliance run: plain values return at once, fields are looked up once a type.)"""
    kind = type(value)
    if kind in _ATOMS:
        return value
    if kind in _FIELDS or (dataclasses.is_dataclass(value) and not isinstance(value, type)):
        names = _FIELDS.get(kind) or _FIELDS.setdefault(kind, tuple(f.name for f in dataclasses.fields(value)))
        return tuple((name, _canonical(getattr(value, name))) for name in names)
    if isinstance(value, set | frozenset):
        return tuple(sorted((_canonical(v) for v in value), key=repr))
    if isinstance(value, tuple | list):
        return tuple(v if type(v) in _ATOMS else _canonical(v) for v in value)
    return value


def _hash(value, length: int = 16) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:length]
