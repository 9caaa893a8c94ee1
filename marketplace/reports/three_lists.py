"""The 市域产教联合体 three lists of an alliance for a year, from its members' published half-year plans:

- 核心产品清单 (core products) and 技术需求清单 (technical needs): what each enterprise entered on its plans of the
  year, one item per line ("name: description"); an item repeated on both half-years' plans is listed once.
- 人才需求清单 (talent needs): the openings of those plans starting in the year, with kind, occupation, wanted
  majors, headcount, pay and city.
"""

import re
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from marketplace.analytics.scope import alliance_plans
from marketplace.exports import sheet_titles, write_xlsx_book
from marketplace.extensions import db
from marketplace.i18n import label
from marketplace.orgs.models import Organization
from marketplace.plans.models import HiringPlan, Opening
from marketplace.reference.models import Occupation, Region

_SPLIT = re.compile(r"[:：]")


def items(text: str) -> list[tuple[str, str]]:
    """'name: description' lines as (name, description); blank lines dropped."""
    result = []
    for line in (text or "").splitlines():
        line = line.strip(" \t-•·")
        if line:
            parts = _SPLIT.split(line, maxsplit=1)
            result.append((parts[0].strip(), parts[1].strip() if len(parts) > 1 else ""))
    return result


def _plans(alliance_id: int, year: int):
    return db.session.execute(
        sa.select(Organization.name, HiringPlan.half, HiringPlan.core_products, HiringPlan.technical_needs)
        .join(Organization, Organization.id == HiringPlan.enterprise_id)
        .where(HiringPlan.id.in_(alliance_plans(alliance_id)), HiringPlan.year == year)
        .order_by(Organization.name, HiringPlan.half)
    ).all()


def lists(alliance_id: int, year: int) -> dict[str, list[tuple]]:
    products, needs, seen = [], [], set()
    for enterprise, _half, core, technical in _plans(alliance_id, year):
        for kind, text, target in (("p", core, products), ("t", technical, needs)):
            for name, description in items(text):
                if (kind, enterprise, name) not in seen:
                    seen.add((kind, enterprise, name))
                    target.append((enterprise, name, description))
    openings = db.session.execute(
        sa.select(Opening, Organization.name, Occupation.name, Region.name)
        .join(HiringPlan, HiringPlan.id == Opening.plan_id)
        .join(Organization, Organization.id == HiringPlan.enterprise_id)
        .outerjoin(Occupation, Occupation.id == Opening.occupation_id)
        .outerjoin(Region, Region.id == Opening.city_id)
        .where(HiringPlan.id.in_(alliance_plans(alliance_id)))
        .where(Opening.start_date.between(date(year, 1, 1), date(year, 12, 31)))
        .order_by(Organization.name, Opening.start_date, Opening.id)
        .options(selectinload(Opening.majors))
    ).all()
    talent = [(enterprise, o.title, str(label(o.kind)), occupation or "", "、".join(m.name for m in o.majors),
               o.headcount, o.pay_min, o.pay_max, city or "", o.start_date)
              for o, enterprise, occupation, city in openings]  # fmt: skip
    return {"products": products, "needs": needs, "talent": talent}


def workbook(alliance_id: int, year: int) -> bytes:
    data = lists(alliance_id, year)
    titles = sheet_titles([_("Core products"), _("Technical needs"), _("Talent needs")])
    return write_xlsx_book([
        (titles[0], [_("Enterprise"), _("Product"), _("Description")], data["products"]),
        (titles[1], [_("Enterprise"), _("Technical need"), _("Description")], data["needs"]),
        (titles[2], [_("Enterprise"), _("Post"), _("Kind"), _("Occupation"), _("Wanted majors"), _("Headcount"),
                     _("Monthly pay from (yuan)"), _("Monthly pay to (yuan)"), _("City"), _("Start date")],
         data["talent"]),
    ])  # fmt: skip
