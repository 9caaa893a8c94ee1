"""The cohort pages through the app: who may open what, upload → preview → commit, masking, consent, exports."""

import io
import re

import pytest
import sqlalchemy as sa

from marketplace.audit.models import AuditEvent
from marketplace.auth.models import Role
from marketplace.cohorts.models import ConsentRecord, Student
from marketplace.orgs.models import OrgKind
from marketplace.permissions import can_view_student
from tests.factories import (
    AllianceFactory,
    CohortFactory,
    MembershipFactory,
    OrganizationFactory,
    SchoolFactory,
    StudentFactory,
    UserFactory,
)
from tests.test_cohorts_sheets import csv_bytes, student, xlsx

ROLES = ("anonymous", "school_admin", "school_staff", "other_school", "enterprise", "platform_admin")


@pytest.fixture(autouse=True)
def import_dir(app, tmp_path):
    app.config["COHORT_IMPORT_DIR"] = str(tmp_path)
    yield tmp_path
    app.config.pop("COHORT_IMPORT_DIR")


@pytest.fixture
def world(db):
    school, other, enterprise = SchoolFactory(), SchoolFactory(), OrganizationFactory(kind=OrgKind.ENTERPRISE)
    pupil = StudentFactory(cohort=CohortFactory(school=school), name="李雷")
    users = {
        "school_admin": UserFactory(organization=school, role=Role.ORG_ADMIN),
        "school_staff": UserFactory(organization=school, role=Role.ORG_STAFF),
        "other_school": UserFactory(organization=other, role=Role.ORG_ADMIN),
        "enterprise": UserFactory(organization=enterprise, role=Role.ORG_ADMIN),
        "platform_admin": UserFactory(
            organization=OrganizationFactory(kind=OrgKind.INSTITUTE, staff_count=None), role=Role.PLATFORM_ADMIN
        ),
    }
    ids = {"school": school.id, "enterprise": enterprise.id, "cohort": pupil.cohort_id, "student": pupil.id}
    return users, ids


TABLE = [
    ("/cohorts/", (302, 302, 302, 302, 403, 200)),
    ("/cohorts/school/{school}", (302, 200, 200, 404, 404, 200)),
    ("/cohorts/school/{enterprise}", (302, 404, 404, 404, 403, 403)),
    ("/cohorts/school/{school}/import", (302, 200, 200, 404, 404, 200)),
    ("/cohorts/template.xlsx", (302, 200, 200, 200, 403, 200)),
    ("/cohorts/{cohort}", (302, 200, 200, 404, 404, 200)),
    ("/cohorts/students/{student}", (302, 200, 200, 404, 404, 200)),
    ("/cohorts/students/{student}/edit", (302, 200, 200, 404, 404, 200)),
]
CASES = [(route, role, codes[i]) for route, codes in TABLE for i, role in enumerate(ROLES)]


@pytest.mark.parametrize(("route", "role", "expected"), CASES, ids=[f"{r}-{role}" for r, role, _ in CASES])
def test_get_access(client, login_as, world, route, role, expected):
    users, ids = world
    if role != "anonymous":
        login_as(users[role])
    assert client.get(route.format(**ids)).status_code == expected


POSTS = [
    ("/cohorts/students/{student}/unmask", {}, (302, 200, 403, 404, 404, 403)),
    ("/cohorts/students/{student}/consent", {"granted": "1"}, (302, 302, 302, 404, 404, 302)),
    ("/cohorts/{cohort}/export", {"file_format": "csv"}, (302, 200, 200, 404, 404, 200)),
    ("/cohorts/{cohort}/export", {"file_format": "csv", "unmasked": "y"}, (302, 200, 403, 404, 404, 403)),
]
POST_CASES = [(route, data, role, codes[i]) for route, data, codes in POSTS for i, role in enumerate(ROLES)]


@pytest.mark.parametrize(
    ("route", "data", "role", "expected"), POST_CASES, ids=[f"{r}-{d}-{role}" for r, d, role, _ in POST_CASES]
)
def test_post_access(client, login_as, db, world, route, data, role, expected):
    users, ids = world
    if role != "anonymous":
        login_as(users[role])
    assert client.post(route.format(**ids), data=data).status_code == expected
    if expected in (403, 404):
        assert not db.session.get(Student, ids["student"]).consent_to_share
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_a_school_user_is_sent_to_their_own_cohorts(client, login_as, world):
    users, ids = world
    login_as(users["school_staff"])
    assert client.get("/cohorts/").headers["Location"] == f"/cohorts/school/{ids['school']}"


