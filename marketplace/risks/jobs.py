"""The daily risk reminders on the job queue: a periodic huey task that every consumer's scheduler enqueues once a day
(a lock keeps two consumers from running it at once), one commit."""

from huey import crontab

from marketplace.extensions import db
from marketplace.jobs.queue import huey, task_app
from marketplace.risks import sweep
from marketplace.timeutil import local_today


# 07:00 in Asia/Shanghai, before the school's day begins; huey's crontab reads UTC.
@huey.periodic_task(crontab(hour="23", minute="0"))
@huey.lock_task("risk-reminders")
def daily_risk_reminders() -> int:
    with task_app().app_context():
        sent = sweep.run(local_today())
        db.session.commit()
        return sent
