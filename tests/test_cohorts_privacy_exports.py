"""The shared helpers: masking (marketplace.privacy) and formula-safe spreadsheets (marketplace.exports)."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.exports import safe_cell, write_csv, write_xlsx
from marketplace.privacy import is_masked_id_number, is_masked_phone, mask_id_number, mask_phone


def test_mask_phone():
    assert mask_phone("13912345678") == "139****5678"
    assert mask_phone("0318-2150000") == "031*****0000"
    assert mask_phone("1234567") == "*******"
    assert mask_phone("") == mask_phone(None) == ""


def test_mask_id_number_keeps_region_and_last_four_and_hides_the_birth_date():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("") == ""
    assert mask_id_number("1234567890") == "**********"


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_a_masked_mobile_number_is_recognised_as_masked_and_hides_four_digits(phone):
    masked = mask_phone(phone)
    assert is_masked_phone(masked)
    assert masked.count("*") == 4
    assert masked[:3] + masked[-4:] == phone[:3] + phone[-4:]


def test_a_masked_id_number_is_recognised():
    assert is_masked_id_number(mask_id_number("11010519491231002X"))
    assert not is_masked_id_number("11010519491231002X")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("张三", "张三"),
        ("a=b", "a=b"),
        (-5, -5),
        (None, None),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_write_csv_is_utf8_with_bom_and_neutralised():
    data = write_csv(["姓名", "=h"], [["=cmd|' /C calc'!A0", date(2027, 3, 1)], [None, -1.5]])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["姓名", "'=h"], ["'=cmd|' /C calc'!A0", "2027-03-01"], ["", "-1.5"]]
    assert b"\r\n" in data


def test_write_xlsx_keeps_numbers_and_dates_and_neutralises_text():
    data = write_xlsx(
        ["学号", "成绩", "日期"], [["=1+1", -3, date(2027, 3, 1)], ["a\x00b", 85.5, None]], text_columns=[0]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in sheet[1]] == ["学号", "成绩", "日期"]
    assert sheet["A2"].value == "'=1+1"
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -3
    assert sheet["C2"].value.date() == date(2027, 3, 1)
    assert sheet["A3"].value == "ab"  # control characters XML cannot hold are dropped
    assert sheet.column_dimensions["A"].number_format == "@"
    assert sheet["A1"].font.b
