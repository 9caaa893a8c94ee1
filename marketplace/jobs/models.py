"""A background job (后台任务): what it does, for which alliance, how far it got and how it ended."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.alliances.models import Alliance
from marketplace.db import UTCDateTime, enum_column, utcnow
from marketplace.extensions import db
from marketplace.i18n import register_labels


class JobKind(enum.StrEnum):
    ALLOCATION = "allocation"
    COHORT_IMPORT = "cohort_import"
    ANNUAL_REPORT = "annual_report"
    REPORT_EXPORT = "report_export"


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


class JobStage(enum.StrEnum):
    """Where a job is: the allocation's stages in order, then the other kinds' single working stage."""

    WAITING = "waiting"
    READING = "reading"
    BUILDING = "building"
    RANKING = "ranking"
    ALLOCATING = "allocating"
    STORING = "storing"
    IMPORTING = "importing"
    COLLECTING = "collecting"
    RENDERING = "rendering"
    EXPORTING = "exporting"
    FINISHED = "finished"


register_labels(
    (JobKind.ALLOCATION, _l("Allocation run")),
    (JobKind.COHORT_IMPORT, _l("Cohort import")),
    (JobKind.ANNUAL_REPORT, _l("Annual quality report")),
    (JobKind.REPORT_EXPORT, _l("Report export")),
    (JobStatus.QUEUED, _l("Waiting for a worker")),
    (JobStatus.RUNNING, _l("Running")),
    (JobStatus.DONE, _l("Done")),
    (JobStatus.FAILED, _l("Failed")),
    (JobStage.WAITING, _l("Waiting for a worker")),
    (JobStage.READING, _l("Reading openings and students")),
    (JobStage.BUILDING, _l("Building the fit features")),
    (JobStage.RANKING, _l("Ranking openings for each graduate")),
    (JobStage.ALLOCATING, _l("Allocating places")),
    (JobStage.STORING, _l("Saving the proposal")),
    (JobStage.IMPORTING, _l("Importing rows")),
    (JobStage.COLLECTING, _l("Collecting the figures, chapter by chapter")),
    (JobStage.RENDERING, _l("Drawing the charts and writing the PDF and DOCX")),
    (JobStage.EXPORTING, _l("Computing the report and writing the workbook")),
    (JobStage.FINISHED, _l("Finished")),
)

# Why a job failed, by key: stored as the key and its parameters, shown in the reader's language.
REASONS = {
    "error": _l("The job stopped on an unexpected error; nothing was stored. Try again, or tell the platform admin."),
    "refused": _l("The job was refused: %(message)s"),
    "queue_unavailable": _l("The job queue cannot be reached; nothing was started. Try again in a few minutes."),
    "worker_lost": _l("No worker finished this job in time; nothing was stored. It no longer blocks a new run."),
}


class Job(db.Model):
    """后台任务: one piece of long work run by a queue consumer, with its live stage kept for the page."""

    __tablename__ = "jobs"
    __table_args__ = (
        # One run of a kind at a time per alliance: a second one is refused while the first waits or runs.
        sa.Index(
            "uq_jobs_one_active_per_alliance",
            "kind",
            "alliance_id",
            unique=True,
            postgresql_where=sa.text("status IN ('queued', 'running')"),
            sqlite_where=sa.text("status IN ('queued', 'running')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[JobKind] = mapped_column(enum_column(JobKind, "job_kind"))
    alliance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("alliances.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus, "job_status"), default=JobStatus.QUEUED)
    stage: Mapped[JobStage] = mapped_column(enum_column(JobStage, "job_stage"), default=JobStage.WAITING)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]
    parameters: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # what the task was asked to do
    reason_key: Mapped[str | None] = mapped_column(sa.String(40))  # a key of REASONS, when failed
    reason_params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    result_id: Mapped[int | None]  # the allocation run (or other record) the job made
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    alliance: Mapped[Alliance | None] = relationship()

    def can_view(self, user) -> bool:
        """An alliance's job: its secretariat (and the platform admin); an organisation's: its own staff."""
        if self.alliance is not None:
            return self.alliance.is_secretariat(user)
        return user.is_platform_admin or (
            self.organization_id is not None and user.organization_id == self.organization_id
        )

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def reason(self) -> str:
        """Why it failed, in the reader's language."""
        if self.reason_key is None:
            return ""
        text = REASONS.get(self.reason_key, REASONS["error"])
        params = dict(self.reason_params or {})
        if "message" in params:  # a refusal's own catalogue string, translated now
            params["message"] = gettext(params["message"], **params.pop("message_params", {}))
        return str(text) % params if params else str(text)


class JobFile(db.Model):
    """A file a job wrote (a report's workbook), kept for its job's page to download; each download is logged."""

    __tablename__ = "job_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(sa.ForeignKey("jobs.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))  # in the reader's language
    fallback_name: Mapped[str] = mapped_column(sa.String(200))  # ASCII, for clients without RFC 5987
    mimetype: Mapped[str] = mapped_column(sa.String(100))
    body: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    job: Mapped[Job] = relationship()

    def can_view(self, user) -> bool:
        return self.job.can_view(user)
