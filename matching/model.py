"""The plain data the engine takes: catalogues, graduates (or teachers), openings (or practice bases), weights.

Everything is referenced by position: a graduate's `major` is an index into the list of `Major`s given to the
engine, an opening's `city` an index into the list of `Place`s. `id` fields are the caller's own identifiers; the
engine uses them only as the fixed final tie-break (smaller id first) and to report results.
"""

from dataclasses import dataclass, field
from datetime import date

FEATURES = ("major", "skills", "certificates", "place", "grades")

# Defaults: the major carries most of the weight because 专业对口 is what alliances report on; skills and
# certificates come next; place and grades refine. They sum to 1, so the fit stays in [0, 1].
DEFAULT_WEIGHTS = {"major": 0.40, "skills": 0.20, "certificates": 0.15, "place": 0.15, "grades": 0.10}


@dataclass(frozen=True)
class Weights:
    """Feature weights, each ≥ 0, summing to 1 (normalised on creation so any positive vector is accepted)."""

    major: float = DEFAULT_WEIGHTS["major"]
    skills: float = DEFAULT_WEIGHTS["skills"]
    certificates: float = DEFAULT_WEIGHTS["certificates"]
    place: float = DEFAULT_WEIGHTS["place"]
    grades: float = DEFAULT_WEIGHTS["grades"]

    def __post_init__(self) -> None:
        values = [getattr(self, name) for name in FEATURES]
        if any(v < 0 for v in values) or sum(values) <= 0:
            raise ValueError("weights must be non-negative and not all zero")
        total = sum(values)
        for name, value in zip(FEATURES, values, strict=True):
            object.__setattr__(self, name, value / total)

    @classmethod
    def from_mapping(cls, mapping: dict[str, float] | None) -> "Weights":
        return cls(**{k: float(v) for k, v in (mapping or {}).items() if k in FEATURES})

    def as_dict(self) -> dict[str, float]:
        return {name: round(getattr(self, name), 4) for name in FEATURES}


@dataclass(frozen=True)
class Major:
    name: str
    category: str  # 专业大类 or 技工 class: the "same category" level of the major feature


@dataclass(frozen=True)
class Occupation:
    code: str  # 2022 classification code such as 6-18-02-04
    name: str
    text: str = ""  # definition and tasks: the fallback for majors missing from the mapping table


@dataclass(frozen=True)
class Place:
    """A city (地级市) with its province and coordinates, for the place feature."""

    code: str  # 6-digit administrative code
    longitude: float | None = None
    latitude: float | None = None

    @property
    def province(self) -> str:
        return self.code[:2]


@dataclass(frozen=True)
class Graduate:
    """One side of a pairing: a graduate looking for openings, or a teacher looking for a practice base."""

    id: int
    school: int
    major: int | None  # index into the majors; None for a teacher whose specialty is only text
    skills: str = ""
    certificates: tuple[tuple[str, int], ...] = ()  # (name, level 1–5)
    wanted_cities: tuple[int, ...] = ()  # indexes into the places; empty means anywhere
    grade: float | None = None  # 0–1 where the school supplies grades
    wanted_kinds: frozenset[str] = frozenset()  # empty means any kind
    graduation_year: int = 0
    post_ok_from: date | None = None  # first day a 岗位实习 may start (age 16, after the first year)
    adult_from: date | None = None  # eighteenth birthday: work forbidden to minors is open from then
    female: bool = False  # work forbidden to women is closed
    needs: tuple[date, date] | None = None  # dates the receiver must cover (a teacher's practice period)
    # Periods already taken (an accepted offer, a placement not ended): an opening whose dates overlap one is out.
    busy: tuple[tuple[date, date], ...] = ()
    declined_by: frozenset[int] = frozenset()  # enterprises that said no: their receivers are out


@dataclass(frozen=True)
class Opening:
    """The other side: an opening of a hiring plan, or a practice base."""

    id: int
    enterprise: int
    kind: str
    occupation: int | None = None  # index into the occupations
    majors: tuple[int, ...] = ()  # wanted majors, indexes into the majors
    skills: str = ""
    certificates: tuple[tuple[str, int], ...] = ()  # required (name, minimum level)
    city: int | None = None  # index into the places
    start: date | None = None
    end: date | None = None  # with `start`, the dates a graduate's busy periods must not overlap
    post_rules: bool = False  # the 岗位实习 age and first-year rules apply
    minors_barred: bool = False  # work forbidden to minors: only graduates adult on `start`
    women_barred: bool = False  # work forbidden to women
    latest_graduation_year: int | None = None  # employment: graduates of later years are not yet free
    window: tuple[date, date] | None = None  # when the receiver is available (a practice base)
    tolerance: float = 0.0  # τ of 同等条件下优先 for this opening (see priority.py for which alliance's)
    priority_schools: frozenset[int] = frozenset()  # schools whose graduates have priority here
    weights: Weights = field(default_factory=Weights)
