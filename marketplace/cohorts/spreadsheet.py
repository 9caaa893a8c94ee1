"""Reading an uploaded sheet safely, before anything looks at its contents.

Checks, in this order: the file's size; its type by extension (and, for XLSX, by its zip signature); for XLSX the
zip's entry count and declared unpacked size, read from the central directory before openpyxl opens anything (a
zip bomb is refused unopened; Python's zipfile never inflates an entry beyond its declared size, so the declared
sizes are a real bound). openpyxl parses the XML through defusedxml (it does so whenever defusedxml is installed,
and it is a dependency), so entity expansion and external entities are refused too. The workbook is opened without
`data_only`, so formula cells stay visible and can be refused instead of silently turning into empty cells.

CSV is decoded as UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (which covers GBK/GB2312, what Excel on
Chinese Windows writes), and split on the most frequent of comma, tab and semicolon in its first line.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator

import openpyxl

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ZIP_ENTRIES = 200
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_COLUMNS = 60

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


def open_rows(data: bytes, filename: str) -> Iterator[Row]:
    """Check the file and return an iterator over its rows; blank rows are skipped. Raises FileRejected."""
    if not data:
        raise FileRejected(N_("The file is empty."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileRejected(N_("The file is larger than %(mb)d MB."), mb=MAX_UPLOAD_BYTES // (1024 * 1024))
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "xlsx":
        return _xlsx_rows(data)
    if extension == "csv":
        return _csv_rows(data)
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


def _xlsx_rows(data: bytes) -> Iterator[Row]:
    check_zip(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl, zipfile and defusedxml raise many kinds; all mean "not readable"
        raise FileRejected(N_("The file is not a valid Excel workbook (.xlsx).")) from exc
    return _sheet_rows(workbook)


def _cell_value(cell):
    value = cell.value
    if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
        return Formula(str(getattr(value, "text", value)))
    return value


def _sheet_rows(workbook) -> Iterator[Row]:
    try:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers declare a wrong sheet size; read what is there
        for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
            values = [_cell_value(cell) for cell in cells]
            if not _blank(values):
                yield number, values
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
            values = [Formula(v) if v.startswith("=") else v for v in record[:MAX_COLUMNS]]
            if not _blank(values):
                yield number, values
    except csv.Error as exc:
        raise FileRejected(N_("The CSV file could not be read: %(error)s"), error=str(exc)) from exc


def _blank(values: list) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)
