"""Features of a (graduate, opening) pair, each explaining itself, and their encoding as one sparse dot product.

Every feature is a value in [0, 1] with a reason:

- major: the graduate's major is one the opening wants (1.0) > is in the same major category as a wanted major
  (0.7) > prepares for the opening's occupation according to the reviewed table `data/major_occupations.csv`
  (0.5) > is not in that table but its name is textually close to the occupation's name, definition and tasks
  (0.4) > unrelated (0).
- skills: cosine similarity of the TF-IDF vectors of the two skill texts: character bigrams inside word
  boundaries, so Chinese needs no tokenizer. Bigrams are the unit of most skill terms (焊接, 数控, 编程);
  adding single characters matched on characters such as 工 that say little and made the alliance-scale
  product about 1.5× slower (measured with `python -m matching.bench`).
- certificates: the share of the opening's required certificates the graduate holds at the minimum level or
  above; an opening that requires none gives 1.
- place: against the graduate's wanted cities, the best of same city (1.0) > same province (0.6) > within 150 km
  (0.4) > within 400 km (0.2) > elsewhere (0); a graduate who wants no particular city gets 0.5.
- grades: the school's grade on a 0–1 scale; 0.5 where the school supplies none.

The fit is Σ weight × value with the opening's weights. Because each feature is an inner product of a graduate
vector and an opening vector (the weights ride on the opening side), the fit of every pair is one sparse matrix
product, which is what makes alliance-scale top-k fast. `explain` computes the same numbers pair by pair from the
plain data, by a separate path, so that tests can hold the two against each other.
"""

import csv
import math
import re
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from functools import cached_property, lru_cache
from operator import itemgetter
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from matching.model import FEATURES, Graduate, Major, Occupation, Opening, Place

DATA_DIR = Path(__file__).resolve().parent / "data"

MAJOR_EXACT, MAJOR_CATEGORY, MAJOR_MAPPED, MAJOR_TEXT = 1.0, 0.7, 0.5, 0.4
MAJOR_TEXT_MIN_SIMILARITY = 0.2  # below this, name-to-definition similarity is noise (checked on the demo majors)
PLACE_SAME_CITY, PLACE_SAME_PROVINCE, PLACE_NEAR, PLACE_REGION, PLACE_ANYWHERE = 1.0, 0.6, 0.4, 0.2, 0.5
NEAR_KM, REGION_KM = 150.0, 400.0
GRADE_MISSING = 0.5
MAX_CERT_LEVEL = 5
_PUNCTUATION = re.compile(r"[\s,，;；、/|:：()（）\[\]【】.。!！?？+&\-—_*#@\"'“”‘’<>《》]+")


@lru_cache(maxsize=1)
def default_major_mapping() -> dict[str, tuple[str, ...]]:
    """The reviewed major → occupation table: major name → occupation codes or class prefixes."""
    with (DATA_DIR / "major_occupations.csv").open(encoding="utf-8") as f:
        return {row["major"]: tuple(filter(None, row["occupations"].split(";"))) for row in csv.DictReader(f)}


def new_text_model() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 2), sublinear_tf=True, dtype=np.float64)


@lru_cache(maxsize=1)
def classification_text_model() -> TfidfVectorizer:
    """TF-IDF fitted once on the 2022 classification's names, definitions and tasks.

    The product uses this fixed vocabulary so that a pair's skill similarity, and so its fit, does not depend on
    which other graduates and openings a page happened to load; the classification's wording is the vocabulary of
    vocational skills.
    """
    with (DATA_DIR / "csco22.csv").open(encoding="utf-8") as f:
        corpus = [clean_text(" ".join((r["name"], r["definition"], r["tasks"]))) for r in csv.DictReader(f)]
    return new_text_model().fit(corpus)


def clean_text(text: str) -> str:
    """Punctuation becomes word boundaries so that character n-grams stay inside terms such as 氩弧焊 or CAD."""
    return _PUNCTUATION.sub(" ", (text or "").lower()).strip()


def distance_km(a: Place, b: Place) -> float | None:
    if None in (a.longitude, a.latitude, b.longitude, b.latitude):
        return None
    lon1, lat1, lon2, lat2 = map(math.radians, (a.longitude, a.latitude, b.longitude, b.latitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))


