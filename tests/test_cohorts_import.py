"""The import engine: every problem by row, column and reason; encodings; formulas; hostile files."""

import codecs
import io
import zipfile
from datetime import date

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.worksheet.formula import ArrayFormula

from marketplace.cohorts import spreadsheet
from marketplace.cohorts.fields import ID_CHECK, ID_WEIGHTS, id_number_error
from marketplace.cohorts.importer import References, build_preview
from marketplace.plans.models import OpeningKind
from marketplace.reference.models import MajorLevel
from tests.test_cohorts_sheets import COLUMNS, csv_bytes, id_number, preview, student, xlsx


def reasons(result) -> list[tuple]:
    return [(p.row, p.column, p.reason) for p in result.problems]


def test_400_rows_with_3_bad_rows_reports_exactly_those_3():
    rows = [student(n) for n in range(1, 401)]
    rows[49]["出生日期"] = "2007-02-30"  # Excel row 51
    rows[199]["意向城市"] = "衡水市;火星市"  # row 201
    rows[349]["专业代码"] = "999999"  # row 351
    result = preview(xlsx(rows))
    assert (result.total_rows, result.good_count, result.bad_count) == (400, 397, 3)
    assert reasons(result) == [
        (51, "出生日期", "This date does not exist: %(value)s."),
        (201, "意向城市", "Unknown city %(value)s: write prefecture-level cities such as 衡水市."),
        (351, "专业代码", "No %(level)s major has the code %(value)s."),
    ]
    assert result.problems[1].params == {"value": "火星市"}
    assert result.problems[2].params == {"level": "中职", "value": "999999"}


def test_a_good_row_is_read_completely():
    row = build_preview(
        xlsx([student(7, 证书="焊工:高级技师；电工:初级", 意向类型="订单班/冠名班、就业", 同意共享="同意")]),
        "a.xlsx",
        References({(MajorLevel.ZHONGZHI, "660105"): (42, "焊接技术应用")}, {}, {"衡水市": 1, "德州市": 2}),
        today=date(2027, 1, 1),
    ).rows[0]  # pure: plain dictionaries stand in for the database
    assert (row.row, row.student_no, row.name, row.major_id, row.level) == (2, "202400007", "学生7", 42, "zhongzhi")
    assert row.certificates == [("焊工", 5), ("电工", 1)]
    assert row.wanted_city_ids == [1, 2]
    assert row.wanted_kinds == [OpeningKind.ORDER_CLASS.value, OpeningKind.EMPLOYMENT.value]
    assert (row.phone, row.consent, row.grade_score) == ("13900000007", True, 67.0)


def test_duplicate_student_number_is_reported_on_the_later_row():
    rows = [student(1), student(2), student(3, 学号="202400001")]
    result = preview(xlsx(rows))
    assert reasons(result) == [(4, "学号", "Student number %(value)s is also on row %(row)d.")]
    assert result.problems[0].params == {"value": "202400001", "row": 2}
    assert result.good_count == 2


@pytest.mark.parametrize(
    ("changes", "column", "reason"),
    [
        ({"出生日期": "2007-02-30"}, "出生日期", "This date does not exist: %(value)s."),
        ({"入学日期": "2023-13-01"}, "入学日期", "This date does not exist: %(value)s."),
        ({"出生日期": "去年"}, "出生日期", "Not a date: write it as YYYY-MM-DD."),
        ({"出生日期": date(2030, 1, 1), "身份证号": ""}, "出生日期", "The birth date is in the future."),
        (
            {"出生日期": date(2025, 1, 1), "身份证号": ""},
            "出生日期",
            "The birth date is not before the enrolment date.",
        ),
        ({"姓名": ""}, "姓名", "This cell must not be empty."),
        ({"性别": "未知"}, "性别", "Write 男 or 女, not %(value)s."),
        ({"层次": "本科"}, "层次", "Write 技工, 中职 or 高职, not %(value)s."),
        ({"专业代码": "460110"}, "专业代码", "No %(level)s major has the code %(value)s."),  # a 高职 code
        ({"专业": "烹饪"}, "专业", "The major code %(value)s is %(name)s, not this major."),
        ({"专业代码": "", "专业": "烹饪"}, "专业", "No %(level)s major is named %(value)s."),
        ({"专业代码": "", "专业": ""}, "专业", "Give the major code or the major name."),
        ({"意向城市": "火星"}, "意向城市", "Unknown city %(value)s: write prefecture-level cities such as 衡水市."),
        (
            {"意向类型": "打工"},
            "意向类型",
            "Unknown kind %(value)s: write 就业, 岗位实习, 认识实习, 工学交替, 订单班 or 现代学徒制.",
        ),
        (
            {"证书": "焊工:大师"},
            "证书",
            "Write certificates as name:level separated by semicolons (初级, 中级, 高级, 技师, 高级技师): %(value)s",
        ),
        ({"成绩": 101}, "成绩", "The score must be a number from 0 to 100."),
        ({"成绩": "优"}, "成绩", "The score must be a number from 0 to 100."),
        ({"联系电话": "1391234567"}, "联系电话", "Enter an 11-digit mainland mobile number."),
        (
            {"身份证号": "131102200801010011"},
            "身份证号",
            "The ID number's check digit does not match: look for a typo.",
        ),
        ({"身份证号": "13110220080101"}, "身份证号", "An ID number has 18 characters: 17 digits, then a digit or X."),
        (
            {"身份证号": 1.311022008010100e17},
            "身份证号",
            "The ID number was stored as a number and lost digits: format the column as text.",
        ),
        (
            {"身份证号": id_number(date(2000, 1, 1))},
            "身份证号",
            "The birth date in the ID number (%(value)s) differs from the birth date column.",
        ),
        ({"同意共享": "也许"}, "同意共享", "Write 是 or 否, not %(value)s."),
        ({"学号": "1" * 33}, "学号", "At most %(n)d characters."),
    ],
)
def test_each_kind_of_bad_cell_is_reported_where_it_is(changes, column, reason):
    result = preview(xlsx([student(1), student(2, **changes)]))
    assert reasons(result) == [(3, column, reason)]
    assert result.good_count == 1


