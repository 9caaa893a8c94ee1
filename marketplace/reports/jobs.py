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
    year = int(p["year"])
    if job.alliance_id is not None:
        scope = annual.Scope.of_alliance(db.session.get(Alliance, job.alliance_id))
    else:
        scope = annual.Scope.of_school(db.session.get(Organization, job.organization_id))
    with force_locale(p.get("locale", "zh")):
        document = annual.build(db.session, scope, year, progress=progress)
        progress("rendering", 0, 2)
        pdf = render.pdf(document)
        progress("rendering", 1, 2)
        docx = render.docx(document)
        progress("rendering", 2, 2)
    report = AnnualReport(alliance_id=job.alliance_id, school_id=None if job.alliance_id else job.organization_id,
                          year=year, title=document.title[:200], pdf=pdf, docx=docx,
                          created_by_id=job.created_by_id)  # fmt: skip
    db.session.add(report)
    db.session.flush()
    return report.id
