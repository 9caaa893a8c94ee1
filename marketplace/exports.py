"""Spreadsheet downloads (XLSX and CSV) that cannot run formulas when opened (CSV/formula injection).

A cell that starts with = + - @ or a tab or carriage return is a formula to Excel and WPS, even in a CSV: such text
cells get a leading apostrophe (OWASP's advice), which also survives an XLSX being saved again as CSV. Numbers and
dates are written as such, so negative numbers stay numbers. CSV files are UTF-8 with a byte-order mark, without
which Excel on Chinese Windows reads them as GBK and shows mojibake.
"""

__all__ = ["FORMULA_PREFIXES", "attachment", "safe_cell", "sheet_titles", "write_csv", "write_xlsx", "write_xlsx_book"]

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_COLUMN_WIDTH = 40
# Characters Excel refuses in a sheet name, and its length limit.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_TITLE_MAX = 31


def attachment(filename: str, fallback: str) -> str:
    """A Content-Disposition for a download named in the reader's language: `filename*` (RFC 5987/6266, UTF-8) for
    the browsers that read it, and an ASCII `fallback` for those that do not."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", fallback)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def sheet_titles(titles: Iterable[str]) -> list[str]:
    """Titles Excel accepts as sheet names: no []:*?/\\, at most 31 characters, unique (a number added if not)."""
    result: list[str] = []
    for title in titles:
        base = _SHEET_FORBIDDEN.sub(" ", str(title)).strip("' ") or "-"
        name, n = base[:SHEET_TITLE_MAX], 1
        while name.casefold() in {r.casefold() for r in result}:
            n += 1
            suffix = f" ({n})"
            name = base[: SHEET_TITLE_MAX - len(suffix)] + suffix
        result.append(name)
    return result


def safe_cell(value):
    """The value as it may be written to a spreadsheet: text that a spreadsheet would evaluate gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _xlsx_value(value):
    value = safe_cell(value)
    if isinstance(value, str):
        # openpyxl refuses control characters that XML cannot carry; they carry no meaning in a roster anyway.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _width(header: str) -> float:
    wide = sum(2 if ord(ch) > 0x2E80 else 1 for ch in header)  # CJK characters take two columns
    return min(max(wide + 4, 12), MAX_COLUMN_WIDTH)


def write_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence],
    *,
    sheet_title: str = "Sheet1",
    text_columns: Iterable[int] = (),
) -> bytes:
    """One sheet: a bold header row, then `rows`. `text_columns` (0-based) are formatted as text ("@") so that
    numbers typed into them later (学号, phone and ID numbers) keep their leading zeros and all their digits."""
    return write_xlsx_book([(sheet_title, headers, rows)], text_columns=text_columns)


def write_xlsx_book(
    sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]], *, text_columns: Iterable[int] = ()
) -> bytes:
    """A workbook of (title, headers, rows) sheets, each as `write_xlsx` writes its one sheet."""
    workbook = Workbook(write_only=True)
    text_columns = list(text_columns)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        for index, header in enumerate(headers, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = _width(str(header))
        for index in text_columns:
            sheet.column_dimensions[get_column_letter(index + 1)].number_format = "@"
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=_xlsx_value(header))
            cell.font = Font(bold=True)
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append([_xlsx_value(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    return str(safe_cell(value))


def write_csv(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """Comma-separated, CRLF line ends, UTF-8 with BOM."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_value(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")
