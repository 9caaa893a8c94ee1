"""Hiring-plan workflows: create, copy last half-year's plan, publish, save openings. Flush, never commit."""

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l

from marketplace.alliances.models import IN_FORCE_STATUSES, Alliance, Membership
from marketplace.audit.services import record
from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.plans.models import HiringPlan, Opening, OpeningCertificate, OpeningKind, PlanStatus, ShiftPattern
from marketplace.reference.models import Major
from marketplace.refusals import Refusal

# The opening's yes/no facts the internship rules read (plans.rules.FORBIDDEN_FLAGS and the student rules).
OPENING_FLAGS = ("restricted_venue", "via_paid_agent", "labour_dispatch", "heavy_labour", "high_risk", "holiday_work",
                 "minors_forbidden_work", "women_forbidden_work")  # fmt: skip


class PlanError(Refusal):
    """A plan operation the rules refuse; the message is a msgid shown to the user."""


def member_alliances(org_id: int) -> list[Alliance]:
    """Alliances in which the organisation's membership is in force today: where it may publish."""
    return list(
        db.session.scalars(
            sa.select(Alliance)
            .join(Membership, Membership.alliance_id == Alliance.id)
            .where(Membership.organization_id == org_id, Membership.status.in_(IN_FORCE_STATUSES))
            .order_by(Alliance.id)
        )
    )


def find_plan(org_id: int, year: int, half: int) -> HiringPlan | None:
    return db.session.scalar(
        sa.select(HiringPlan).where(
            HiringPlan.enterprise_id == org_id, HiringPlan.year == year, HiringPlan.half == half
        )
    )


def save_plan(plan: HiringPlan, *, year: int, half: int, labour_standards: str, alliance_ids: list[int], actor,
              core_products: str = "", technical_needs: str = ""):  # fmt: skip
    allowed = {a.id: a for a in member_alliances(plan.enterprise_id)}
    if any(a not in allowed for a in alliance_ids):
        raise PlanError(_l("A plan can only be published to alliances the enterprise is an active member of."))
    other = find_plan(plan.enterprise_id, year, half)
    if other is not None and other is not plan:
        raise PlanError(_l("There is already a plan for this half-year."))
    plan.year, plan.half, plan.labour_standards = year, half, labour_standards
    plan.core_products, plan.technical_needs = core_products, technical_needs
    plan.alliances = [allowed[a] for a in alliance_ids]
    db.session.add(plan)
    db.session.flush()
    record("plan_saved", plan, actor=actor, half_year=plan.half_year_key)
    return plan


def next_half(year: int, half: int) -> tuple[int, int]:
    return (year, 2) if half == 1 else (year + 1, 1)


def copy_plan(source: HiringPlan, *, actor) -> HiringPlan:
    """Start the next half-year from this plan: same openings six months later, as a draft, nothing filled."""
    year, half = next_half(source.year, source.half)
    if find_plan(source.enterprise_id, year, half) is not None:
        raise PlanError(_l("There is already a plan for the next half-year."))
    shift = relativedelta(months=6)
    copy = HiringPlan(
        enterprise_id=source.enterprise_id,
        year=year,
        half=half,
        labour_standards=source.labour_standards,
        core_products=source.core_products,
        technical_needs=source.technical_needs,
    )
    copy.alliances = [a for a in source.alliances if a in member_alliances(source.enterprise_id)]
    for o in source.openings:
        new = Opening(
            kind=o.kind, title=o.title, occupation_id=o.occupation_id, skills=o.skills, description=o.description,
            city_id=o.city_id, headcount=o.headcount, filled=0, pay_min=o.pay_min, pay_max=o.pay_max,
            post_wage=o.post_wage, start_date=o.start_date + shift, end_date=o.end_date + shift,
            shift_pattern=o.shift_pattern, requires_overtime=o.requires_overtime, staff_in_post=o.staff_in_post,
            restricted_venue=o.restricted_venue, via_paid_agent=o.via_paid_agent, labour_dispatch=o.labour_dispatch,
            heavy_labour=o.heavy_labour, high_risk=o.high_risk, holiday_work=o.holiday_work,
            minors_forbidden_work=o.minors_forbidden_work, women_forbidden_work=o.women_forbidden_work,
        )  # fmt: skip
        new.majors = list(o.majors)
        new.certificates = [OpeningCertificate(name=c.name, min_level=c.min_level) for c in o.certificates]
        copy.openings.append(new)
    db.session.add(copy)
    db.session.flush()
    record("plan_copied", copy, actor=actor, source_plan_id=source.id)
    return copy


def publish(plan: HiringPlan, *, actor) -> None:
    if not plan.alliances:
        raise PlanError(_l("Choose at least one alliance to publish to."))
    if not plan.openings:
        raise PlanError(_l("Add at least one opening before publishing."))
    plan.status = PlanStatus.PUBLISHED
    plan.published_at = utcnow()
    record("plan_published", plan, actor=actor, alliances=[a.id for a in plan.alliances])


def save_opening(opening: Opening, form, *, actor) -> Opening:
    """Copy a validated OpeningForm onto `opening` (new or existing)."""
    if opening.filled and form.headcount.data < opening.filled:
        raise PlanError(_l("The headcount cannot go below the places already filled."))
    opening.kind = OpeningKind(form.kind.data)
    opening.shift_pattern = ShiftPattern(form.shift_pattern.data)
    opening.occupation_id = form.occupation.id
    for name in ("title", "skills", "description", "headcount", "pay_min", "pay_max", "post_wage", "start_date",
                 "end_date", "requires_overtime", "staff_in_post", *OPENING_FLAGS):  # fmt: skip
        setattr(opening, name, getattr(form, name).data)
    opening.city_id = form.city.data
    opening.majors = list(db.session.scalars(sa.select(Major).where(Major.id.in_(form.majors.data or []))))
    opening.certificates = [OpeningCertificate(name=n, min_level=lvl) for n, lvl in form.parsed_certificates]
    db.session.add(opening)
    db.session.flush()
    record("opening_saved", opening, actor=actor, plan_id=opening.plan_id)
    return opening
