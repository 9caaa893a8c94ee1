"""Cohort workflows: importing a checked sheet, consent, edits, unmasking, exports. They flush; the view commits."""

import enum
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from flask import has_request_context
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from marketplace.audit.services import record
from marketplace.cohorts.columns import HEADERS, sheet_row, text_column_indexes
from marketplace.cohorts.importer import Preview, References, StudentRow, build_preview
from marketplace.cohorts.models import Cohort, ConsentRecord, Student, StudentCertificate
from marketplace.exports import write_csv, write_xlsx
from marketplace.extensions import db
from marketplace.reference.models import Major, Region, RegionLevel
from marketplace.timeutil import local_today

CHUNK = 500  # students looked up per query (SQLite allows few bound parameters)


class ImportMode(enum.StrEnum):
    GOOD_ROWS = "good"  # save the good rows, skip the others
    ALL_OR_NOTHING = "all"  # save only if every row is good


@dataclass
class ImportResult:
    cohort_id: int | None = None  # None: nothing was saved (all or nothing, with bad rows)
    created: int = 0
    updated: int = 0
    skipped: int = 0
    consents_granted: int = 0
    consents_withdrawn: int = 0

    @property
    def saved(self) -> int:
        return self.created + self.updated


def import_references() -> References:
    by_code, by_name = {}, {}
    for major_id, level, code, name in db.session.execute(sa.select(Major.id, Major.level, Major.code, Major.name)):
        by_code[(level, code)] = (major_id, name)
        by_name[(level, name)] = None if (level, name) in by_name else major_id
    cities = db.session.execute(sa.select(Region.name, Region.id).where(Region.level == RegionLevel.CITY)).all()
    counts = Counter(name for name, _id in cities)
    return References(by_code, by_name, {name: rid for name, rid in cities if counts[name] == 1})


def preview_upload(data: bytes, filename: str, refs: References | None = None) -> Preview:
    """Parse an upload. Pure given `refs`: the caller ends its transaction first, so that no lock is held while
    parsing (seconds of CPU for a large sheet)."""
    return build_preview(data, filename, import_references() if refs is None else refs, today=local_today())


def may_unmask(user, school_id: int) -> bool:
    """Full phone and ID numbers: only an admin of the school itself, and always as an audited action."""
    return user.is_authenticated and user.organization_id == school_id and user.is_org_admin


def cohort_for(school_id: int, graduation_year: int) -> Cohort:
    cohort = db.session.scalar(
        sa.select(Cohort).where(Cohort.school_id == school_id, Cohort.graduation_year == graduation_year)
    )
    if cohort is None:
        cohort = Cohort(school_id=school_id, graduation_year=graduation_year)
        db.session.add(cohort)
        db.session.flush()
    return cohort


def _existing(school_id: int, numbers: list[str]) -> dict[str, Student]:
    found: dict[str, Student] = {}
    for start in range(0, len(numbers), CHUNK):
        query = (
            sa.select(Student)
            .where(Student.school_id == school_id, Student.student_no.in_(numbers[start : start + CHUNK]))
            .options(selectinload(Student.certificates), selectinload(Student.wanted_cities))
        )
        found.update((s.student_no, s) for s in db.session.scalars(query))
    return found


def count_existing(school_id: int, numbers: list[str]) -> int:
    """How many of these student numbers the school already has (they will be updated, not added)."""
    total = 0
    for start in range(0, len(numbers), CHUNK):
        total += db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Student)
            .where(Student.school_id == school_id, Student.student_no.in_(numbers[start : start + CHUNK]))
        )
    return total


PROGRESS_EVERY = 500  # rows between two progress reports of a big import


def import_students(
    school_id: int, graduation_year: int, preview: Preview, *, mode: ImportMode, actor, progress=None
) -> ImportResult:
    """Create or update students by (school, 学号) from a preview; one audit event with the counts. A background
    import hears `progress("importing", done, total)` every few hundred rows."""
    if preview.file_errors:
        raise ValueError("a file with file-level errors cannot be imported")
    if mode is ImportMode.ALL_OR_NOTHING and preview.bad_rows:
        record(
            "students_import_refused",
            actor=actor,
            object_type="cohorts",
            school_id=school_id,
            graduation_year=graduation_year,
            filename=preview.filename,
            rows=preview.total_rows,
            bad_rows=preview.bad_count,
        )
        return ImportResult(skipped=preview.total_rows)
    rows = preview.rows
    cohort = cohort_for(school_id, graduation_year)
    existing = _existing(school_id, [r.student_no for r in rows])
    city_ids = {i for r in rows for i in r.wanted_city_ids}
    cities = {r.id: r for r in db.session.scalars(sa.select(Region).where(Region.id.in_(city_ids)))} if city_ids else {}
    result = ImportResult(cohort_id=cohort.id, skipped=preview.total_rows - len(rows))
    for done, row in enumerate(rows):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress("importing", done, len(rows))
        student = existing.get(row.student_no)
        if student is None:
            student = Student(
                school_id=school_id,
                student_no=row.student_no,
                consent_to_share=False,
                phone="",
                id_number="",
                skills="",
                wanted_kinds=[],
            )
            db.session.add(student)
            result.created += 1
        else:
            result.updated += 1
        _apply(student, row, cohort, preview.columns, cities)
        if row.consent is not None and row.consent != student.consent_to_share:
            _change_consent(student, row.consent, actor=actor, evidence=_import_evidence(preview.filename, row.row))
            if row.consent:
                result.consents_granted += 1
            else:
                result.consents_withdrawn += 1
    db.session.flush()
    if progress is not None:
        progress("importing", len(rows), len(rows))
    record(
        "students_imported",
        cohort,
        actor=actor,
        filename=preview.filename,
        mode=mode.value,
        rows=preview.total_rows,
        created=result.created,
        updated=result.updated,
        skipped=result.skipped,
        consents_granted=result.consents_granted,
        consents_withdrawn=result.consents_withdrawn,
    )
    return result


