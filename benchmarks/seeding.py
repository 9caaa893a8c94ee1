"""What the benchmarks share: a migrated database with the reference data, and organisation rows for bulk inserts."""

import random

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.orgs.credit_code import make_credit_code
from marketplace.reference import loaders
from marketplace.reference.models import Major, Occupation, Region, RegionLevel


def migrate_with_reference() -> None:
    """In an app context: the schema at head, then regions, occupations and the demo majors."""
    from flask_migrate import upgrade

    upgrade()
    loaders.load_regions(db.session)
    loaders.load_occupations(db.session)
    loaders.load_majors(db.session, loaders.DEMO_MAJORS_CSV.read_text(encoding="utf-8"))
    db.session.commit()


def reference() -> tuple[list[Region], list[Major], list[int]]:
    """Sixty cities, every major, and the level-4 occupations' ids to spread the seeded rows over, each in code order:
    unordered, SQLite and PostgreSQL returned them in different orders, so the same seed built different markets."""
    cities = list(db.session.scalars(
        sa.select(Region).where(Region.level == RegionLevel.CITY).order_by(Region.code).limit(60)))  # fmt: skip
    majors = list(db.session.scalars(sa.select(Major).order_by(Major.code)))
    occupations = list(
        db.session.scalars(sa.select(Occupation.id).where(Occupation.level == 4).order_by(Occupation.code))
    )
    return cities, majors, occupations


class Organisations:
    """Rows for `sa.insert(Organization)`, each with a valid credit code no other row has."""

    def __init__(self, rng: random.Random, cities: list[Region]):
        self.rng, self.cities, self.codes = rng, cities, set()

    def row(self, kind: str, n: int, **extra) -> dict:
        city = self.cities[n % len(self.cities)]
        code = make_credit_code(city.code, self.rng)
        while code in self.codes:
            code = make_credit_code(city.code, self.rng)
        self.codes.add(code)
        return {"name": f"{kind}{n}", "kind": kind, "credit_code": code, "province_id": city.parent_id,
                "city_id": city.id, "staff_count": 500 if kind == "enterprise" else None,
                "school_level": "zhongzhi" if kind == "school" else None, "contact_name": "", "contact_phone": "",
                "contact_email": "", "address": "", **extra}  # fmt: skip


def shares(total: int, parts: int, first: int | None = None) -> list[int]:
    """`total` split over `parts` as evenly as whole numbers allow; with `first`, the first part holds exactly that."""
    if first is not None:
        return [first, *shares(total - first, parts - 1)]
    base, extra = divmod(total, parts)
    return [base + (n < extra) for n in range(parts)]


def insert_chunked(table, rows: list[dict], size: int = 10_000) -> None:
    """Core executemany in chunks, so that neither driver holds every row's parameters at once."""
    for start in range(0, len(rows), size):
        db.session.execute(sa.insert(table), rows[start : start + size])


def ids_of(column, *where) -> list[int]:
    """The ids just bulk-inserted (Core executemany returns none), in insertion order."""
    return list(db.session.scalars(sa.select(column).where(*where).order_by(column)))
