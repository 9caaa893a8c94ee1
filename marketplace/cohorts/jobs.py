"""A big cohort import as a background job: the preview's commit of more than `JOBS_IMPORT_ROWS` rows is queued
(`import_views.preview`); the worker reads the parsed upload from COHORT_IMPORT_DIR, saves the rows with counts as it
goes, and commits once (or nothing, and the job says why)."""

from flask_babel import lazy_gettext as _l

from marketplace.auth.models import User
from marketplace.cohorts import services, uploads
from marketplace.extensions import db
from marketplace.jobs.models import Job
from marketplace.jobs.queue import huey
from marketplace.jobs.services import Progress, execute
from marketplace.refusals import Refusal

GONE = _l("The uploaded file is no longer there (uploads are kept for an hour): upload it again.")


@huey.task()
def import_rows(job_id: int) -> None:
    execute(job_id, _import)


def _import(job: Job, progress: Progress) -> int | None:
    p = job.parameters
    pending = uploads.read(p["token"], school_id=job.organization_id, user_id=job.created_by_id)
    if pending is None:
        raise Refusal(GONE)
    progress("importing", 0, len(pending.preview.rows))
    actor = db.session.get(User, job.created_by_id)
    result = services.import_students(job.organization_id, pending.graduation_year, pending.preview,
                                      mode=services.ImportMode(p["mode"]), actor=actor, progress=progress)  # fmt: skip
    job.parameters = {**p, "result": {"created": result.created, "updated": result.updated,
                                      "skipped": result.skipped}}  # fmt: skip
    uploads.remove(p["token"])
    return result.cohort_id
