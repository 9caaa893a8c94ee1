"""The PyPI ``matching`` package as a reference solver: for tests and benchmarks only, never for the product.

Our engine is also called ``matching``, so inside the project ``import matching`` finds ours. The PyPI
package imports itself by absolute name (``from matching import BasePlayer``), so it is loaded while its
own modules stand in ``sys.modules`` under ``matching``, and ours are put back afterwards; its functions
keep references to their own modules, so they work after the swap. It is loaded lazily, on first use,
because it is a development dependency only; importing this module costs nothing.

Two ways to solve, one answer:

* ``solve_game`` goes through ``HospitalResident.create_from_dictionaries(...).solve(optimal="resident")``,
  the documented API, whose input checks also catch a wrong translation of our instance. For tests.
* ``solve_algorithm`` builds the package's players and calls ``hospital_resident`` directly, which is what
  ``solve`` runs. The game's constructor deep-copies the player graph recursively (it overflows the
  recursion limit at 20,000 residents) and checks every hospital against every resident (over a minute
  at that size), neither of which is solving. For benchmarks.
"""

import importlib
import importlib.metadata
import importlib.util
import sys
import warnings
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

import numpy as np

__all__ = ["Preferences", "load_pypi_matching", "preferences", "solve_algorithm", "solve_game", "to_assignment"]


class Preferences(NamedTuple):
    """An instance in the package's dictionary form: names are our proposer and receiver indices."""

    resident_prefs: dict[int, list[int]]
    hospital_prefs: dict[int, list[int]]
    capacities: dict[int, int]


@cache
def load_pypi_matching() -> ModuleType:
    """Return the PyPI ``matching`` package with its games and algorithms, leaving ours in place."""
    location = Path(str(importlib.metadata.distribution("matching").locate_file("matching")))
    ours = _take_modules("matching")
    try:
        spec = importlib.util.spec_from_file_location(
            "matching", location / "__init__.py", submodule_search_locations=[str(location)]
        )
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load the PyPI matching package from {location}")
        package = importlib.util.module_from_spec(spec)
        sys.modules["matching"] = package
        # Its __init__ sets warnings.simplefilter("always") globally; keep our warning filters.
        with warnings.catch_warnings():
            spec.loader.exec_module(package)
            importlib.import_module("matching.games")
            importlib.import_module("matching.algorithms")
    finally:
        _take_modules("matching")
        sys.modules.update(ours)
    return package


def preferences(
    pref_indptr: np.ndarray,
    pref_indices: np.ndarray,
    receiver_score: np.ndarray,
    capacities: np.ndarray,
    tiebreak: np.ndarray | None = None,
) -> Preferences:
    """Translate ``deferred_acceptance``'s inputs into the package's dictionaries.

    Each receiver ranks its proposers by score descending, then tiebreak, then index, computed here with
    a plain Python sort, independently of ``matching.allocation``. Receivers of capacity 0 and proposers
    left with an empty list are dropped, because the package rejects them and they cannot be matched.
    """
    indptr = np.asarray(pref_indptr).tolist()
    indices = np.asarray(pref_indices).tolist()
    scores = np.asarray(receiver_score, dtype=np.float64).tolist()
    seats = np.asarray(capacities).tolist()
    ties = list(range(len(indptr) - 1)) if tiebreak is None else np.asarray(tiebreak).tolist()
    resident_prefs: dict[int, list[int]] = {}
    applicants: dict[int, list[tuple[float, int, int]]] = {}
    for proposer in range(len(indptr) - 1):
        row = [i for i in range(indptr[proposer], indptr[proposer + 1]) if seats[indices[i]] > 0]
        if row:
            resident_prefs[proposer] = [indices[i] for i in row]
        for i in row:
            applicants.setdefault(indices[i], []).append((-scores[i], ties[proposer], proposer))
    hospital_prefs = {
        receiver: [proposer for *_, proposer in sorted(ranked)] for receiver, ranked in applicants.items()
    }
    return Preferences(resident_prefs, hospital_prefs, {receiver: seats[receiver] for receiver in hospital_prefs})


def solve_game(prefs: Preferences) -> dict[int, int]:
    """Resident-optimal matching through the ``HospitalResident`` game: {proposer: receiver}."""
    game_class = load_pypi_matching().games.HospitalResident
    with warnings.catch_warnings():
        # The package warns about inputs it would clean; for us that means a wrong translation.
        warnings.simplefilter("error")
        game = game_class.create_from_dictionaries(*prefs)
        return _names(game.solve(optimal="resident"))


def solve_algorithm(prefs: Preferences) -> dict[int, int]:
    """Resident-optimal matching through the package's algorithm on its own players: {proposer: receiver}."""
    package = load_pypi_matching()
    residents = {name: package.Player(name) for name in prefs.resident_prefs}
    hospitals = {name: package.Hospital(name, capacity) for name, capacity in prefs.capacities.items()}
    for name, resident in residents.items():
        resident.set_prefs([hospitals[hospital] for hospital in prefs.resident_prefs[name]])
    for name, hospital in hospitals.items():
        hospital.set_prefs([residents[resident] for resident in prefs.hospital_prefs[name]])
    solution = package.algorithms.hospital_resident(list(residents.values()), list(hospitals.values()), "resident")
    return _names(solution)


def to_assignment(matches: dict[int, int], n_proposers: int) -> np.ndarray:
    """The {proposer: receiver} result as ``Allocation.assignment`` lays it out, -1 for unplaced."""
    assignment = np.full(n_proposers, -1, np.int32)
    assignment[list(matches)] = list(matches.values())
    return assignment


def _names(solution: dict) -> dict[int, int]:
    """{resident name: hospital name} from the package's {hospital: [residents]} result."""
    return {resident.name: hospital.name for hospital, residents in solution.items() for resident in residents}


def _take_modules(root: str) -> dict[str, ModuleType]:
    """Remove and return ``root`` and its submodules from ``sys.modules``."""
    names = [name for name in sys.modules if name == root or name.startswith(root + ".")]
    return {name: sys.modules.pop(name) for name in names}
