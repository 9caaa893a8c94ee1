"""Governance workflows: calling meetings, tabling and deciding motions, and what a passed motion does.

They flush, never commit. Each rule names the charter article it implements (README, "Governance").
"""

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from marketplace.alliances.models import Alliance, Membership, MembershipStatus, Tier, in_force_on
from marketplace.alliances.services import decide
from marketplace.audit.services import record
from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.governance import rules
from marketplace.governance.certificates import assign_number
from marketplace.governance.errors import GovernanceError
from marketplace.governance.models import (
    BODY_TIERS,
    MEMBERSHIP_KINDS,
    Attendance,
    AttendanceStatus,
    Body,
    Meeting,
    Motion,
    MotionKind,
    MotionStatus,
)
from marketplace.governance.officers import check_tier
from marketplace.notifications import catalogue as kinds
from marketplace.notifications.services import notify

__all__ = ["GovernanceError", "call_meeting", "decide_motion", "record_attendance", "schedule", "table_motion"]

# Which bodies may decide which motions: membership decisions belong to the council (衡水 art. 15(7), 德州实施办法
# art. 12) or an all-member assembly (联席会 art. 8); the standing council only proposes them (衡水 art. 16(6)).
DECIDING_BODIES = {
    kind: frozenset({Body.COUNCIL, Body.ASSEMBLY}) if kind in MEMBERSHIP_KINDS else frozenset({*Body} - {Body.ACTIVITY})
    for kind in MotionKind
}
DECIDING_BODIES[MotionKind.AMEND_CHARTER] = frozenset({Body.COUNCIL, Body.ASSEMBLY})


def table_motion(
    alliance: Alliance,
    *,
    kind: MotionKind,
    title: str,
    text: str = "",
    membership: Membership | None = None,
    tier: Tier | None = None,
    meeting: Meeting | None = None,
    origin: str = "secretariat",
    actor=None,
) -> Motion:
    """Put a motion on the alliance's agenda, or onto a meeting's. Idempotent for a membership's pending motion of
    the same kind, so that a daily sweep may call it."""
    if membership is not None:
        existing = db.session.scalar(
            sa.select(Motion).where(
                Motion.membership_id == membership.id, Motion.kind == kind, Motion.status == MotionStatus.PENDING
            )
        )
        if existing is not None:
            return existing
    motion = Motion(
        alliance=alliance, kind=kind, title=title[:200], text=text, membership=membership, tier=tier, origin=origin,
        created_by_id=actor.id if actor is not None else None,
    )  # fmt: skip
    db.session.add(motion)
    db.session.flush()
    if meeting is not None:
        schedule(motion, meeting, actor=actor)
    record("motion_tabled", motion, actor=actor, kind=kind.value, origin=origin, membership_id=motion.membership_id)
    if membership is not None and kind in (MotionKind.EXPEL, MotionKind.REMOVE):
        notify(membership.organization_id, kinds.MOTION_ON_MEMBERSHIP, {"membership_id": membership.id},
               key=f"motion:{motion.id}", alliance=alliance.short_name, motion=motion.title)  # fmt: skip
    return motion


def pending_agenda(alliance: Alliance) -> list[Motion]:
    return list(
        db.session.scalars(
            sa.select(Motion)
            .where(Motion.alliance_id == alliance.id, Motion.status == MotionStatus.PENDING)
            .where(Motion.meeting_id.is_(None))
            .order_by(Motion.id)
        )
    )


def voters(alliance: Alliance, body: Body, on: date) -> list[Membership]:
    """The units invited to a body's meeting: memberships in force on the day with a tier that sits on it."""
    query = (
        sa.select(Membership)
        .where(Membership.alliance_id == alliance.id, in_force_on(on))
        .where(Membership.tier.in_(list(BODY_TIERS[body])))
        .order_by(Membership.id)
    )
    return list(db.session.scalars(query))


