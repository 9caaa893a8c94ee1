"""The student-sheet import engine: bytes and a filename in, a preview of good rows and every problem out.

Pure: it reads no database and no request. The caller passes the reference data (majors, cities) as plain
dictionaries and decides what to save. Problems carry the row number as Excel shows it, the column header as
written in the sheet, and a reason that is an English msgid with placeholders, translated where it is shown.
"""

__all__ = ["MAX_ROWS", "Preview", "Problem", "References", "StudentRow", "build_preview"]

from dataclasses import asdict, dataclass, field
from datetime import date

from openpyxl.utils import get_column_letter

from marketplace.cohorts import fields as f
from marketplace.cohorts.columns import HEADER_SEARCH_ROWS, HEADERS, REQUIRED, header_key
from marketplace.cohorts.models import Gender
from marketplace.cohorts.spreadsheet import N_, FileRejected, Formula, Sheet, merged_label, open_sheet
from marketplace.reference.models import MajorLevel

MAX_ROWS = 5000
MERGES_LISTED = 10


@dataclass(frozen=True)
class References:
    """Reference data to check against: majors by (level, code) -> (id, name), by (level, name) -> id or None if
    several majors share the name; cities by name -> id."""

    majors_by_code: dict[tuple[MajorLevel, str], tuple[int, str]]
    majors_by_name: dict[tuple[MajorLevel, str], int | None]
    cities: dict[str, int]


@dataclass(frozen=True)
class Problem:
    row: int | None  # None: the whole file
    column: str
    reason: str
    params: dict = field(default_factory=dict)


@dataclass
class StudentRow:
    """One good row. For phone and ID number, None means 'leave as stored' (the sheet held a masked value)."""

    row: int
    student_no: str
    name: str
    gender: Gender
    birth_date: date
    enrolled_on: date
    level: MajorLevel
    major_id: int
    certificates: list[tuple[str, int]] = field(default_factory=list)
    skills: str = ""
    grade_score: float | None = None
    wanted_city_ids: list[int] = field(default_factory=list)
    wanted_kinds: list[str] = field(default_factory=list)
    phone: str | None = ""
    id_number: str | None = ""
    consent: bool | None = None

    def to_dict(self) -> dict:
        values = asdict(self)
        for key in ("birth_date", "enrolled_on"):
            values[key] = values[key].isoformat() if values[key] else None
        return values

    @classmethod
    def from_dict(cls, values: dict) -> "StudentRow":
        values = dict(values)
        for key in ("birth_date", "enrolled_on"):
            values[key] = date.fromisoformat(values[key]) if values[key] else None
        values["gender"] = Gender(values["gender"]) if values["gender"] else None
        values["level"] = MajorLevel(values["level"]) if values["level"] else None
        values["certificates"] = [tuple(pair) for pair in values["certificates"]]
        return cls(**values)


@dataclass
class Preview:
    filename: str
    columns: frozenset[str] = frozenset()  # the fields the sheet has: only those are written on update
    rows: list[StudentRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    total_rows: int = 0
    ignored_columns: list[tuple[str, str]] = field(default_factory=list)  # (column letter, header or "")
    notices: list[Problem] = field(default_factory=list)  # what the reader should know, blocking nothing

    def to_dict(self) -> dict:
        """Plain JSON-ready data: the preview is kept beside the upload and read back, not parsed again."""
        return {
            "filename": self.filename,
            "columns": sorted(self.columns),
            "rows": [r.to_dict() for r in self.rows],
            "problems": [asdict(p) for p in self.problems],
            "total_rows": self.total_rows,
            "ignored_columns": [list(c) for c in self.ignored_columns],
            "notices": [asdict(p) for p in self.notices],
        }

    @classmethod
    def from_dict(cls, values: dict) -> "Preview":
        return cls(
            filename=values["filename"],
            columns=frozenset(values["columns"]),
            rows=[StudentRow.from_dict(r) for r in values["rows"]],
            problems=[Problem(**p) for p in values["problems"]],
            total_rows=values["total_rows"],
            ignored_columns=[tuple(c) for c in values["ignored_columns"]],
            notices=[Problem(**p) for p in values["notices"]],
        )

    @property
    def file_errors(self) -> list[Problem]:
        return [p for p in self.problems if p.row is None]

    @property
    def bad_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems if p.row is not None})

    @property
    def good_count(self) -> int:
        return len(self.rows)

    @property
    def bad_count(self) -> int:
        return len(self.bad_rows)

    @property
    def can_commit(self) -> bool:
        return not self.file_errors and bool(self.rows)