def upload(client, school_id, data, filename="名单.xlsx", year=2027):
    return client.post(
        f"/cohorts/school/{school_id}/import",
        data={"graduation_year": str(year), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def four_hundred_rows_three_bad() -> bytes:
    rows = [student(n) for n in range(1, 401)]
    rows[9]["出生日期"] = "2007-02-30"  # Excel row 11
    rows[99]["学号"] = rows[98]["学号"]  # row 101
    rows[299]["意向城市"] = "火星市"  # row 301
    return xlsx(rows)


def problem_rows(page: str) -> list[tuple[str, str]]:
    table = page.split('id="problems"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td>", table)


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize(("mode", "saved"), [("good", 397), ("all", 0)])
def test_400_rows_with_3_bad_preview_then_commit(client, login_as, db, world, mode, saved):
    users, ids = world
    login_as(users["school_staff"])
    response = upload(client, ids["school"], four_hundred_rows_three_bad())
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert problem_rows(page) == [("11", "出生日期"), ("101", "学号"), ("301", "意向城市")]
    assert 'id="good-rows">397<' in page
    assert 'id="bad-rows">3<' in page
    response = client.post(preview_url, data={"mode": mode})
    assert count(db, Student) == 1 + saved  # the world's student, plus the import
    if saved:
        assert response.headers["Location"].startswith("/cohorts/")
        assert client.get(preview_url).status_code == 404  # the upload is gone once committed
    else:
        assert response.headers["Location"] == preview_url  # nothing saved; the user may choose again
        assert client.post(preview_url, data={"mode": "good"}).status_code == 302
        assert count(db, Student) == 1 + 397


def test_reimport_through_the_app_updates_without_duplicates(client, login_as, db, world):
    users, ids = world
    login_as(users["school_admin"])
    for names in (("甲", "乙"), ("甲甲", "乙乙")):
        rows = [student(1, 姓名=names[0]), student(2, 姓名=names[1])]
        location = upload(client, ids["school"], csv_bytes(rows, encoding="gb18030"), "名单.csv").headers["Location"]
        assert client.post(location, data={"mode": "good"}).status_code == 302
    saved = db.session.scalars(sa.select(Student.name).where(Student.student_no.in_(["202400001", "202400002"]))).all()
    assert sorted(saved) == ["乙乙", "甲甲"]
    assert [e.details["created"] for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))] == [2, 0]


def test_formula_cells_and_hostile_files_show_in_the_preview(client, login_as, world):
    users, ids = world
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login_as(users["school_staff"])
    location = upload(client, ids["school"], xlsx([student(1, 姓名='=HYPERLINK("http://x")')])).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert problem_rows(page) == [("2", "姓名")]
    assert "Formulas are not accepted" in page
    assert 'name="mode"' not in page  # no good row, nothing to save
    location = upload(client, ids["school"], b"PK\x03\x04 this is no workbook").headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "The file is not a valid Excel workbook" in page


def test_oversized_uploads_are_refused_and_not_kept(client, login_as, world, import_dir):
    users, ids = world
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login_as(users["school_staff"])
    response = upload(client, ids["school"], b"x" * (5 * 1024 * 1024 + 10), "big.csv")
    assert response.status_code == 200
    assert "The file is larger than 5 MB." in response.get_data(as_text=True)
    response = upload(client, ids["school"], b"x" * (7 * 1024 * 1024), "huge.csv")  # refused before it is read
    assert response.status_code == 302
    assert "The file is larger than 5 MB." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert list(import_dir.iterdir()) == []


def test_an_upload_is_bound_to_its_user_and_session(app, client, login_as, world):
    users, ids = world
    login_as(users["school_staff"])
    location = upload(client, ids["school"], xlsx([student(1)])).headers["Location"]
    assert client.get(location).status_code == 200
    colleague = app.test_client()
    with colleague.session_transaction() as session:
        session["_user_id"] = users["school_admin"].get_id()
    assert colleague.get(location).status_code == 404
    assert colleague.post(location, data={"mode": "good"}).status_code == 404
    login_as(users["school_admin"])  # same browser, another user: the file names the uploader
    assert client.get(location).status_code == 404
    assert client.get(f"/cohorts/school/{ids['school']}/import/{'A' * 43}").status_code == 404


def test_phones_and_id_numbers_are_masked_on_the_pages(client, login_as, world):
    users, ids = world
    login_as(users["school_admin"])
    for route in ("/cohorts/{cohort}", "/cohorts/students/{student}", "/cohorts/students/{student}/edit"):
        response = client.get(route.format(**ids))
        page = response.get_data(as_text=True)
        assert "139****5678" in page
        assert "13912345678" not in page
        assert "131102200805120013" not in page
        assert response.headers["Cache-Control"] == "no-store"
    assert "131102********0013" in client.get(f"/cohorts/students/{ids['student']}").get_data(as_text=True)


def test_the_schools_admin_can_unmask_and_it_is_audited(client, login_as, db, world):
    users, ids = world
    login_as(users["school_admin"])
    page = client.post(f"/cohorts/students/{ids['student']}/unmask").get_data(as_text=True)
    assert "13912345678" in page
    assert "131102200805120013" in page
    [event] = db.session.scalars(sa.select(AuditEvent)).all()
    assert (event.action, event.object_id, event.actor_id) == (
        "student_unmasked",
        ids["student"],
        users["school_admin"].id,
    )
    assert "13912345678" not in client.get(f"/cohorts/students/{ids['student']}").get_data(as_text=True)


def test_consent_is_recorded_and_withdrawn_through_the_app(client, login_as, db, world):
    users, ids = world
    login_as(users["school_staff"])
    url = f"/cohorts/students/{ids['student']}/consent"
    client.post(url, data={"granted": "1", "evidence": "签字同意书"})
    enterprise_user = users["enterprise"]
    assert not can_view_student(db.session.get(Student, ids["student"]), enterprise_user)  # shares no alliance
    alliance = AllianceFactory()
    MembershipFactory(alliance=alliance, organization=users["school_admin"].organization)
    MembershipFactory(alliance=alliance, organization=enterprise_user.organization)
    db.session.commit()
    assert can_view_student(db.session.get(Student, ids["student"]), enterprise_user)
    client.post(url, data={"granted": "0", "evidence": "家长来电撤回"})
    pupil = db.session.get(Student, ids["student"])
    assert not can_view_student(pupil, enterprise_user)
    records = db.session.scalars(sa.select(ConsentRecord).order_by(ConsentRecord.id)).all()
    assert [(r.granted, r.recorded_by_id, r.evidence) for r in records] == [
        (True, users["school_staff"].id, "签字同意书"),
        (False, users["school_staff"].id, "家长来电撤回"),
    ]
    assert "家长来电撤回" in client.get(f"/cohorts/students/{ids['student']}").get_data(as_text=True)


def test_editing_a_student_keeps_numbers_left_empty(client, login_as, db, world):
    users, ids = world
    login_as(users["school_staff"])
    pupil = db.session.get(Student, ids["student"])
    response = client.post(
        f"/cohorts/students/{ids['student']}/edit",
        data={
            "name": "李雷雷",
            "gender": "male",
            "birth_date": "2008-05-12",
            "enrolled_on": "2024-09-01",
            "major_id": str(pupil.major_id),
            "certificates": "焊工:技师",
            "skills": "氩弧焊",
            "grade_score": "90",
            "wanted_cities": "衡水;沧州市",
            "wanted_kinds": ["employment", "apprenticeship"],
            "phone": "",
            "id_number": "",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    pupil = db.session.get(Student, ids["student"])
    assert (pupil.name, pupil.phone, pupil.id_number) == ("李雷雷", "13912345678", "131102200805120013")
    assert [(c.name, c.level) for c in pupil.certificates] == [("焊工", 4)]
    assert [c.name for c in pupil.wanted_cities] == ["沧州市", "衡水市"]  # ordered by region code
    assert pupil.wanted_kinds == ["employment", "apprenticeship"]


def test_export_through_the_app_is_a_neutralised_audited_download(client, login_as, db, world):
    users, ids = world
    db.session.get(Student, ids["student"]).name = "=cmd|' /C calc'!A0"
    login_as(users["school_staff"])
    response = client.post(f"/cohorts/{ids['cohort']}/export", data={"file_format": "csv"})
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in text
    assert "139****5678" in text
    [event] = db.session.scalars(sa.select(AuditEvent)).all()
    assert (event.action, event.details["format"], event.details["unmasked"]) == ("export", "csv", False)


def test_the_template_download(client, login_as, world):
    users, _ids = world
    login_as(users["school_staff"])
    response = client.get("/cohorts/template.xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert response.get_data().startswith(b"PK")


def test_cohort_list_counts_students_and_consents(client, login_as, db, world):
    users, ids = world
    school = users["school_admin"].organization
    cohort = db.session.get(Student, ids["student"]).cohort
    StudentFactory.create_batch(3, cohort=cohort, consent_to_share=True)
    StudentFactory(cohort=CohortFactory(school=school, graduation_year=2028))
    login_as(users["school_admin"])
    page = client.get(f"/cohorts/school/{ids['school']}").get_data(as_text=True)
    rows = re.findall(r'<td class="text-end">(\d+)</td>', page)
    assert rows == ["1", "0", "4", "3"]  # 2028 first: 1 student, 0 consents; 2027: 4 students, 3 consents


def test_cohort_page_filters_and_paginates(client, login_as, db, world):
    users, ids = world
    cohort = db.session.get(Student, ids["student"]).cohort
    StudentFactory.create_batch(34, cohort=cohort, consent_to_share=True)
    login_as(users["school_staff"])
    first = client.get(f"/cohorts/{ids['cohort']}").get_data(as_text=True)
    assert first.count("/cohorts/students/") == 30
    assert client.get(f"/cohorts/{ids['cohort']}?page=2").get_data(as_text=True).count("/cohorts/students/") == 5
    no_consent = client.get(f"/cohorts/{ids['cohort']}?consent=no").get_data(as_text=True)
    assert no_consent.count("/cohorts/students/") == 1
    assert "李雷" in no_consent


def test_list_pages_do_not_run_a_query_per_student(app, client, login_as, db, world):
    users, ids = world
    cohort = db.session.get(Student, ids["student"]).cohort
    login_as(users["school_staff"])
    statements = []

    def count_statement(*args):
        statements.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count_statement)
    try:
        measured = []
        for batch in (2, 25):
            StudentFactory.create_batch(batch, cohort=cohort)
            for route in ("/cohorts/{cohort}", "/cohorts/school/{school}"):
                statements.clear()
                client.get(route.format(**ids))
                measured.append(len(statements))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count_statement)
    assert measured[:2] == measured[2:]


def test_forms_need_their_csrf_token(csrf_app, db, world, import_dir):
    users, ids = world
    client = csrf_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = users["school_admin"].get_id()
    assert upload(client, ids["school"], xlsx([student(1)])).status_code == 400
    assert client.post(f"/cohorts/students/{ids['student']}/consent", data={"granted": "1"}).status_code == 400
    assert client.post(f"/cohorts/students/{ids['student']}/unmask").status_code == 400
    assert list(import_dir.iterdir()) == []
    assert not db.session.get(Student, ids["student"]).consent_to_share


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_the_import_journey_with_csrf_on(csrf_app, db, world):
    """The size limit is set before the CSRF check reads the body, so an oversized file gets a message, not a 413."""
    users, ids = world
    client = csrf_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with client.session_transaction() as session:
        session["_user_id"] = users["school_staff"].get_id()
    response = upload(client, ids["school"], b"x" * (7 * 1024 * 1024), "huge.csv")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The file is larger than 5 MB." in page
    location = client.post(
        f"/cohorts/school/{ids['school']}/import",
        data={
            "csrf_token": csrf_token(page),
            "graduation_year": "2027",
            "file": (io.BytesIO(xlsx([student(1)])), "a.xlsx"),
        },
        content_type="multipart/form-data",
    ).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert client.post(location, data={"csrf_token": csrf_token(page), "mode": "good"}).status_code == 302
    assert count(db, Student) == 2
