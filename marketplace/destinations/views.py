"""The school's destination pages (audit, deadline, its figures) and the secretariat's (codes, counting rules,
snapshots, the rates). Every route loads through `permissions` and checks the organisation first."""

import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.alliances.models import Alliance
from marketplace.audit.services import record
from marketplace.cohorts.spreadsheet import FileRejected
from marketplace.db import writing
from marketplace.destinations import codes, pages, services, snapshots
from marketplace.destinations.forms import AuditForm, CodesForm, DeadlineForm, ProposeForm, SettingsForm, SnapshotForm
from marketplace.destinations.models import (
    DestinationCode,
    DestinationRecord,
    DestinationSettings,
    DestinationSnapshot,
    SnapshotCell,
)
from marketplace.destinations.rates import Scope, snapshot_tables
from marketplace.extensions import db
from marketplace.permissions import is_secretariat, load_or_404, school_required
from marketplace.refusals import commit
from marketplace.timeutil import local_today

bp = Blueprint("destinations", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year() -> int:
    return request.args.get("year", type=int) or local_today().year


# --------------------------------------------------------------------------------------------------- school
@bp.get("/destinations/")
@school_required
def school_home():
    school_id, year = current_user.organization_id, _year()
    latest = services.latest_per_graduate(school_id, year)
    return render_template(
        "destinations/school.html", year=year, rows=latest, deadline=services.deadline_for(school_id, year),
        propose_form=ProposeForm(year=year), deadline_form=DeadlineForm(year=year),
        counts=services.status_counts(latest),
    )  # fmt: skip


@bp.post("/destinations/propose")
@school_required
def propose():
    form = ProposeForm()
    if form.validate_on_submit():
        made = commit(lambda: services.propose_for_cohort(current_user.organization_id, form.year.data,
                                                         actor=current_user, today=local_today()))  # fmt: skip
        if made is not None:
            flash(_("%(n)d destinations drafted from job placements; the graduates confirm them.", n=made or 0),
                  "success")  # fmt: skip
    return redirect(url_for("destinations.school_home", year=form.year.data or None))


@bp.post("/destinations/deadline")
@school_required
def deadline():
    form = DeadlineForm()
    if form.validate_on_submit():
        commit(lambda: services.set_deadline(current_user.organization_id, form.year.data, form.deadline.data,
                                             actor=current_user), _("Deadline saved."))  # fmt: skip
    else:
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "danger")
    return redirect(url_for("destinations.school_home", year=form.year.data or None))


def _school_version(record_id: int) -> DestinationRecord:
    return load_or_404(DestinationRecord, record_id, lambda r, u: r.can_audit(u))


@bp.get("/destinations/records/<int:record_id>")
@school_required
def school_record(record_id: int):
    version = _school_version(record_id)
    return render_template("destinations/record.html", version=version, student=version.student,
                           versions=services.versions_of(version.student_id), form=AuditForm(),
                           latest=services.current_records(version.student_id),
                           member_alliances=services.member_alliances)  # fmt: skip


@bp.post("/destinations/records/<int:record_id>/audit")
@school_required
def audit(record_id: int):
    version, form = _school_version(record_id), AuditForm()
    if form.validate_on_submit():
        today = local_today()
        if form.decision.data == "approve":
            done = commit(lambda: services.approve(version, actor=current_user, today=today), _("Approved."))
        else:
            done = commit(lambda: services.send_back(version, form.reason.data, actor=current_user, today=today),
                          _("Sent back to the graduate."))  # fmt: skip
        if done:
            return redirect(url_for("destinations.school_home", year=services.graduation_year(version.student)))
    else:
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "danger")
    return redirect(url_for("destinations.school_record", record_id=record_id))


