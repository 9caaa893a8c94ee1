"""The secretariat's code table import: rows of (code, name, category), an XLSX or CSV sheet, into its alliance's set.

The category is the group a code counts as, written as on the ministry's forms (协议和合同就业, 灵活就业,
自主创业, 升学, 待就业, 暂不就业) or as the group's key. A code already in the alliance's set is renamed and
regrouped; nothing is deleted, since records keep pointing at their codes.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa

from marketplace.cohorts.spreadsheet import N_, Formula, open_sheet
from marketplace.destinations.models import DestinationCode, DestinationGroup
from marketplace.extensions import db

GROUP_NAMES = {
    "协议和合同就业": DestinationGroup.CONTRACT,
    "协议就业": DestinationGroup.CONTRACT,
    "灵活就业": DestinationGroup.FLEXIBLE,
    "自主创业": DestinationGroup.ENTREPRENEUR,
    "升学": DestinationGroup.FURTHER_STUDY,
    "待就业": DestinationGroup.SEEKING,
    "暂不就业": DestinationGroup.NOT_SEEKING,
    **{g.value: g for g in DestinationGroup},
}
UNKNOWN_CATEGORY = N_("Unknown category: use one of 协议和合同就业, 灵活就业, 自主创业, 升学, 待就业, 暂不就业.")
HEADER_WORDS = {"code", "代码", "去向代码"}


@dataclass
class CodeImport:
    added: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, msgid)


def import_codes(alliance_id: int, data: bytes, filename: str) -> CodeImport:
    """Read the sheet (FileRejected when unreadable) and upsert its valid rows; bad rows are reported, not loaded."""
    result = CodeImport()
    existing = {c.code: c for c in db.session.scalars(
        sa.select(DestinationCode).where(DestinationCode.alliance_id == alliance_id))}  # fmt: skip
    for number, values in open_sheet(data, filename):
        cells = [v for v in values[:3]] + [None] * (3 - len(values[:3]))
        if any(isinstance(v, Formula) for v in cells):
            result.errors.append((number, N_("Formulas are not accepted.")))
            continue
        code, name, group = (str(v).strip() if v is not None else "" for v in cells)
        if code.lower() in HEADER_WORDS:
            continue
        if not code or len(code) > 16 or not name or len(name) > 64 or "\x00" in code + name:
            result.errors.append((number, N_("A code (at most 16 characters) and a name (at most 64) are needed.")))
            continue
        if group not in GROUP_NAMES:
            result.errors.append((number, UNKNOWN_CATEGORY))
            continue
        row = existing.get(code)
        if row is None:
            row = DestinationCode(alliance_id=alliance_id, code=code, name=name, group=GROUP_NAMES[group])
            db.session.add(row)
            existing[code] = row
            result.added += 1
        else:
            row.name, row.group = name, GROUP_NAMES[group]
            result.updated += 1
    db.session.flush()
    return result
