"""Member activity: duties performed per member, members silent longer than the charter's reporting interval
(德州实施办法 art. 10: at least monthly), and the material for the annual assessment.

"Performing duties" (履行成员义务) is the governance module's one definition (`governance.duties.duty_days`: present
at a meeting or activity, or an information report submitted), so this page and the 衡水 three-year lapse rule can
never disagree about a member. Other use of the platform is shown beside it as actions, and counts for neither.
"""

from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from marketplace.alliances.models import Membership
from marketplace.analytics.filters import Filters
from marketplace.analytics.scope import in_force_during
from marketplace.analytics.table import Chart, Column, Report, Table
from marketplace.audit.models import AuditEvent
from marketplace.cohorts.models import Student
from marketplace.extensions import db
from marketplace.governance import duties
from marketplace.i18n import label
from marketplace.orgs.models import Organization, OrgKind
from marketplace.pipeline.models import Placement
from marketplace.plans.models import HiringPlan, Opening
from marketplace.timeutil import local_today

DEFAULT_INTERVAL_DAYS = 31  # "at least monthly" where the charter sets no interval


def _instant(day, end=False) -> datetime:
    return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)


def build(alliance, f: Filters) -> Report:
    period = f.period
    as_of = min(local_today(), period.end)
    interval = alliance.reporting_interval_days or DEFAULT_INTERVAL_DAYS
    year_start = period.end.replace(month=1, day=1)
    start, end = _instant(period.start), _instant(period.end, end=True)
    ms = sa.select(Membership).where(*in_force_during(alliance.id, period)).subquery()
    events = (
        sa.select(
            AuditEvent.organization_id.label("org"),
            sa.func.count().label("in_period"),
        )  # fmt: skip
        .where(AuditEvent.at.between(start, end), AuditEvent.organization_id.in_(sa.select(ms.c.organization_id)))
        .group_by(AuditEvent.organization_id)
        .subquery()
    )
    query = (
        sa.select(Organization.id, Organization.name, Organization.kind, ms.c.tier, ms.c.status, ms.c.effective_from,
                  events.c.in_period)
        .join(ms, ms.c.organization_id == Organization.id)
        .outerjoin(events, events.c.org == Organization.id)
    )  # fmt: skip
    # Duties up to the period's end: the last one (however long ago) and the months of its year that held one.
    last_duty: dict[int, date] = {}
    months: dict[int, set[int]] = {}
    members = sa.select(ms.c.organization_id)
    for org, day in duties.duty_days(alliance.id, members, date(2000, 1, 1), period.end):
        last_duty[org] = max(day, last_duty.get(org, day))
        if day >= year_start:
            months.setdefault(org, set()).add(day.month)
    if f.school_id is not None or f.enterprise_id is not None:
        query = query.where(Organization.id.in_([x for x in (f.school_id, f.enterprise_id) if x is not None]))
    placed_by_school = dict(db.session.execute(
        sa.select(Student.school_id, sa.func.count()).join(Placement, Placement.student_id == Student.id)
        .where(Placement.start_date.between(period.start, period.end)).group_by(Student.school_id)
    ).all())  # fmt: skip
    hosted = dict(db.session.execute(
        sa.select(HiringPlan.enterprise_id, sa.func.count())
        .join(Opening, Opening.plan_id == HiringPlan.id).join(Placement, Placement.opening_id == Opening.id)
        .where(Placement.start_date.between(period.start, period.end)).group_by(HiringPlan.enterprise_id)
    ).all())  # fmt: skip
    rows = []
    for org_id, name, kind, tier, status, since, in_period in db.session.execute(query):
        last_day = last_duty.get(org_id)
        quiet = last_day is None or (as_of - last_day).days > interval
        placements = placed_by_school.get(org_id, 0) if kind is OrgKind.SCHOOL else hosted.get(org_id, 0)
        rows.append((name, label(kind), label(tier), label(status), since, last_day, int(in_period or 0),
                     len(months.get(org_id, ())), placements, _l("Yes") if quiet else _l("No")))  # fmt: skip
    rows.sort(key=lambda r: (r[5] or date.min, r[0]))  # the longest silent first
    silent = [i for i, r in enumerate(rows) if r[9] == _l("Yes")]
    return Report(
        name="activity",
        title=_l("Member activity"),
        definitions=[
            _l("Duties performed (履行成员义务): present at one of the alliance's meetings or activities, or an "
               "information report submitted — the same definition the governance page applies to the lapse rule. "
               "Silent: no duty performed in the %(days)d days before %(day)s (the charter's reporting interval, or "
               "monthly where it sets none).", days=interval, day=as_of),
            _l("Months with duties: months of the year up to the half-year's end with at least one duty performed — "
               "material for the annual assessment (%(grades)s), which the secretariat decides.",
               grades="/".join(alliance.assessment_grades or [])),
            _l("Actions: other recorded use of the platform by the member's users (plans, cohorts, nominations, "
               "placements, practice); it is not a duty."),
        ],
        tables=[
            Table("members", _l("Members"),
                  [Column(_l("Member"), "text"), Column(_l("Kind"), "text"), Column(_l("Tier"), "text"),
                   Column(_l("Status"), "text"), Column(_l("Member since"), "date"),
                   Column(_l("Last duty performed"), "date"),
                   Column(_l("Actions in the half-year")), Column(_l("Months with duties this year")),
                   Column(_l("Placements in the half-year")), Column(_l("Silent"), "flag")],
                  rows, Chart("bar", (6,), highlight=silent, limit=40)),
        ],
    )  # fmt: skip