def call_meeting(alliance: Alliance, *, body: Body, title: str, held_on: date, location: str = "", actor) -> Meeting:
    """Call a meeting; its roster (the units invited, who are its voters) is fixed from the memberships on the day."""
    meeting = Meeting(alliance=alliance, body=body, title=title, held_on=held_on, location=location,
                      created_by_id=actor.id if actor is not None else None)  # fmt: skip
    for membership in voters(alliance, body, held_on):
        meeting.attendance.append(Attendance(organization_id=membership.organization_id))
    if not meeting.attendance:
        raise GovernanceError(_l("Nobody sits on this body on that day: check the members' tiers."))
    db.session.add(meeting)
    db.session.flush()
    record("meeting_called", meeting, actor=actor, body=body.value, held_on=held_on.isoformat(),
           invited=len(meeting.attendance))  # fmt: skip
    return meeting


def record_attendance(meeting: Meeting, statuses: dict[int, str], *, actor, today: date) -> Meeting:
    """Record who was present, excused (请假) or absent; only on or after the day of the meeting."""
    if meeting.held_on > today:
        raise GovernanceError(_l("Attendance can be recorded on the day of the meeting or later."))
    if any(m.decided for m in meeting.motions):
        raise GovernanceError(_l("Votes have been counted at this meeting: its attendance can no longer change."))
    for row in meeting.attendance:
        value = statuses.get(row.organization_id)
        if value not in {s.value for s in AttendanceStatus}:
            raise GovernanceError(_l("Give every invited unit's attendance."))
        row.status = AttendanceStatus(value)
    meeting.attendance_taken_at = utcnow()
    db.session.flush()
    record("meeting_attendance", meeting, actor=actor, present=meeting.present, invited=meeting.council_size)
    return meeting


def _check_membership_step(motion: Motion, on: date) -> None:
    """The membership must be where the motion expects it on the meeting's day."""
    m = motion.membership
    if motion.kind in MEMBERSHIP_KINDS and m is None:
        raise GovernanceError(_l("This motion needs the membership it decides on."))
    if motion.kind is MotionKind.ADMIT:
        if m.status is not MembershipStatus.UNDER_REVIEW:
            raise GovernanceError(_l("Only an application that passed the qualification review can be voted on."))
        check_tier(m.alliance, motion.tier or Tier.MEMBER, on, membership=m)
    elif motion.kind is MotionKind.APPROVE_WITHDRAWAL:
        if m.status is not MembershipStatus.WITHDRAWAL_REQUESTED:
            raise GovernanceError(_l("The member has not requested to withdraw."))
        earliest = m.alliance.earliest_withdrawal(m.withdrawal_requested_on)
        if on < earliest:  # 衡水 art. 12: written request three months ahead
            raise GovernanceError(
                _l("The notice period runs until %(date)s: the council can approve the withdrawal from then on.",
                   date=earliest.isoformat())
            )  # fmt: skip
    elif motion.kind in (MotionKind.EXPEL, MotionKind.REMOVE) and not m.in_force:
        raise GovernanceError(_l("Only a membership in force can be ended."))


def schedule(motion: Motion, meeting: Meeting, *, actor) -> Motion:
    """Put a pending motion before a meeting that may decide it."""
    if motion.decided:
        raise GovernanceError(_l("This motion has already been decided."))
    if meeting.alliance_id != motion.alliance_id:
        raise GovernanceError(_l("The meeting belongs to another alliance."))
    if meeting.body not in DECIDING_BODIES[motion.kind]:
        raise GovernanceError(_l("This body cannot decide a motion of this kind."))
    _check_membership_step(motion, meeting.held_on)
    motion.meeting = meeting
    db.session.flush()
    record("motion_scheduled", motion, actor=actor, meeting_id=meeting.id)
    return motion