def place_value(wanted: Place, city: Place) -> tuple[float, str]:
    if wanted.code == city.code:
        return PLACE_SAME_CITY, "same_city"
    if wanted.province == city.province:
        return PLACE_SAME_PROVINCE, "same_province"
    km = distance_km(wanted, city)
    if km is not None and km <= NEAR_KM:
        return PLACE_NEAR, "near"
    if km is not None and km <= REGION_KM:
        return PLACE_REGION, "region"
    return 0.0, "far"


@dataclass(frozen=True)
class Contribution:
    feature: str
    value: float  # the feature's value in [0, 1]
    weight: float
    reason: str  # a stable code the product translates, e.g. "exact", "same_province"

    @property
    def points(self) -> float:
        return self.value * self.weight


@dataclass(frozen=True)
class Explanation:
    contributions: tuple[Contribution, ...]

    @property
    def fit(self) -> float:
        return sum(c.points for c in self.contributions)


class Catalogue:
    """Majors, occupations and places, with the relations between them computed once."""

    def __init__(
        self,
        majors: Sequence[Major],
        occupations: Sequence[Occupation],
        places: Sequence[Place],
        mapping: dict[str, tuple[str, ...]] | None = None,
        text_model: TfidfVectorizer | None = None,
    ):
        """`text_model`: a fitted TF-IDF for the unmapped majors' text fallback (fitted here when not given)."""
        self.majors = list(majors)
        self.occupations = list(occupations)
        self.places = list(places)
        self.mapping = default_major_mapping() if mapping is None else mapping
        self.text_model = text_model
        categories = sorted({m.category for m in self.majors})
        self._category_index = {c: i for i, c in enumerate(categories)}
        self.major_category = np.array([self._category_index[m.category] for m in self.majors], dtype=np.int32)
        self.relation, self.relation_reason = self._major_occupation_relation()
        self._place_cache: dict[tuple[int, int], tuple[float, str]] = {}

    def _major_occupation_relation(self) -> tuple[np.ndarray, np.ndarray]:
        """value[m, o] and reason[m, o] of the mapped-or-textual relation between major m and occupation o."""
        n_m, n_o = len(self.majors), len(self.occupations)
        value = np.zeros((n_m, n_o), dtype=np.float64)
        reason = np.zeros((n_m, n_o), dtype=np.int8)  # 0 none, 1 mapped, 2 text
        if not n_m or not n_o:
            return value, reason
        unmapped = []
        for m, major in enumerate(self.majors):
            prefixes = self.mapping.get(major.name)
            if prefixes is None:
                unmapped.append(m)
                continue
            for o, occupation in enumerate(self.occupations):
                if any(occupation.code.startswith(p) for p in prefixes):
                    value[m, o], reason[m, o] = MAJOR_MAPPED, 1
        if unmapped:
            texts = [clean_text(o.name + " " + o.text) for o in self.occupations]
            names = [clean_text(self.majors[m].name) for m in unmapped]
            vectorizer = self.text_model or new_text_model().fit(texts + names)
            similarity = (vectorizer.transform(names) @ vectorizer.transform(texts).T).toarray()
            rows = np.array(unmapped)[:, None]
            close = similarity >= MAJOR_TEXT_MIN_SIMILARITY
            value[rows, np.arange(n_o)[None, :]] = np.where(close, MAJOR_TEXT, 0.0)
            reason[rows, np.arange(n_o)[None, :]] = np.where(close, 2, 0)
        return value, reason

    def major_vector(self, opening: Opening) -> np.ndarray:
        """The major feature's value for every major of the catalogue, against one opening."""
        values = np.zeros(len(self.majors))
        if opening.occupation is not None and self.occupations:
            values = self.relation[:, opening.occupation].copy()
        if opening.majors:
            wanted_categories = np.unique(self.major_category[list(opening.majors)])
            values[np.isin(self.major_category, wanted_categories)] = np.maximum(
                values[np.isin(self.major_category, wanted_categories)], MAJOR_CATEGORY
            )
            values[list(opening.majors)] = MAJOR_EXACT
        return values

    def major_value(self, major: int | None, opening: Opening) -> tuple[float, str]:
        if major is None:
            return 0.0, "none"
        if major in opening.majors:
            return MAJOR_EXACT, "exact"
        if opening.majors and self.major_category[major] in self.major_category[list(opening.majors)]:
            return MAJOR_CATEGORY, "category"
        if opening.occupation is not None:
            code = int(self.relation_reason[major, opening.occupation])
            if code:
                reason = "occupation" if code == 1 else "occupation_text"
                return float(self.relation[major, opening.occupation]), reason
        return 0.0, "none"

    def place_value(self, wanted: tuple[int, ...], city: int | None) -> tuple[float, str]:
        if city is None:
            return 0.0, "none"
        if not wanted:
            return PLACE_ANYWHERE, "anywhere"
        best = (0.0, "far")
        for w in wanted:
            key = (w, city)
            if key not in self._place_cache:
                self._place_cache[key] = place_value(self.places[w], self.places[city])
            best = max(best, self._place_cache[key], key=lambda pair: pair[0])
        return best


