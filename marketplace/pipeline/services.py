"""The pipeline across student, opening and placement. Functions flush, never commit; the view commits once."""

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from marketplace.audit.services import record
from marketplace.cohorts.models import Gender, Student
from marketplace.extensions import db
from marketplace.notifications import catalogue as kinds
from marketplace.notifications.services import notify
from marketplace.permissions import enterprise_may_see
from marketplace.pipeline.models import (
    Nomination,
    NominationSource,
    NominationStatus,
    Placement,
    PlacementStatus,
    RuleException,
)
from marketplace.plans import rules
from marketplace.plans.messages import breach_message
from marketplace.plans.models import HiringPlan, Opening, PlanStatus
from marketplace.refusals import Refusal

N = NominationStatus


class PipelineError(Refusal):
    """A step the rules refuse. `breaches` carries internship-rule breaches for the message."""

    def __init__(self, message: str, breaches: list[rules.Breach] | None = None):
        super().__init__(message)
        self.breaches = breaches or []

    def __str__(self) -> str:
        return " ".join([str(self.args[0]), *(breach_message(b) for b in self.breaches)])


def check_nominable(student: Student, opening: Opening) -> None:
    """The opening takes nominations and the rules let this student be put forward to it (raises PipelineError);
    the allocation asks the same before it turns a seat into a nomination."""
    _check_open(opening)
    _check_student(student, opening)


def _check_open(opening: Opening) -> None:
    if opening.plan.status is not PlanStatus.PUBLISHED:
        raise PipelineError(_l("This opening is not published."))
    if opening.remaining <= 0:
        raise PipelineError(_l("This opening has no places left."))


def _check_student(student: Student, opening: Opening) -> None:
    if not student.consent_to_share:
        raise PipelineError(_l("The student has not consented to share their data with enterprises."))
    breaches = rules.student_breaches(
        kind=opening.kind, birth_date=student.birth_date, enrolled_on=student.enrolled_on,
        start_date=opening.start_date, female=student.gender is Gender.FEMALE,
        minors_forbidden_work=opening.minors_forbidden_work, women_forbidden_work=opening.women_forbidden_work,
    )  # fmt: skip
    if breaches:
        raise PipelineError(_l("The internship rules do not allow this placement."), breaches)


def put_forward(student: Student, opening: Opening, *, actor, invited: bool) -> Nomination:
    """The school nominates (推荐) a student, or the enterprise invites a consenting one; an invitation waits for the
    school's answer (`answer_invitation`)."""
    check_nominable(student, opening)
    # The school may put its students forward anywhere; anyone else only reaches those the enterprise may see.
    if actor.organization_id != student.school_id and not enterprise_may_see(opening.plan.enterprise_id, student):
        raise PipelineError(_l("The enterprise may not see this student: their school shares no alliance with it."))
    existing = db.session.scalar(
        sa.select(Nomination).where(Nomination.opening_id == opening.id, Nomination.student_id == student.id)
    )
    if existing is not None:
        raise PipelineError(_l("This student has already been put forward for this opening."))
    nomination = Nomination(
        opening=opening, student=student, status=N.INVITED if invited else N.NOMINATED, created_by_id=actor.id,
        source=NominationSource.ENTERPRISE if invited else NominationSource.SCHOOL,
    )  # fmt: skip
    db.session.add(nomination)
    db.session.flush()
    record("nomination_invited" if invited else "nomination_created", nomination, actor=actor)
    other_side = student.school_id if invited else opening.plan.enterprise_id
    notify(other_side, kinds.INVITED if invited else kinds.NOMINATED, {"nomination_id": nomination.id},
           student=student.name, opening=opening.title)  # fmt: skip
    return nomination


def answer_invitation(nomination: Nomination, *, actor, agree: bool, reason: str = "") -> Nomination:
    """The student's school answers an enterprise's invitation: it agrees (the student is put forward, and only now
    may the enterprise shortlist or offer), or declines with a reason (the invitation ends as withdrawn)."""
    if nomination.status is not N.INVITED:
        raise PipelineError(_l("This invitation has already been answered."))
    reason = reason.strip()
    if not agree and not reason:
        raise PipelineError(_l("Give a reason when declining an invitation."))
    nomination.status, nomination.reason = (N.NOMINATED, "") if agree else (N.WITHDRAWN, reason)
    record("invitation_accepted" if agree else "invitation_declined", nomination, actor=actor, reason=reason or None)
    params = {"student": nomination.student.name, "opening": nomination.opening.title}
    if agree:
        notify(nomination.opening.plan.enterprise_id, kinds.INVITATION_ACCEPTED, {"nomination_id": nomination.id},
               **params)  # fmt: skip
    else:
        notify(nomination.opening.plan.enterprise_id, kinds.INVITATION_DECLINED, {"nomination_id": nomination.id},
               reason=reason, **params)  # fmt: skip
    return nomination


def move(nomination: Nomination, status: NominationStatus, *, actor, reason: str = "") -> Nomination:
    """Shortlist, reject (with reason), offer, decline or withdraw; ACCEPTED goes through `accept`, the answer to an
    invitation through `answer_invitation`."""
    if nomination.status is N.INVITED:
        raise PipelineError(_l("The school has not answered this invitation yet."))
    if status is N.ACCEPTED or not nomination.can_transition_to(status):
        raise PipelineError(_l("This step is not possible from the nomination's current status."))
    if status is N.REJECTED and not reason.strip():
        raise PipelineError(_l("Give a reason when rejecting a candidate."))
    if status is N.OFFERED:
        _check_open(nomination.opening)
    previous = nomination.status
    nomination.status, nomination.reason = status, reason.strip()
    record("nomination_" + status.value, nomination, actor=actor, previous=previous.value, reason=reason or None)
    enterprise_id, school_id = nomination.opening.plan.enterprise_id, nomination.student.school_id
    notify(school_id if actor.organization_id == enterprise_id else enterprise_id, kinds.NOMINATION_MOVED,
           {"nomination_id": nomination.id}, student=nomination.student.name, opening=nomination.opening.title,
           status=status)  # fmt: skip
    return nomination


