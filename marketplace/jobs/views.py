"""A job's page and its progress as JSON (polled by static/js/job.js; without script the page refreshes itself)."""

from flask import Blueprint, Response, jsonify, render_template, url_for
from flask_login import login_required

from marketplace.audit.services import record
from marketplace.db import writing
from marketplace.exports import attachment
from marketplace.extensions import db
from marketplace.i18n import label
from marketplace.jobs import services
from marketplace.jobs.models import Job, JobFile, JobKind, JobStatus
from marketplace.permissions import load

bp = Blueprint("jobs", __name__)

# Where a finished job's result is shown: the endpoint and the name of its id.
RESULTS = {
    JobKind.ALLOCATION: ("allocations.allocation", "run_id"),
    JobKind.COHORT_IMPORT: ("cohorts.cohort", "cohort_id"),
    JobKind.ANNUAL_REPORT: ("reports.annual_report", "report_id"),
    JobKind.REPORT_EXPORT: ("jobs.download", "file_id"),
}
REFRESH_S = 2


def state(job: Job) -> dict:
    stage, done, total = services.live(job)
    result_url = None
    if job.status is JobStatus.DONE and job.result_id is not None:
        endpoint, name = RESULTS[job.kind]
        result_url = url_for(endpoint, **{name: job.result_id})
    return {
        "id": job.id,
        "status": job.status.value,
        "status_label": label(job.status),
        "stage": stage.value,
        "stage_label": label(stage),
        "done": done,
        "total": total,
        "active": job.active,
        "reason": job.reason(),
        "result_url": result_url,
    }


@bp.get("/jobs/<int:job_id>")
@login_required
def job(job_id: int):
    job = load(Job, job_id)
    return render_template("jobs/job.html", job=job, state=state(job), refresh_s=REFRESH_S)


@bp.get("/jobs/<int:job_id>/progress")
@login_required
def progress(job_id: int):
    return jsonify(state(load(Job, job_id)))


@bp.get("/jobs/files/<int:file_id>")
@login_required
def download(file_id: int):
    """A file a job wrote, for whoever may see the job; logged as the export it is (who, which report, filters)."""
    kept = load(JobFile, file_id)
    body, name, fallback, mimetype = kept.body, kept.name, kept.fallback_name, kept.mimetype
    job = kept.job
    db.session.commit()
    with writing():  # a logged download: the write lock from the start on SQLite
        p = job.parameters or {}
        record("report_export", job.alliance, report=p.get("report"), format="xlsx", table=None,
               filters=p.get("args"), job_id=job.id)  # fmt: skip
        db.session.commit()
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": attachment(name, fallback)})
