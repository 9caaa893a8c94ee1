"""The daily risk reminders: each warning is sent once to the student's school (keyed notification), and each
alliance's secretariat is told how many new warnings its member schools got that day. A warning that still holds
tomorrow is not sent again; one that stops and comes back (another month, another kind) is a new warning."""

from collections import Counter
from datetime import date

import sqlalchemy as sa

from marketplace.alliances.models import Alliance, Membership, in_force_on
from marketplace.extensions import db
from marketplace.notifications import catalogue as kinds
from marketplace.notifications.services import notify
from marketplace.risks import queries


def run(today: date, thresholds: queries.Thresholds | None = None) -> int:
    """Send today's new warnings; returns how many were new. Flushes, never commits."""
    found = queries.risks(sa.true(), today, thresholds)
    placements = queries.placements_for(found)
    new_by_school: Counter[int] = Counter()
    for risk in found:
        p = placements[risk.placement_id]
        sent = notify(risk.school_id, kinds.RISK_WARNING, {"placement_id": p.id}, key=risk.key,
                      student=p.student.name, opening=p.opening.title, reason=risk.kind)  # fmt: skip
        if sent is not None:
            new_by_school[risk.school_id] += 1
    if new_by_school:
        _tell_secretariats(new_by_school, today)
    return sum(new_by_school.values())


def _tell_secretariats(new_by_school: Counter[int], today: date) -> None:
    rows = db.session.execute(
        sa.select(Membership.alliance_id, Membership.organization_id)
        .where(Membership.organization_id.in_(list(new_by_school)), in_force_on(today))
    ).all()  # fmt: skip
    per_alliance: Counter[int] = Counter()
    for alliance_id, school_id in rows:
        per_alliance[alliance_id] += new_by_school[school_id]
    for alliance in db.session.scalars(sa.select(Alliance).where(Alliance.id.in_(list(per_alliance)))):
        notify(alliance.secretariat_org_id, kinds.RISKS_IN_ALLIANCE, {"alliance_id": alliance.id},
               key=f"risks:{alliance.id}:{today.isoformat()}", alliance=alliance.short_name,
               count=per_alliance[alliance.id])  # fmt: skip
