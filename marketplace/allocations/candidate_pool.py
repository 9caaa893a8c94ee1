"""An opening's whole ranking for its candidates page, kept between requests.

The ranking of an opening over the tens of thousands of students its enterprise may see is a pure function of the
kept rows at one version and day, so the store remembers it (`RowStore.remember`) as plain arrays: the engine's
ranked places and, per place, the school, major and wanted cities the page filters on. Viewing the page again,
paging or filtering ranks nothing anew. The feature space it was ranked in is not kept (about 15 MB at 50k): the
page explains the few candidates it shows with an engine over those candidates alone, which gives the same
explanations (each is computed from the pair's plain data and the shared skill model, not from the pool).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from marketplace.plans.models import Opening
from marketplace.ranking import (
    NAMED,
    Candidate,
    Passed,
    attach_students,
    candidate_ids_in,
    remembered_explanations,
)
from marketplace.rowcache import store
from matching.priority import QUANTUM
from matching.ranking import Engine, RankedPool


@dataclass(frozen=True)
class KeptCandidates:
    """An opening's ranking as arrays in ranked order. `engine` is the engine it was ranked with, kept only in the
    request that ranked it (its `ranked.graduate` indexes that engine); the remembered copy has none."""

    opening_id: int
    ranked: RankedPool
    school_ids: np.ndarray  # per place
    major_ids: np.ndarray  # per place; -1: no major
    wish: np.ndarray  # per place: the candidate's wanted-city list, as an index into `wishes`
    wishes: tuple[tuple[int, ...], ...]  # the distinct wanted-city lists, as region ids
    engine: Engine | None = None

    @classmethod
    def rank(cls, built: store.Built, opening_id: int) -> "KeptCandidates":
        ranked = built.engine.rank_pool(0)
        space, indexes = built.engine.space, built.indexes
        schools = np.array(space.encoder.vocabulary.schools, dtype=np.int64)
        majors = np.array([*indexes.major_ids, -1], dtype=np.int64)
        wish_numbers, wish = np.unique(space.graduate_wish[ranked.graduate], return_inverse=True)
        wishes = tuple(tuple(indexes.region_ids[c] for c in space.encoder.wishes[w]) for w in wish_numbers.tolist())
        return cls(opening_id, ranked, schools[space.graduate_school[ranked.graduate]],
                   majors[space.graduate_major[ranked.graduate]], wish.astype(np.int64), wishes,
                   built.engine)  # fmt: skip

    @cached_property
    def distinct_schools(self) -> list[int]:
        return np.unique(self.school_ids).tolist()

    @cached_property
    def distinct_majors(self) -> list[int]:
        return [m for m in np.unique(self.major_ids).tolist() if m >= 0]

    def without_engine(self) -> "KeptCandidates":
        return KeptCandidates(self.opening_id, self.ranked, self.school_ids, self.major_ids, self.wish, self.wishes)


def candidate_pool(opening: Opening) -> "CandidatePool":
    """The whole ranking of the students the opening's enterprise may see today (its page), remembered by the store
    until the rows or the day move."""
    fresh: list[KeptCandidates] = []
    with store.using() as rows:

        def rank() -> KeptCandidates:
            built = store.built(rows, candidate_ids_in(rows, opening), [opening.id])
            fresh.append(KeptCandidates.rank(built, opening.id))
            return fresh[0].without_engine()

        kept = rows.remember(("candidates", opening.id), rank)
    return CandidatePool(fresh[0] if fresh else kept)


class CandidatePool(Sequence):
    """The ranking's places a filter kept (`keep`), each keeping its number; only the places a page slices out
    become `Candidate`s, with their students loaded and their explanations computed."""

    def __init__(self, kept: KeptCandidates, positions: np.ndarray | None = None):
        self.kept = kept
        self.positions = np.arange(kept.ranked.eligible) if positions is None else positions

    @property
    def ranked(self) -> RankedPool:
        return self.kept.ranked

    @property
    def school_ids(self) -> np.ndarray:
        """Per place of the whole ranking."""
        return self.kept.school_ids

    @property
    def major_ids(self) -> np.ndarray:
        """Per place of the whole ranking; -1: no major."""
        return self.kept.major_ids

    def keep(self, mask: np.ndarray) -> "CandidatePool":
        """The places (of the whole ranking) where `mask` holds; a place keeps its number."""
        return CandidatePool(self.kept, self.positions[mask[self.positions]])

    def wanted_city_sets(self) -> set[tuple[int, ...]]:
        """The distinct wanted-city lists among the candidates (as region ids): a handful, not one per candidate."""
        return set(self.kept.wishes)

    def wanting(self, region_id: int) -> np.ndarray:
        """Per place of the whole ranking: the candidate wants the city `region_id`."""
        return np.array([region_id in wish for wish in self.kept.wishes], dtype=bool)[self.kept.wish]

    def __len__(self) -> int:
        return len(self.positions)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1 if index != -1 else None][0]
        return self._candidates(self.positions[index].tolist())

    def _fits(self, ids: set[int]) -> dict[int, float]:
        """The fits of these candidates (those the shown places passed), found in the whole ranking: a dict of every
        candidate's fit cost 3 ms per page at 50,000 candidates, for the few a page names."""
        if not ids:
            return {}
        ranked = self.kept.ranked
        hit = np.isin(ranked.ids, np.fromiter(ids, dtype=ranked.ids.dtype, count=len(ids)))
        return dict(zip(ranked.ids[hit].tolist(), (ranked.fit_q[hit] / QUANTUM).tolist(), strict=True))

    def _candidates(self, positions: list[int]) -> list[Candidate]:
        kept = self.kept
        places = kept.ranked.places(positions)
        if kept.engine is not None:  # ranked in this request: explain in its engine
            engine, graduates, known = kept.engine, [p.graduate for p in places], {}
        else:  # remembered: so are the explanations of the candidates shown before, the others from them alone
            engine, graduates = None, [0] * len(places)
            known = remembered_explanations("candidates", kept.opening_id, [p.id for p in places])
        fit_of = self._fits({i for p in places for i in p.passed[:NAMED]})
        candidates = [
            Candidate(p.id, n + 1, p.fit, p.priority, p.passed,
                      tuple(Passed(i, fit_of[i], fit_of[i] - p.fit) for i in p.passed[:NAMED]),
                      engine, graduate, int(kept.school_ids[n]),
                      None if kept.major_ids[n] < 0 else int(kept.major_ids[n]), kept.wishes[kept.wish[n]])
            for n, p, graduate in zip(positions, places, graduates, strict=True)
        ]  # fmt: skip
        for c in candidates:
            if c.student_id in known:
                c.__dict__["explanation"] = known[c.student_id]
        attach_students(candidates)
        return candidates
