"""Which rows an alliance's reports count: its members in a period, the openings published to it."""

import sqlalchemy as sa

from marketplace.alliances.models import ONCE_ACTIVE_STATUSES, Membership
from marketplace.analytics.period import Period
from marketplace.plans.models import plan_alliances


def in_force_during(alliance_id: int, period: Period) -> list[sa.ColumnElement]:
    """Conditions on Membership: in force on some day of the period (a member that withdrew midway still counts for
    that period; one that joined after it does not)."""
    return [
        Membership.alliance_id == alliance_id,
        Membership.status.in_(ONCE_ACTIVE_STATUSES),
        Membership.effective_from.is_not(None),
        Membership.effective_from <= period.end,
        sa.or_(Membership.effective_until.is_(None), Membership.effective_until > period.start),
    ]


def members_in(alliance_id: int, period: Period) -> sa.Select:
    """Organisations whose membership was in force on some day of the period."""
    return sa.select(Membership.organization_id).where(*in_force_during(alliance_id, period))


def alliance_plans(alliance_id: int) -> sa.Select:
    return sa.select(plan_alliances.c.plan_id).where(plan_alliances.c.alliance_id == alliance_id)
