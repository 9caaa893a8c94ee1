"""Reading an uploaded sheet safely, before anything looks at its contents.

Checks, in this order: the file's size; its type by extension (and, for XLSX, by its zip signature); for XLSX the
zip's entry count and declared unpacked size, read from the central directory before openpyxl opens anything (a
zip bomb is refused unopened; Python's zipfile never inflates an entry beyond its declared size, so the declared
sizes are a real bound). openpyxl parses the XML through defusedxml (it does so whenever defusedxml is installed,
and it is a dependency), so entity expansion and external entities are refused too. The workbook is opened without
`data_only`, so formula cells stay visible and can be refused instead of silently turning into empty cells.

CSV is decoded as UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (which covers GBK/GB2312, what Excel on
Chinese Windows writes), and split on the most frequent of comma, tab and semicolon in its first line.

The work is bounded before and while reading, because a small file can declare or hold millions of blank rows (a
4.3 MB workbook with 58 MB of blank rows cost 30 s of CPU): a sheet whose declared size is beyond MAX_SHEET_ROWS or
MAX_COLUMNS, or whose part holds more than MAX_CELLS cells, is refused unread; reading stops at row MAX_SHEET_ROWS
and after BLANK_RUN blank rows in a row, and `Sheet.stopped` says where and why.
"""

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator

import openpyxl
from openpyxl.utils import get_column_letter, range_boundaries

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ZIP_ENTRIES = 200
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_COLUMNS = 60
MAX_SHEET_ROWS = 20_000  # rows of a sheet read at most, blank or not (a file holds at most 5,000 students)
MAX_CELLS = 500_000  # cell elements in the sheet part: bounds the parse of rows that are very wide
BLANK_RUN = 1_000  # this many blank rows in a row end the reading
MAX_MERGES_LISTED = 10
_MERGE = re.compile(rb"<(?:[\w.-]+:)?mergeCell\s[^>]*?ref=\"([A-Za-z]{1,3}\d+(?::[A-Za-z]{1,3}\d+)?)\"")
_FORMULA = re.compile(r"^[\s\u200b-\u200d\u2060\ufeff]*=")  # Unicode spaces (also full-width), tabs, invisibles

Row = tuple[int, list]  # (row number as Excel shows it, cell values)


def N_(msgid: str) -> str:
    """Mark a message for translation; it is translated where it is shown."""
    return msgid


class FileRejected(Exception):
    """The whole file cannot be read; `reason` is a msgid, `params` its placeholders."""

    def __init__(self, reason: str, **params):
        super().__init__(reason)
        self.reason = reason
        self.params = params


