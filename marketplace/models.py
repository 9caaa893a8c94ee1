"""Imports every feature's models so that SQLAlchemy and Alembic see the whole schema."""

from marketplace.alliances.models import Alliance, Membership, MembershipTransition
from marketplace.audit.models import AuditEvent
from marketplace.auth.models import Invitation, User
from marketplace.orgs.models import Organization
from marketplace.reference.models import Major, Occupation, Region

__all__ = [
    "Alliance",
    "AuditEvent",
    "Invitation",
    "Major",
    "Membership",
    "MembershipTransition",
    "Occupation",
    "Organization",
    "Region",
    "User",
]
