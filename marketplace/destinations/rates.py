"""The rates of a snapshot, as plain rows per grouping: the pages, the exports and the annual report read these.

`snapshot_tables(session, snapshot, scope=None, groupings=GROUPINGS)` returns {grouping: [RateRow, …]} (rows sorted
by graduates, largest first; "overview" is always there). A RateRow is `key, label, graduates, counted, employed,
relevant, paid, pay_total, cohort` with the derived `share`, `destination_rate`, `employment_rate`, `relevance_rate`
and `average_pay` (None where the denominator is 0). `Scope(school_id)` narrows to one school's graduates.

- "overview": one row, the whole cohort in scope (key None);
- "school", "major": every graduate of the school / major (key: the organisation's / major's id);
- "category": graduates by destination category (key: a DestinationGroup value; None = no destination recorded,
  which includes records still awaiting audit or entered after the deadline); where the alliance counts
  自主创业 under 灵活就业, it is shown and counted as 灵活就业 everywhere;
- "region", "industry", "employer_kind", "member": employed graduates only (categories counted toward 就业率), by
  where they work relative to the school (city = 留在本市, province = elsewhere in 本省, elsewhere, unknown), by the
  industry as entered (key the text, None = not given; snapshots taken before industries were kept have none), by the
  employer's ownership, and by whether the employer was an alliance member on the start date (keys "city" / "province" /
  "elsewhere" / "unknown"; an Ownership value or None; True / False).

Definitions (the snapshot's frozen settings choose the categories):
- 毕业去向落实率 `destination_rate` = graduates with a destination in the counted categories ÷ graduates;
- 就业率 `employment_rate` = graduates in the employed categories ÷ graduates;
- 专业对口率 `relevance_rate` = employed graduates whose occupation their major prepares for ÷ employed graduates;
- `average_pay` = starting monthly pay summed ÷ employed graduates who gave one.
Each row carries its additive counts too, so totals and other rates can be derived exactly.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from marketplace.destinations.models import DestinationGroup, DestinationSnapshot, Ownership, SnapshotCell
from marketplace.i18n import label
from marketplace.orgs.models import Organization
from marketplace.reference.models import Major

GROUPINGS = ("overview", "school", "major", "category", "region", "industry", "employer_kind", "member")
REGIONS = {"city": _l("In the school's city"), "province": _l("Elsewhere in the school's province"),
           "elsewhere": _l("Other provinces"), "unknown": _l("Place not given")}  # fmt: skip


@dataclass(frozen=True)
class Scope:
    """Which graduates of the snapshot: the whole alliance (school_id None) or one school's."""

    school_id: int | None = None


@dataclass(frozen=True)
class RateRow:
    key: object  # the grouping's value: a school or major id, a category or region value, True/False, or None
    label: str
    graduates: int
    counted: int  # with a destination in the counted categories
    employed: int  # in the categories counted toward 就业率
    relevant: int  # employed, and the occupation matches the major
    paid: int  # employed with a starting pay
    pay_total: int
    cohort: int  # graduates in scope, for the row's share

    @property
    def share(self) -> float | None:
        return self.graduates / self.cohort if self.cohort else None

    @property
    def destination_rate(self) -> float | None:
        return self.counted / self.graduates if self.graduates else None

    @property
    def employment_rate(self) -> float | None:
        return self.employed / self.graduates if self.graduates else None

    @property
    def relevance_rate(self) -> float | None:
        return self.relevant / self.employed if self.employed else None

    @property
    def average_pay(self) -> float | None:
        return self.pay_total / self.paid if self.paid else None


def snapshot_tables(
    session: Session, snapshot: DestinationSnapshot, scope: Scope | None = None, groupings: tuple[str, ...] = GROUPINGS
) -> dict[str, list]:
    """The snapshot's figures within `scope` for each of `groupings` (all by default), as lists of RateRow, largest
    first. The counts were computed when the snapshot was taken, with its frozen settings; this only sums them."""
    scope = scope or Scope()
    cell = SnapshotCell
    where = [cell.snapshot_id == snapshot.id]
    if scope.school_id is not None:
        where.append(cell.school_id == scope.school_id)
    measures = tuple(
        sa.func.coalesce(sa.func.sum(c), 0)
        for c in (cell.graduates, cell.counted, cell.employed, cell.relevant, cell.paid, cell.pay_total)
    )

    def grouped(dimension: str, key) -> list[tuple]:
        query = sa.select(key, *measures).where(*where, cell.dimension == dimension).group_by(key)
        return [tuple(row) for row in session.execute(query)]

    cohort = session.execute(sa.select(*measures).where(*where, cell.dimension == "school")).one()
    size = int(cohort[0])
    raw = {name: grouped(name, cell.school_id if name == "school" else cell.key) for name in GROUPINGS[1:]
           if name in groupings}  # fmt: skip
    names = _names(session, raw)
    tables = {"overview": [RateRow(None, str(_l("All graduates")), *(int(v) for v in cohort), size)]}
    for grouping, rows in raw.items():
        made = [RateRow(KEYS[grouping](key), names[grouping](KEYS[grouping](key)), *(int(v) for v in values), size)
                for key, *values in rows]  # fmt: skip
        made.sort(key=lambda r: (-r.graduates, r.label))
        tables[grouping] = made
    return tables


def _int(key):
    return int(key) if key is not None else None


# The stored key (text) as the grouping's value.
KEYS = {"school": _int, "major": _int, "category": lambda k: k, "region": lambda k: k, "industry": lambda k: k,
        "employer_kind": lambda k: k, "member": lambda k: k in ("1", "true", "True")}  # fmt: skip


def _names(session: Session, raw: dict) -> dict:
    schools = dict(session.execute(sa.select(Organization.id, Organization.name).where(
        Organization.id.in_([k for k, *_ in raw.get("school", ())]))).all())  # fmt: skip
    majors = dict(session.execute(sa.select(Major.id, Major.name).where(
        Major.id.in_([_int(k) for k, *_ in raw.get("major", ())]))).all())  # fmt: skip
    return {
        "school": lambda k: schools.get(k, "?"),
        "major": lambda k: majors.get(k, "?"),
        "category": lambda k: str(label(DestinationGroup(k))) if k else str(_l("No destination recorded")),
        "region": lambda k: str(REGIONS.get(k, k)),
        "industry": lambda k: k or str(_l("Not given")),
        "employer_kind": lambda k: str(label(Ownership(k))) if k else str(_l("Not given")),
        "member": lambda k: str(_l("Alliance members")) if k else str(_l("Other employers")),
    }