def _best_levels(pairs: tuple[tuple[str, int], ...]) -> dict[str, int]:
    """Certificates by name with the highest level listed (a list may name one certificate twice)."""
    best: dict[str, int] = {}
    for name, level in pairs:
        best[name] = max(level, best.get(name, 0))
    return best


def certificate_value(held: tuple[tuple[str, int], ...], required: tuple[tuple[str, int], ...]) -> tuple[float, str]:
    wanted = _best_levels(required)
    if not wanted:
        return 1.0, "none_required"
    have = _best_levels(held)
    met = sum(1 for name, level in wanted.items() if have.get(name, 0) >= level)
    if met == len(wanted):
        return 1.0, "all_held"
    return met / len(wanted), ("some_held" if met else "none_held")


def grade_value(grade: float | None) -> tuple[float, str]:
    if grade is None:
        return GRADE_MISSING, "no_grade"
    return min(1.0, max(0.0, grade)), "grade"


@dataclass(frozen=True)
class Vocabulary:
    """The columns of an encoding: kinds, certificate names, opening cities, graduation years and schools.

    Rows encoded against one vocabulary can be mixed freely, and a wider vocabulary gives every pair the same fit
    and the same filters (its extra columns meet zeros on the other side), so that rows can be encoded once, kept,
    and assembled into the space a page needs (`FeatureSpace.assemble`).
    """

    kinds: tuple[str, ...] = ()
    certificates: tuple[str, ...] = ()
    cities: tuple[int, ...] = ()  # indexes into the catalogue's places
    years: tuple[int, ...] = ()
    schools: tuple[int, ...] = ()

    @classmethod
    def of(cls, graduates: Sequence[Graduate] = (), openings: Sequence[Opening] = ()) -> "Vocabulary":
        return cls(
            kinds=tuple(sorted({x.kind for x in openings} | {k for x in graduates for k in x.wanted_kinds})),
            certificates=tuple(sorted({n for x in [*graduates, *openings] for n, _ in x.certificates})),
            cities=tuple(sorted({x.city for x in openings if x.city is not None})),
            years=tuple(sorted({x.graduation_year for x in graduates})),
            schools=tuple(sorted({x.school for x in graduates})),
        )

    def union(self, other: "Vocabulary") -> "Vocabulary":
        return Vocabulary(*(tuple(sorted(set(a) | set(b))) for a, b in zip(astuple(self), astuple(other), strict=True)))

    def covers(self, other: "Vocabulary") -> bool:
        return all(set(b) <= set(a) for a, b in zip(astuple(self), astuple(other), strict=True))

    @cached_property
    def kind_index(self) -> dict[str, int]:
        return {k: i for i, k in enumerate(self.kinds)}

    @cached_property
    def school_index(self) -> dict[int, int]:
        return {s: i for i, s in enumerate(self.schools)}


class PriorityGroups:
    """The distinct priority sets of openings, each numbered once; an opening refers to its set by number, so a
    (graduate, opening) pair's priority is one lookup in `matrix`. At alliance scale there is one set per
    enterprise (the alliance's members less itself), against tens of thousands of openings."""

    def __init__(self):
        self.sets: list[frozenset[int]] = []
        self._number: dict[frozenset[int], int] = {}
        self._matrix: tuple[dict[int, int], np.ndarray] | None = None  # the last matrix and the index it used

    def number(self, schools: frozenset[int]) -> int:
        if schools not in self._number:
            self._number[schools] = len(self.sets)
            self.sets.append(schools)
        return self._number[schools]

    def matrix(self, school_index: dict[int, int]) -> np.ndarray:
        """has[g, s]: set g holds school s (schools by `school_index`; a last column for a school not in it). Kept
        for the same index, extended by the sets numbered since."""
        done = 0
        if self._matrix is not None and self._matrix[0] is school_index:
            done = len(self._matrix[1])
            if done == len(self.sets):
                return self._matrix[1]
        has = np.zeros((len(self.sets), len(school_index) + 1), dtype=bool)
        if done:
            has[:done] = self._matrix[1]
        schools = np.array(list(school_index), dtype=np.int64)
        for g in range(done, len(self.sets)):
            members = np.fromiter(self.sets[g], dtype=np.int64, count=len(self.sets[g]))
            has[g, np.flatnonzero(np.isin(schools, members))] = True
        self._matrix = (school_index, has)
        return has


