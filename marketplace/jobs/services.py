"""A job's life: `start` (refused while one of its kind runs for the alliance), `execute` in the worker, and the live
progress the page reads.

Progress goes to the queue's own storage (huey's key-value store: the SQLite file or Redis), committed at once through
its own connection, so the page sees it while the job's work is still uncommitted in the database (on SQLite the
job's transaction holds the write lock until its one commit). The `jobs` row keeps the status and, at the end, the
stage and counts the job reached; the work and the row's `done` are committed together, or the work is rolled back
and the row says why it failed.
"""

import logging
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.jobs import queue
from marketplace.jobs.models import ACTIVE, Job, JobKind, JobStage, JobStatus
from marketplace.refusals import Refusal

log = logging.getLogger(__name__)

BUSY = _l("A run of this kind is already waiting or running for this alliance: wait until it ends.")


class JobBusy(Refusal):
    """One job of a kind at a time per alliance."""


def start(kind: JobKind, *, actor, alliance_id: int | None = None, organization_id: int | None = None,
          parameters: dict | None = None) -> Job:  # fmt: skip
    """A queued job; refused while another of its kind waits or runs for the alliance (the database's partial unique
    index refuses a race this check could not see)."""
    if alliance_id is not None:
        release_lost(kind, alliance_id)
        busy = sa.select(Job.id).where(Job.kind == kind, Job.alliance_id == alliance_id, Job.status.in_(ACTIVE))
        if db.session.scalar(busy) is not None:
            raise JobBusy(BUSY)
    job = Job(kind=kind, alliance_id=alliance_id, organization_id=organization_id, parameters=parameters or {},
              created_by_id=getattr(actor, "id", None))  # fmt: skip
    db.session.add(job)
    db.session.flush()
    return job


def release_lost(kind: JobKind, alliance_id: int) -> None:
    """Fail the jobs whose worker died (queued or running far longer than any run takes): they block no new run."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["JOBS_LOST_AFTER_S"])
    lost = db.session.scalars(sa.select(Job).where(
        Job.kind == kind, Job.alliance_id == alliance_id, Job.status.in_(ACTIVE), Job.created_at < cutoff,
    )).all()  # fmt: skip
    for job in lost:
        _fail(job, "worker_lost")


def enqueue(job_id: int, task, *args) -> bool:
    """Hand a committed job to the queue; when the queue cannot be reached the job fails at once and says so.

    Called with the id, not the row: reading the row again would open a transaction that, on SQLite, holds the
    write lock the job (run in-process in immediate mode) needs."""
    try:
        queue.configure(current_app)
        task(job_id, *args)
    except Exception:  # the broker (Redis, the SQLite file) is down or refuses: nothing was started
        log.exception("could not enqueue job %s", job_id)
        db.session.rollback()
        job = db.session.get(Job, job_id)
        if job.status is JobStatus.QUEUED:
            _fail(job, "queue_unavailable")
            db.session.commit()
        return False
    return True


class Progress:
    """The callback a job's work reports through: `progress(stage, done, total)`."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.stage, self.done, self.total = JobStage.WAITING, 0, None
        self.seen: list[JobStage] = []

    def __call__(self, stage: str, done: int = 0, total: int | None = None) -> None:
        self.stage, self.done, self.total = JobStage(stage), int(done), None if total is None else int(total)
        if not self.seen or self.seen[-1] is not self.stage:
            self.seen.append(self.stage)
        report = {"stage": self.stage.value, "done": self.done, "total": self.total}
        try:
            queue.huey.put(progress_key(self.job_id), report)
        except Exception:  # the page then shows the last stage it saw; the work itself goes on
            log.warning("job %s: could not report progress %s", self.job_id, report, exc_info=True)

    def copy_to(self, job: Job) -> None:
        job.stage, job.done, job.total = self.stage, self.done, self.total
        job.parameters = {**(job.parameters or {}), "stages": [s.value for s in self.seen]}


def progress_key(job_id: int) -> str:
    return f"job-progress:{job_id}"


def live(job: Job) -> tuple[JobStage, int, int | None]:
    """The stage and counts to show: the worker's latest report while the job runs, else the stored ones."""
    if job.status is JobStatus.RUNNING:
        try:
            reported = queue.configure(current_app).get(progress_key(job.id), peek=True)
        except Exception:  # the queue's store is unreachable: show what the database knows
            log.warning("job %s: cannot read its progress", job.id, exc_info=True)
            reported = None
        if reported:
            return JobStage(reported["stage"]), reported["done"], reported["total"]
    return job.stage, job.done, job.total


def execute(job_id: int, work: Callable[[Job, Progress], int | None],
            on_failure: Callable[[Job], None] | None = None) -> None:  # fmt: skip
    """Run `work(job, progress)` for a queued job in the task's own app context and session, and commit its result
    with the job's `done` once; on any error roll everything back, mark the job failed with the reason and call
    `on_failure(job)` (to tell someone) in that same commit."""
    app = queue.task_app()
    with app.app_context():
        queue.configure(app)
        job = db.session.get(Job, job_id)
        if job is None or job.status is not JobStatus.QUEUED:
            return  # released as lost, or delivered twice
        job.status, job.started_at = JobStatus.RUNNING, utcnow()
        db.session.commit()
        progress = Progress(job_id)
        try:
            result_id = work(job, progress)
            progress.copy_to(job)
            job.status, job.stage, job.finished_at = JobStatus.DONE, JobStage.FINISHED, utcnow()
            job.result_id = result_id
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            log.exception("job %s (%s) failed", job_id, job.kind)
            job = db.session.get(Job, job_id)
            progress.copy_to(job)
            if isinstance(exc, Refusal):
                _fail(job, "refused", **refusal_words(exc))
            else:
                _fail(job, "error")
            if on_failure is not None:
                on_failure(job)
            db.session.commit()
        finally:
            queue.huey.delete(progress_key(job_id))


def refusal_words(exc: Refusal) -> dict:
    """A refusal's catalogue msgid and parameters, to translate when shown (or its text, if it was not lazy)."""
    message = exc.args[0] if exc.args else ""
    if hasattr(message, "_args") and message._args:
        return {"message": message._args[0], "message_params": dict(message._kwargs)}
    return {"message": str(message)}


def _fail(job: Job, reason: str, **params) -> None:
    job.status, job.finished_at = JobStatus.FAILED, utcnow()
    job.reason_key, job.reason_params = reason, params