def _apply(student: Student, row: StudentRow, cohort: Cohort, columns: frozenset[str], cities: dict) -> None:
    """Write one row; optional columns only if the sheet has them, so a shorter sheet does not erase data."""
    student.cohort = cohort
    student.name, student.gender = row.name, row.gender
    student.birth_date, student.enrolled_on = row.birth_date, row.enrolled_on
    student.level, student.major_id = row.level, row.major_id
    if "certificates" in columns and [(c.name, c.level) for c in student.certificates] != row.certificates:
        student.certificates = [StudentCertificate(name=name, level=level) for name, level in row.certificates]
    if "wanted_cities" in columns and {c.id for c in student.wanted_cities} != set(row.wanted_city_ids):
        student.wanted_cities = [cities[i] for i in row.wanted_city_ids]
    for key in ("skills", "grade_score", "wanted_kinds"):
        if key in columns:
            setattr(student, key, getattr(row, key))
    for key in ("phone", "id_number"):  # None: the sheet held the masked value; keep what is stored
        if key in columns and getattr(row, key) is not None:
            setattr(student, key, getattr(row, key))


def _import_evidence(filename: str, row: int) -> str:
    """Where a consent came from, in the importing user's language (English outside a request, e.g. scripts)."""
    if has_request_context():
        return _("Import of %(file)s, row %(row)d", file=filename, row=row)
    return f"Import of {filename}, row {row}"


def _change_consent(student: Student, granted: bool, *, actor, evidence: str) -> None:
    student.consent_to_share = granted
    db.session.add(ConsentRecord(student=student, granted=granted, recorded_by_id=actor.id, evidence=evidence[:255]))


def set_consent(student: Student, granted: bool, *, actor, evidence: str = "") -> bool:
    """Record a grant or withdrawal of consent to share; False if it was already so (nothing recorded)."""
    if student.consent_to_share == granted:
        return False
    _change_consent(student, granted, actor=actor, evidence=evidence.strip())
    db.session.flush()
    record("consent_granted" if granted else "consent_withdrawn", student, actor=actor, evidence=evidence.strip())
    return True


def update_student(student: Student, values: dict, *, actor) -> list[str]:
    """Apply edited fields (None for phone/id_number: unchanged); the audit event names the fields, not values."""
    changed = []
    for key, value in values.items():
        if key in ("phone", "id_number") and value is None:
            continue
        if key == "certificates":
            if [(c.name, c.level) for c in student.certificates] != value:
                student.certificates = [StudentCertificate(name=n, level=lv) for n, lv in value]
                changed.append(key)
        elif key == "wanted_city_ids":
            if {c.id for c in student.wanted_cities} != set(value):
                regions = {r.id: r for r in db.session.scalars(sa.select(Region).where(Region.id.in_(value)))}
                student.wanted_cities = [regions[i] for i in value]
                changed.append("wanted_cities")
        elif getattr(student, key) != value:
            setattr(student, key, value)
            changed.append(key)
    if "major_id" in changed:
        student.level = db.session.get(Major, student.major_id).level
    if changed:
        db.session.flush()
        record("student_updated", student, actor=actor, fields=changed)
    return changed


def record_unmask(student: Student, *, actor) -> None:
    if not may_unmask(actor, student.school_id):
        raise PermissionError("only the school's admin may see full phone and ID numbers")
    record("student_unmasked", student, actor=actor)


def export_cohort(cohort: Cohort, file_format: str, *, unmasked: bool, actor) -> bytes:
    """The cohort in the import layout (so an export can be edited and imported again), audited as an export.

    Phones and ID numbers are masked unless `unmasked`, which only the school's admin may ask for; a masked value
    read back by the importer leaves the stored number as it is.
    """
    if unmasked and not may_unmask(actor, cohort.school_id):
        raise PermissionError("only the school's admin may export full phone and ID numbers")
    students = db.session.scalars(
        sa.select(Student)
        .where(Student.cohort_id == cohort.id)
        .options(selectinload(Student.major), selectinload(Student.certificates), selectinload(Student.wanted_cities))
        .order_by(Student.student_no)
    ).all()
    rows = [sheet_row(s, unmasked=unmasked) for s in students]
    if file_format == "xlsx":
        data = write_xlsx(list(HEADERS.values()), rows, text_columns=text_column_indexes())
    elif file_format == "csv":
        data = write_csv(list(HEADERS.values()), rows)
    else:
        raise ValueError(f"unknown export format {file_format!r}")
    record("export", cohort, actor=actor, what="cohort", format=file_format, rows=len(rows), unmasked=unmasked)
    return data
