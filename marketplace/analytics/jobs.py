"""A report's XLSX as a background job: the consumer computes the report under the posted filters, writes the
workbook and keeps it as the job's file (`jobs.models.JobFile`) in one commit; the job's page links to it."""

from flask_babel import force_locale

from marketplace.alliances.models import Alliance
from marketplace.analytics.views import XLSX, workbook
from marketplace.extensions import db
from marketplace.jobs.models import Job, JobFile
from marketplace.jobs.queue import huey
from marketplace.jobs.services import Progress, execute


@huey.task()
def export_xlsx(job_id: int) -> None:
    execute(job_id, _export)


def _export(job: Job, progress: Progress) -> int:
    p = job.parameters
    progress("exporting", 0, 1)
    with force_locale(p.get("locale", "zh")):
        body, name, fallback = workbook(db.session.get(Alliance, job.alliance_id), p["report"], p["args"])
    kept = JobFile(job_id=job.id, name=name[:200], fallback_name=fallback[:200], mimetype=XLSX, body=body)
    db.session.add(kept)
    db.session.flush()
    progress("exporting", 1, 1)
    return kept.id