@dataclass
class Rows:
    """One side's rows encoded against a vocabulary: the fit block, the filter block and per-row arrays."""

    items: list
    fit: sp.csr_matrix
    filters: sp.csr_matrix
    arrays: dict[str, np.ndarray]
    busy: np.ndarray | None = None  # graduates: every busy period, rows' periods contiguous (`arrays["busy_count"]`)

    def __len__(self) -> int:
        return len(self.items)

    def take(self, rows: np.ndarray) -> "Rows":
        rows = np.asarray(rows, dtype=np.int64)
        arrays = {name: values[rows] for name, values in self.arrays.items()}
        busy = None
        if self.busy is not None:
            counts = self.arrays["busy_count"][rows]
            start = np.cumsum(self.arrays["busy_count"]) - self.arrays["busy_count"]
            offsets = np.cumsum(counts) - counts
            gather = np.repeat(start[rows] - offsets, counts) + np.arange(int(counts.sum()))
            busy = self.busy[gather].reshape(-1, 2)
        items = (
            list(itemgetter(*rows.tolist())(self.items)) if len(rows) > 1 else [self.items[i] for i in rows.tolist()]
        )
        return Rows(items, self.fit[rows], self.filters[rows], arrays, busy)

    @staticmethod
    def concat(parts: "Sequence[Rows]") -> "Rows":
        busy = None if parts[0].busy is None else np.concatenate([p.busy for p in parts]).reshape(-1, 2)
        return Rows(
            [x for p in parts for x in p.items],
            sp.vstack([p.fit for p in parts], format="csr"),
            sp.vstack([p.filters for p in parts], format="csr"),
            {name: np.concatenate([p.arrays[name] for p in parts]) for name in parts[0].arrays},
            busy,
        )