def decide_motion(motion: Motion, *, yes: int, no: int, abstain: int, actor, today: date) -> rules.Tally:
    """Count the vote of the directors present by the alliance's rule; a passed motion takes effect that day."""
    meeting = motion.meeting
    if meeting is None:
        raise GovernanceError(_l("Schedule the motion at a meeting before counting votes."))
    if motion.decided:
        raise GovernanceError(_l("This motion has already been decided."))
    if meeting.attendance_taken_at is None or meeting.held_on > today:
        raise GovernanceError(_l("Record the meeting's attendance before counting votes."))
    rule = motion.alliance.vote_rule(motion.kind.value)
    try:
        tally = rules.count(rule, motion.alliance.quorum, council=meeting.council_size, present=meeting.present,
                            yes=yes, no=no, abstain=abstain)  # fmt: skip
    except ValueError as exc:
        raise GovernanceError(_l("More votes than directors present (%(n)d).", n=meeting.present)) from exc
    if tally.outcome is rules.Outcome.PASSED:
        _check_membership_step(motion, meeting.held_on)
    motion.council_size, motion.present = tally.council, tally.present
    motion.yes_votes, motion.no_votes, motion.abstentions = yes, no, abstain
    motion.rule_text, motion.quorum_text = str(rule), f"{motion.alliance.quorum}"
    motion.status = MotionStatus(tally.outcome.value)
    motion.decided_at = utcnow()
    db.session.flush()
    record("motion_" + tally.outcome.value, motion, actor=actor, kind=motion.kind.value, yes=yes, no=no,
           abstain=abstain, present=tally.present, council=tally.council, rule=str(rule))  # fmt: skip
    if tally.outcome is rules.Outcome.PASSED:
        _take_effect(motion, actor=actor)
    return tally


def _take_effect(motion: Motion, *, actor) -> None:
    m, on = motion.membership, motion.meeting.held_on
    reason = f"{motion.meeting.title}：{motion.title}"
    if motion.kind is MotionKind.ADMIT:
        decide(m, MembershipStatus.ACTIVE, actor=actor, reason=reason, on=on, tier=motion.tier or Tier.MEMBER)
        if m.alliance.certificate_prefix:  # 联席会 art. 8(3): 由联席会颁发会员证书
            assign_number(m, on)
    elif motion.kind is MotionKind.APPROVE_WITHDRAWAL:
        decide(m, MembershipStatus.WITHDRAWN, actor=actor, reason=reason, on=on)
    elif motion.kind in (MotionKind.EXPEL, MotionKind.REMOVE):
        decide(m, MembershipStatus.EXPELLED, actor=actor, reason=reason, on=on)
    if m is not None:
        notify(m.organization_id, kinds.MOTION_PASSED, {"membership_id": m.id}, key=f"motion-decided:{motion.id}",
               alliance=m.alliance.short_name, motion=motion.title, date=on)  # fmt: skip


def retable(motion: Motion, *, actor) -> Motion:
    """A motion that failed for want of a quorum goes back on the agenda as a new motion."""
    if motion.status is not MotionStatus.NO_QUORUM:
        raise GovernanceError(_l("Only a motion that lacked a quorum can be tabled again."))
    return table_motion(motion.alliance, kind=motion.kind, title=motion.title, text=motion.text,
                        membership=motion.membership, tier=motion.tier, origin=motion.origin, actor=actor)  # fmt: skip


def review_qualification(membership: Membership, *, met: list[str] | None, tier: Tier, actor, on: date) -> Motion:
    """The secretariat checks the charter's conditions (资格审核, 衡水 art. 9(2)); all met, the application goes to
    the council as an admission motion."""
    checklist = list(membership.alliance.admission_checklist or [])
    missing = [item for item in checklist if item not in (met or [])]
    if missing:
        raise GovernanceError(_l("Not every condition is met: %(items)s. Reject the application instead.",
                                 items="、".join(missing)))  # fmt: skip
    check_tier(membership.alliance, tier, on, membership=membership)
    membership.qualification = {"met": checklist, "by": actor.id if actor else None, "on": on.isoformat()}
    decide(membership, MembershipStatus.UNDER_REVIEW, actor=actor, reason="资格审核通过", on=on)
    name = membership.organization.name
    return table_motion(membership.alliance, kind=MotionKind.ADMIT, title=f"关于吸收{name}为成员单位的议案",
                        membership=membership, tier=tier, actor=actor)  # fmt: skip


def after_withdrawal_request(membership: Membership, *, actor) -> Motion | None:
    """Where the council approves withdrawals (衡水 art. 12), the request goes on its agenda at once."""
    if not membership.alliance.withdrawal_requires_vote:
        return None
    name = membership.organization.name
    return table_motion(membership.alliance, kind=MotionKind.APPROVE_WITHDRAWAL, title=f"关于批准{name}退出联盟的议案",
                        text=membership.decision_reason, membership=membership, actor=actor)  # fmt: skip
