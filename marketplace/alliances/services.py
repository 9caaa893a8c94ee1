"""Membership workflows across alliance, organisation and user. They flush, never commit."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from marketplace.alliances.models import (
    OPEN_STATUSES,
    Alliance,
    Membership,
    MembershipStatus,
    MembershipTransition,
    Tier,
    in_force_on,
)
from marketplace.audit.services import record
from marketplace.extensions import db
from marketplace.refusals import Refusal


class MembershipError(Refusal):
    """A membership request that the rules refuse; the message is shown to the user."""


def open_membership(org_id: int, alliance_id: int) -> Membership | None:
    return db.session.scalar(
        sa.select(Membership).where(
            Membership.organization_id == org_id,
            Membership.alliance_id == alliance_id,
            Membership.status.in_(OPEN_STATUSES),
        )
    )


def apply(org_id: int, alliance: Alliance, *, actor, note: str, on: date) -> Membership:
    if open_membership(org_id, alliance.id) is not None:
        raise MembershipError("already applied or a member")
    membership = Membership(
        organization_id=org_id, alliance=alliance, status=MembershipStatus.APPLIED, application_note=note
    )
    membership.transitions.append(
        MembershipTransition(
            from_status=None, to_status=MembershipStatus.APPLIED, actor_id=actor.id, reason=note, effective_on=on
        )
    )
    db.session.add(membership)
    db.session.flush()
    record("membership_applied", membership, actor=actor, alliance_id=alliance.id)
    return membership


def decide(
    membership: Membership, status: MembershipStatus, *, actor, reason: str, on: date, tier: Tier | None = None
) -> Membership:
    """Move a membership along its lifecycle (raises IllegalTransition), recording the decision."""
    previous = membership.status
    membership.transition_to(status, actor=actor, reason=reason, on=on)
    if tier is not None:
        membership.tier = tier
    db.session.flush()
    record(
        "membership_" + status.value,
        membership,
        actor=actor,
        previous=previous.value,
        reason=reason or None,
        effective_on=on.isoformat(),
        tier=tier.value if tier else None,
    )
    return membership


def membership_in_force(alliance_id: int, org_id: int | None, on: date) -> Membership | None:
    """The organisation's membership of the alliance in force on `on`: the one definition (`in_force_on`)."""
    if org_id is None:
        return None
    return db.session.scalar(
        sa.select(Membership)
        .where(Membership.alliance_id == alliance_id, Membership.organization_id == org_id, in_force_on(on))
        .limit(1)
    )


def fellow_member_alliances(org_a: int, org_b: int, on: date, alliance_ids=None) -> list[int]:
    """Alliances in which both organisations held a membership in force on `on` (同等条件下优先 depends on this)."""
    a, b = aliased(Membership), aliased(Membership)
    query = (
        sa.select(a.alliance_id)
        .join(b, b.alliance_id == a.alliance_id)
        .where(a.organization_id == org_a, b.organization_id == org_b, in_force_on(on, a), in_force_on(on, b))
        .distinct()
        .order_by(a.alliance_id)
    )
    if alliance_ids is not None:
        query = query.where(a.alliance_id.in_(list(alliance_ids)))
    return list(db.session.scalars(query))


def are_fellow_members(org_a: int, org_b: int, on: date) -> bool:
    return bool(fellow_member_alliances(org_a, org_b, on))
