"""Saving checked sheets (good rows or nothing, updates by 学号), consent records, audit events, exports."""

import csv
import io

import openpyxl
import pytest
import sqlalchemy as sa

from marketplace.audit.models import AuditEvent
from marketplace.auth.models import Role
from marketplace.cohorts.models import Cohort, ConsentRecord, Student, StudentCertificate
from marketplace.cohorts.services import ImportMode, export_cohort, import_students, set_consent, update_student
from marketplace.orgs.models import OrgKind
from marketplace.permissions import can_view_student
from tests.factories import (
    AllianceFactory,
    MembershipFactory,
    OrganizationFactory,
    SchoolFactory,
    StudentFactory,
    UserFactory,
)
from tests.test_cohorts_sheets import COLUMNS, preview, student, xlsx


@pytest.fixture
def admin(db):
    return UserFactory(organization=SchoolFactory(), role=Role.ORG_ADMIN)


def run(db, user, data, *, mode=ImportMode.GOOD_ROWS, year=2027, filename="students.xlsx"):
    result = import_students(user.organization_id, year, preview(data, filename), mode=mode, actor=user)
    db.session.commit()
    return result


def school_students(db, school_id) -> list[Student]:
    return db.session.scalars(
        sa.select(Student).where(Student.school_id == school_id).order_by(Student.student_no)
    ).all()


def events(db, action: str) -> list[AuditEvent]:
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def four_hundred_rows_three_bad() -> bytes:
    rows = [student(n) for n in range(1, 401)]
    rows[9]["性别"] = "?"
    rows[99]["学号"] = rows[98]["学号"]
    rows[299]["入学日期"] = "2024-02-30"
    return xlsx(rows)


def test_good_rows_only_saves_397(db, admin):
    result = run(db, admin, four_hundred_rows_three_bad())
    assert (result.created, result.updated, result.skipped) == (397, 0, 3)
    assert len(school_students(db, admin.organization_id)) == 397


def test_all_or_nothing_saves_none_and_creates_no_cohort(db, admin):
    result = run(db, admin, four_hundred_rows_three_bad(), mode=ImportMode.ALL_OR_NOTHING)
    assert (result.cohort_id, result.saved, result.skipped) == (None, 0, 400)
    assert school_students(db, admin.organization_id) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Cohort)) == 0
    [refused] = events(db, "students_import_refused")
    assert refused.details["bad_rows"] == 3


def test_all_or_nothing_saves_everything_when_every_row_is_good(db, admin):
    result = run(db, admin, xlsx([student(n) for n in range(1, 6)]), mode=ImportMode.ALL_OR_NOTHING)
    assert result.created == 5


def test_reimporting_updates_by_student_number_and_never_duplicates(db, admin):
    run(db, admin, xlsx([student(n) for n in (1, 2, 3)]))
    changed = student(2, 姓名="改名了", 证书="电工:高级", 意向城市="北京市", 联系电话="13800000000", 成绩=99)
    result = run(db, admin, xlsx([student(1), changed, student(3), student(4)]))
    assert (result.created, result.updated) == (1, 3)
    rows = school_students(db, admin.organization_id)
    assert [s.student_no for s in rows] == ["202400001", "202400002", "202400003", "202400004"]
    second = rows[1]
    assert (second.name, second.phone, second.grade_score) == ("改名了", "13800000000", 99)
    assert [(c.name, c.level) for c in second.certificates] == [("电工", 3)]
    assert [c.name for c in second.wanted_cities] == ["北京市"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StudentCertificate)) == 2 * 3 + 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Cohort)) == 1


def test_a_sheet_without_optional_columns_leaves_them_alone(db, admin):
    run(db, admin, xlsx([student(1)]))
    short = [c for c in COLUMNS if c not in ("证书", "意向城市", "联系电话", "身份证号", "同意共享", "成绩")]
    run(db, admin, xlsx([student(1, 姓名="新名字")], short))
    [saved] = school_students(db, admin.organization_id)
    assert saved.name == "新名字"
    assert len(saved.certificates) == 2
    assert len(saved.wanted_cities) == 2
    assert (saved.phone, saved.grade_score) == ("13900000001", 61)
    assert saved.id_number


def test_masked_numbers_read_back_keep_the_stored_ones(db, admin):
    run(db, admin, xlsx([student(1)]))
    run(db, admin, xlsx([student(1, 联系电话="139****0001", 身份证号="131102********0000")]))
    [saved] = school_students(db, admin.organization_id)
    assert saved.phone == "13900000001"
    assert saved.id_number == student(1)["身份证号"]


def test_an_empty_optional_cell_clears_the_value(db, admin):
    run(db, admin, xlsx([student(1)]))
    run(db, admin, xlsx([student(1, 证书="", 意向城市="", 成绩="")]))
    [saved] = school_students(db, admin.organization_id)
    assert (saved.certificates, saved.wanted_cities, saved.grade_score) == ([], [], None)


def test_importing_into_another_year_moves_the_student(db, admin):
    run(db, admin, xlsx([student(1)]), year=2027)
    run(db, admin, xlsx([student(1)]), year=2028)
    [saved] = school_students(db, admin.organization_id)
    assert saved.cohort.graduation_year == 2028


