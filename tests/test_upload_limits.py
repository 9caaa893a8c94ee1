"""Uploads that cannot stall the site: parsing is bounded, done once, and holds no write lock (issue 12, item 4)."""

import io
import re
import sqlite3
import threading
import zipfile

import openpyxl
import pytest
import sqlalchemy as sa

from marketplace.auth.models import Role
from marketplace.cohorts import importer, spreadsheet
from marketplace.cohorts.models import Student
from marketplace.db import reading_only, writing
from tests.factories import SchoolFactory, UserFactory
from tests.test_cohorts_sheets import COLUMNS, csv_bytes, preview, student, xlsx
from tests.test_cohorts_views import upload

STOPPED_BLANK = "Reading stopped at row %(row)d after %(n)d blank rows; rows below it were not read."


def saved(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_blank_rows(data: bytes, first: int, count: int, *, then: list | None = None) -> bytes:
    """The probe's file: openpyxl's workbook plus `count` formatted blank rows from row `first`, which its declared
    dimension does not mention (so reading cannot be refused up front); `then` is a row of values after them."""
    rows = [f'<row r="{r}"><c r="A{r}" s="0"/><c r="B{r}" s="0"/></row>' for r in range(first, first + count)]
    if then:
        r = first + count
        cells = (f'<c r="{chr(65 + i)}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(then))
        rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"</sheetData>", "".join(rows).encode() + b"</sheetData>")
            archive.writestr(info, body)
    return out.getvalue()


def test_a_sheet_declaring_more_rows_than_are_read_is_refused_unread(monkeypatch):
    workbook = openpyxl.Workbook()
    workbook.active.append(COLUMNS)
    workbook.active.append([student(1)[c] for c in COLUMNS])
    workbook.active.cell(row=1_048_576, column=16).number_format = "@"  # one formatted cell on Excel's last row
    monkeypatch.setattr(spreadsheet, "_sheet_rows", lambda *a: pytest.fail("the rows were read"))
    result = preview(saved(workbook))
    assert [(p.reason, p.params) for p in result.file_errors] == [
        (
            "The sheet declares the range %(range)s: at most %(rows)d rows and %(columns)d columns are read. "
            "Delete the empty rows and columns below and right of the data (or copy the data into a new "
            "workbook) and upload it again.",
            {"range": "A1:P1048576", "rows": 20_000, "columns": 60},
        )
    ]


def test_a_sheet_wider_than_the_columns_read_is_refused_instead_of_losing_columns():
    workbook = openpyxl.Workbook()
    workbook.active.append([*COLUMNS, *[f"备注{i}" for i in range(50)]])  # 66 columns: 61 to 66 would go unread
    assert preview(saved(workbook)).file_errors[0].params["range"] == "A1:BN1"


def test_trailing_blank_rows_stop_the_reading_and_the_preview_says_where():
    thirty = xlsx([student(n) for n in range(1, 31)])  # rows 2 to 31
    data = with_blank_rows(thirty, 32, 150_000, then=["2024099999", "藏在空行后"])
    assert len(data) < spreadsheet.MAX_UPLOAD_BYTES
    result = preview(data)
    assert (result.total_rows, result.good_count, result.problems) == (30, 30, [])
    assert [(p.reason, p.params) for p in result.notices] == [(STOPPED_BLANK, {"row": 32 + 999, "n": 1000})]


def test_a_few_blank_rows_between_students_are_skipped_without_a_notice():
    data = with_blank_rows(xlsx([student(1)]), 3, 900, then=[])
    result = preview(data)
    assert (result.total_rows, result.notices) == (1, [])


def test_reading_stops_at_the_row_cap(monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_SHEET_ROWS", 40)
    rows = [student(n) for n in range(1, 60)]  # rows 2 to 60
    result = preview(csv_bytes(rows), "a.csv")
    assert result.total_rows == 39
    assert [(p.reason, p.params) for p in result.notices] == [
        ("Reading stopped after row %(row)d: at most %(row)d rows of a sheet are read.", {"row": 40})
    ]


def test_a_sheet_part_with_too_many_cells_is_refused_unread(monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_CELLS", 100)  # 11 rows of 16 cells
    monkeypatch.setattr(spreadsheet, "_sheet_rows", lambda *a: pytest.fail("the rows were read"))
    result = preview(xlsx([student(n) for n in range(1, 11)]))
    assert [(p.reason, p.params) for p in result.file_errors] == [
        (
            "The sheet holds more than %(n)d cells, most of them empty: delete the empty rows and columns "
            "(or copy the data into a new workbook) and upload it again.",
            {"n": 100},
        )
    ]


@pytest.fixture
def clerk(db):
    school = SchoolFactory()
    user = UserFactory(organization=school, role=Role.ORG_STAFF)
    db.session.commit()
    return user, school.id


def test_the_file_is_parsed_once_at_upload_not_on_each_view_nor_at_commit(client, login_as, db, clerk, monkeypatch):
    parses = []
    real = importer.open_sheet
    monkeypatch.setattr(importer, "open_sheet", lambda *args: parses.append(args[1]) or real(*args))
    user, school_id = clerk
    login_as(user)
    location = upload(client, school_id, xlsx([student(n) for n in range(1, 21)])).headers["Location"]
    assert parses == ["名单.xlsx"]
    for _ in range(2):
        assert 'id="good-rows">20<' in client.get(location).get_data(as_text=True)
    assert client.post(location, data={"mode": "good"}).status_code == 302
    assert parses == ["名单.xlsx"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Student)) == 20


def test_the_preview_page_names_merged_headers_and_unrecognised_columns(client, login_as, clerk):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    user, school_id = clerk
    login_as(user)
    workbook = openpyxl.Workbook()
    workbook.active.append(COLUMNS)
    workbook.active.append([student(1)[c] for c in COLUMNS])
    workbook.active.merge_cells("N1:O1")  # 联系电话 over 身份证号
    page = client.get(upload(client, school_id, saved(workbook)).headers["Location"]).get_data(as_text=True)
    assert "The header row has merged cells (N1:O1)" in page
    assert "No problems found" not in page
    data = xlsx([student(1) | {"备注": "x"}], [*COLUMNS, "备注"])
    page = client.get(upload(client, school_id, data).headers["Location"]).get_data(as_text=True)
    assert "Columns not recognised and ignored: 备注 (column Q)" in page
    assert "No problems found" not in page


def _sqlite_path(db) -> str:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the write lock at BEGIN is SQLite's; PostgreSQL locks rows, not the database")
    return db.engine.url.database


def _can_take_write_lock(path: str) -> bool:
    other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc):
            raise
        return False
    finally:
        other.close()


@pytest.mark.parametrize(
    ("method", "reading", "free"),
    [("GET", False, True), ("HEAD", False, True), ("OPTIONS", False, True), ("POST", False, False),
     ("POST", True, True), ("GET", "write", False)],
)  # fmt: skip
def test_only_writing_requests_take_the_write_lock(app, db, method, reading, free):
    """`reading` True: inside reading_only(); "write": inside writing() (a GET export that logs itself)."""
    path = _sqlite_path(db)
    db.session.commit()
    with app.test_request_context("/", method=method):
        if reading == "write":
            with writing():
                db.session.execute(sa.text("SELECT count(*) FROM users")).scalar()
        elif reading:
            with reading_only():
                db.session.execute(sa.text("SELECT count(*) FROM users")).scalar()
        else:
            db.session.execute(sa.text("SELECT count(*) FROM users")).scalar()
        assert _can_take_write_lock(path) is free
        db.session.rollback()


def test_no_transaction_is_held_while_an_upload_is_parsed(app, db, clerk, monkeypatch):
    path = _sqlite_path(db)
    parsing, release = threading.Event(), threading.Event()
    real = importer.open_sheet

    def slow_parse(*args):
        parsing.set()
        assert release.wait(20)
        return real(*args)

    monkeypatch.setattr(importer, "open_sheet", slow_parse)
    user, school_id = clerk
    user_id = user.get_id()
    db.session.commit()  # the test's own session holds no lock either
    responses = []

    def uploader():
        with app.app_context():
            browser = app.test_client()
            with browser.session_transaction() as session:
                session["_user_id"] = user_id
            responses.append(upload(browser, school_id, xlsx([student(1)])))

    thread = threading.Thread(target=uploader)
    thread.start()
    try:
        assert parsing.wait(20)
        assert _can_take_write_lock(path)  # before: 'database is locked' for every other tenant during the parse
    finally:
        release.set()
        thread.join(30)
    assert responses[0].status_code == 302
    assert re.match(rf"^/cohorts/school/{school_id}/import/[\w-]{{43}}$", responses[0].headers["Location"])