def test_every_problem_of_a_row_is_listed_and_the_row_counted_once():
    result = preview(xlsx([student(1, 性别="?", 出生日期="x", 联系电话="12")]))
    assert [p.column for p in result.problems] == ["性别", "出生日期", "联系电话"]
    assert (result.bad_count, result.good_count) == (1, 0)


@pytest.mark.parametrize("text", ["2008/5/12", "2008.5.12", "2008年5月12日", "20080512", "2008-05-12 00:00:00"])
def test_common_ways_of_writing_a_date_are_read(text):
    result = preview(xlsx([student(1, 出生日期=text, 身份证号="")]))
    assert result.problems == []
    assert result.rows[0].birth_date == date(2008, 5, 12)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("是", True), ("否", False), ("", None), ("Y", True), ("不同意", False), (True, True)],
)
def test_consent_values(cell, expected):
    assert preview(xlsx([student(1, 同意共享=cell)])).rows[0].consent is expected


def test_phone_and_id_number_are_normalised_and_masked_values_mean_unchanged():
    birth = student(1)["出生日期"]
    with_x = next(n for n in (id_number(birth, s) for s in range(1000)) if n.endswith("X"))
    rows = [
        student(1, 联系电话="139-0000-0001", 身份证号=with_x.lower()),
        student(2, 联系电话="+86 139 0000 0002"),
        student(3, 联系电话="139****0003", 身份证号="131102********0013"),
    ]
    result = preview(xlsx(rows))
    assert result.problems == []
    first, second, third = result.rows
    assert (first.phone, first.id_number) == ("13900000001", with_x)
    assert second.phone == "13900000002"
    assert (third.phone, third.id_number) == (None, None)


def test_formula_cells_are_refused_wherever_they_are():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([*COLUMNS, "备注"])
    for n in (1, 2, 3):
        sheet.append([student(n)[c] for c in COLUMNS] + ["ok"])
    sheet["B2"] = '=A2&"x"'  # 姓名
    sheet["Q3"] = "=cmd|' /C calc'!A0"  # an unrecognised column still may not hold formulas
    sheet["K4"] = ArrayFormula("K4:K4", "=SUM(1,2)")  # 成绩
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = preview(buffer.getvalue())
    formula = "Formulas are not accepted: type the value itself."
    assert [(p.row, p.column) for p in result.problems if p.reason == formula] == [
        (2, "姓名"),
        (3, "备注"),
        (4, "成绩"),
    ]
    assert result.good_count == 0
    assert result.ignored_columns == [("Q", "备注")]


def test_formula_text_in_a_csv_is_refused_too():
    result = preview(csv_bytes([student(1, 姓名="=cmd|' /C calc'!A0")]), "a.csv")
    assert reasons(result) == [(2, "姓名", "Formulas are not accepted: type the value itself.")]


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("gb18030", ","), ("utf-8-sig", ","), ("utf-8", ","), ("utf-16", "\t"), ("gb18030", ";")],
)
def test_csv_encodings_and_separators_are_detected(encoding, delimiter):
    rows = [student(1, 姓名="张𠮷"), student(2, 姓名="欧阳娜娜")]  # 𠮷 needs GB18030's four-byte codes
    result = preview(csv_bytes(rows, encoding=encoding, delimiter=delimiter), "名单.csv")
    assert result.problems == []
    assert [r.name for r in result.rows] == ["张𠮷", "欧阳娜娜"]
    assert result.rows[0].certificates == [("焊工", 2), ("电工", 1)]


