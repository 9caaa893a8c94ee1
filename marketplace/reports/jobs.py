"""The annual quality report as a background job: the POST queues it (`views`), a consumer collects the chapters,
renders the PDF and the DOCX and stores both in one commit; the job's page links to the stored report."""

from flask_babel import force_locale

from marketplace.alliances.models import Alliance
from marketplace.extensions import db
from marketplace.jobs.models import Job
from marketplace.jobs.queue import huey
from marketplace.jobs.services import Progress, execute
from marketplace.orgs.models import Organization
from marketplace.reports import annual, render
from marketplace.reports.models import AnnualReport


@huey.task()
def generate(job_id: int) -> None:
    execute(job_id, _generate)


def _generate(job: Job, progress: Progress) -> int:
    p = job.parameters
    if job.alliance_id is not None:
        scope = annual.Scope.of_alliance(db.session.get(Alliance, job.alliance_id))
    else:
        scope = annual.Scope.of_school(db.session.get(Organization, job.organization_id))
    return make(scope, int(p["year"]), p.get("locale", "zh"), job.created_by_id, progress).id


def make(scope: annual.Scope, year: int, locale: str, created_by_id: int | None, progress=None) -> AnnualReport:
    """Collect, render both documents and add the stored report to the session (flushed, not committed)."""

    def step(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress(stage, done, total)

    with force_locale(locale):
        document = annual.build(db.session, scope, year, progress=progress)
        step("rendering", 0, 2)
        pdf = render.pdf(document)
        step("rendering", 1, 2)
        docx = render.docx(document)
        step("rendering", 2, 2)
    report = AnnualReport(alliance_id=scope.id if scope.kind == "alliance" else None,
                          school_id=scope.id if scope.kind == "school" else None, year=year,
                          title=document.title[:200], pdf=pdf, docx=docx, created_by_id=created_by_id)  # fmt: skip
    db.session.add(report)
    db.session.flush()
    return report
