"""The filters every report takes (half-year, school, major, enterprise, city, kind), validated as a GET form."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField

from marketplace.alliances.models import ONCE_ACTIVE_STATUSES, Membership
from marketplace.analytics.period import Period
from marketplace.analytics.scope import alliance_plans
from marketplace.extensions import db
from marketplace.i18n import choices, label
from marketplace.orgs.models import Organization, OrgKind
from marketplace.plans.models import Opening, OpeningKind
from marketplace.reference.models import Major, Region
from marketplace.timeutil import local_today

PERIODS_SHOWN = 10  # half-years offered in the period filter, ending with the next one


@dataclass(frozen=True)
class Filters:
    period: Period
    school_id: int | None = None
    major_id: int | None = None
    enterprise_id: int | None = None
    city_id: int | None = None
    kind: OpeningKind | None = None

    def args(self) -> dict:
        """The query-string form of the filters (for links and exports)."""
        values = {
            "period": self.period.key,
            "school": self.school_id,
            "major": self.major_id,
            "enterprise": self.enterprise_id,
            "city": self.city_id,
            "kind": self.kind and self.kind.value,
        }
        return {k: v for k, v in values.items() if v is not None}  # fmt: skip


def _optional_int(value):
    return int(value) if value not in (None, "") else None


class ReportFilterForm(FlaskForm):
    """A GET form: no CSRF token. Choices come from the alliance, so an id outside it is refused, not silently
    ignored."""

    class Meta:
        csrf = False

    period = SelectField(_l("Half-year"))
    school = SelectField(_l("School"), coerce=_optional_int)
    major = SelectField(_l("Major"), coerce=_optional_int)
    enterprise = SelectField(_l("Enterprise"), coerce=_optional_int)
    city = SelectField(_l("City"), coerce=_optional_int)
    kind = SelectField(_l("Kind"), coerce=lambda value: value or None)

    def __init__(self, alliance, formdata, **kwargs):
        super().__init__(formdata=formdata, **kwargs)
        current = Period.containing(local_today())
        self.period.choices = [(p.key, period_label(p)) for p in reversed(current.shifted(1).last(PERIODS_SHOWN))]
        if not self.period.data:
            self.period.data = current.key
        members = _member_orgs(alliance.id)
        anything = [("", _l("All"))]
        self.school.choices = anything + [(o.id, o.name) for o in members if o.kind is OrgKind.SCHOOL]
        self.enterprise.choices = anything + [(o.id, o.name) for o in members if o.kind is OrgKind.ENTERPRISE]
        majors = db.session.execute(sa.select(Major.id, Major.name, Major.level).order_by(Major.code))
        self.major.choices = anything + [(i, f"{name}（{label(level)}）") for i, name, level in majors]
        cities = sa.select(Opening.city_id).where(Opening.plan_id.in_(alliance_plans(alliance.id)))
        regions = sa.select(Region.id, Region.name).where(Region.id.in_(cities)).order_by(Region.code)
        self.city.choices = anything + [(i, name) for i, name in db.session.execute(regions)]
        self.kind.choices = [("", _l("All"))] + choices(OpeningKind)

    def filters(self) -> Filters:
        return Filters(
            period=Period.parse(self.period.data),
            school_id=self.school.data,
            major_id=self.major.data,
            enterprise_id=self.enterprise.data,
            city_id=self.city.data,
            kind=OpeningKind(self.kind.data) if self.kind.data else None,
        )


def _member_orgs(alliance_id: int) -> list[sa.Row]:
    """(id, name, kind) of every organisation that has ever been a member (a withdrawn member's past is still
    reported): plain rows, not ORM objects, for the thousands of options an alliance's filters hold."""
    ids = sa.select(Membership.organization_id).where(
        Membership.alliance_id == alliance_id, Membership.status.in_(ONCE_ACTIVE_STATUSES)
    )
    return list(db.session.execute(
        sa.select(Organization.id, Organization.name, Organization.kind)
        .where(Organization.id.in_(ids)).order_by(Organization.name)
    ))  # fmt: skip


def period_label(period: Period) -> str:
    if period.half == 1:
        return _("%(year)d first half", year=period.year)
    return _("%(year)d second half", year=period.year)
