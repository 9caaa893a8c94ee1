"""Officers' terms (任期) and tier quotas, as each charter sets them.

衡水 art. 19: 理事长、常务副理事长、副理事长、秘书长任期五年，最长不得超过两届; 联席会 art. 15: 3 years, renewable;
机械 art. 6: 4 years, renewable; 德州实施办法 art. 5–7: 1 理事长单位, 2 副理事长单位, 5 常务理事单位; 衡水 art. 16:
常务理事人数一般不超过理事人数的三分之一.
"""

from datetime import date, timedelta
from fractions import Fraction

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l

from marketplace.alliances.models import Alliance, Membership, Tier, in_force_on
from marketplace.audit.services import record
from marketplace.extensions import db
from marketplace.governance.errors import GovernanceError
from marketplace.governance.models import COUNCIL_TIERS, SINGLE_SEAT_OFFICES, STANDING_TIERS, Office, OfficerTerm
from marketplace.i18n import label


def _tiers_in_force(alliance: Alliance, on: date, exclude: Membership | None) -> list[Tier]:
    query = sa.select(Membership.tier).where(Membership.alliance_id == alliance.id, in_force_on(on))
    if exclude is not None and exclude.id is not None:
        query = query.where(Membership.id != exclude.id)
    return list(db.session.scalars(query))


def check_tier(alliance: Alliance, tier: Tier, on: date, *, membership: Membership | None = None) -> None:
    """Refuse a tier that would break the charter's quotas once `membership` holds it."""
    tiers = [*_tiers_in_force(alliance, on, membership), tier]
    quota = (alliance.tier_quotas or {}).get(tier.value)
    if quota is not None and tiers.count(tier) > quota:
        raise GovernanceError(_l("The charter allows at most %(n)d units as %(tier)s.", n=quota, tier=label(tier)))
    share = alliance.standing_share
    if share is not None and tier in STANDING_TIERS:
        standing = sum(1 for t in tiers if t in STANDING_TIERS)
        council = sum(1 for t in tiers if t in COUNCIL_TIERS)
        if Fraction(standing, council) > share:
            raise GovernanceError(
                _l("The standing council may have at most %(share)s of the council's units: %(standing)d of "
                   "%(council)d would exceed it.", share=str(share), standing=standing, council=council)
            )  # fmt: skip


def set_tier(membership: Membership, tier: Tier, *, actor, on: date) -> Membership:
    if not membership.in_force:
        raise GovernanceError(_l("Only a membership in force has a tier."))
    check_tier(membership.alliance, tier, on, membership=membership)
    previous = membership.tier
    membership.tier = tier
    db.session.flush()
    record("membership_tier", membership, actor=actor, previous=previous.value, tier=tier.value, on=on.isoformat())
    return membership


def term_end(alliance: Alliance, starts_on: date) -> date:
    return starts_on + relativedelta(years=alliance.officer_term_years) - timedelta(days=1)


def terms_served(alliance: Alliance, office: Office, person_name: str) -> list[OfficerTerm]:
    return list(
        db.session.scalars(
            sa.select(OfficerTerm)
            .where(OfficerTerm.alliance_id == alliance.id, OfficerTerm.office == office)
            .where(OfficerTerm.person_name == person_name)
            .order_by(OfficerTerm.starts_on)
        )
    )


def appoint(alliance: Alliance, *, office: Office, person_name: str, organization_id: int, starts_on: date,
            actor, meeting_id: int | None = None) -> OfficerTerm:  # fmt: skip
    """Record an officer's election for one term; refuse a term beyond the charter's limit."""
    person_name = person_name.strip()
    member = db.session.scalar(
        sa.select(Membership.id).where(
            Membership.alliance_id == alliance.id, Membership.organization_id == organization_id, in_force_on(starts_on)
        )
    )
    if member is None:
        raise GovernanceError(_l("The officer's unit must be a member in force on the first day of the term."))
    served = terms_served(alliance, office, person_name)
    ends_on = term_end(alliance, starts_on)
    if any(t.starts_on <= ends_on and starts_on <= t.last_day for t in served):
        raise GovernanceError(_l("This person already holds this office during that period."))
    limit = alliance.officer_term_limit
    if limit is not None and len(served) >= limit:
        raise GovernanceError(
            _l("The charter allows at most %(n)d terms in this office; %(name)s has served %(served)d.",
               n=limit, name=person_name, served=len(served))
        )  # fmt: skip
    if office in SINGLE_SEAT_OFFICES:
        holders = db.session.scalars(
            sa.select(OfficerTerm).where(OfficerTerm.alliance_id == alliance.id, OfficerTerm.office == office)
        )
        if any(h.starts_on <= ends_on and starts_on <= h.last_day for h in holders):
            raise GovernanceError(_l("This office has one seat and its holder's term overlaps: end it first."))
    term = OfficerTerm(alliance=alliance, office=office, person_name=person_name, organization_id=organization_id,
                       term_no=len(served) + 1, starts_on=starts_on, ends_on=ends_on, meeting_id=meeting_id,
                       created_by_id=actor.id if actor is not None else None)  # fmt: skip
    db.session.add(term)
    db.session.flush()
    record("officer_appointed", term, actor=actor, office=office.value, person=person_name, term_no=term.term_no)
    return term


def end_early(term: OfficerTerm, *, on: date, actor, reason: str) -> OfficerTerm:
    if not term.starts_on <= on <= term.ends_on:
        raise GovernanceError(_l("The end date must fall within the term."))
    term.ended_early_on = on
    db.session.flush()
    record("officer_term_ended", term, actor=actor, on=on.isoformat(), reason=reason)
    return term


def current_terms(alliance: Alliance, today: date) -> list[OfficerTerm]:
    terms = db.session.scalars(
        sa.select(OfficerTerm).where(OfficerTerm.alliance_id == alliance.id).order_by(OfficerTerm.office)
    )
    return [t for t in terms if t.holds_on(today)]


def terms_ending(alliance: Alliance, today: date) -> list[OfficerTerm]:
    """Terms in force whose last day falls within the alliance's warning window."""
    horizon = today + timedelta(days=alliance.term_warning_days)
    return [t for t in current_terms(alliance, today) if t.last_day <= horizon]


def quota_status(alliance: Alliance, on: date) -> list[tuple[str, int, str]]:
    """Each quota the charter sets, with the units holding it now: (what, how many, the limit as text)."""
    tiers = _tiers_in_force(alliance, on, None)
    rows = [(label(Tier(t)), tiers.count(Tier(t)), str(n)) for t, n in (alliance.tier_quotas or {}).items()]
    if alliance.standing_share is not None:
        standing = sum(1 for t in tiers if t in STANDING_TIERS)
        council = sum(1 for t in tiers if t in COUNCIL_TIERS)
        rows.append((str(_l("Standing council of the council")), standing, f"{alliance.standing_share} × {council}"))
    return rows