def test_consent_changes_by_import_are_recorded_with_who_recorded_them(db, admin):
    run(db, admin, xlsx([student(1, 同意共享="是"), student(2, 同意共享="否")]), filename="first.xlsx")
    run(db, admin, xlsx([student(1, 同意共享="否"), student(2, 同意共享="")]))
    records = db.session.scalars(sa.select(ConsentRecord).order_by(ConsentRecord.id)).all()
    assert [(r.student.student_no, r.granted, r.recorded_by_id) for r in records] == [
        ("202400001", True, admin.id),
        ("202400001", False, admin.id),
    ]
    assert "first.xlsx" in records[0].evidence
    assert [s.consent_to_share for s in school_students(db, admin.organization_id)] == [False, False]


def test_one_audit_event_per_import_with_the_counts(db, admin):
    run(db, admin, xlsx([student(n) for n in range(1, 11)] + [student(11, 性别="?")]))
    [event] = events(db, "students_imported")
    assert event.actor_id == admin.id
    assert event.object_type == "cohorts"
    assert {k: event.details[k] for k in ("rows", "created", "updated", "skipped", "mode", "consents_granted")} == {
        "rows": 11,
        "created": 10,
        "updated": 0,
        "skipped": 1,
        "mode": "good",
        "consents_granted": 7,
    }


def test_set_consent_records_changes_only(db, admin):
    pupil = StudentFactory(cohort__school=admin.organization)
    assert set_consent(pupil, True, actor=admin, evidence="签字同意书 2027-03-01")
    assert not set_consent(pupil, True, actor=admin)
    db.session.commit()
    assert [(r.granted, r.recorded_by_id, r.evidence) for r in pupil.consents] == [
        (True, admin.id, "签字同意书 2027-03-01")
    ]
    assert [e.object_id for e in events(db, "consent_granted")] == [pupil.id]


def test_withdrawing_consent_hides_the_student_from_enterprises(db, admin):
    pupil = StudentFactory(cohort__school=admin.organization)
    enterprise_user = UserFactory(organization=OrganizationFactory(kind=OrgKind.ENTERPRISE))
    alliance = AllianceFactory()  # fellow members: consent is what the visibility rule then turns on
    MembershipFactory(alliance=alliance, organization=admin.organization)
    MembershipFactory(alliance=alliance, organization=enterprise_user.organization)
    assert not can_view_student(pupil, enterprise_user)
    set_consent(pupil, True, actor=admin)
    db.session.commit()
    assert can_view_student(pupil, enterprise_user)
    set_consent(pupil, False, actor=admin, evidence="学生撤回")
    db.session.commit()
    assert not can_view_student(pupil, enterprise_user)
    assert can_view_student(pupil, admin)  # the school still sees its student
    assert [e.action for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))] == [
        "consent_granted",
        "consent_withdrawn",
    ]


def test_student_edits_are_audited_by_field_name_without_values(db, admin):
    pupil = StudentFactory(cohort__school=admin.organization)
    changed = update_student(pupil, {"name": "新名字", "phone": "13800000000", "id_number": None}, actor=admin)
    db.session.commit()
    assert changed == ["name", "phone"]
    [event] = events(db, "student_updated")
    assert event.details == {"fields": ["name", "phone"]}
    assert pupil.id_number == "131102200805120013"


INJECTION = "=cmd|' /C calc'!A0"


def test_export_neutralises_formula_injection_and_is_audited(db, admin):
    pupil = StudentFactory(cohort__school=admin.organization, name=INJECTION, skills="@SUM(1+1)")
    sheet = openpyxl.load_workbook(io.BytesIO(export_cohort(pupil.cohort, "xlsx", unmasked=False, actor=admin)))
    cells = {c.value for row in sheet.worksheets[0].iter_rows() for c in row}
    assert "'" + INJECTION in cells
    assert "'@SUM(1+1)" in cells
    assert all(c.data_type != "f" for row in sheet.worksheets[0].iter_rows() for c in row)
    text = export_cohort(pupil.cohort, "csv", unmasked=False, actor=admin).decode("utf-8-sig")
    assert "'" + INJECTION in next(r for r in csv.reader(io.StringIO(text)) if r[0] == pupil.student_no)
    db.session.commit()
    assert [(e.details["format"], e.details["rows"], e.details["unmasked"]) for e in events(db, "export")] == [
        ("xlsx", 1, False),
        ("csv", 1, False),
    ]


def test_exports_are_masked_unless_the_schools_admin_asks(db, admin):
    pupil = StudentFactory(cohort__school=admin.organization)
    masked = export_cohort(pupil.cohort, "csv", unmasked=False, actor=admin).decode("utf-8-sig")
    assert "139****5678" in masked
    assert "131102********0013" in masked
    assert "13912345678" not in masked
    assert "131102200805120013" in export_cohort(pupil.cohort, "csv", unmasked=True, actor=admin).decode("utf-8-sig")
    staff = UserFactory(organization=admin.organization, role=Role.ORG_STAFF)
    with pytest.raises(PermissionError):
        export_cohort(pupil.cohort, "csv", unmasked=True, actor=staff)


def test_an_export_can_be_edited_and_imported_again(db, admin):
    run(db, admin, xlsx([student(n) for n in range(1, 6)]))
    cohort = db.session.scalar(sa.select(Cohort))
    exported = export_cohort(cohort, "xlsx", unmasked=False, actor=admin)
    checked = preview(exported)
    assert checked.problems == []
    assert [(r.phone, r.id_number) for r in checked.rows] == [(None, None)] * 5  # masked: keep the stored ones
    result = run(db, admin, exported)
    assert (result.created, result.updated) == (0, 5)
    assert [s.phone for s in school_students(db, admin.organization_id)][0] == "13900000001"