class Encoder:
    """Encodes graduates and openings against one vocabulary, so that fit = G @ O.T (see `FeatureSpace`)."""

    PENALTY = -1000.0

    def __init__(self, catalogue: Catalogue, vocabulary: Vocabulary, texts: TfidfVectorizer | None, groups=None):
        self.catalogue, self.vocabulary, self.texts = catalogue, vocabulary, texts
        self.groups = PriorityGroups() if groups is None else groups
        v = vocabulary
        self._cert_index = {name: i for i, name in enumerate(v.certificates)}
        self._city_col = {c: i for i, c in enumerate(v.cities)}
        self._year_col = {y: i for i, y in enumerate(v.years)}
        self._n_certs = len(v.certificates) * MAX_CERT_LEVEL + 1
        self._n_places = len(v.cities) + 1
        self._n_skills = len(texts.vocabulary_) if texts is not None else 0
        self._wish_rows: dict[tuple[int, ...], np.ndarray] = {}
        # Every distinct wanted-city list met so far, numbered once for the encoder's life: rows encoded at different
        # times share the numbers, so a page finds a ranking's distinct wishes with np.unique, not a Python loop.
        self.wishes: list[tuple[int, ...]] = []
        self._wish_ids: dict[tuple[int, ...], int] = {}

    def wish_id(self, wish: tuple[int, ...]) -> int:
        found = self._wish_ids.get(wish)
        if found is None:
            found = self._wish_ids[wish] = len(self.wishes)
            self.wishes.append(wish)
        return found

    def _skills(self, texts: list[str]) -> sp.csr_matrix:
        if self.texts is None:
            return sp.csr_matrix((len(texts), 0))
        if not texts:
            return sp.csr_matrix((0, self._n_skills))
        # Each distinct text once: a cohort's skill texts repeat (a class, a programme), and transforming costs.
        distinct: dict[str, int] = {}
        rows = np.array([distinct.setdefault(clean_text(t), len(distinct)) for t in texts], dtype=np.int64)
        return self.texts.transform(list(distinct)).tocsr()[rows]

    def _wish(self, wish: tuple[int, ...]) -> np.ndarray:
        """A graduate's place block: the best value of its wanted cities for every city column, or "anywhere"."""
        if wish not in self._wish_rows:
            row = np.zeros(self._n_places)
            if wish:
                for c, city in enumerate(self.vocabulary.cities):
                    row[c] = self.catalogue.place_value(wish, city)[0]
            else:
                row[-1] = 1.0
            self._wish_rows[wish] = row
        return self._wish_rows[wish]

    def graduates(self, graduates: Sequence[Graduate]) -> Rows:
        v, cat = self.vocabulary, self.catalogue
        g = list(graduates)
        n_g = len(g)
        major = _coo([(i, x.major, 1.0) for i, x in enumerate(g) if x.major is not None], n_g, len(cat.majors))
        bias = self._n_certs - 1
        gc = [(i, bias, 1.0) for i in range(n_g)]
        for i, x in enumerate(g):
            for name, level in _best_levels(x.certificates).items():
                gc.extend((i, self._cert_index[name] * MAX_CERT_LEVEL + lv - 1, 1.0) for lv in range(1, level + 1))
        wishes = sorted({x.wanted_cities for x in g})
        wish_of = {w: i for i, w in enumerate(wishes)}
        by_wish = sp.csr_matrix(np.array([self._wish(w) for w in wishes]).reshape(len(wishes), self._n_places))
        place = by_wish[np.array([wish_of[x.wanted_cities] for x in g], dtype=np.int64)]
        grades = _coo([(i, 0, grade_value(x.grade)[0]) for i, x in enumerate(g)], n_g, 1)
        fit = sp.hstack(
            [major, self._skills([x.skills for x in g]), _coo(gc, n_g, self._n_certs), place, grades],
            format="csr", dtype=np.float64,
        )  # fmt: skip
        kind_mask = np.array([sum(1 << v.kind_index[k] for k in x.wanted_kinds) for x in g], dtype=np.int64)
        n_k = len(v.kinds)
        picky = np.flatnonzero(kind_mask).tolist()
        hk = [(i, k, self.PENALTY) for i in picky for k in range(n_k) if not (kind_mask[i] >> k) & 1]
        hy = [(i, self._year_col[x.graduation_year], 1.0) for i, x in enumerate(g)]
        filters = sp.hstack([_coo(hk, n_g, n_k), _coo(hy, n_g, len(v.years))], format="csr")
        busy = [period for x in g for period in x.busy]
        arrays = {
            "ids": np.array([x.id for x in g], dtype=np.int64),
            "school": np.array([v.school_index[x.school] for x in g], dtype=np.int32),
            "wanted_kind_mask": kind_mask,
            "graduation_year": np.array([x.graduation_year for x in g], dtype=np.int32),
            "post_ok_from": np.array([x.post_ok_from.toordinal() if x.post_ok_from else 0 for x in g], dtype=np.int32),
            "needs": np.array(
                [(x.needs[0].toordinal(), x.needs[1].toordinal()) if x.needs else (0, 0) for x in g], dtype=np.int32
            ).reshape(n_g, 2),
            "busy_count": np.array([len(x.busy) for x in g], dtype=np.int64),
            "major": np.array([-1 if x.major is None else x.major for x in g], dtype=np.int64),
            "declines": np.array([len(x.declined_by) for x in g], dtype=np.int64),
            "adult_from": np.array([x.adult_from.toordinal() if x.adult_from else 0 for x in g], dtype=np.int64),
            "female": np.array([x.female for x in g], dtype=bool),
            "wish": np.array([self.wish_id(x.wanted_cities) for x in g], dtype=np.int64),
        }
        busy_rows = np.array([(a.toordinal(), b.toordinal()) for a, b in busy], dtype=np.int64).reshape(len(busy), 2)
        return Rows(g, fit, filters, arrays, busy_rows)

    def openings(self, openings: Sequence[Opening]) -> Rows:
        v, cat = self.vocabulary, self.catalogue
        o = list(openings)
        n_o = len(o)
        om = []
        for j, x in enumerate(o):
            vec = cat.major_vector(x) * x.weights.major
            om.extend((j, int(m), float(vec[m])) for m in np.flatnonzero(vec))
        skills = self._skills([x.skills for x in o])
        if self.texts is not None:
            skills = sp.diags([x.weights.skills for x in o]) @ skills
        bias = self._n_certs - 1
        oc = []
        for j, x in enumerate(o):
            required = _best_levels(x.certificates)
            if not required:
                oc.append((j, bias, x.weights.certificates))
                continue
            share = x.weights.certificates / len(required)
            oc.extend((j, self._cert_index[n] * MAX_CERT_LEVEL + level - 1, share) for n, level in required.items())
        op = []
        for j, x in enumerate(o):
            if x.city is not None:
                op.append((j, self._city_col[x.city], x.weights.place))
                op.append((j, self._n_places - 1, x.weights.place * PLACE_ANYWHERE))
        fit = sp.hstack(
            [_coo(om, n_o, len(cat.majors)), skills, _coo(oc, n_o, self._n_certs), _coo(op, n_o, self._n_places),
             _coo([(j, 0, x.weights.grades) for j, x in enumerate(o)], n_o, 1)],
            format="csr", dtype=np.float64,
        )  # fmt: skip
        ok = [(j, v.kind_index[x.kind], 1.0) for j, x in enumerate(o)]
        oy = [
            (j, self._year_col[y], self.PENALTY)
            for j, x in enumerate(o)
            if x.latest_graduation_year is not None
            for y in v.years
            if y > x.latest_graduation_year
        ]
        filters = sp.hstack([_coo(ok, n_o, len(v.kinds)), _coo(oy, n_o, len(v.years))], format="csr")
        arrays = {
            "ids": np.array([x.id for x in o], dtype=np.int64),
            "kind_bit": np.array([1 << v.kind_index[x.kind] for x in o], dtype=np.int64),
            "period": np.array(
                [(x.start.toordinal(), x.end.toordinal()) if (x.start and x.end) else (1, 0) for x in o], dtype=np.int64
            ).reshape(n_o, 2),  # (1, 0) overlaps nothing
            "enterprise": np.array([x.enterprise for x in o], dtype=np.int64),
            "tolerance": np.array([x.tolerance for x in o], dtype=np.float64),
            "latest_year": np.array([x.latest_graduation_year or 10**6 for x in o], dtype=np.int64),
            "post_start": np.array(
                [x.start.toordinal() if (x.post_rules and x.start) else 10**9 for x in o], dtype=np.int64
            ),
            "window": np.array(
                [(x.window[0].toordinal(), x.window[1].toordinal()) if x.window else (-1, -1) for x in o],
                dtype=np.int64,
            ).reshape(n_o, 2),
            "group": np.array([self.groups.number(x.priority_schools) for x in o], dtype=np.int64),
            "minors_start": np.array(
                [x.start.toordinal() if (x.minors_barred and x.start) else 10**9 for x in o], dtype=np.int64
            ),
            "women_barred": np.array([x.women_barred for x in o], dtype=bool),
        }
        return Rows(o, fit, filters, arrays)


