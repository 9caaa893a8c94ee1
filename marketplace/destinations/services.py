"""Destination workflows: a job placement proposes, the graduate registers or confirms, the school audits.

Every change appends a version (never an UPDATE); services flush, the view commits once.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from marketplace.alliances.models import IN_FORCE_STATUSES, Alliance, Membership, in_force_on
from marketplace.audit.services import record
from marketplace.cohorts.models import Cohort, Student
from marketplace.destinations.models import (
    DestinationCode,
    DestinationDeadline,
    DestinationGroup,
    DestinationRecord,
    DestinationSettings,
    RecordStatus,
    default_deadline,
    default_settings,
)
from marketplace.extensions import db
from marketplace.orgs.credit_code import normalize_credit_code
from marketplace.orgs.models import Organization
from marketplace.pipeline.models import Placement
from marketplace.plans.models import OpeningKind
from marketplace.reference.models import major_occupations
from marketplace.refusals import Refusal

__all__ = ["default_settings"]  # re-exported for the views

PROPOSED_CODE = "11"  # a job placement proposes 签劳动合同形式就业 (default set)


class DestinationError(Refusal):
    pass


# ------------------------------------------------------------------------------------------------- reading
def deadline_for(school_id: int, year: int) -> date:
    row = db.session.get(DestinationDeadline, (school_id, year))
    return row.deadline if row else default_deadline(year)


def graduation_year(student: Student) -> int:
    return db.session.scalar(sa.select(Cohort.graduation_year).where(Cohort.id == student.cohort_id))


def versions_of(student_id: int) -> list[DestinationRecord]:
    """Every version of every record of the graduate, oldest first."""
    return list(db.session.scalars(
        sa.select(DestinationRecord).where(DestinationRecord.student_id == student_id)
        .order_by(DestinationRecord.sequence, DestinationRecord.version)
    ))  # fmt: skip


def current_records(student_id: int) -> list[DestinationRecord]:
    """The latest version of each of the graduate's records, latest record first."""
    latest: dict[int, DestinationRecord] = {}
    for v in versions_of(student_id):
        latest[v.sequence] = v
    return sorted(latest.values(), key=lambda v: -v.sequence)


def codes_for(school_id: int) -> list[DestinationCode]:
    """The default set, then the codes the school's alliances imported (their secretariats' own systems)."""
    alliances = sa.select(Membership.alliance_id).where(
        Membership.organization_id == school_id, Membership.status.in_(IN_FORCE_STATUSES)
    )
    return list(db.session.scalars(
        sa.select(DestinationCode)
        .where(sa.or_(DestinationCode.alliance_id.is_(None), DestinationCode.alliance_id.in_(alliances)))
        .order_by(DestinationCode.alliance_id.is_not(None), DestinationCode.code)
    ))  # fmt: skip


def employment_placement(student_id: int) -> Placement | None:
    """The graduate's latest job placement (就业): it proposes a destination."""
    return db.session.scalar(
        sa.select(Placement).where(Placement.student_id == student_id, Placement.kind == OpeningKind.EMPLOYMENT)
        .order_by(Placement.start_date.desc(), Placement.id.desc()).limit(1)
    )  # fmt: skip


def proposal_from(placement: Placement) -> dict:
    """The destination a job placement proposes: its enterprise, post, occupation, start and pay."""
    opening, enterprise = placement.opening, placement.opening.plan.enterprise
    code = db.session.scalar(sa.select(DestinationCode.id).where(
        DestinationCode.alliance_id.is_(None), DestinationCode.code == PROPOSED_CODE))  # fmt: skip
    return {"code_id": code, "employer_name": enterprise.name, "employer_credit_code": enterprise.credit_code,
            "province_id": opening.city.parent_id if opening.city else enterprise.province_id,
            "city_id": opening.city_id, "job_title": opening.title, "occupation_id": opening.occupation_id,
            "start_date": placement.start_date, "monthly_pay": placement.pay, "placement_id": placement.id}  # fmt: skip


def is_relevant(major_id: int, occupation_id: int | None) -> bool:
    """专业对口: the occupation is one the graduate's major prepares for (the reviewed major → occupation links)."""
    if occupation_id is None:
        return False
    link = major_occupations.c
    found = db.session.execute(
        sa.select(link.major_id).where(link.major_id == major_id, link.occupation_id == occupation_id)
    ).first()
    return found is not None


# ------------------------------------------------------------------------------------------------- writing
@dataclass(frozen=True)
class Appended:
    version: DestinationRecord
    late: bool


