"""The enterprise's intern roster (实习学生信息库): everyone placed with it, on screen and as XLSX/CSV; and the
school's list of where its students are placed. Both filter by the phase the dates give (待到岗, 进行中, ...)."""

import sqlalchemy as sa
from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from marketplace.audit.services import record
from marketplace.cohorts.models import Student
from marketplace.exports import write_csv, write_xlsx
from marketplace.extensions import db
from marketplace.i18n import label
from marketplace.input_guard import db_int
from marketplace.permissions import enterprise_required, school_required
from marketplace.pipeline.models import Placement
from marketplace.pipeline.phase import DUE, PlacementPhase, phase_condition, phase_of
from marketplace.pipeline.views import bp
from marketplace.plans.models import HiringPlan, Opening
from marketplace.privacy import mask_phone
from marketplace.timeutil import local_today


def filtered(query: sa.Select, phase: str | None, due: str | None, today) -> sa.Select:
    """Narrow a placements query to a phase (starting, ongoing, completed, left_early) and/or a due list."""
    if phase in {p.value for p in PlacementPhase}:
        query = query.where(phase_condition(PlacementPhase(phase), today))
    if due in DUE:
        query = query.where(DUE[due](today))
    return query


def roster_query(enterprise_id: int, phase: str | None, due: str | None = None, today=None) -> sa.Select:
    query = (
        sa.select(Placement)
        .join(Opening, Opening.id == Placement.opening_id)
        .join(HiringPlan, HiringPlan.id == Opening.plan_id)
        .where(HiringPlan.enterprise_id == enterprise_id)
        .options(joinedload(Placement.opening), joinedload(Placement.student).joinedload(Student.school))
        .order_by(Placement.start_date.desc(), Placement.id.desc())
    )
    return filtered(query, phase, due, today or local_today())


def _filters() -> tuple[str | None, str | None]:
    phase, due = request.args.get("phase"), request.args.get("due")
    return (phase if phase in {p.value for p in PlacementPhase} else None), (due if due in DUE else None)


@bp.get("/roster")
@enterprise_required
def roster():
    (phase, due), today = _filters(), local_today()
    page = db.paginate(roster_query(current_user.organization_id, phase, due, today),
                       page=request.args.get("page", 1, type=db_int), per_page=50, error_out=False)  # fmt: skip
    return render_template("pipeline/roster.html", page=page, phase=phase, due=due, phases=list(PlacementPhase),
                           phase_of=lambda p: phase_of(p, today), mask_phone=mask_phone)  # fmt: skip


@bp.get("/placements")
@school_required
def placements():
    """Where the school's students are placed: the arrivals to prepare and the placements to close."""
    (phase, due), today = _filters(), local_today()
    query = (
        sa.select(Placement)
        .join(Student, Student.id == Placement.student_id)
        .where(Student.school_id == current_user.organization_id)
        .options(
            joinedload(Placement.student),
            joinedload(Placement.opening).joinedload(Opening.plan).joinedload(HiringPlan.enterprise),
        )  # fmt: skip
        .order_by(Placement.start_date.desc(), Placement.id.desc())
    )
    page = db.paginate(filtered(query, phase, due, today), page=request.args.get("page", 1, type=db_int),
                       per_page=50, error_out=False)  # fmt: skip
    return render_template("pipeline/placements.html", page=page, phase=phase, due=due, phases=list(PlacementPhase),
                           phase_of=lambda p: phase_of(p, today))  # fmt: skip


@bp.post("/roster/export.<any(xlsx, csv):fmt>")
@enterprise_required
def export_roster(fmt: str):
    phase, today = request.form.get("phase"), local_today()
    placements = db.session.scalars(roster_query(current_user.organization_id, phase, request.form.get("due"),
                                                 today)).all()  # fmt: skip
    headers = [_("Student"), _("School"), _("School contact"), _("School phone"), _("Opening"), _("Kind"),
               _("Start date"), _("End date"), _("Status"), _("Monthly pay"), _("Student phone")]  # fmt: skip
    rows = [
        (p.student.name, p.student.school.name, p.student.school.contact_name, p.student.school.contact_phone,
         p.opening.title, label(p.kind), p.start_date, p.end_date, label(phase_of(p, today)), p.pay,
         mask_phone(p.student.phone))
        for p in placements
    ]  # fmt: skip
    record("export", None, object_type="roster", format=fmt, rows=len(rows), phase=phase or None)
    db.session.commit()
    if fmt == "xlsx":
        body, mimetype = (
            write_xlsx(headers, rows, sheet_title="roster"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        body, mimetype = write_csv(headers, rows), "text/csv; charset=utf-8"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename=intern-roster.{fmt}"})  # fmt: skip
