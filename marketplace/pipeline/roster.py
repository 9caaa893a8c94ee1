"""The enterprise's intern roster (实习学生信息库): everyone placed with it, on screen and as XLSX/CSV."""

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
from marketplace.permissions import enterprise_required
from marketplace.pipeline.models import Placement, PlacementStatus
from marketplace.pipeline.views import bp
from marketplace.plans.models import HiringPlan, Opening
from marketplace.privacy import mask_phone


def roster_query(enterprise_id: int, status: str | None) -> sa.Select:
    query = (
        sa.select(Placement)
        .join(Opening, Opening.id == Placement.opening_id)
        .join(HiringPlan, HiringPlan.id == Opening.plan_id)
        .where(HiringPlan.enterprise_id == enterprise_id)
        .options(joinedload(Placement.opening), joinedload(Placement.student).joinedload(Student.school))
        .order_by(Placement.start_date.desc(), Placement.id.desc())
    )
    if status in {s.value for s in PlacementStatus}:
        query = query.where(Placement.status == PlacementStatus(status))
    return query


@bp.get("/roster")
@enterprise_required
def roster():
    status = request.args.get("status")
    page = db.paginate(roster_query(current_user.organization_id, status),
                       page=request.args.get("page", 1, type=db_int), per_page=50, error_out=False)  # fmt: skip
    return render_template("pipeline/roster.html", page=page, status=status, mask_phone=mask_phone)


@bp.post("/roster/export.<any(xlsx, csv):fmt>")
@enterprise_required
def export_roster(fmt: str):
    status = request.form.get("status")
    placements = db.session.scalars(roster_query(current_user.organization_id, status)).all()
    headers = [_("Student"), _("School"), _("School contact"), _("School phone"), _("Opening"), _("Kind"),
               _("Start date"), _("End date"), _("Status"), _("Monthly pay"), _("Student phone")]  # fmt: skip
    rows = [
        (p.student.name, p.student.school.name, p.student.school.contact_name, p.student.school.contact_phone,
         p.opening.title, label(p.kind), p.start_date, p.end_date, label(p.status), p.pay, mask_phone(p.student.phone))
        for p in placements
    ]  # fmt: skip
    record("export", None, object_type="roster", format=fmt, rows=len(rows), status=status or None)
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
