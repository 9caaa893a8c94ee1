"""The daily governance sweep on the job queue: a periodic huey task that every consumer's scheduler enqueues once a
day (a lock keeps two consumers from running it at once), and the loop `flask governance sweep` runs by hand."""

from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from huey import crontab

from marketplace.alliances.models import Alliance
from marketplace.extensions import db
from marketplace.governance import sweep
from marketplace.jobs.queue import huey, task_app
from marketplace.timeutil import local_today


def sweep_all(today: date, report: Callable[[Alliance, list[str]], None] | None = None) -> int:
    """Sweep every alliance as of `today`, one commit per alliance (a failure leaves the others' work); returns the
    number of actions."""
    actions = 0
    for alliance_id in db.session.scalars(sa.select(Alliance.id).order_by(Alliance.id)).all():
        alliance = db.session.get(Alliance, alliance_id)
        lines = sweep.run(alliance, today)
        db.session.commit()
        actions += len(lines)
        if report is not None:
            report(alliance, lines)
    return actions


# 01:30 in Asia/Shanghai, after the day's reports are in; huey's crontab reads UTC.
@huey.periodic_task(crontab(hour="17", minute="30"))
@huey.lock_task("governance-sweep")
def daily_sweep() -> int:
    with task_app().app_context():
        return sweep_all(local_today())
