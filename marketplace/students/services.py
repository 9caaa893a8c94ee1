"""The student's own workflows and the school's side of them. They flush but never commit: the view commits once."""

import math
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from marketplace.audit.services import record
from marketplace.auth.models import Role, User, hash_token
from marketplace.auth.passwords import hash_password
from marketplace.cohorts.models import Cohort, ConsentRecord, Student
from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.notifications import catalogue as kinds
from marketplace.notifications.services import notify
from marketplace.pipeline.models import Nomination, NominationStatus, Placement, PlacementStatus
from marketplace.plans.models import HiringPlan, Opening, OpeningKind
from marketplace.refusals import Refusal
from marketplace.students.models import (
    DEFAULT_MIN_JOURNALS,
    CorrectionRequest,
    CorrectionStatus,
    Evaluation,
    FinalReport,
    Journal,
    JournalRequirement,
    OfferAnswer,
    StudentInvitation,
)
from marketplace.validators import MOBILE_RE

# Internships keep weekly journals (周志); employment does not.
JOURNAL_KINDS = (OpeningKind.POST_INTERNSHIP, OpeningKind.COGNITIVE_INTERNSHIP, OpeningKind.WORK_STUDY,
                 OpeningKind.APPRENTICESHIP)  # fmt: skip
BOARD_DAYS_AFTER_END = 90  # the school's board keeps a finished internship this long (late journals, the report)
GUARDIAN_AGE = 14  # PIPL art. 31: under 14 a child's personal information needs the guardian's consent
EVALUATION_WINDOW_DAYS = 30  # a student may evaluate from this many days before the placement's end


class StudentError(Refusal):
    pass


def age_on(student: Student, day: date) -> int:
    born = student.birth_date
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# --------------------------------------------------------------------------------------------------- accounts
def account_of(student_id: int) -> User | None:
    return db.session.scalar(sa.select(User).where(User.student_id == student_id))


