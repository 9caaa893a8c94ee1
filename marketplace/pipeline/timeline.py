"""A nomination's timeline (进程记录): who (user and organisation) did what, when and why, read from the audit log."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from marketplace.audit.models import AuditEvent
from marketplace.auth.models import User
from marketplace.extensions import db
from marketplace.orgs.models import Organization
from marketplace.pipeline.models import Nomination, Placement

# Each audit action of the loop in the reader's words; an action not listed reads as a generic step.
STEPS = {
    "nomination_created": _l("Put forward"),
    "nomination_invited": _l("Invited by the enterprise"),
    "invitation_accepted": _l("The school agreed to the invitation"),
    "invitation_declined": _l("The school declined the invitation"),
    "nomination_shortlisted": _l("Shortlisted"),
    "nomination_offered": _l("Offer made"),
    "nomination_rejected": _l("Not selected"),
    "nomination_declined": _l("The student declined the offer"),
    "nomination_withdrawn": _l("Withdrawn by school"),
    "offer_accepted": _l("The student accepted the offer"),
    "placement_feedback": _l("Feedback given"),
    "placement_completed": _l("Placement completed"),
    "placement_left_early": _l("Left early"),
}
OTHER_STEP = _l("Recorded")


@dataclass(frozen=True)
class Step:
    at: datetime
    what: object
    who: str
    organisation: str
    why: str


def timeline(nomination: Nomination) -> list[Step]:
    """The nomination's events and those of the placement it became, oldest first, in one query."""
    placement_id = sa.select(Placement.id).where(Placement.nomination_id == nomination.id).scalar_subquery()
    rows = db.session.execute(
        sa.select(AuditEvent, User.name, Organization.name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .outerjoin(Organization, Organization.id == AuditEvent.organization_id)
        .where(
            sa.or_(
                sa.and_(AuditEvent.object_type == Nomination.__tablename__, AuditEvent.object_id == nomination.id),
                sa.and_(AuditEvent.object_type == Placement.__tablename__, AuditEvent.object_id == placement_id),
            )
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    return [
        Step(at=event.at, what=STEPS.get(event.action, OTHER_STEP), who=user or "", organisation=org or "",
             why=str((event.details or {}).get("reason") or ""))
        for event, user, org in rows
    ]  # fmt: skip