def _append(student: Student, content: dict, *, sequence: int, status: RecordStatus, actor, today: date,
            content_on: date | None = None, review_reason: str = "") -> Appended:  # fmt: skip
    previous = db.session.scalar(
        sa.select(sa.func.max(DestinationRecord.version)).where(
            DestinationRecord.student_id == student.id, DestinationRecord.sequence == sequence)
    )  # fmt: skip
    content_on = content_on or today
    late = content_on > deadline_for(student.school_id, graduation_year(student))
    version = DestinationRecord(
        student_id=student.id, sequence=sequence, version=(previous or 0) + 1, status=status,
        review_reason=review_reason, content_on=content_on, recorded_on=today, late=late,
        created_by_id=getattr(actor, "id", None), **content,
    )  # fmt: skip
    db.session.add(version)
    db.session.flush()
    return Appended(version, late)


def _normalised(student: Student, content: dict) -> dict:
    """Derived fields: the member organisation the credit code names, 专业对口 from the major's links; no employer
    fields for a destination without one (升学, 待就业, 暂不就业)."""
    content = dict(content)
    code = db.session.get(DestinationCode, content["code_id"])
    if code is None:
        raise DestinationError(_l("Choose a destination category."))
    credit = normalize_credit_code(content.get("employer_credit_code") or "")
    content["employer_credit_code"] = credit
    content["employer_org_id"] = (
        db.session.scalar(sa.select(Organization.id).where(Organization.credit_code == credit)) if credit else None
    )
    content["major_relevant"] = is_relevant(student.major_id, content.get("occupation_id"))
    if code.group in (DestinationGroup.SEEKING, DestinationGroup.NOT_SEEKING):
        content.update(employer_name="", employer_credit_code="", employer_org_id=None, monthly_pay=None,
                       occupation_id=None, major_relevant=False)  # fmt: skip
    without_reason = not content.get("proof_on_file") and not (content.get("no_proof_reason") or "").strip()
    if without_reason and code.group not in (DestinationGroup.SEEKING, DestinationGroup.NOT_SEEKING):
        raise DestinationError(_l("Without a contract or agreement on file, say why."))
    return {k: content.get(k) for k in DestinationRecord.CONTENT if k in content}


def register(student: Student, content: dict, *, actor, today: date, sequence: int | None = None) -> Appended:
    """The graduate registers a destination or changes one (a new version of record `sequence`, or a new record
    when None): it awaits the school's audit. After the deadline it is kept but marked late and never counted."""
    current = {v.sequence: v for v in current_records(student.id)}
    if sequence is None:
        sequence = max(current, default=0) + 1
    elif sequence not in current:
        raise DestinationError(_l("That destination record does not exist."))
    appended = _append(student, _normalised(student, content), sequence=sequence, status=RecordStatus.SUBMITTED,
                       actor=actor, today=today)  # fmt: skip
    record("destination_registered", appended.version, actor=actor, late=appended.late or None)
    return appended


def propose(student: Student, placement: Placement, *, actor, today: date) -> Appended | None:
    """A job placement proposes a destination, unless the graduate already has one from it."""
    r = DestinationRecord
    taken = db.session.scalar(
        sa.select(r.id).where(r.student_id == student.id, r.placement_id == placement.id).limit(1)
    )
    if taken is not None:
        return None
    content = proposal_from(placement)
    content.update(proof_on_file=False, no_proof_reason="")
    sequence = max((v.sequence for v in current_records(student.id)), default=0) + 1
    content = {k: content.get(k) for k in DestinationRecord.CONTENT if k in content}
    content["major_relevant"] = is_relevant(student.major_id, content.get("occupation_id"))
    content["employer_org_id"] = placement.opening.plan.enterprise_id
    appended = _append(student, content, sequence=sequence, status=RecordStatus.PROPOSED, actor=actor, today=today)
    record("destination_proposed", appended.version, actor=actor)
    return appended


def propose_for_cohort(school_id: int, year: int, *, actor, today: date) -> int:
    """The school drafts a destination for each graduate of the year with a job placement and no record yet."""
    has_record = sa.select(DestinationRecord.student_id)
    students = db.session.scalars(
        sa.select(Student).join(Cohort, Cohort.id == Student.cohort_id)
        .where(Student.school_id == school_id, Cohort.graduation_year == year, Student.id.not_in(has_record))
    ).all()  # fmt: skip
    made = 0
    for student in students:
        placement = employment_placement(student.id)
        if placement is not None and propose(student, placement, actor=actor, today=today):
            made += 1
    return made


