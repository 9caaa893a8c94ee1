"""Loaders for reference data. Each is idempotent: it adds what is missing and updates what changed."""

import csv
import io
import re
from importlib import metadata
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from marketplace.reference.models import Major, MajorLevel, Occupation, Region, RegionLevel, major_occupations
from matching.features import default_major_mapping

DATA_DIR = Path(__file__).resolve().parent / "data"
# The classification belongs to the matching engine, which reads it without the database; we load the same file.
OCCUPATIONS_CSV = Path(__file__).resolve().parents[2] / "matching" / "data" / "csco22.csv"
DEMO_MAJORS_CSV = DATA_DIR / "majors_demo.csv"
MUNICIPALITIES = {"11", "12", "31", "50"}  # 直辖市: the province is its own city


class ReferenceDataError(ValueError):
    """A reference file is malformed; the message names the row and the reason."""


def _cpca_adcodes() -> str:
    """The adcodes table inside the cpca wheel, read without importing cpca (which pulls in pandas)."""
    dist = metadata.distribution("cpca")
    for file in dist.files or ():
        if file.name == "adcodes.csv":
            return Path(dist.locate_file(file)).read_text(encoding="utf-8")
    raise ReferenceDataError("the cpca package does not ship adcodes.csv")


def _float(text: str) -> float | None:
    return float(text) if text else None


def region_rows(text: str) -> list[dict]:
    """Province, city and district rows with 6-digit codes and parent codes, in insertion order."""
    raw = {}
    for row in csv.DictReader(io.StringIO(text)):
        code = row["adcode"][:6]
        raw[code] = (row["name"], _float(row["longitude"]), _float(row["latitude"]))
    provinces = {c: v for c, v in raw.items() if c.endswith("0000")}
    rows: list[dict] = []
    for code, (name, lon, lat) in sorted(provinces.items()):
        rows.append(dict(code=code, name=name, level=RegionLevel.PROVINCE, parent=None, lon=lon, lat=lat))
    cities: dict[str, str] = {}  # 4-digit prefix -> the city code that districts hang from
    for code, (name, lon, lat) in sorted(raw.items()):
        if code.endswith("0000") or not code.endswith("00"):
            continue
        prov = code[:2] + "0000"
        if code[:2] in MUNICIPALITIES:
            city_code = code[:2] + "0100"
            if city_code not in cities.values():
                pname, plon, plat = provinces[prov]
                rows.append(dict(code=city_code, name=pname, level=RegionLevel.CITY, parent=prov, lon=plon, lat=plat))
            cities[code[:4]] = city_code
        elif code[2:4] != "90":  # 省直辖县级行政区划 is a grouping, not a city; its members are added below
            rows.append(dict(code=code, name=name, level=RegionLevel.CITY, parent=prov, lon=lon, lat=lat))
            cities[code[:4]] = code
    for code, (name, lon, lat) in sorted(raw.items()):
        if code.endswith("00"):
            continue
        prov = code[:2] + "0000"
        if code[2:4] == "90":  # county-level cities directly under the province act as cities
            rows.append(dict(code=code, name=name, level=RegionLevel.CITY, parent=prov, lon=lon, lat=lat))
        elif code[:4] in cities:
            rows.append(
                dict(code=code, name=name, level=RegionLevel.DISTRICT, parent=cities[code[:4]], lon=lon, lat=lat)
            )
    with_city = {r["parent"] for r in rows if r["level"] is RegionLevel.CITY}
    for code, (name, lon, lat) in sorted(provinces.items()):
        if code not in with_city:  # Taiwan, Hong Kong, Macao: one city of the same name
            rows.append(dict(code=code[:2] + "0100", name=name, level=RegionLevel.CITY, parent=code, lon=lon, lat=lat))
    return rows


def load_regions(session: Session, text: str | None = None) -> int:
    """Load administrative regions; returns how many were added."""
    rows = region_rows(text if text is not None else _cpca_adcodes())
    existing = {r.code: r for r in session.scalars(sa.select(Region))}
    added = 0
    for row in sorted(rows, key=lambda r: list(RegionLevel).index(r["level"])):
        region = existing.get(row["code"])
        if region is None:
            region = Region(code=row["code"])
            session.add(region)
            existing[row["code"]] = region
            added += 1
        region.name, region.level = row["name"], row["level"]
        region.longitude, region.latitude = row["lon"], row["lat"]
        region.parent = existing[row["parent"]] if row["parent"] else None
    session.flush()
    return added


