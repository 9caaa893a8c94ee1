"""Report pages of one alliance, for its secretariat: filters, charts with their tables, XLSX and CSV exports."""

from flask import Blueprint, Response, abort, render_template, request
from flask_login import login_required

from marketplace.alliances.models import Alliance
from marketplace.analytics.filters import ReportFilterForm, period_label
from marketplace.analytics.registry import REPORTS
from marketplace.audit.services import record
from marketplace.db import writing
from marketplace.exports import attachment
from marketplace.extensions import db
from marketplace.permissions import is_secretariat, load_or_404
from marketplace.timeutil import local_today

bp = Blueprint("analytics", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _alliance(alliance_id: int) -> Alliance:
    """Analysts of one alliance see only their alliance's reports (404 for any other, as for every record)."""
    return load_or_404(Alliance, alliance_id, is_secretariat)


def _report(alliance: Alliance, name: str):
    if name not in REPORTS:
        abort(404)
    form = ReportFilterForm(alliance, request.args)
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


@bp.get("/alliances/<int:alliance_id>/reports/<name>.<any(xlsx, csv):fmt>")
@login_required
def export(alliance_id: int, name: str, fmt: str):
    alliance = _alliance(alliance_id)
    form, report = _report(alliance, name)
    if report is None:
        abort(400)
    filters = form.filters()
    table = request.args.get("table", report.tables[0].key)
    if fmt == "csv" and table not in {t.key for t in report.tables}:
        abort(404)
    # Exports are logged: a write inside a GET, so its transaction takes the write lock from the start on SQLite.
    db.session.commit()
    with writing():
        record("report_export", alliance, report=name, format=fmt, table=table if fmt == "csv" else None,
               filters=filters.args())  # fmt: skip
        db.session.commit()
    when = period_label(filters.period)
    if fmt == "xlsx":
        body, mimetype = report.xlsx(describe(form)), XLSX
        filename, fallback = f"{report.title}-{when}.xlsx", f"{name}-{filters.period.key}.xlsx"
    else:
        body, mimetype = report.csv(table), "text/csv; charset=utf-8"
        filename = f"{report.title}-{report.table(table).title}-{when}.csv"
        fallback = f"{name}-{table}-{filters.period.key}.csv"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": attachment(filename, fallback)})


def describe(form: ReportFilterForm) -> str:
    """The filters in words, for the export's first sheet and the printed page."""
    f = form.filters()
    parts = [period_label(f.period)]
    for field in (form.school, form.major, form.enterprise, form.city, form.kind):
        if field.data not in (None, ""):
            parts.append(f"{field.label.text}：{dict(field.choices).get(field.data, field.data)}")
    return "；".join(str(p) for p in parts)