def build_preview(
    data: bytes, filename: str, refs: References, *, today: date | None = None, max_rows: int = MAX_ROWS
) -> Preview:
    preview = Preview(filename=filename)
    try:
        _read(open_sheet(data, filename), preview, refs, today or date.today(), max_rows)
    except FileRejected as exc:
        return Preview(filename=filename, problems=[Problem(None, "", exc.reason, exc.params)])
    return preview


def _read(sheet: Sheet, preview: Preview, refs: References, today: date, max_rows: int) -> None:
    header = None
    seen: dict[str, int] = {}  # student number -> the first row that has it
    unheaded: set[int] = set()  # positions of columns with values under an empty header cell
    for number, values in sheet:
        if header is None:
            if number > HEADER_SEARCH_ROWS:
                break
            if "student_no" in map(header_key, values):
                header = _columns(values, preview)
                _check_merged(sheet, number, preview)
                if preview.file_errors:
                    return
            continue
        preview.total_rows += 1
        if preview.total_rows > max_rows:
            raise FileRejected(
                N_("The sheet has more than %(n)d rows of students: split it into several files."), n=max_rows
            )
        labels = header["labels"]
        unheaded.update(p for p, v in enumerate(values) if not labels.get(p) and v is not None and f.text(v))
        _RowReader(number, values, header, refs, today).read_into(preview, seen)
    preview.ignored_columns.extend((get_column_letter(p + 1), "") for p in sorted(unheaded))
    if sheet.stopped:
        preview.notices.append(Problem(None, "", *sheet.stopped))
    if header is None:
        _columns([], preview)
    elif not preview.total_rows:
        preview.problems.append(Problem(None, "", N_("The sheet has headers but no students.")))


def _check_merged(sheet: Sheet, header_row: int, preview: Preview) -> None:
    """Merged cells hide values: a merged header leaves a column without its name, merged rows share one value."""
    in_header = [merged_label(m) for m in sheet.merged if m[1] <= header_row <= m[3]]
    below = [merged_label(m) for m in sheet.merged if m[1] > header_row]
    if in_header:
        preview.problems.append(
            Problem(
                None,
                "",
                N_("The header row has merged cells (%(cells)s): unmerge them so that each column has its own header."),
                {"cells": "、".join(in_header[:MERGES_LISTED])},
            )
        )
    if below:
        preview.problems.append(
            Problem(
                None,
                "",
                N_("Cells are merged below the headers (%(cells)s): unmerge them and fill in every cell."),
                {"cells": "、".join(below[:MERGES_LISTED]) + ("…" if len(below) > MERGES_LISTED else "")},
            )
        )


def _columns(values: list, preview: Preview) -> dict:
    """Map the header row to fields: {'index': field -> position, 'labels': position -> header as written}."""
    index: dict[str, int] = {}
    labels: dict[int, str] = {}
    for position, cell in enumerate(values):
        key, label = header_key(cell), f.text(cell)
        labels[position] = label
        if key is None:
            if label:
                preview.ignored_columns.append((get_column_letter(position + 1), label))
        elif key in index:
            preview.problems.append(
                Problem(None, label, N_("Two columns are headed %(value)s: keep one."), {"value": label})
            )
        else:
            index[key] = position
    missing = [HEADERS[k] for k in REQUIRED if k not in index]
    if "major_code" not in index and "major_name" not in index:
        missing.append(f"{HEADERS['major_code']}/{HEADERS['major_name']}")
    if missing:
        preview.problems.append(
            Problem(None, "", N_("Missing required columns: %(columns)s."), {"columns": "、".join(missing)})
        )
    preview.columns = frozenset(index)
    return {"index": index, "labels": labels}