def split_markers(raw: str) -> tuple[str, str]:
    """'工程测量工程技术人员L/S' -> ('工程测量工程技术人员', 'L/S'): S marks digital, L green occupations."""
    match = re.fullmatch(r"(.*?[^A-Za-z/])(L/S|S/L|S|L)", raw.strip())
    return (match.group(1), match.group(2)) if match else (raw.strip(), "")


def load_occupations(session: Session, path: Path = OCCUPATIONS_CSV) -> int:
    """Load the occupational classification with its hierarchy; returns how many were added.

    Exact duplicate rows are loaded once. A level-4 code ending in -00 with no level-3 row of that code hangs
    from its level-2 class.
    """
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    existing = {(o.level, o.code): o for o in session.scalars(sa.select(Occupation))}
    added = 0
    for number, row in enumerate(sorted(rows, key=lambda r: (int(r["level"]), r["code"])), start=2):
        level, code = int(row["level"]), row["code"]
        parts = code.split("-")
        if level not in (1, 2, 3, 4) or len(parts) != 4:
            raise ReferenceDataError(f"{path.name} row {number}: bad level or code {code!r}")
        occupation = existing.get((level, code))
        if occupation is None:
            occupation = Occupation(code=code, level=level)
            session.add(occupation)
            existing[(level, code)] = occupation
            added += 1
        occupation.name, markers = split_markers(row["name"])
        occupation.definition = row["definition"].strip()
        occupation.tasks = row["tasks"].strip()
        occupation.aliases = row["alias"].strip()
        occupation.is_digital, occupation.is_green = "S" in markers, "L" in markers
        occupation.parent = _occupation_parent(existing, level, parts)
    session.flush()
    return added


def _occupation_parent(existing: dict, level: int, parts: list[str]) -> Occupation | None:
    for parent_level in range(level - 1, 0, -1):
        parent_code = "-".join(parts[:parent_level] + ["00"] * (4 - parent_level))
        if (parent_level, parent_code) in existing:
            return existing[(parent_level, parent_code)]
    return None


def load_majors(session: Session, text: str) -> int:
    """Load a major catalogue CSV (code, name, level, category); every bad row is reported, none half-loaded."""
    reader = csv.DictReader(io.StringIO(text))
    missing = {"code", "name", "level", "category"} - set(reader.fieldnames or ())
    if missing:
        raise ReferenceDataError(f"missing columns: {', '.join(sorted(missing))}")
    levels = {m.value for m in MajorLevel}
    errors, rows = [], []
    for number, row in enumerate(reader, start=2):
        code, name, level = row["code"].strip(), row["name"].strip(), row["level"].strip()
        if not code or not name:
            errors.append(f"row {number}: code and name are required")
        elif level not in levels:
            errors.append(f"row {number}: level must be one of {', '.join(sorted(levels))}")
        else:
            rows.append((code, name, MajorLevel(level), row["category"].strip()))
    if errors:
        raise ReferenceDataError("; ".join(errors))
    existing = {(m.level, m.code): m for m in session.scalars(sa.select(Major))}
    added = 0
    for code, name, level, category in rows:
        major = existing.get((level, code))
        if major is None:
            major = Major(code=code, level=level)
            session.add(major)
            existing[(level, code)] = major
            added += 1
        major.name, major.category = name, category
    session.flush()
    link_majors_to_occupations(session)
    return added


def link_majors_to_occupations(session: Session) -> int:
    """Rebuild the major → occupation links from the engine's reviewed table; a code that names a class (such as
    6-18-01) links every occupation under it. Majors absent from the table get no link. Returns the link count."""
    occupations = list(session.execute(sa.select(Occupation.id, Occupation.code)))
    links = set()
    for major_id, name in session.execute(sa.select(Major.id, Major.name)):
        for prefix in default_major_mapping().get(name, ()):
            under = [oid for oid, code in occupations if code == prefix or code.startswith(prefix + "-")]
            links.update((major_id, oid) for oid in under)
    session.execute(sa.delete(major_occupations))
    if links:
        session.execute(sa.insert(major_occupations), [{"major_id": m, "occupation_id": o} for m, o in sorted(links)])
    return len(links)
