"""Annual quality reports (secretariat for its alliance, a school for itself) and the alliance's three lists."""

import sqlalchemy as sa
from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from marketplace.alliances.models import Alliance
from marketplace.audit.services import record
from marketplace.db import writing
from marketplace.exports import attachment
from marketplace.extensions import db
from marketplace.jobs import services as job_services
from marketplace.jobs.models import Job, JobKind
from marketplace.permissions import is_secretariat, load, load_or_404, school_required
from marketplace.refusals import commit
from marketplace.reports import jobs as report_jobs
from marketplace.reports import three_lists
from marketplace.reports.models import AnnualReport
from marketplace.timeutil import local_today

bp = Blueprint("reports", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class YearForm(FlaskForm):
    year = IntegerField(_l("Graduating year"), validators=[InputRequired(), NumberRange(2000, 2100)])
    submit = SubmitField(_l("Generate the annual report"))


def _default_year() -> int:
    """The cohort that graduated most recently (graduation is in the summer)."""
    today = local_today()
    return today.year if today.month >= 7 else today.year - 1


def _start(form: YearForm, **owner):
    job_id = commit(
        lambda: job_services.start(JobKind.ANNUAL_REPORT, actor=current_user, parameters={
            "year": form.year.data, "locale": str(get_locale() or "zh")}, **owner).id,
        conflict=str(job_services.BUSY),
    )  # fmt: skip
    if job_id is None:
        return None
    job_services.enqueue(job_id, report_jobs.generate)
    return redirect(url_for("jobs.job", job_id=job_id))


def _page(template: str, form: YearForm, reports_where, jobs_where, **context):
    reports = db.session.scalars(
        sa.select(AnnualReport).where(reports_where).order_by(AnnualReport.id.desc()).limit(50)
    ).all()
    jobs = db.session.scalars(
        sa.select(Job).where(Job.kind == JobKind.ANNUAL_REPORT, jobs_where).order_by(Job.id.desc()).limit(5)
    ).all()
    return render_template(template, form=form, reports=reports, jobs=jobs, **context)


@bp.route("/alliances/<int:alliance_id>/annual-reports", methods=["GET", "POST"])
@login_required
def alliance_reports(alliance_id: int):
    alliance = load_or_404(Alliance, alliance_id, is_secretariat)
    form = YearForm(data={"year": _default_year()})
    if form.validate_on_submit() and (started := _start(form, alliance_id=alliance.id)) is not None:
        return started
    status = 400 if form.errors else 200
    return _page("reports/alliance.html", form, AnnualReport.alliance_id == alliance.id,
                 Job.alliance_id == alliance.id, alliance=alliance, year=_default_year()), status  # fmt: skip


@bp.route("/annual-reports", methods=["GET", "POST"])
@school_required
def school_reports():
    school_id = current_user.organization_id
    form = YearForm(data={"year": _default_year()})
    if form.validate_on_submit() and (started := _start(form, organization_id=school_id)) is not None:
        return started
    status = 400 if form.errors else 200
    return _page("reports/school.html", form, AnnualReport.school_id == school_id,
                 sa.and_(Job.organization_id == school_id, Job.alliance_id.is_(None))), status  # fmt: skip


@bp.get("/annual-reports/<int:report_id>")
@login_required
def annual_report(report_id: int):
    return render_template("reports/report.html", report=load(AnnualReport, report_id))


@bp.get("/annual-reports/<int:report_id>.<any(pdf, docx):fmt>")
@login_required
def download(report_id: int, fmt: str):
    report = load(AnnualReport, report_id)
    body = getattr(report, fmt)
    db.session.commit()
    with writing():  # a logged download: the write lock from the start on SQLite
        record("annual_report_download", report, format=fmt, year=report.year)
        db.session.commit()
    return Response(body, mimetype=FORMATS[fmt], headers={
        "Content-Disposition": attachment(f"{report.title}.{fmt}", f"annual-report-{report.year}-{report.id}.{fmt}"),
    })  # fmt: skip


@bp.get("/alliances/<int:alliance_id>/three-lists.xlsx")
@login_required
def three_lists_export(alliance_id: int):
    alliance = load_or_404(Alliance, alliance_id, is_secretariat)
    year = request.args.get("year", type=int) or local_today().year
    if not 2000 <= year <= 2100:
        abort(400)
    body = three_lists.workbook(alliance.id, year)
    db.session.commit()
    with writing():
        record("report_export", alliance, report="three_lists", format="xlsx", year=year)
        db.session.commit()
    name = _("%(alliance)s three lists %(year)d", alliance=alliance.short_name, year=year)
    return Response(body, mimetype=XLSX, headers={
        "Content-Disposition": attachment(f"{name}.xlsx", f"three-lists-{year}.xlsx"),
    })  # fmt: skip