class _RowReader:
    def __init__(self, number: int, values: list, header: dict, refs: References, today: date):
        self.number, self.values, self.refs, self.today = number, values, refs, today
        self.index, self.labels = header["index"], header["labels"]
        self.problems: list[Problem] = []

    def label(self, position: int) -> str:
        return self.labels.get(position) or get_column_letter(position + 1)

    def problem(self, key: str, reason: str, **params) -> None:
        self.problems.append(Problem(self.number, self.label(self.index[key]), reason, params))

    def cell(self, key: str, parser, *args, default=None):
        if key not in self.index:
            return default
        position = self.index[key]
        value = self.values[position] if position < len(self.values) else None
        if isinstance(value, Formula):
            return default
        try:
            return parser(value, *args)
        except f.CellError as exc:
            self.problem(key, exc.reason, **exc.params)
            return default

    def read_into(self, preview: Preview, seen: dict[str, int]) -> None:
        for position, value in enumerate(self.values):
            if isinstance(value, Formula):
                column = self.label(position)
                self.problems.append(
                    Problem(self.number, column, N_("Formulas are not accepted: type the value itself."))
                )
        student_no = self.cell("student_no", f.required_limited, 32)
        row = StudentRow(
            row=self.number,
            student_no=student_no or "",
            name=self.cell("name", f.required_limited, 64) or "",
            gender=self.cell("gender", f.parse_gender),
            birth_date=self.cell("birth_date", f.parse_date),
            enrolled_on=self.cell("enrolled_on", f.parse_date),
            level=self.cell("level", f.parse_level),
            major_id=0,
            certificates=self.cell("certificates", f.parse_certificates_cell, default=[]),
            skills=self.cell("skills", f.limited, 2000, default=""),
            grade_score=self.cell("grade_score", f.parse_score),
            wanted_city_ids=self.cell("wanted_cities", f.parse_cities, self.refs.cities, default=[]),
            wanted_kinds=self.cell("wanted_kinds", f.parse_kinds, default=[]),
            phone=self.cell("phone", f.parse_phone, default=""),
            id_number=self.cell("id_number", f.parse_id_number, default=""),
            consent=self.cell("consent", f.parse_consent),
        )
        row.phone = None if row.phone is f.KEEP else row.phone
        row.id_number = None if row.id_number is f.KEEP else row.id_number
        self.check_dates(row)
        if row.level is not None:
            row.major_id = self.major(row.level) or 0
        if student_no:
            self.check_duplicate(student_no, seen)
        preview.problems.extend(self.problems)
        if not self.problems:
            preview.rows.append(row)

    def check_dates(self, row: StudentRow) -> None:
        if row.birth_date and row.birth_date > self.today:
            self.problem("birth_date", N_("The birth date is in the future."))
        elif row.birth_date and row.enrolled_on and row.birth_date >= row.enrolled_on:
            self.problem("birth_date", N_("The birth date is not before the enrolment date."))
        if row.id_number and row.birth_date and f.id_birth_date(row.id_number) != row.birth_date:
            self.problem(
                "id_number",
                N_("The birth date in the ID number (%(value)s) differs from the birth date column."),
                value=f.id_birth_date(row.id_number).isoformat(),
            )

    def major(self, level: MajorLevel) -> int | None:
        code = self.cell("major_code", f.text, default="")
        name = self.cell("major_name", f.text, default="")
        level_name = f.LEVEL_NAMES[level]
        if code:
            found = self.refs.majors_by_code.get((level, code))
            if found is None:
                self.problem(
                    "major_code", N_("No %(level)s major has the code %(value)s."), level=level_name, value=code
                )
                return None
            if name and name != found[1]:
                self.problem(
                    "major_name", N_("The major code %(value)s is %(name)s, not this major."), value=code, name=found[1]
                )
            return found[0]
        if not name:
            self.problem(
                "major_name" if "major_name" in self.index else "major_code",
                N_("Give the major code or the major name."),
            )
            return None
        key = (level, name)
        if key not in self.refs.majors_by_name:
            self.problem("major_name", N_("No %(level)s major is named %(value)s."), level=level_name, value=name)
        elif self.refs.majors_by_name[key] is None:
            self.problem(
                "major_name",
                N_("Several %(level)s majors are named %(value)s: give the code."),
                level=level_name,
                value=name,
            )
        return self.refs.majors_by_name.get(key)

    def check_duplicate(self, student_no: str, seen: dict[str, int]) -> None:
        if student_no in seen:
            self.problem(
                "student_no",
                N_("Student number %(value)s is also on row %(row)d."),
                value=student_no,
                row=seen[student_no],
            )
        else:
            seen[student_no] = self.number