def test_gb18030_text_is_not_mistaken_for_utf8():
    data = csv_bytes([student(1, 姓名="王小明")], encoding="gb18030")
    assert not data.startswith(codecs.BOM_UTF8)
    assert preview(data, "a.csv").rows[0].name == "王小明"


def test_binary_data_named_csv_is_refused():
    result = preview(bytes(range(256)) * 10, "a.csv")
    assert [p.reason for p in result.file_errors] == [
        "The CSV file is not text in UTF-8 or GB18030: save it again as CSV."
    ]


def test_title_rows_above_the_headers_and_header_variants_are_accepted():
    columns = [c + "*" if c in ("学号", "姓名") else c for c in COLUMNS]
    columns[columns.index("联系电话")] = "手机号"
    columns[columns.index("出生日期")] = "出生日期（YYYY-MM-DD）"
    rows = [{columns[i]: v for i, v in enumerate(student(n).values())} for n in (1, 2)]
    rows[1][columns[columns.index("性别")]] = "?"
    result = preview(xlsx(rows, columns, title_rows=2))
    assert reasons(result) == [(5, "性别", "Write 男 or 女, not %(value)s.")]  # headers on row 3
    assert result.rows[0].phone == "13900000001"


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_excel():
    data = xlsx([student(1), {}, student(3, 性别="?")])
    result = preview(data)
    assert result.total_rows == 2
    assert reasons(result) == [(4, "性别", "Write 男 or 女, not %(value)s.")]


def test_missing_required_columns_are_a_file_level_error():
    columns = [c for c in COLUMNS if c not in ("姓名", "专业代码", "专业")]
    result = preview(xlsx([student(1)], columns))
    assert [(p.row, p.reason) for p in result.problems] == [(None, "Missing required columns: %(columns)s.")]
    assert result.problems[0].params == {"columns": "姓名、专业代码/专业"}
    assert not result.can_commit
    assert result.total_rows == 0


def test_a_sheet_without_headers_is_refused():
    result = preview(xlsx([{"x": 1}], ["x"]))
    assert result.file_errors
    assert result.file_errors[0].reason == "Missing required columns: %(columns)s."


def test_two_columns_with_the_same_header_are_refused():
    result = preview(xlsx([student(1)], [*COLUMNS, "学号"]))
    assert [p.reason for p in result.file_errors] == ["Two columns are headed %(value)s: keep one."]


def test_too_many_rows_is_a_file_level_error():
    rows = [student(n) for n in range(1, 12)]
    result = preview(xlsx(rows), max_rows=10)
    assert [(p.reason, p.params) for p in result.problems] == [
        ("The sheet has more than %(n)d rows of students: split it into several files.", {"n": 10})
    ]
    assert preview(xlsx(rows[:10]), max_rows=10).good_count == 10


def test_the_default_cap_is_5000_rows():
    rows = [student(1)] * 5001  # duplicates do not matter: the cap stops the reading first
    result = preview(csv_bytes(rows), "big.csv")
    assert [p.params for p in result.file_errors] == [{"n": 5000}]


def test_oversized_files_are_refused_before_reading():
    data = xlsx([student(1)])
    result = preview(data + b"\0" * (spreadsheet.MAX_UPLOAD_BYTES + 1 - len(data)))
    assert [(p.reason, p.params) for p in result.file_errors] == [("The file is larger than %(mb)d MB.", {"mb": 5})]


def _zip(entries: dict[str, bytes], *, padding: int = 0) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
        if padding:
            with archive.open("xl/media/padding.bin", "w") as fh:
                for _ in range(padding):
                    fh.write(bytes(1024 * 1024))
    return buffer.getvalue()


@pytest.fixture
def openpyxl_must_not_open(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl was asked to open a hostile file")

    monkeypatch.setattr(spreadsheet.openpyxl, "load_workbook", refuse)


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(openpyxl_must_not_open):
    bomb = _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"}, padding=61)
    assert len(bomb) < 200_000  # 61 MB of zeros squeezed into a small upload
    result = preview(bomb)
    assert [p.reason for p in result.file_errors] == [
        "The workbook unpacks to more than %(mb)d MB or %(n)d parts and was not opened."
    ]


def test_a_zip_with_too_many_parts_is_refused(openpyxl_must_not_open):
    many = _zip({"xl/workbook.xml": b"<x/>"} | {f"xl/p{i}.xml": b"<x/>" for i in range(250)})
    assert preview(many).file_errors[0].params == {"mb": 60, "n": 200}


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"not a zip at all", "a.xlsx"),
        (_zip({"word/document.xml": b"<x/>"}), "a.xlsx"),  # a .docx renamed
        (b"PK\x03\x04" + b"\0" * 100, "a.xlsx"),
    ],
)
def test_files_that_are_not_workbooks_are_refused(data, filename):
    assert preview(data, filename).file_errors[0].reason == "The file is not a valid Excel workbook (.xlsx)."