def _school_snapshots(school_id: int) -> list[DestinationSnapshot]:
    """Snapshots that counted the school's graduates (any alliance's): the school reads only its own cells."""
    having = sa.select(SnapshotCell.snapshot_id).where(SnapshotCell.school_id == school_id)
    return list(db.session.scalars(sa.select(DestinationSnapshot).where(DestinationSnapshot.id.in_(having))
                                   .order_by(DestinationSnapshot.graduation_year.desc(),
                                             DestinationSnapshot.as_of)))  # fmt: skip


def _school_snapshot(snapshot_id: int) -> DestinationSnapshot:
    school_id = current_user.organization_id
    return load_or_404(DestinationSnapshot, snapshot_id,
                       lambda s, u: s in _school_snapshots(school_id))  # fmt: skip


@bp.get("/destinations/rates")
@school_required
def school_rates():
    listed = _school_snapshots(current_user.organization_id)
    chosen = request.args.get("snapshot", type=int)
    snapshot = _school_snapshot(chosen) if chosen else (listed[-1] if listed else None)
    return _rates_page(snapshot, listed, Scope(current_user.organization_id), None)


@bp.get("/destinations/rates/<int:snapshot_id>.xlsx")
@school_required
def school_rates_xlsx(snapshot_id: int):
    return _export(_school_snapshot(snapshot_id), Scope(current_user.organization_id))


# ----------------------------------------------------------------------------------------------- secretariat
def _alliance(alliance_id: int) -> Alliance:
    return load_or_404(Alliance, alliance_id, is_secretariat)


def _alliance_snapshots(alliance_id: int) -> list[DestinationSnapshot]:
    s = DestinationSnapshot
    query = sa.select(s).where(s.alliance_id == alliance_id).order_by(s.graduation_year.desc(), s.as_of)
    return list(db.session.scalars(query))


def _alliance_snapshot(alliance: Alliance, snapshot_id: int) -> DestinationSnapshot:
    return load_or_404(DestinationSnapshot, snapshot_id, lambda s, u: s.alliance_id == alliance.id)


def _settings(alliance_id: int) -> DestinationSettings:
    return db.session.get(DestinationSettings, alliance_id) or DestinationSettings(
        alliance_id=alliance_id, counted_groups=None, employed_groups=None
    )


@bp.get("/alliances/<int:alliance_id>/destinations")
@login_required
def alliance_home(alliance_id: int):
    alliance = _alliance(alliance_id)
    settings = db.session.get(DestinationSettings, alliance.id)
    frozen = settings.frozen() if settings else services.default_settings()
    settings_form = SettingsForm(counted=frozen["counted"], employed=frozen["employed"],
                                 entrepreneur_as_flexible=frozen["entrepreneur_as_flexible"])  # fmt: skip
    year = _year()
    listed = _alliance_snapshots(alliance.id)
    own_codes = db.session.scalars(sa.select(DestinationCode).where(DestinationCode.alliance_id == alliance.id)
                                   .order_by(DestinationCode.code)).all()  # fmt: skip
    return render_template(
        "destinations/alliance.html", alliance=alliance, snapshots=listed, settings_form=settings_form,
        snapshot_form=SnapshotForm(year=year, as_of=services.snapshot_day(year, local_today())),
        codes_form=CodesForm(), codes=own_codes,
    )  # fmt: skip


@bp.post("/alliances/<int:alliance_id>/destinations/snapshots")
@login_required
def take_snapshot(alliance_id: int):
    alliance, form = _alliance(alliance_id), SnapshotForm()
    if form.validate_on_submit():
        snapshot = commit(lambda: snapshots.take(alliance.id, form.year.data, form.as_of.data, actor=current_user),
                          _("Snapshot taken."))  # fmt: skip
        if snapshot:
            return redirect(url_for("destinations.alliance_rates", alliance_id=alliance.id, snapshot_id=snapshot.id))
    else:
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "danger")
    return redirect(url_for("destinations.alliance_home", alliance_id=alliance.id))