def _awaiting(version: DestinationRecord) -> None:
    latest = current_records(version.student_id)
    if version not in latest or version.status is not RecordStatus.SUBMITTED:
        raise DestinationError(_l("Only the latest version awaiting audit can be approved or sent back."))


def approve(version: DestinationRecord, *, actor, today: date) -> Appended:
    """审核通过: appended as a version of the same content, keeping the day the content was entered."""
    _awaiting(version)
    appended = _append(version.student, version.content(), sequence=version.sequence, status=RecordStatus.APPROVED,
                       actor=actor, today=today, content_on=version.content_on)  # fmt: skip
    record("destination_approved", appended.version, actor=actor)
    return appended


def send_back(version: DestinationRecord, reason: str, *, actor, today: date) -> Appended:
    """退回 with the reason: the graduate corrects and submits again."""
    _awaiting(version)
    if not reason.strip():
        raise DestinationError(_l("Say why the record is sent back."))
    appended = _append(version.student, version.content(), sequence=version.sequence, status=RecordStatus.RETURNED,
                       actor=actor, today=today, content_on=version.content_on,
                       review_reason=reason.strip())  # fmt: skip
    record("destination_returned", appended.version, actor=actor)
    return appended


def set_deadline(school_id: int, year: int, deadline: date, *, actor) -> None:
    row = db.session.get(DestinationDeadline, (school_id, year))
    if row is None:
        db.session.add(DestinationDeadline(school_id=school_id, graduation_year=year, deadline=deadline))
    else:
        row.deadline = deadline
    record("destination_deadline_set", None, actor=actor, object_type="organizations", school=school_id, year=year,
           deadline=deadline.isoformat())  # fmt: skip


def latest_per_graduate(school_id: int, year: int) -> list[tuple[Student, DestinationRecord | None]]:
    """The school's graduates of the year, each with the latest version of their latest record (None if none)."""
    students = db.session.scalars(
        sa.select(Student).join(Cohort, Cohort.id == Student.cohort_id)
        .where(Student.school_id == school_id, Cohort.graduation_year == year).order_by(Student.student_no)
    ).all()  # fmt: skip
    latest: dict[int, DestinationRecord] = {}
    versions = db.session.scalars(
        sa.select(DestinationRecord).where(DestinationRecord.student_id.in_([s.id for s in students]))
        .order_by(DestinationRecord.sequence, DestinationRecord.version)
    )  # fmt: skip
    for v in versions:
        latest[v.student_id] = v
    return [(s, latest.get(s.id)) for s in students]


def status_counts(rows) -> dict[str, int]:
    counts = {"none": 0, **{s.value: 0 for s in RecordStatus}}
    for _, version in rows:
        counts[version.status.value if version else "none"] += 1
    return counts


def snapshot_day(year: int, today: date) -> date:
    """The snapshot day to offer: the latest default day (1 September, 31 December) of the year that has come, else
    today (a snapshot is never dated ahead)."""
    due = [d for d in (date(year, 9, 1), date(year, 12, 31)) if d <= today]
    return due[-1] if due else today


def save_settings(alliance_id: int, counted: list[str], employed: list[str], entrepreneur_as_flexible: bool,
                  *, actor) -> DestinationSettings:  # fmt: skip
    counted = sorted({DestinationGroup(v).value for v in counted or ()})
    employed = sorted({DestinationGroup(v).value for v in employed or ()})
    if not counted:
        raise DestinationError(_l("Count at least one category toward the destination rate."))
    if not set(employed) <= set(counted):
        raise DestinationError(_l("Every category counted as employed must also count toward the destination rate."))
    settings = db.session.get(DestinationSettings, alliance_id)
    if settings is None:
        settings = DestinationSettings(alliance_id=alliance_id)
        db.session.add(settings)
    settings.counted_groups, settings.employed_groups = counted, employed
    settings.entrepreneur_as_flexible = bool(entrepreneur_as_flexible)
    db.session.flush()
    record("destination_settings_saved", None, actor=actor, object_type="alliances", alliance=alliance_id,
           counted=counted, employed=employed, entrepreneur_as_flexible=settings.entrepreneur_as_flexible)  # fmt: skip
    return settings


def member_alliances(version: DestinationRecord) -> list[str]:
    """就业单位是否校企合作单位: the alliances the employer was a member of on the start date (today when none)."""
    if version.employer_org_id is None:
        return []
    day = version.start_date or version.recorded_on
    query = (
        sa.select(Alliance.short_name)
        .join(Membership, Membership.alliance_id == Alliance.id)
        .where(Membership.organization_id == version.employer_org_id, in_force_on(day))
        .order_by(Alliance.id)
    )
    return list(db.session.scalars(query))
