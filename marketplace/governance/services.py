"""Governance workflows: calling meetings, tabling and deciding motions, and what a passed motion does.

They flush, never commit. Each rule cites the charter article it implements (see README, "Governance").
"""

import sqlalchemy as sa

from marketplace.alliances.models import Alliance, Membership
from marketplace.audit.services import record
from marketplace.extensions import db
from marketplace.governance.models import Motion, MotionKind, MotionStatus


class GovernanceError(ValueError):
    """A step the charter refuses; the message is shown to the user."""


def table_motion(
    alliance: Alliance,
    *,
    kind: MotionKind,
    title: str,
    text: str = "",
    membership: Membership | None = None,
    tier=None,
    meeting=None,
    origin: str = "secretariat",
    actor=None,
) -> Motion:
    """Put a motion on the alliance's agenda (or straight onto a meeting's). Idempotent for a membership's
    pending motion of the same kind, so a sweep may call it every day."""
    if membership is not None:
        existing = db.session.scalar(
            sa.select(Motion).where(
                Motion.membership_id == membership.id, Motion.kind == kind, Motion.status == MotionStatus.PENDING
            )
        )
        if existing is not None:
            return existing
    motion = Motion(
        alliance=alliance,
        kind=kind,
        title=title[:200],
        text=text,
        membership=membership,
        tier=tier,
        meeting=meeting,
        origin=origin,
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(motion)
    db.session.flush()
    record("motion_tabled", motion, actor=actor, kind=kind.value, origin=origin, membership_id=motion.membership_id)
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

