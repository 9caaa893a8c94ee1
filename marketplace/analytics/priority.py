"""Priority audit (同等条件下优先): how many ranking places and allocation seats the rule decided, and a check, from
the stored rows, that none broke the tolerance (a member passed a non-member fitting better by at most τ).

Only confirmed runs count: a proposal that was discarded or superseded put nobody forward."""

from datetime import UTC, datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from marketplace.allocations.models import AllocationRun, AllocationSeat, RunStatus
from marketplace.analytics.filters import Filters
from marketplace.analytics.table import Chart, Column, Report, Table
from marketplace.extensions import db
from marketplace.i18n import label

# Fits are compared in units of 10⁻⁶ (matching.priority.QUANTUM): a gap above τ by less than that is float noise.
EPSILON = 1e-6


def build(alliance, f: Filters) -> Report:
    period = f.period
    start = datetime.combine(period.start, time.min, tzinfo=UTC)
    end = datetime.combine(period.end, time.max, tzinfo=UTC)
    seat = AllocationSeat
    breach = sa.and_(seat.decided_by_priority, seat.passed_fit - seat.fit > seat.tolerance + EPSILON)
    counted = (AllocationRun.alliance_id == alliance.id, AllocationRun.status == RunStatus.CONFIRMED,
               AllocationRun.created_at.between(start, end))  # fmt: skip
    seats = dict((r[0], r[1:]) for r in db.session.execute(
        sa.select(seat.run_id, sa.func.count(), sa.func.sum(sa.case((seat.priority, 1), else_=0)),
                  sa.func.sum(sa.case((seat.decided_by_priority, 1), else_=0)),
                  sa.func.sum(sa.case((breach, 1), else_=0)))
        .join(AllocationRun, AllocationRun.id == seat.run_id)
        .where(*counted)
        .group_by(seat.run_id)
    ))  # fmt: skip
    runs = db.session.scalars(sa.select(AllocationRun).where(*counted).order_by(AllocationRun.id)).all()
    rows = []
    for run in runs:
        n, prio, decided, bad = (int(x or 0) for x in seats.get(run.id, (0, 0, 0, 0)))
        s = run.summary or {}
        rows.append((f"#{run.id} {run.created_at.astimezone(UTC).date()}", label(run.status), n, prio, decided, bad,
                     s.get("ranking_places"), s.get("ranking_decided"), s.get("ranking_breaches")))  # fmt: skip
    flagged = [i for i, r in enumerate(rows) if r[5] or r[8]]
    footer = (_l("All confirmed runs"), "", *(sum(r[i] or 0 for r in rows) for i in range(2, 9)))
    return Report(
        name="priority",
        title=_l("Priority audit"),
        definitions=[
            _l("Seats decided by priority: a member's student holds a seat that a non-member's student who fits better "
               "(by at most τ) also asked for. Breaches: such seats where the stored fit gap exceeds the opening's τ."),
            _l("Ranking places: the openings' top 20 candidates when the run was made, checked place by place by the "
               "engine's audit. Both counts should always be zero breaches; a red row means the rule was broken."),
        ],
        tables=[
            Table("runs", _l("Confirmed allocation runs in the half-year"),
                  [Column(_l("Run"), "text"), Column(_l("Status"), "text"), Column(_l("Seats")),
                   Column(_l("Seats to members' students")), Column(_l("Seats decided by priority")),
                   Column(_l("Seat breaches")), Column(_l("Ranking places")),
                   Column(_l("Ranking places decided by priority")), Column(_l("Ranking breaches"))],
                  rows, Chart("bar", (4, 7), highlight=flagged), footer=footer),
        ],
    )  # fmt: skip