class FeatureSpace:
    """Graduates and openings encoded so that fit = G @ O.T, plus the hard filters as arrays.

    `G` and `O` hold the fit blocks; `G_filter`/`O_filter` the blocks that only batch ranking needs: a large
    penalty for a kind the graduate does not want or a graduation year too late for the opening (pairs that a hard
    filter removes fall far below zero and never reach a top-k); `G_school`/`O_school` put the per-opening
    tolerance τ on the graduate's school when that school has priority, so that one product yields the
    priority-ordering key. A space is built from plain data, or assembled from rows encoded earlier against one
    vocabulary (`assemble`: how the product keeps its rows ready between requests).
    """

    PENALTY = Encoder.PENALTY

    def __init__(
        self,
        catalogue: Catalogue,
        graduates: Sequence[Graduate],
        openings: Sequence[Opening],
        text_model: TfidfVectorizer | None = None,
    ):
        """`text_model`: a fitted TF-IDF with a fixed vocabulary; without one, it is fitted on these skill texts."""
        graduates, openings = list(graduates), list(openings)
        texts = text_model
        if texts is None:
            corpus = [clean_text(x.skills) for x in graduates] + [clean_text(x.skills) for x in openings]
            texts = new_text_model().fit(corpus) if any(corpus) else None
        encoder = Encoder(catalogue, Vocabulary.of(graduates, openings), texts)
        self._assign(encoder, encoder.graduates(graduates), encoder.openings(openings))

    @classmethod
    def assemble(cls, encoder: Encoder, graduates: Rows, openings: Rows) -> "FeatureSpace":
        """A space over rows `encoder` encoded (any subset, in any order): the same fits as building it anew."""
        space = cls.__new__(cls)
        space._assign(encoder, graduates, openings)
        return space

    def _assign(self, encoder: Encoder, g: Rows, o: Rows) -> None:
        self.encoder, self.catalogue, self._texts = encoder, encoder.catalogue, encoder.texts
        self.graduates, self.openings = g.items, o.items
        self.kinds = list(encoder.vocabulary.kinds)
        self.school_index = encoder.vocabulary.school_index
        self.G, self.G_filter, self.O, self.O_filter = g.fit, g.filters, o.fit, o.filters
        a, b = g.arrays, o.arrays
        self.graduate_ids, self.graduate_school = a["ids"], a["school"]
        self.wanted_kind_mask, self.graduation_year = a["wanted_kind_mask"], a["graduation_year"]
        self.post_ok_from, self.needs = a["post_ok_from"], a["needs"]
        self.busy_count, self.busy = a["busy_count"], g.busy
        self.adult_from, self.female = a["adult_from"], a["female"]
        self.busy_start = np.cumsum(self.busy_count) - self.busy_count
        self.opening_ids, self.opening_kind_bit, self.opening_period = b["ids"], b["kind_bit"], b["period"]
        self.opening_enterprise, self.tolerance = b["enterprise"], b["tolerance"]
        self.opening_latest_year, self.opening_post_start = b["latest_year"], b["post_start"]
        self.opening_window, self.opening_group = b["window"], b["group"]
        self.opening_minors_start, self.opening_women_barred = b["minors_start"], b["women_barred"]
        self.priority_sets = encoder.groups.matrix(self.school_index)
        # (graduate, enterprise) pairs declined, as sorted integer codes graduate * stride + enterprise.
        self.graduate_major = a["major"]  # index into the catalogue's majors, -1 for none
        self.graduate_wish = a["wish"]  # index into encoder.wishes: the graduate's wanted cities
        declining = np.flatnonzero(a["declines"]).tolist()
        declined = [(i, e) for i in declining for e in self.graduates[i].declined_by]
        self.declined_stride = max([e for _, e in declined] + self.opening_enterprise.tolist(), default=0) + 1
        self.declined = np.unique(np.array([i * self.declined_stride + e for i, e in declined], dtype=np.int64))

    def has_priority(self, graduates: np.ndarray, openings: np.ndarray) -> np.ndarray:
        """Pairs (aligned arrays) whose graduate's school has priority at the opening."""
        return self.priority_sets[self.opening_group[openings], self.graduate_school[graduates]]

    @cached_property
    def G_school(self) -> sp.csr_matrix:
        n_g = len(self.graduates)
        ones = np.ones(n_g)
        return sp.csr_matrix((ones, (np.arange(n_g), self.graduate_school)), shape=(n_g, len(self.school_index)))

    @cached_property
    def O_school(self) -> sp.csr_matrix:
        """τ on each school with priority at the opening (none where τ is 0)."""
        n_o = len(self.openings)
        tau = np.where(self.tolerance > 0, self.tolerance, 0.0)
        member = sp.csr_matrix((tau, (np.arange(n_o), self.opening_group)), shape=(n_o, len(self.priority_sets)))
        result = (member @ sp.csr_matrix(self.priority_sets[:, :-1].astype(np.float64))).tocsr()
        result.eliminate_zeros()
        return result

    def eligible(self, opening: int, graduates: np.ndarray | None = None) -> np.ndarray:
        """Hard filters of one opening against the given graduates (all by default): a boolean mask."""
        graduates = np.arange(len(self.graduates)) if graduates is None else graduates
        return self.eligible_pairs(graduates, np.full(len(graduates), opening))

    def eligible_pairs(self, graduates: np.ndarray, openings: np.ndarray) -> np.ndarray:
        """Hard filters for aligned arrays of pairs, vectorised (used on the candidates of a batch)."""
        mask = (self.wanted_kind_mask[graduates] == 0) | (
            (self.wanted_kind_mask[graduates] & self.opening_kind_bit[openings]) != 0
        )
        mask &= self.graduation_year[graduates] <= self.opening_latest_year[openings]
        mask &= self.post_ok_from[graduates] <= self.opening_post_start[openings]
        mask &= self.adult_from[graduates] <= self.opening_minors_start[openings]
        mask &= ~(self.female[graduates] & self.opening_women_barred[openings])
        window = self.opening_window
        needs = self.needs[graduates]
        has_needs, has_window = needs[:, 0] > 0, window[openings, 0] >= 0
        covered = (needs[:, 0] >= window[openings, 0]) & (needs[:, 1] <= window[openings, 1])
        mask &= np.where(has_needs, has_window & covered, ~has_window)
        mask &= ~self._overlaps_busy(graduates, openings)
        if len(self.declined):
            mask &= ~self._declined(graduates, openings)
        return mask

    def _overlaps_busy(self, graduates: np.ndarray, openings: np.ndarray) -> np.ndarray:
        """Pairs whose opening's dates overlap one of the graduate's busy periods (both ends inclusive)."""
        clash = np.zeros(len(graduates), dtype=bool)
        counts = self.busy_count[graduates]
        if not counts.any():
            return clash
        pair = np.repeat(np.arange(len(graduates)), counts)
        offsets = np.cumsum(counts) - counts
        periods = self.busy[np.repeat(self.busy_start[graduates] - offsets, counts) + np.arange(int(counts.sum()))]
        period = self.opening_period[openings[pair]]
        overlap = (periods[:, 0] <= period[:, 1]) & (periods[:, 1] >= period[:, 0])
        clash[pair[overlap]] = True
        return clash

    def _declined(self, graduates: np.ndarray, openings: np.ndarray) -> np.ndarray:
        """Pairs whose opening's enterprise declined the graduate."""
        code = graduates.astype(np.int64) * self.declined_stride + self.opening_enterprise[openings]
        return np.isin(code, self.declined)

    def fit_column(self, opening: int) -> np.ndarray:
        """The fit of every graduate for one opening (dense)."""
        return np.asarray((self.G @ self.O[opening].T).todense()).ravel()

    def fit_row(self, graduate: int) -> np.ndarray:
        """The fit of one graduate for every opening (dense)."""
        return np.asarray((self.O @ self.G[graduate].T).todense()).ravel()

    def explain(self, graduate: int, opening: int) -> Explanation:
        """The contributions of one pair, computed from the plain data (not from the matrices)."""
        return self.explain_many([(graduate, opening)])[0]

    def explain_many(self, pairs: Sequence[tuple[int, int]]) -> list[Explanation]:
        """`explain` for many pairs, their skill texts vectorised and their similarities computed in one pass."""
        cat = self.catalogue
        skills = self._skills_values(pairs)
        result = []
        for (graduate, opening), skill in zip(pairs, skills, strict=True):
            g, o = self.graduates[graduate], self.openings[opening]
            values = {
                "major": cat.major_value(g.major, o),
                "skills": skill,
                "certificates": certificate_value(g.certificates, o.certificates),
                "place": cat.place_value(g.wanted_cities, o.city),
                "grades": grade_value(g.grade),
            }
            result.append(
                Explanation(tuple(Contribution(f, values[f][0], getattr(o.weights, f), values[f][1]) for f in FEATURES))
            )
        return result

    def _skills_values(self, pairs: Sequence[tuple[int, int]]) -> list[tuple[float, str]]:
        """Cosine similarity of each pair's skill texts (TF-IDF rows are L2-normalised), with its reason."""
        texts: dict[str, int] = {}
        sides = []
        for graduate, opening in pairs:
            a, b = clean_text(self.graduates[graduate].skills), clean_text(self.openings[opening].skills)
            sides.append((a, b))
            for text in (a, b):
                texts.setdefault(text, len(texts))
        if self._texts is None or not texts:
            return [(0.0, "no_skills")] * len(pairs)
        vectors = self._texts.transform(list(texts)).tocsr()
        left = vectors[[texts[a] for a, _ in sides]]
        right = vectors[[texts[b] for _, b in sides]]
        similarity = np.asarray(left.multiply(right).sum(axis=1)).ravel()
        return [
            (0.0, "no_skills") if not a or not b else (float(v), "similar" if v >= 0.3 else "weak")
            for (a, b), v in zip(sides, similarity.tolist(), strict=True)
        ]


def _coo(entries: list[tuple[int, int, float]], rows: int, cols: int) -> sp.csr_matrix:
    if not entries:
        return sp.csr_matrix((rows, cols))
    r, c, v = np.array(entries, dtype=np.float64).T
    return sp.csr_matrix((v, (r.astype(np.int64), c.astype(np.int64))), shape=(rows, cols))