@pytest.mark.parametrize("filename", ["a.xls", "a.xlsm", "a.txt", "noextension"])
def test_other_file_types_are_refused(filename):
    result = preview(xlsx([student(1)]), filename)
    assert result.file_errors[0].reason == "Upload an .xlsx or .csv file (save older .xls files as .xlsx first)."


def test_xml_entity_expansion_is_refused_by_defusedxml():
    assert openpyxl.DEFUSEDXML is True
    source = zipfile.ZipFile(io.BytesIO(xlsx([student(1)])))
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    entries = {i.filename: source.read(i.filename) for i in source.infolist()}
    entries["xl/worksheets/sheet1.xml"] = laughs
    assert preview(_zip(entries)).file_errors[0].reason == "The file is not a valid Excel workbook (.xlsx)."


@given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.integers(0, 16), st.integers(1, 9))
def test_the_id_check_digit_catches_every_single_digit_typo(first17, position, shift):
    first17 = "131102" + "20080512" + first17[14:]  # a real birth date keeps the date check out of the way
    number = first17 + ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]
    assert id_number_error(number) is None
    if position >= 14:  # change a serial digit so that only the check digit can notice
        typo = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1 :]
        assert id_number_error(typo) == "The ID number's check digit does not match: look for a typo."


@pytest.mark.parametrize("lead", [" ", "  ", "\t", "\u3000", "\xa0", "\u2003", "\u200b", "\ufeff", "\n", " \t\u3000"])
@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_formulas_behind_leading_spaces_or_invisible_characters_are_refused(lead, kind):
    rows = [student(1, 姓名=lead + "=1+1"), student(2, 技能=lead + "=cmd|' /C calc'!A0")]
    data, filename = (xlsx(rows), "a.xlsx") if kind == "xlsx" else (csv_bytes(rows), "a.csv")
    result = preview(data, filename)
    formula = "Formulas are not accepted: type the value itself."
    assert [(p.row, p.column, p.reason) for p in result.problems] == [(2, "姓名", formula), (3, "技能", formula)]
    assert result.good_count == 0


@pytest.mark.parametrize("value", ["1=1", "a = b", "＝1+1", "-5", "+86 139", "@home"])
def test_text_that_only_contains_an_equals_sign_is_not_a_formula(value):
    result = preview(xlsx([student(1, 技能=value)]))
    assert result.problems == []
    assert result.rows[0].skills == value


def merged_workbook(merges: list[str], rows: int = 30) -> bytes:
    """The probe's sheet: 联系电话 merged over 身份证号 (N1:O1) keeps only 联系电话 as a header."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for n in range(1, rows + 1):
        sheet.append([student(n)[c] for c in COLUMNS])
    for cells in merges:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_merged_header_cells_refuse_the_sheet_naming_the_cells():
    result = preview(merged_workbook(["N1:O1"]))
    assert [(p.reason, p.params) for p in result.file_errors] == [
        (
            "The header row has merged cells (%(cells)s): unmerge them so that each column has its own header.",
            {"cells": "N1:O1"},
        )
    ]
    assert not result.can_commit
    assert result.rows == []  # nothing, rather than 30 students without their ID numbers


def test_merged_cells_below_the_headers_refuse_the_sheet_and_a_merged_title_above_them_does_not():
    result = preview(merged_workbook(["M3:M5", "B7:C7"]))
    assert [(p.reason, p.params) for p in result.file_errors] == [
        (
            "Cells are merged below the headers (%(cells)s): unmerge them and fill in every cell.",
            {"cells": "M3:M5、B7:C7"},
        )
    ]
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx([student(1)], title_rows=1)))
    workbook.active.merge_cells("A1:P1")  # the title line over the headers
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert preview(buffer.getvalue()).problems == []


def test_every_header_not_recognised_is_reported_by_name_and_column_letter():
    columns = [*COLUMNS[:3], "班主任", *COLUMNS[3:], "备注", None, "家庭住址"]
    rows = [student(1) | {"班主任": "王老师", "备注": "x"}, student(2)]
    sheet_rows = [[r.get(c) if c else None for c in columns] for r in rows]
    sheet_rows[1][columns.index(None)] = "no header above me"
    workbook = openpyxl.Workbook()
    for row in [columns, *sheet_rows]:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = preview(buffer.getvalue())
    assert result.problems == []
    assert result.ignored_columns == [("D", "班主任"), ("R", "备注"), ("T", "家庭住址"), ("S", "")]
