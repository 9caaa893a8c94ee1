"""Plan fulfilment: each enterprise's half-year plan (its openings' headcount) against the placements it made."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from marketplace.analytics.filters import Filters
from marketplace.analytics.scope import alliance_plans, members_in
from marketplace.analytics.table import Chart, Column, Report, Table
from marketplace.extensions import db
from marketplace.orgs.models import Organization
from marketplace.pipeline.models import Placement
from marketplace.plans.models import HiringPlan, Opening, PlanStatus


def build(alliance, f: Filters) -> Report:
    period = f.period
    # Placements per opening of the half-year's plans only (not the whole placement history).
    of_period = (
        sa.select(Opening.id).join(HiringPlan).where(HiringPlan.year == period.year, HiringPlan.half == period.half)
    )
    placed = (
        sa.select(Placement.opening_id, sa.func.count().label("n"))
        .where(Placement.opening_id.in_(of_period))
        .group_by(Placement.opening_id)
        .subquery("placed")
    )
    query = (
        sa.select(
            Organization.id,
            Organization.name,
            sa.func.count(Opening.id),
            sa.func.sum(Opening.headcount),
            sa.func.coalesce(sa.func.sum(placed.c.n), 0),
        )
        .select_from(HiringPlan)
        .join(Organization, Organization.id == HiringPlan.enterprise_id)
        .join(Opening, Opening.plan_id == HiringPlan.id)
        .outerjoin(placed, placed.c.opening_id == Opening.id)
        .where(
            HiringPlan.id.in_(alliance_plans(alliance.id)),
            HiringPlan.year == period.year,
            HiringPlan.half == period.half,
            HiringPlan.status == PlanStatus.PUBLISHED,
        )
        .group_by(Organization.id, Organization.name)
    )
    if f.enterprise_id is not None:
        query = query.where(HiringPlan.enterprise_id == f.enterprise_id)
    if f.city_id is not None:
        query = query.where(Opening.city_id == f.city_id)
    if f.kind is not None:
        query = query.where(Opening.kind == f.kind)
    members = set(db.session.scalars(members_in(alliance.id, period)))
    rows = []
    for org_id, name, openings, planned, made in db.session.execute(query):
        planned, made = int(planned or 0), int(made)
        rows.append((name, _l("Yes") if org_id in members else _l("No"), openings, planned, made,
                     made / planned if planned else None, max(planned - made, 0)))  # fmt: skip
    rows.sort(key=lambda r: (-r[3], r[0]))
    totals = [sum(r[i] for r in rows) for i in (2, 3, 4, 6)]
    footer = (_l("All enterprises"), "", totals[0], totals[1], totals[2],
              totals[2] / totals[1] if totals[1] else None, totals[3])  # fmt: skip
    behind = [i for i, r in enumerate(rows) if r[5] is not None and r[5] < 0.5]
    return Report(
        name="plans",
        title=_l("Plan fulfilment"),
        definitions=[
            _l("Planned: the headcount of the openings of each enterprise's published plan for the half-year (city "
               "and kind filters apply to the openings). Placed: placements made into those openings, whatever "
               "their status now. Rows in red: under half of the plan fulfilled."),
        ],
        tables=[
            Table("enterprises", _l("By enterprise"),
                  [Column(_l("Enterprise"), "text"), Column(_l("Member"), "flag"), Column(_l("Openings")),
                   Column(_l("Planned headcount")), Column(_l("Placed")), Column(_l("Fulfilment"), "pct"),
                   Column(_l("Places left"))],
                  rows, Chart("bar", (3, 4), highlight=behind), footer=footer),
        ],
    )  # fmt: skip
