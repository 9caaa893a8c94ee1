"""The allocation as a background job: the secretariat's POST queues it (`views.allocations`), a consumer runs it
with progress, stores the run and its seats in one commit and tells the secretariat."""

from marketplace.alliances.models import Alliance
from marketplace.allocations import services
from marketplace.auth.models import User
from marketplace.extensions import db
from marketplace.jobs.models import Job
from marketplace.jobs.queue import huey
from marketplace.jobs.services import Progress, execute
from marketplace.notifications import catalogue as kinds
from marketplace.notifications.services import notify


@huey.task()
def allocate(job_id: int) -> None:
    execute(job_id, _allocate, on_failure=_failed)


def _allocate(job: Job, progress: Progress) -> int:
    alliance = db.session.get(Alliance, job.alliance_id)
    actor = db.session.get(User, job.created_by_id)
    run = services.run(alliance, actor=actor, choices=job.parameters["choices"], scope=job.parameters["scope"],
                       progress=progress)  # fmt: skip
    notify(alliance.secretariat_org_id, kinds.ALLOCATION_READY, {"run_id": run.id}, run=run.id,
           alliance=alliance.short_name)  # fmt: skip
    return run.id


def _failed(job: Job) -> None:
    alliance = db.session.get(Alliance, job.alliance_id)
    notify(alliance.secretariat_org_id, kinds.ALLOCATION_FAILED, {"job_id": job.id}, alliance=alliance.short_name)
