"""Confirming or discarding an allocation proposal.

A run may be confirmed only while it is its alliance's newest proposal and the inputs it read are unchanged (the
fingerprints of `inputs`, read again now). Confirming shows first what it will do (`preview`), turns each seat into
a nomination whose source is the run, tells each school and each enterprise once (not once per seat), and
supersedes every other proposal of the alliance.
"""

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from marketplace import ranking
from marketplace.allocations import inputs, services
from marketplace.allocations.models import AllocationRun, AllocationSeat, RunStatus
from marketplace.audit.services import record
from marketplace.cohorts.models import Student
from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.notifications import catalogue as kinds
from marketplace.notifications.services import notify
from marketplace.pipeline import services as pipeline_services
from marketplace.pipeline.models import Nomination, NominationSource, NominationStatus
from marketplace.pipeline.services import PipelineError
from marketplace.plans.models import HiringPlan, Opening
from marketplace.refusals import Refusal
from marketplace.timeutil import local_today

# A nomination in one of these states no longer holds the student: a later allocation may put them forward again.
ENDED = (NominationStatus.REJECTED, NominationStatus.DECLINED, NominationStatus.WITHDRAWN)


class RunRefused(Refusal):
    """The run may not be confirmed or discarded now; the message says why."""


# ------------------------------------------------------------------------------------------- may it be confirmed
def inputs_now(run: AllocationRun) -> inputs.Fingerprint:
    """The run's inputs as they are today, fingerprinted as the run fingerprinted them."""
    scope = run.parameters.get("scope", "members")
    students, openings, seen = services.alliance_inputs(run.alliance, local_today(), scope)
    snapshot = ranking.build_snapshot(students, openings)
    capacity, regions = services.capacities(openings), services.enterprise_caps(openings)
    return inputs.fingerprint(snapshot, seen, capacity, services.shared_caps(regions))


def newer_proposal(run: AllocationRun) -> int | None:
    """The id of the alliance's newest proposal, when it is not this run."""
    newest = db.session.scalar(
        sa.select(sa.func.max(AllocationRun.id)).where(
            AllocationRun.alliance_id == run.alliance_id, AllocationRun.status == RunStatus.PROPOSED
        )
    )
    return newest if newest is not None and newest != run.id else None


def blocker(run: AllocationRun) -> str | None:
    """Why the run cannot be confirmed now, in the reader's words; None when it can."""
    if run.superseded_by_id is not None:
        return _l("This run was superseded by run %(run)d, confirmed since.", run=run.superseded_by_id)
    if run.status is not RunStatus.PROPOSED:
        return _l("This run is no longer a proposal.")
    newer = newer_proposal(run)
    if newer is not None:
        return _l("Run %(run)d is newer: only the newest proposal may be confirmed. Confirm or discard that one.",
                  run=newer)  # fmt: skip
    before = inputs.Fingerprint.from_json(run.parameters.get("inputs"))
    now = inputs_now(run)
    if before is None:
        if now.digest != run.inputs_digest:
            return _l("This run did not record its inputs one by one, so they cannot be checked: run the allocation "
                      "again.")  # fmt: skip
        return None
    if now.digest == run.inputs_digest:
        return None
    c = inputs.changes(before, now)
    return _l(
        "The data changed since this run was computed (students: %(s_added)d added, %(s_removed)d removed, "
        "%(s_changed)d changed; openings: %(o_added)d added, %(o_removed)d removed, %(o_changed)d changed). "
        "Run the allocation again and confirm the new proposal.",
        s_added=c.students_added, s_removed=c.students_removed, s_changed=c.students_changed,
        o_added=c.openings_added, o_removed=c.openings_removed, o_changed=c.openings_changed,
    )  # fmt: skip


# ------------------------------------------------------------------------------------------------------ preview
@dataclass(frozen=True)
class Preview:
    """What confirming would do: the seats that become nominations, those skipped (with why), and who is told."""

    seats: list[AllocationSeat]
    skipped: list[tuple[AllocationSeat, str]]
    schools: list[tuple[str, int]]  # (school, its students put forward), most first
    enterprises: list[tuple[str, int]]  # (enterprise, candidates for its openings), most first

    @property
    def notifications(self) -> int:
        return len(self.schools) + len(self.enterprises)


def preview(run: AllocationRun) -> Preview:
    seats = db.session.scalars(
        sa.select(AllocationSeat)
        .where(AllocationSeat.run_id == run.id)
        .options(
            selectinload(AllocationSeat.student).selectinload(Student.school),
            selectinload(AllocationSeat.opening).selectinload(Opening.plan).selectinload(HiringPlan.enterprise),
        )
        .order_by(AllocationSeat.id)
    ).all()
    held = _held(run, [s.student_id for s in seats])
    ok, skipped = [], []
    for seat in seats:
        reason = _refusal(seat, held)
        if reason is None:
            ok.append(seat)
        else:
            skipped.append((seat, reason))
    schools = Counter(s.student.school.name for s in ok)
    enterprises = Counter(s.opening.plan.enterprise.name for s in ok)
    return Preview(ok, skipped, _most_first(schools), _most_first(enterprises))


def _most_first(counts: Counter) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _held(run: AllocationRun, student_ids: list[int]) -> dict[int, list[Nomination]]:
    """Student id → their nominations that still hold them (not ended)."""
    held: dict[int, list[Nomination]] = {}
    if not student_ids:
        return held
    for n in db.session.scalars(
        sa.select(Nomination).where(Nomination.student_id.in_(student_ids), Nomination.status.not_in(ENDED))
    ):
        held.setdefault(n.student_id, []).append(n)
    return held