class Formula:
    """A formula cell, kept as such so that the importer can refuse it where it stands."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"


def is_formula_text(value: str) -> bool:
    """Text that a spreadsheet would run as a formula, also behind leading spaces, tabs or invisible characters."""
    return bool(_FORMULA.match(value))


class Sheet:
    """The first sheet's rows as (row number as Excel shows it, values), blank rows skipped, within the bounds.

    `merged` lists the merged ranges as (min_col, min_row, max_col, max_row); `stopped` is set, as (msgid, params),
    when the reading ended before the end of the sheet.
    """

    def __init__(self, rows: Iterator[Row], merged: list[tuple[int, int, int, int]] | None = None):
        self._rows = rows
        self.merged = merged or []
        self.stopped: tuple[str, dict] | None = None

    def __iter__(self) -> Iterator[Row]:
        blanks = 0
        try:
            for number, values in self._rows:
                if number > MAX_SHEET_ROWS:
                    self.stopped = (
                        N_("Reading stopped after row %(row)d: at most %(row)d rows of a sheet are read."),
                        {"row": MAX_SHEET_ROWS},
                    )
                    return
                if not _blank(values):
                    blanks = 0
                    yield number, values
                    continue
                blanks += 1
                if blanks >= BLANK_RUN:
                    self.stopped = (
                        N_("Reading stopped at row %(row)d after %(n)d blank rows; rows below it were not read."),
                        {"row": number, "n": blanks},
                    )
                    return
        finally:
            close = getattr(self._rows, "close", None)
            if close is not None:
                close()


def merged_label(bounds: tuple[int, int, int, int]) -> str:
    min_col, min_row, max_col, max_row = bounds
    return f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}"


def open_sheet(data: bytes, filename: str) -> Sheet:
    """Check the file and return its first sheet, not yet read. Raises FileRejected."""
    if not data:
        raise FileRejected(N_("The file is empty."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileRejected(N_("The file is larger than %(mb)d MB."), mb=MAX_UPLOAD_BYTES // (1024 * 1024))
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "xlsx":
        return _xlsx_sheet(data)
    if extension == "csv":
        return Sheet(_csv_rows(data))
    raise FileRejected(N_("Upload an .xlsx or .csv file (save older .xls files as .xlsx first)."))


def check_zip(data: bytes) -> None:
    """Refuse anything that is not a plausible XLSX package, judging by the zip directory alone."""
    not_workbook = N_("The file is not a valid Excel workbook (.xlsx).")
    if not data.startswith(b"PK\x03\x04"):
        raise FileRejected(not_workbook)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise FileRejected(not_workbook) from exc
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
        raise FileRejected(
            N_("The workbook unpacks to more than %(mb)d MB or %(n)d parts and was not opened."),
            mb=MAX_UNPACKED_BYTES // (1024 * 1024),
            n=MAX_ZIP_ENTRIES,
        )
    if "xl/workbook.xml" not in {e.filename for e in entries}:
        raise FileRejected(not_workbook)


def _xlsx_sheet(data: bytes) -> Sheet:
    check_zip(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl, zipfile and defusedxml raise many kinds; all mean "not readable"
        raise FileRejected(N_("The file is not a valid Excel workbook (.xlsx).")) from exc
    try:
        if not workbook.worksheets:
            workbook.close()
            return Sheet(iter(()))
        sheet = workbook.worksheets[0]
        _check_declared_size(sheet)
        # The part's name is private to openpyxl (pinned ~=3.1); the zip directory was checked above.
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            part = archive.read(sheet._worksheet_path.lstrip("/"))
        merged = _check_part(part)
    except FileRejected:
        workbook.close()
        raise
    except Exception as exc:  # a broken or hostile sheet part
        workbook.close()
        raise FileRejected(N_("The file is not a valid Excel workbook (.xlsx).")) from exc
    return Sheet(_sheet_rows(workbook, sheet), merged)


def _check_declared_size(sheet) -> None:
    """Refuse, unread, a sheet that says it is larger than what is read (the declared size is read first)."""
    rows, columns = sheet.max_row or 0, sheet.max_column or 0
    if rows > MAX_SHEET_ROWS or columns > MAX_COLUMNS:
        raise FileRejected(
            N_(
                "The sheet declares the range %(range)s: at most %(rows)d rows and %(columns)d columns are read. "
                "Delete the empty rows and columns below and right of the data (or copy the data into a new "
                "workbook) and upload it again."
            ),
            range=f"A1:{get_column_letter(max(columns, 1))}{rows}",
            rows=MAX_SHEET_ROWS,
            columns=MAX_COLUMNS,
        )


def _check_part(part: bytes) -> list[tuple[int, int, int, int]]:
    """Count the sheet's cells without parsing it (a byte count is ~100x faster), and read its merged ranges."""
    cells = part.count(b"<c ") + part.count(b"<c>") + part.count(b":c ")
    if cells > MAX_CELLS:
        raise FileRejected(
            N_(
                "The sheet holds more than %(n)d cells, most of them empty: delete the empty rows and columns "
                "(or copy the data into a new workbook) and upload it again."
            ),
            n=MAX_CELLS,
        )
    if b"mergeCell" not in part:
        return []
    return [range_boundaries(ref.decode().upper()) for ref in _MERGE.findall(part)]


def _cell_value(cell):
    value = cell.value
    if cell.data_type == "f" or (isinstance(value, str) and is_formula_text(value)):
        return Formula(str(getattr(value, "text", value)))
    return value


def _sheet_rows(workbook, sheet) -> Iterator[Row]:
    try:
        sheet.reset_dimensions()  # some writers declare a wrong sheet size; read what is there, within the bounds
        for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
            yield number, [_cell_value(cell) for cell in cells]
    except FileRejected:
        raise
    except Exception as exc:  # a broken or hostile sheet part, found while streaming it
        raise FileRejected(N_("The file is not a valid Excel workbook (.xlsx).")) from exc
    finally:
        workbook.close()


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with BOM, else GB18030; refuses binary data."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = [(data[len(codecs.BOM_UTF8) :], "utf-8")]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [(data, "utf-16")]
    else:
        candidates = [(data, "utf-8"), (data, "gb18030")]
    for payload, encoding in candidates:
        try:
            text = payload.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise FileRejected(N_("The CSV file is not text in UTF-8 or GB18030: save it again as CSV."))


def _csv_rows(data: bytes) -> Iterator[Row]:
    text = decode_text(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _csv_records(reader)


def _csv_records(reader) -> Iterator[Row]:
    try:
        for number, record in enumerate(reader, start=1):
            yield number, [Formula(v) if is_formula_text(v) else v for v in record[:MAX_COLUMNS]]
    except csv.Error as exc:
        raise FileRejected(N_("The CSV file could not be read: %(error)s"), error=str(exc)) from exc


def _blank(values: list) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)
