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
from dataclasses import dataclass
from functools import lru_cache
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


class FeatureSpace:
    """Graduates and openings encoded so that fit = G @ O.T, plus the hard filters as arrays.

    `G` and `O` hold the fit blocks; `G_keyed`/`O_keyed` add the blocks that only ranking needs: a large
    penalty for a kind the graduate does not want or a graduation year too late for the opening (pairs that
    a hard filter removes fall far below zero and never reach a top-k), and the per-opening tolerance τ on the
    graduate's school when that school has priority, so that one product yields the priority-ordering key.
    """

    PENALTY = -1000.0

    def __init__(
        self,
        catalogue: Catalogue,
        graduates: Sequence[Graduate],
        openings: Sequence[Opening],
        text_model: TfidfVectorizer | None = None,
    ):
        """`text_model`: a fitted TF-IDF with a fixed vocabulary; without one, it is fitted on these skill texts."""
        self.catalogue = catalogue
        self.graduates = list(graduates)
        self.openings = list(openings)
        corpus = [clean_text(g.skills) for g in self.graduates] + [clean_text(o.skills) for o in self.openings]
        if text_model is not None:
            self._texts, self._skill_rows = text_model, text_model.transform(corpus).tocsr()
        elif any(corpus):
            self._texts = new_text_model()
            self._skill_rows = self._texts.fit_transform(corpus).tocsr()
        else:
            self._texts, self._skill_rows = None, None
        self._build_arrays()
        self._build_matrices()

    # ------------------------------------------------------------------ arrays for filters and tie-breaks
    def _build_arrays(self) -> None:
        g, o = self.graduates, self.openings
        self.kinds = sorted({x.kind for x in o} | {k for x in g for k in x.wanted_kinds})
        kind_index = {k: i for i, k in enumerate(self.kinds)}
        self.graduate_ids = np.array([x.id for x in g], dtype=np.int64)
        self.opening_ids = np.array([x.id for x in o], dtype=np.int64)
        schools = sorted({x.school for x in g})
        self.school_index = {s: i for i, s in enumerate(schools)}
        self.graduate_school = np.array([self.school_index[x.school] for x in g], dtype=np.int32)
        self.wanted_kind_mask = np.array([sum(1 << kind_index[k] for k in x.wanted_kinds) for x in g], dtype=np.int64)
        self.opening_kind_bit = np.array([1 << kind_index[x.kind] for x in o], dtype=np.int64)
        self.graduation_year = np.array([x.graduation_year for x in g], dtype=np.int32)
        self.post_ok_from = np.array([x.post_ok_from.toordinal() if x.post_ok_from else 0 for x in g], dtype=np.int32)
        self.adult_from = np.array([x.adult_from.toordinal() if x.adult_from else 0 for x in g], dtype=np.int64)
        self.female = np.array([x.female for x in g], dtype=bool)
        self.opening_minors_start = np.array(
            [x.start.toordinal() if (x.minors_barred and x.start) else 10**9 for x in o], dtype=np.int64
        )
        self.opening_women_barred = np.array([x.women_barred for x in o], dtype=bool)
        self.needs = np.array(
            [(x.needs[0].toordinal(), x.needs[1].toordinal()) if x.needs else (0, 0) for x in g], dtype=np.int32
        ).reshape(len(g), 2)
        busy = [period for x in g for period in x.busy]
        self.busy_count = np.array([len(x.busy) for x in g], dtype=np.int64)
        self.busy_start = np.cumsum(self.busy_count) - self.busy_count
        self.busy = np.array([(a.toordinal(), b.toordinal()) for a, b in busy], dtype=np.int64).reshape(len(busy), 2)
        self.opening_period = np.array(
            [(x.start.toordinal(), x.end.toordinal()) if (x.start and x.end) else (1, 0) for x in o], dtype=np.int64
        ).reshape(len(o), 2)  # (1, 0) overlaps nothing
        self.opening_enterprise = np.array([x.enterprise for x in o], dtype=np.int64)
        # (graduate, enterprise) pairs declined, as sorted integer codes graduate * stride + enterprise.
        declined = [(i, e) for i, x in enumerate(g) for e in x.declined_by]
        self.declined_stride = max([e for _, e in declined] + [int(x) for x in self.opening_enterprise], default=0) + 1
        self.declined = np.unique(np.array([i * self.declined_stride + e for i, e in declined], dtype=np.int64))
        self.tolerance = np.array([x.tolerance for x in o], dtype=np.float64)
        self.opening_latest_year = np.array([x.latest_graduation_year or 10**6 for x in o], dtype=np.int64)
        self.opening_post_start = np.array(
            [x.start.toordinal() if (x.post_rules and x.start) else 10**9 for x in o], dtype=np.int64
        )
        self.opening_window = np.array(
            [(x.window[0].toordinal(), x.window[1].toordinal()) if x.window else (-1, -1) for x in o], dtype=np.int64
        ).reshape(len(o), 2)

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

    # ------------------------------------------------------------------ the sparse encoding
    def _build_matrices(self) -> None:
        cat = self.catalogue
        g, o = self.graduates, self.openings
        n_g, n_o = len(g), len(o)
        cert_names = sorted({name for x in g for name, _ in x.certificates} | {n for x in o for n, _ in x.certificates})
        cert_index = {name: i for i, name in enumerate(cert_names)}
        cities = sorted({x.city for x in o if x.city is not None})
        city_col = {c: i for i, c in enumerate(cities)}
        years = sorted({x.graduation_year for x in g})
        year_col = {y: i for i, y in enumerate(years)}

        blocks_g, blocks_o = [], []
        # major: one-hot on the graduate's major; the opening carries the value of every major
        gm = [(i, x.major, 1.0) for i, x in enumerate(g) if x.major is not None]
        blocks_g.append(_coo(gm, n_g, len(cat.majors)))
        om = []
        for j, x in enumerate(o):
            vec = cat.major_vector(x) * x.weights.major
            om.extend((j, int(m), float(vec[m])) for m in np.flatnonzero(vec))
        blocks_o.append(_coo(om, n_o, len(cat.majors)))
        # skills: L2-normalised TF-IDF rows; the weight on the opening side
        if self._skill_rows is not None:
            tg, to = self._skill_rows[:n_g], self._skill_rows[n_g:]
            to = sp.diags([x.weights.skills for x in o]) @ to
        else:
            tg, to = sp.csr_matrix((n_g, 0)), sp.csr_matrix((n_o, 0))
        blocks_g.append(tg)
        blocks_o.append(to)
        # certificates: (name, level ≥ L) columns; one bias column for openings requiring none
        n_c = len(cert_names) * MAX_CERT_LEVEL + 1
        bias = n_c - 1
        gc = [(i, bias, 1.0) for i in range(n_g)]
        for i, x in enumerate(g):
            for name, level in _best_levels(x.certificates).items():
                gc.extend((i, cert_index[name] * MAX_CERT_LEVEL + lv - 1, 1.0) for lv in range(1, level + 1))
        oc = []
        for j, x in enumerate(o):
            required = _best_levels(x.certificates)
            if not required:
                oc.append((j, bias, x.weights.certificates))
                continue
            share = x.weights.certificates / len(required)
            oc.extend((j, cert_index[name] * MAX_CERT_LEVEL + level - 1, share) for name, level in required.items())
        blocks_g.append(_coo(gc, n_g, n_c))
        blocks_o.append(_coo(oc, n_o, n_c))
        # place: the graduate carries its best value for each opening city; one column for "anywhere"
        n_p = len(cities) + 1
        wishes = sorted({x.wanted_cities for x in g})
        wish_index = {w: i for i, w in enumerate(wishes)}
        wanted_places = sorted({c for w in wishes for c in w})
        table = np.array([[cat.place_value((w,), c)[0] for c in cities] for w in wanted_places]).reshape(
            len(wanted_places), len(cities)
        )
        row_of = {c: i for i, c in enumerate(wanted_places)}
        by_wish = np.zeros((len(wishes), n_p))
        for i, wish in enumerate(wishes):
            if wish:
                by_wish[i, :-1] = table[[row_of[c] for c in wish]].max(axis=0)
            else:
                by_wish[i, -1] = 1.0
        place_g = sp.csr_matrix(by_wish)[np.array([wish_index[x.wanted_cities] for x in g], dtype=np.int64)]
        op = []
        for j, x in enumerate(o):
            if x.city is not None:
                op.append((j, city_col[x.city], x.weights.place))
                op.append((j, n_p - 1, x.weights.place * PLACE_ANYWHERE))
        blocks_g.append(place_g)
        blocks_o.append(_coo(op, n_o, n_p))
        # grades
        blocks_g.append(_coo([(i, 0, grade_value(x.grade)[0]) for i, x in enumerate(g)], n_g, 1))
        blocks_o.append(_coo([(j, 0, x.weights.grades) for j, x in enumerate(o)], n_o, 1))
        self.G = sp.hstack(blocks_g, format="csr", dtype=np.float64)
        self.O = sp.hstack(blocks_o, format="csr", dtype=np.float64)

        # hard filters as penalties: kinds not wanted, graduation years too late
        n_k = len(self.kinds)
        hk = [
            (i, k, self.PENALTY)
            for i in range(n_g)
            if self.wanted_kind_mask[i]
            for k in range(n_k)
            if not (self.wanted_kind_mask[i] >> k) & 1
        ]
        ok = [(j, int(self.opening_kind_bit[j]).bit_length() - 1, 1.0) for j in range(n_o)]
        hy = [(i, year_col[x.graduation_year], 1.0) for i, x in enumerate(g)]
        oy = [
            (j, year_col[y], self.PENALTY)
            for j, x in enumerate(o)
            if x.latest_graduation_year is not None
            for y in years
            if y > x.latest_graduation_year
        ]
        self.G_filter = sp.hstack([_coo(hk, n_g, n_k), _coo(hy, n_g, len(years))], format="csr")
        self.O_filter = sp.hstack([_coo(ok, n_o, n_k), _coo(oy, n_o, len(years))], format="csr")
        # priority: the graduate's school one-hot; the opening carries τ on each school with priority
        n_s = len(self.school_index)
        gs = [(i, int(self.graduate_school[i]), 1.0) for i in range(n_g)]
        os_ = [
            (j, self.school_index[s], x.tolerance)
            for j, x in enumerate(o)
            for s in x.priority_schools
            if s in self.school_index and x.tolerance > 0
        ]
        self.G_school = _coo(gs, n_g, n_s).tocsr()
        self.O_school = _coo(os_, n_o, n_s).tocsr()

    def fit_column(self, opening: int) -> np.ndarray:
        """The fit of every graduate for one opening (dense)."""
        return np.asarray((self.G @ self.O[opening].T).todense()).ravel()

    def fit_row(self, graduate: int) -> np.ndarray:
        """The fit of one graduate for every opening (dense)."""
        return np.asarray((self.O @ self.G[graduate].T).todense()).ravel()

    def explain(self, graduate: int, opening: int) -> Explanation:
        """The contributions of one pair, computed from the plain data (not from the matrices)."""
        g, o, cat = self.graduates[graduate], self.openings[opening], self.catalogue
        values = {
            "major": cat.major_value(g.major, o),
            "skills": self._skills_value(graduate, opening),
            "certificates": certificate_value(g.certificates, o.certificates),
            "place": cat.place_value(g.wanted_cities, o.city),
            "grades": grade_value(g.grade),
        }
        return Explanation(tuple(Contribution(f, values[f][0], getattr(o.weights, f), values[f][1]) for f in FEATURES))

    def _skills_value(self, graduate: int, opening: int) -> tuple[float, str]:
        g, o = self.graduates[graduate], self.openings[opening]
        if self._skill_rows is None or not clean_text(g.skills) or not clean_text(o.skills):
            return 0.0, "no_skills"
        a, b = self._texts.transform([clean_text(g.skills), clean_text(o.skills)])
        value = float((a @ b.T).toarray()[0, 0])
        return value, ("similar" if value >= 0.3 else "weak")


def _coo(entries: list[tuple[int, int, float]], rows: int, cols: int) -> sp.csr_matrix:
    if not entries:
        return sp.csr_matrix((rows, cols))
    r, c, v = np.array(entries, dtype=np.float64).T
    return sp.csr_matrix((v, (r.astype(np.int64), c.astype(np.int64))), shape=(rows, cols))
