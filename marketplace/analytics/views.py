"""Report pages of one alliance, for its secretariat: filters, charts with their tables, XLSX and CSV exports.

The XLSX (every table of the report) is written on the queue (`analytics.jobs`): at alliance scale computing a report
takes about a second, so the POST answers at once with the job's page, which links to the file when it is written.
One table as CSV is answered directly. Both are logged when downloaded."""

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from marketplace.alliances.models import Alliance
from marketplace.analytics.filters import ReportFilterForm, period_label
from marketplace.analytics.registry import REPORTS
from marketplace.audit.services import record
from marketplace.db import writing
from marketplace.exports import attachment
from marketplace.extensions import db
from marketplace.jobs import services as job_services
from marketplace.jobs.models import JobKind
from marketplace.permissions import is_secretariat, load_or_404
from marketplace.refusals import commit
from marketplace.timeutil import local_today

bp = Blueprint("analytics", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _alliance(alliance_id: int) -> Alliance:
    """Analysts of one alliance see only their alliance's reports (404 for any other, as for every record)."""
    return load_or_404(Alliance, alliance_id, is_secretariat)


def _form(alliance: Alliance, name: str, args) -> ReportFilterForm:
    if name not in REPORTS:
        abort(404)
    return ReportFilterForm(alliance, args)


def _report(alliance: Alliance, name: str, args=None):
    form = _form(alliance, name, request.args if args is None else args)
    if not form.validate():
        return form, None
    return form, REPORTS[name].build(alliance, form.filters())


@bp.get("/alliances/<int:alliance_id>/reports")
@login_required
def index(alliance_id: int):
    return render_template("analytics/index.html", alliance=_alliance(alliance_id), reports=REPORTS)


@bp.get("/alliances/<int:alliance_id>/reports/<name>")
@login_required
def show(alliance_id: int, name: str):
    alliance = _alliance(alliance_id)
    form, report = _report(alliance, name)
    page = render_template("analytics/report.html", alliance=alliance, form=form, report=report, name=name,
                           reports=REPORTS, today=local_today(), describe=describe)  # fmt: skip
    return page, 200 if report is not None else 400


@bp.post("/alliances/<int:alliance_id>/reports/<name>/export")
@login_required
def export_xlsx(alliance_id: int, name: str):
    """Queue the XLSX of the report under the filters posted (the page's own query)."""
    alliance = _alliance(alliance_id)
    form = _form(alliance, name, request.form)
    if not form.validate():
        abort(400)
    parameters = {"report": name, "args": form.filters().args(), "locale": str(get_locale() or "zh")}
    job_id = commit(
        lambda: job_services.start(JobKind.REPORT_EXPORT, actor=current_user, alliance_id=alliance.id,
                                   parameters=parameters).id,
        conflict=str(job_services.BUSY),
    )  # fmt: skip
    if job_id is None:  # another export of this alliance is waiting or running: said by a flash message
        return redirect(url_for(".show", alliance_id=alliance.id, name=name, **parameters["args"]))
    from marketplace.analytics import jobs as analytics_jobs  # the task module imports this one

    job_services.enqueue(job_id, analytics_jobs.export_xlsx)
    return redirect(url_for("jobs.job", job_id=job_id))


def workbook(alliance: Alliance, name: str, args: dict) -> tuple[bytes, str, str]:
    """The report's XLSX under these filters: (body, file name, ASCII fallback). Run by the export job."""
    form, report = _report(alliance, name, MultiDict(args))
    if report is None:
        raise ValueError(f"filters refused: {form.errors}")
    filters = form.filters()
    return (report.xlsx(describe(form)), f"{report.title}-{period_label(filters.period)}.xlsx",
            f"{name}-{filters.period.key}.xlsx")  # fmt: skip


@bp.get("/alliances/<int:alliance_id>/reports/<name>.csv")
@login_required
def export(alliance_id: int, name: str):
    alliance = _alliance(alliance_id)
    form, report = _report(alliance, name)
    if report is None:
        abort(400)
    filters = form.filters()
    table = request.args.get("table", report.tables[0].key)
    if table not in {t.key for t in report.tables}:
        abort(404)
    # Exports are logged: a write inside a GET, so its transaction takes the write lock from the start on SQLite.
    db.session.commit()
    with writing():
        record("report_export", alliance, report=name, format="csv", table=table, filters=filters.args())
        db.session.commit()
    when = period_label(filters.period)
    filename = f"{report.title}-{report.table(table).title}-{when}.csv"
    fallback = f"{name}-{table}-{filters.period.key}.csv"
    return Response(report.csv(table), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": attachment(filename, fallback)})  # fmt: skip


def describe(form: ReportFilterForm) -> str:
    """The filters in words, for the export's first sheet and the printed page."""
    f = form.filters()
    parts = [period_label(f.period)]
    for field in (form.school, form.major, form.enterprise, form.city, form.kind):
        if field.data not in (None, ""):
            parts.append(f"{field.label.text}：{dict(field.choices).get(field.data, field.data)}")
    return "；".join(str(p) for p in parts)