@bp.post("/alliances/<int:alliance_id>/destinations/settings")
@login_required
def save_settings(alliance_id: int):
    alliance, form = _alliance(alliance_id), SettingsForm()
    if form.validate_on_submit():
        commit(lambda: services.save_settings(alliance.id, form.counted.data, form.employed.data,
                                              form.entrepreneur_as_flexible.data, actor=current_user),
               _("Counting rules saved; snapshots already taken keep the rules they were taken with."))  # fmt: skip
    else:
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "danger")
    return redirect(url_for("destinations.alliance_home", alliance_id=alliance.id))


@bp.post("/alliances/<int:alliance_id>/destinations/codes")
@login_required
def import_codes(alliance_id: int):
    alliance, form = _alliance(alliance_id), CodesForm()
    if not form.validate_on_submit():
        flash(_("Choose a file to import."), "danger")
        return redirect(url_for("destinations.alliance_home", alliance_id=alliance.id))
    upload = form.file.data
    try:
        result = codes.import_codes(alliance.id, upload.read(), upload.filename or "")
    except FileRejected as exc:
        db.session.rollback()
        flash(_(exc.reason, **exc.params), "danger")
        return redirect(url_for("destinations.alliance_home", alliance_id=alliance.id))
    record("destination_codes_imported", alliance, added=result.added, updated=result.updated)
    db.session.commit()
    flash(_("Codes imported: %(added)d added, %(updated)d updated.", added=result.added, updated=result.updated),
          "success")  # fmt: skip
    for number, reason in result.errors[:20]:
        flash(_("Row %(row)d: %(reason)s", row=number, reason=_(reason)), "warning")
    return redirect(url_for("destinations.alliance_home", alliance_id=alliance.id))


@bp.get("/alliances/<int:alliance_id>/destinations/snapshots/<int:snapshot_id>")
@login_required
def alliance_rates(alliance_id: int, snapshot_id: int):
    alliance = _alliance(alliance_id)
    snapshot = _alliance_snapshot(alliance, snapshot_id)
    listed = _alliance_snapshots(alliance.id)
    return _rates_page(snapshot, listed, Scope(), alliance)


@bp.get("/alliances/<int:alliance_id>/destinations/snapshots/<int:snapshot_id>.xlsx")
@login_required
def alliance_rates_xlsx(alliance_id: int, snapshot_id: int):
    alliance = _alliance(alliance_id)
    return _export(_alliance_snapshot(alliance, snapshot_id), Scope())


# ---------------------------------------------------------------------------------------------------- shared
def _rates_page(snapshot, listed, scope: Scope, alliance):
    made = pages.tables(snapshot_tables(db.session, snapshot, scope)) if snapshot else []
    return render_template("destinations/rates.html", snapshot=snapshot, snapshots=listed, tables=made,
                           alliance=alliance, definitions=pages.definitions(snapshot.settings) if snapshot else [],
                           alliance_names=_alliance_names(listed))  # fmt: skip


def _alliance_names(listed) -> dict[int, str]:
    ids = {s.alliance_id for s in listed}
    return dict(db.session.execute(sa.select(Alliance.id, Alliance.short_name).where(Alliance.id.in_(ids))).all())


def _export(snapshot: DestinationSnapshot, scope: Scope) -> Response:
    made = pages.tables(snapshot_tables(db.session, snapshot, scope))
    title = _("Graduate destinations %(year)d, as of %(day)s", year=snapshot.graduation_year, day=snapshot.as_of)
    body = pages.xlsx(title, pages.definitions(snapshot.settings), made)
    db.session.commit()
    with writing():  # an export is logged: a write inside a GET
        record("destination_export", snapshot, school=scope.school_id)
        db.session.commit()
    filename = f"destinations-{snapshot.graduation_year}-{snapshot.as_of.isoformat()}.xlsx"
    return Response(body, mimetype=XLSX, headers={"Content-Disposition": f"attachment; filename={filename}"})