def invite(student: Student, *, actor) -> str:
    """A single-use link for one student; returns the token (only its hash is stored). Earlier unused links of the
    student stop working: the newest link is the one the school handed out."""
    if account_of(student.id) is not None:
        raise StudentError(_l("This student already has an account."))
    now = utcnow()
    db.session.execute(
        sa.update(StudentInvitation)
        .where(StudentInvitation.student_id == student.id, StudentInvitation.used_at.is_(None))
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(24)
    days = current_app.config["STUDENT_INVITATION_DAYS"]
    invitation = StudentInvitation(student_id=student.id, token_hash=hash_token(token), created_by_id=actor.id,
                                   created_at=now, expires_at=now + timedelta(days=days))  # fmt: skip
    db.session.add(invitation)
    record("student_invited", student, actor=actor)
    return token


def invite_cohort(cohort: Cohort, *, actor) -> list[tuple[Student, str]]:
    """One link for every student of the cohort who has no account yet (a class list, 班级名单)."""
    with_account = sa.select(User.student_id).where(User.student_id.is_not(None))
    students = db.session.scalars(
        sa.select(Student)
        .where(Student.cohort_id == cohort.id, Student.id.not_in(with_account))
        .order_by(Student.student_no)
    ).all()
    return [(student, invite(student, actor=actor)) for student in students]


def find_invitation(token: str) -> StudentInvitation | None:
    invitation = db.session.scalar(
        sa.select(StudentInvitation).where(StudentInvitation.token_hash == hash_token(token))
    )
    return invitation if invitation is not None and invitation.is_usable else None


def join(invitation: StudentInvitation, password: str) -> User:
    """The student sets a password: their account, signing in by 学号, and by the mobile the school holds when no
    other account has it."""
    student = invitation.student
    if account_of(student.id) is not None:
        raise StudentError(_l("This student already has an account."))
    mobile = student.phone if MOBILE_RE.match(student.phone or "") else None
    if mobile and db.session.scalar(sa.select(User.id).where(User.mobile == mobile)) is not None:
        mobile = None
    user = User(name=student.name, mobile=mobile, password_hash=hash_password(password), role=Role.STUDENT,
                student_id=student.id, organization_id=None)  # fmt: skip
    invitation.used_at = utcnow()
    db.session.add(user)
    db.session.flush()
    record("student_joined", user, actor=user, invitation_id=invitation.id)
    return user


# ---------------------------------------------------------------------------------------------------- consent
def set_own_consent(student: Student, granted: bool, *, actor, guardian_name: str, today: date) -> bool:
    """The student's own grant or withdrawal, appended to the history; under 14 only with the guardian named.
    False when it was already so (nothing recorded)."""
    guardian_name = guardian_name.strip()
    if granted and age_on(student, today) < GUARDIAN_AGE and not guardian_name:
        raise StudentError(_l("Under 14, consent is given by a parent or guardian: enter their name."))
    if student.consent_to_share == granted:
        return False
    student.consent_to_share = granted
    db.session.add(ConsentRecord(student=student, granted=granted, recorded_by_id=actor.id,
                                 guardian_name=guardian_name[:64]))  # fmt: skip
    db.session.flush()
    record("consent_granted" if granted else "consent_withdrawn", student, actor=actor, by="student",
           guardian=guardian_name or None)  # fmt: skip
    return True


# ------------------------------------------------------------------------------------------------------ offers
def offers_of(student: Student) -> list[Nomination]:
    """The student's nominations that reached an offer (offered, accepted, declined), newest first."""
    reached = (NominationStatus.OFFERED, NominationStatus.ACCEPTED, NominationStatus.DECLINED)
    return db.session.scalars(
        sa.select(Nomination)
        .where(Nomination.student_id == student.id, Nomination.status.in_(reached))
        .order_by(Nomination.updated_at.desc(), Nomination.id.desc())
    ).all()


def latest_answers(nomination_ids: list[int]) -> dict[int, OfferAnswer]:
    if not nomination_ids:
        return {}
    answers = db.session.scalars(
        sa.select(OfferAnswer).where(OfferAnswer.nomination_id.in_(nomination_ids)).order_by(OfferAnswer.id)
    ).all()
    return {answer.nomination_id: answer for answer in answers}


def answer_offer(nomination: Nomination, *, accepted: bool, reason: str, actor) -> OfferAnswer:
    """The student's answer, appended; the school records it through the pipeline (accept with start and pay, or
    decline), so the offer stays OFFERED until then. The school is told."""
    if nomination.status is not NominationStatus.OFFERED:
        raise StudentError(_l("This offer is no longer open."))
    answer = OfferAnswer(nomination_id=nomination.id, student_id=nomination.student_id, accepted=accepted,
                         reason=reason.strip()[:1000])  # fmt: skip
    db.session.add(answer)
    db.session.flush()
    record("offer_answered_by_student", nomination, actor=actor, accepted=accepted)
    kind = kinds.STUDENT_ACCEPTED_OFFER if accepted else kinds.STUDENT_DECLINED_OFFER
    notify(nomination.student.school_id, kind, {"nomination_id": nomination.id},
           student=nomination.student.name, opening=nomination.opening.title)  # fmt: skip
    return answer


def answers_waiting(school_id: int) -> list[tuple[Nomination, OfferAnswer]]:
    """Offers still open on which the student has answered: the school confirms each through the pipeline."""
    nominations = db.session.scalars(
        sa.select(Nomination)
        .join(Student, Student.id == Nomination.student_id)
        .where(Student.school_id == school_id, Nomination.status == NominationStatus.OFFERED,
               Nomination.id.in_(sa.select(OfferAnswer.nomination_id)))
        .order_by(Nomination.id)
    ).all()  # fmt: skip
    answers = latest_answers([n.id for n in nominations])
    return [(n, answers[n.id]) for n in nominations]


# -------------------------------------------------------------------------------------------------- placements
def placements_of(student: Student) -> list[Placement]:
    return db.session.scalars(
        sa.select(Placement).where(Placement.student_id == student.id).order_by(Placement.start_date.desc())
    ).all()


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def write_journal(placement: Placement, *, week_of: date, content: str, actor, today: date) -> Journal:
    """The week's journal (周志), written about a week of the placement up to the current one; until the teacher
    reviews it the student may rewrite it."""
    week = monday(week_of)
    if week < monday(placement.start_date) or week > monday(today):
        raise StudentError(_l("Write about a week of the placement, up to this week."))
    if placement.end_date is not None and week > placement.end_date:
        raise StudentError(_l("Write about a week of the placement, up to this week."))
    journal = db.session.scalar(
        sa.select(Journal).where(Journal.placement_id == placement.id, Journal.week_start == week)
    )
    if journal is not None and journal.is_reviewed:
        raise StudentError(_l("The teacher has reviewed this week's journal; it can no longer be changed."))
    if journal is None:
        journal = Journal(placement_id=placement.id, week_start=week, content=content.strip())
        db.session.add(journal)
    else:
        journal.content, journal.submitted_at = content.strip(), utcnow()
    db.session.flush()
    record("journal_written", journal, actor=actor, placement_id=placement.id, week=week.isoformat())
    return journal


def journals_of(placement_id: int) -> list[Journal]:
    return db.session.scalars(
        sa.select(Journal).where(Journal.placement_id == placement_id).order_by(Journal.week_start.desc())
    ).all()


def review(item: Journal | FinalReport, *, comment: str, actor) -> None:
    """The supervising teacher's review (批阅) with a comment; a second review replaces the comment, recorded."""
    item.review_comment, item.reviewed_by_id, item.reviewed_at = comment.strip(), actor.id, utcnow()
    record("journal_reviewed" if isinstance(item, Journal) else "final_report_reviewed", item, actor=actor)


def min_journals(school_id: int) -> int:
    requirement = db.session.get(JournalRequirement, school_id)
    return requirement.min_count if requirement is not None else DEFAULT_MIN_JOURNALS


def set_min_journals(school_id: int, count: int, *, actor) -> None:
    requirement = db.session.get(JournalRequirement, school_id)
    if requirement is None:
        requirement = JournalRequirement(school_id=school_id, updated_by_id=actor.id)
        db.session.add(requirement)
    requirement.min_count, requirement.updated_by_id = count, actor.id
    db.session.flush()
    record("journal_minimum_set", None, actor=actor, object_type="journal_requirements", min_count=count)


@dataclass(frozen=True)
class Progress:
    written: int
    expected: int  # due by today
    required: int  # over the whole placement

    @property
    def behind(self) -> bool:
        return self.written < self.expected


def expected_by(placement: Placement, required: int, today: date) -> int:
    """Journals due by `today`: the required count spread evenly over the placement's weeks, rounded down, so a
    student is behind only once a whole journal's share of the period has passed; without an end date, one a week
    up to the required count."""
    if today < placement.start_date or required == 0:
        return 0
    weeks_gone = (min(today, placement.end_date or today) - placement.start_date).days // 7
    if placement.end_date is None:
        return min(weeks_gone, required)
    total_weeks = max(1, math.ceil((placement.end_date - placement.start_date).days / 7))
    if today >= placement.end_date:
        return required
    return min(required, math.floor(required * weeks_gone / total_weeks))


def progress(placement: Placement, today: date, required: int | None = None) -> Progress:
    if placement.kind not in JOURNAL_KINDS:
        required = 0
    elif required is None:
        required = min_journals(placement.student.school_id)
    written = db.session.scalar(sa.select(sa.func.count(Journal.id)).where(Journal.placement_id == placement.id))
    return Progress(written, expected_by(placement, required, today), required)


def school_internships(school_id: int, today: date) -> list[Placement]:
    """The school's internships that keep journals: ongoing, or ended in the last BOARD_DAYS_AFTER_END days."""
    recent = today - timedelta(days=BOARD_DAYS_AFTER_END)
    return db.session.scalars(
        sa.select(Placement)
        .join(Student, Student.id == Placement.student_id)
        .options(selectinload(Placement.student),
                 selectinload(Placement.opening).selectinload(Opening.plan).selectinload(HiringPlan.enterprise))
        .where(Student.school_id == school_id, Placement.kind.in_(JOURNAL_KINDS), Placement.start_date <= today,
               sa.or_(Placement.status == PlacementStatus.ONGOING, Placement.end_date >= recent))
        .order_by(Placement.start_date.desc(), Placement.id)
    ).all()  # fmt: skip


def journal_board(school_id: int, today: date) -> list[tuple[Placement, Progress]]:
    """The school's internships with their journal progress, those behind first (a fixed number of queries)."""
    required = min_journals(school_id)
    placements = school_internships(school_id, today)
    ids = [p.id for p in placements]
    written = dict(
        db.session.execute(
            sa.select(Journal.placement_id, sa.func.count(Journal.id))
            .where(Journal.placement_id.in_(ids))
            .group_by(Journal.placement_id)
        ).all()
    ) if ids else {}  # fmt: skip
    rows = [(p, Progress(written.get(p.id, 0), expected_by(p, required, today), required)) for p in placements]
    return sorted(rows, key=lambda row: (not row[1].behind, row[0].id))


def to_review(school_id: int) -> tuple[list[Journal], list[FinalReport]]:
    journals = db.session.scalars(
        sa.select(Journal)
        .join(Placement, Placement.id == Journal.placement_id)
        .join(Student, Student.id == Placement.student_id)
        .where(Student.school_id == school_id, Journal.reviewed_at.is_(None))
        .order_by(Journal.submitted_at)
    ).all()
    reports = db.session.scalars(
        sa.select(FinalReport)
        .join(Placement, Placement.id == FinalReport.placement_id)
        .join(Student, Student.id == Placement.student_id)
        .where(Student.school_id == school_id, FinalReport.reviewed_at.is_(None))
        .order_by(FinalReport.submitted_at)
    ).all()
    return journals, reports


def report_of(placement_id: int) -> FinalReport | None:
    return db.session.scalar(sa.select(FinalReport).where(FinalReport.placement_id == placement_id))


def submit_report(placement: Placement, *, content: str, actor) -> FinalReport:
    report = report_of(placement.id)
    if report is not None and report.is_reviewed:
        raise StudentError(_l("The teacher has reviewed your final report; it can no longer be changed."))
    if report is None:
        report = FinalReport(placement_id=placement.id, content=content.strip())
        db.session.add(report)
    else:
        report.content, report.submitted_at = content.strip(), utcnow()
    db.session.flush()
    record("final_report_submitted", report, actor=actor, placement_id=placement.id)
    return report


# -------------------------------------------------------------------------------------------------- evaluation
def may_evaluate(placement: Placement, today: date) -> bool:
    """After the placement, or in its last weeks."""
    if placement.status is not PlacementStatus.ONGOING:
        return True
    return placement.end_date is not None and (placement.end_date - today).days <= EVALUATION_WINDOW_DAYS


def evaluation_of(placement_id: int) -> Evaluation | None:
    return db.session.scalar(sa.select(Evaluation).where(Evaluation.placement_id == placement_id))


def evaluate(placement: Placement, *, enterprise_score: int, post_score: int, comment: str, actor,
             today: date) -> Evaluation:  # fmt: skip
    if not may_evaluate(placement, today):
        raise StudentError(_l("You can evaluate the enterprise near the end of the placement."))
    if evaluation_of(placement.id) is not None:
        raise StudentError(_l("You have already evaluated this placement."))
    evaluation = Evaluation(placement_id=placement.id, enterprise_id=placement.opening.plan.enterprise_id,
                            enterprise_score=enterprise_score, post_score=post_score,
                            comment=comment.strip()[:2000])  # fmt: skip
    db.session.add(evaluation)
    db.session.flush()
    record("placement_evaluated", evaluation, actor=actor)
    return evaluation


@dataclass(frozen=True)
class Summary:
    answers: int
    enterprise_score: float
    post_score: float


def _summaries(condition) -> list[tuple[int, Summary]]:
    rows = db.session.execute(
        sa.select(Evaluation.enterprise_id, sa.func.count(Evaluation.id), sa.func.avg(Evaluation.enterprise_score),
                  sa.func.avg(Evaluation.post_score))
        .where(condition)
        .group_by(Evaluation.enterprise_id)
    ).all()  # fmt: skip
    return [(eid, Summary(n, round(float(e), 2), round(float(p), 2))) for eid, n, e, p in rows]


def enterprise_summary(enterprise_id: int, min_answers: int) -> Summary | None:
    """What an enterprise reads of its interns' evaluations: the averages, and only from `min_answers` answers on,
    so that no single student's answer can be told apart."""
    rows = _summaries(Evaluation.enterprise_id == enterprise_id)
    if not rows or rows[0][1].answers < min_answers:
        return None
    return rows[0][1]


def summaries_for(enterprise_ids: list[int]) -> list[tuple[int, Summary]]:
    """Per enterprise, for an alliance's analysts."""
    if not enterprise_ids:
        return []
    return _summaries(Evaluation.enterprise_id.in_(enterprise_ids))


def comments_for(enterprise_ids: list[int]) -> list[Evaluation]:
    if not enterprise_ids:
        return []
    return db.session.scalars(
        sa.select(Evaluation).where(Evaluation.enterprise_id.in_(enterprise_ids), Evaluation.comment != "")
        .order_by(Evaluation.enterprise_id, Evaluation.at.desc())
    ).all()  # fmt: skip


# -------------------------------------------------------------------------------------------------- corrections
def request_correction(student: Student, *, text: str, actor) -> CorrectionRequest:
    request = CorrectionRequest(student_id=student.id, school_id=student.school_id, text=text.strip())
    db.session.add(request)
    db.session.flush()
    record("correction_requested", request, actor=actor)
    notify(student.school_id, kinds.CORRECTION_REQUESTED, {}, student=student.name)
    return request


def resolve_correction(request: CorrectionRequest, *, corrected: bool, answer: str, actor) -> None:
    if request.status is not CorrectionStatus.OPEN:
        raise StudentError(_l("This request has already been answered."))
    request.status = CorrectionStatus.CORRECTED if corrected else CorrectionStatus.REFUSED
    request.answer, request.resolved_by_id, request.resolved_at = answer.strip(), actor.id, utcnow()
    record("correction_resolved", request, actor=actor, status=request.status.value)


def corrections_of(*, student_id: int | None = None, school_id: int | None = None) -> list[CorrectionRequest]:
    query = sa.select(CorrectionRequest).order_by(CorrectionRequest.id.desc())
    if student_id is not None:
        query = query.where(CorrectionRequest.student_id == student_id)
    if school_id is not None:
        query = query.where(CorrectionRequest.school_id == school_id)
    return db.session.scalars(query).all()
