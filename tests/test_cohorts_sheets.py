"""Student sheets built in the tests with openpyxl and csv (no binary fixtures), and the template's round trip.

The builders are imported by the other test_cohorts_* modules.
"""

import csv
import io
from datetime import date

import openpyxl

from marketplace.cohorts.columns import HEADERS, template_xlsx
from marketplace.cohorts.fields import ID_CHECK, ID_WEIGHTS
from marketplace.cohorts.importer import build_preview
from marketplace.cohorts.services import import_references

COLUMNS = list(HEADERS.values())


def id_number(birth: date, serial: int = 1, region: str = "131102") -> str:
    """A resident ID number with a correct check character (GB 11643)."""
    first17 = f"{region}{birth:%Y%m%d}{serial:03d}"
    return first17 + ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def student(n: int, **changes) -> dict:
    """A good row for student number 2024xxxxx; `changes` are keyed by Chinese header."""
    birth = date(2008, 1 + n % 12, 1 + n % 28)
    row = {
        "学号": f"2024{n:05d}",
        "姓名": f"学生{n}",
        "性别": "男" if n % 2 else "女",
        "出生日期": birth,
        "入学日期": date(2024, 9, 1),
        "专业代码": "660105",
        "专业": "焊接技术应用",
        "层次": "中职",
        "证书": "焊工:中级;电工:初级",
        "技能": "手工电弧焊",
        "成绩": 60 + n % 40,
        "意向城市": "衡水市;德州市",
        "意向类型": "岗位实习;就业",
        "联系电话": f"139{n:08d}",
        "身份证号": id_number(birth, n % 1000),
        "同意共享": "是" if n % 3 else "否",
    }
    row.update(changes)
    return row


def xlsx(rows: list[dict], columns: list[str] = COLUMNS, *, title_rows: int = 0) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for _ in range(title_rows):
        sheet.append(["2027届毕业生名单"])
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[dict], columns: list[str] = COLUMNS, *, encoding="utf-8", delimiter=",") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else str(row.get(c)) for c in columns])
    return buffer.getvalue().encode(encoding)


def preview(data: bytes, filename: str = "students.xlsx", **kwargs):
    return build_preview(data, filename, import_references(), today=date(2027, 1, 1), **kwargs)


def test_the_template_has_the_chinese_headers_and_an_example_that_imports_cleanly():
    data = template_xlsx()
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in sheet[1]] == COLUMNS
    assert sheet.max_row == 2
    assert sheet.column_dimensions["A"].number_format == "@"  # 学号 keeps leading zeros when typed
    result = preview(data, "模板.xlsx")
    assert result.problems == []
    assert [r.student_no for r in result.rows] == ["2024010101"]


def test_the_builders_make_good_rows():
    result = preview(xlsx([student(n) for n in range(1, 21)]))
    assert result.problems == []
    assert result.good_count == 20