def _refusal(seat: AllocationSeat, held: dict[int, list[Nomination]]) -> str | None:
    """Why this seat cannot become a nomination now (the pipeline's own reasons), or None."""
    opening, student = seat.opening, seat.student
    try:
        pipeline_services.check_nominable(student, opening)
    except PipelineError as exc:
        return str(exc)
    for n in held.get(student.id, []):
        if n.opening_id == opening.id:
            return str(_l("This student has already been put forward for this opening."))
        if n.source is NominationSource.ALLOCATION:
            return str(_l("The student already holds a nomination from allocation run %(run)d.",
                          run=n.allocation_run_id or 0))  # fmt: skip
    return None


# ------------------------------------------------------------------------------------------------------ decide
@dataclass(frozen=True)
class Outcome:
    created: int
    skipped: list[tuple[AllocationSeat, str]]
    notifications: int
    superseded: list[int]


def confirm(run: AllocationRun, *, actor, expected: int | None = None) -> Outcome:
    """Turn the seats into nominations (source: this run), notify each school and enterprise once, and supersede
    the alliance's other proposals. `expected`: the number of nominations the secretariat's preview showed; if the
    seats changed since (another nomination, a place filled) it is refused, to be reviewed again."""
    reason = blocker(run)
    if reason is not None:
        raise RunRefused(reason)
    plan = preview(run)
    if expected is not None and expected != len(plan.seats):
        raise RunRefused(_l("What the confirmation would do changed since you reviewed it: review it again."))
    nominations = [
        Nomination(opening_id=seat.opening_id, student_id=seat.student_id, status=NominationStatus.NOMINATED,
                   source=NominationSource.ALLOCATION, allocation_run_id=run.id, created_by_id=actor.id)
        for seat in plan.seats
    ]  # fmt: skip
    db.session.add_all(nominations)
    db.session.flush()
    for seat, nomination in zip(plan.seats, nominations, strict=True):
        seat.nomination_id = nomination.id
        record("nomination_created", nomination, actor=actor, source=NominationSource.ALLOCATION.value, run=run.id)
    _notify(run, plan.seats)
    superseded = _supersede_others(run, actor=actor)
    run.status, run.decided_by_id, run.decided_at = RunStatus.CONFIRMED, actor.id, utcnow()
    record("allocation_confirmed", run, actor=actor, created=len(nominations), skipped=len(plan.skipped),
           notifications=plan.notifications, superseded=superseded)  # fmt: skip
    return Outcome(len(nominations), plan.skipped, plan.notifications, superseded)


def _notify(run: AllocationRun, seats: list[AllocationSeat]) -> None:
    """One notification per school and per enterprise, linking to the run's page of its own seats."""
    schools = Counter(seat.student.school_id for seat in seats)
    enterprises = Counter(seat.opening.plan.enterprise_id for seat in seats)
    words, target = {"alliance": run.alliance.short_name, "run": run.id}, {"run_id": run.id}
    for side, kind, counts in (("school", kinds.ALLOCATION_TO_SCHOOL, schools),
                               ("enterprise", kinds.ALLOCATION_TO_ENTERPRISE, enterprises)):  # fmt: skip
        for org_id, count in sorted(counts.items()):
            notify(org_id, kind, target, key=f"allocation:{run.id}:{side}", count=count, **words)


def _supersede_others(run: AllocationRun, *, actor) -> list[int]:
    others = db.session.scalars(
        sa.select(AllocationRun)
        .where(AllocationRun.alliance_id == run.alliance_id, AllocationRun.status == RunStatus.PROPOSED,
               AllocationRun.id != run.id)
        .order_by(AllocationRun.id)
    ).all()  # fmt: skip
    for other in others:
        other.status, other.superseded_by_id = RunStatus.DISCARDED, run.id
        other.decided_by_id, other.decided_at = actor.id, utcnow()
        record("allocation_superseded", other, actor=actor, by=run.id)
    return [other.id for other in others]


def discard(run: AllocationRun, *, actor) -> None:
    if run.status is not RunStatus.PROPOSED:
        raise RunRefused(_l("This run is no longer a proposal."))
    run.status, run.decided_by_id, run.decided_at = RunStatus.DISCARDED, actor.id, utcnow()
    record("allocation_discarded", run, actor=actor)


# ------------------------------------------------------------------------------------------ the members' view
def touches(run: AllocationRun, org_id: int | None) -> bool:
    """Whether a confirmed run put forward (made a nomination of) a student of this school or a candidate for an
    opening of this enterprise."""
    if org_id is None or run.status is not RunStatus.CONFIRMED:
        return False
    return db.session.scalar(sa.select(sa.exists().where(_own_seat(run, org_id)))) or False


def _own_seat(run: AllocationRun, org_id: int):
    school = sa.select(Student.id).where(Student.school_id == org_id)
    enterprise = sa.select(Opening.id).join(HiringPlan).where(HiringPlan.enterprise_id == org_id)
    return sa.and_(
        AllocationSeat.run_id == run.id,
        AllocationSeat.nomination_id.is_not(None),
        sa.or_(AllocationSeat.student_id.in_(school), AllocationSeat.opening_id.in_(enterprise)),
    )


def own_seats(run: AllocationRun, org_id: int) -> sa.Select:
    """The run's seats that became nominations of this school's students or for this enterprise's openings."""
    return sa.select(AllocationSeat).where(_own_seat(run, org_id)).order_by(AllocationSeat.id)