def _share_breaches(opening: Opening) -> list[rules.Breach]:
    enterprise = opening.plan.enterprise
    ongoing = (
        sa.select(sa.func.count())
        .select_from(Placement)
        .join(Opening, Opening.id == Placement.opening_id)
        .join(HiringPlan, HiringPlan.id == Opening.plan_id)
        .where(Placement.status == PlacementStatus.ONGOING, Placement.kind.in_(rules.SHARE_KINDS))
    )
    at_enterprise = db.session.scalar(ongoing.where(HiringPlan.enterprise_id == enterprise.id))
    in_post = db.session.scalar(ongoing.where(Opening.id == opening.id))
    breaches = rules.share_breaches(
        kind=opening.kind,
        interns_at_enterprise=at_enterprise,
        enterprise_staff=enterprise.staff_count or 0,
        interns_in_post=in_post,
        staff_in_post=opening.staff_in_post,
    )
    waived = set(db.session.scalars(sa.select(RuleException.rule).where(RuleException.opening_id == opening.id)))
    return [b for b in breaches if b.rule not in waived]


def accept(nomination: Nomination, *, actor, start_date: date, pay: int) -> Placement:
    """Record the student's acceptance of an offer: exactly one of any number of concurrent accepts gets a last place.

    The guard is a conditional UPDATE checked by row count (atomic on PostgreSQL and, with BEGIN IMMEDIATE, on
    SQLite); the CHECK filled <= headcount and the unique (opening, student) constraints are the safety net.
    """
    if nomination.status is not N.OFFERED:
        raise PipelineError(_l("Only an offered nomination can be accepted."))
    opening = nomination.opening
    _check_student(nomination.student, opening)
    breaches = _share_breaches(opening)
    if breaches:
        raise PipelineError(_l("The internship rules do not allow this placement."), breaches)
    taken = db.session.execute(
        sa.update(Opening)
        .where(Opening.id == opening.id, Opening.filled < Opening.headcount)
        .values(filled=Opening.filled + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        raise PipelineError(_l("This opening has no places left."))
    placement = Placement(
        opening_id=opening.id, student_id=nomination.student_id, nomination_id=nomination.id, kind=opening.kind,
        start_date=start_date, end_date=opening.end_date, pay=pay,
    )  # fmt: skip
    nomination.status = N.ACCEPTED
    db.session.add(placement)
    db.session.flush()
    db.session.expire(opening, ["filled"])
    record("offer_accepted", placement, actor=actor, nomination_id=nomination.id)
    notify(opening.plan.enterprise_id, kinds.OFFER_ACCEPTED, {"placement_id": placement.id},
           student=nomination.student.name, opening=opening.title)  # fmt: skip
    return placement


def close_placement(
    placement: Placement, status: PlacementStatus, *, actor, end_date: date, reason: str = "", today: date
) -> None:
    """Record how a placement ended. It completes only once it has started, on a day between its start and today;
    leaving early (also before the start: the student never arrived) needs the reason."""
    if placement.status is not PlacementStatus.ONGOING or status is PlacementStatus.ONGOING:
        raise PipelineError(_l("Only an ongoing placement can be completed or ended early."))
    if end_date < placement.start_date:
        raise PipelineError(_l("The end date is before the start date."))
    reason = reason.strip()
    if status is PlacementStatus.COMPLETED:
        if placement.start_date > today or (placement.needs_arrival and placement.arrived_on is None):
            raise PipelineError(_l("The placement has not started yet: it cannot be completed before its start date."))
        if end_date > today:
            raise PipelineError(_l("A placement is completed on a day that has come: the end date is in the future."))
    else:
        if not reason:
            raise PipelineError(_l("Give the reason the student left early."))
        if end_date > max(today, placement.start_date):
            raise PipelineError(_l("The student cannot have left on a day still to come."))
    placement.status, placement.end_date = status, end_date
    placement.end_reason = reason if status is PlacementStatus.LEFT_EARLY else ""
    record("placement_" + status.value, placement, actor=actor, end_date=end_date.isoformat(), reason=reason or None)


def give_feedback(placement: Placement, *, actor, text: str) -> None:
    is_enterprise = actor.organization_id == placement.opening.plan.enterprise_id
    if is_enterprise:
        placement.enterprise_feedback = text
    else:
        placement.school_feedback = text
    record("placement_feedback", placement, actor=actor, side="enterprise" if is_enterprise else "school")
    notify(placement.student.school_id if is_enterprise else placement.opening.plan.enterprise_id,
           kinds.PLACEMENT_FEEDBACK, {"placement_id": placement.id}, student=placement.student.name)  # fmt: skip


def waive(opening: Opening, rule: str, *, actor, alliance_id: int, reason: str) -> RuleException:
    if rule not in rules.WAIVABLE:
        raise PipelineError(_l("This rule allows no exception."))
    exception = RuleException(opening_id=opening.id, rule=rule, reason=reason, granted_by_id=actor.id,
                              alliance_id=alliance_id)  # fmt: skip
    db.session.add(exception)
    db.session.flush()
    record("rule_waived", exception, actor=actor, opening_id=opening.id, rule=rule, reason=reason)
    notify(opening.plan.enterprise_id, kinds.RULE_WAIVED, {"opening_id": opening.id}, opening=opening.title, rule=rule)
    return exception
