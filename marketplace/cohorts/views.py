"""Schools' cohorts: the cohort list, a cohort's students, the template and exports.

The import pages are in `import_views`, the student pages in `student_views`; both add routes to this blueprint.
"""

import io

from flask import Blueprint, abort, current_app, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.cohorts import access, queries, services
from marketplace.cohorts.columns import template_xlsx
from marketplace.cohorts.forms import ExportForm
from marketplace.extensions import db
from marketplace.input_guard import db_int
from marketplace.privacy import mask_id_number, mask_phone

bp = Blueprint("cohorts", __name__, url_prefix="/cohorts")
bp.add_app_template_filter(mask_phone, "mask_phone")
bp.add_app_template_filter(mask_id_number, "mask_id_number")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIMETYPES = {"xlsx": XLSX_TYPE, "csv": "text/csv; charset=utf-8"}


def no_store(response):
    """Pages and files with personal data are not kept by browsers or proxies."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@login_required
def index():
    """A school user's own cohorts; a platform admin chooses a school; other organisations may not."""
    if access.is_school_user(current_user):
        return redirect(url_for("cohorts.school", school_id=current_user.organization_id))
    if current_user.is_platform_admin:
        return render_template("cohorts/schools.html", schools=queries.schools())
    abort(403)


@bp.get("/school/<int:school_id>")
@login_required
def school(school_id: int):
    org = access.school_or_abort(school_id)
    return render_template("cohorts/index.html", school=org, cohorts=queries.school_cohorts(org.id))


@bp.get("/template.xlsx")
@login_required
def template():
    access.require_school_user()
    name = _("Student list template")
    return send_file(io.BytesIO(template_xlsx()), mimetype=XLSX_TYPE, as_attachment=True, download_name=f"{name}.xlsx")


@bp.get("/<int:cohort_id>")
@login_required
def cohort(cohort_id: int):
    cohort = access.cohort_or_404(cohort_id)
    consent = {"yes": True, "no": False}.get(request.args.get("consent", ""))
    major_id = request.args.get("major", type=db_int)
    students = queries.students_page(
        cohort.id,
        major_id=major_id,
        consent=consent,
        page=request.args.get("page", 1, type=db_int),
        per_page=current_app.config["PER_PAGE"],
    )
    export_form = ExportForm()
    if not services.may_unmask(current_user, cohort.school_id):
        del export_form.unmasked
    response = current_app.make_response(
        render_template(
            "cohorts/cohort.html",
            cohort=cohort,
            students=students,
            majors=queries.cohort_majors(cohort.id),
            major_id=major_id,
            consent=request.args.get("consent", ""),
            export_form=export_form,
        )
    )
    return no_store(response)


@bp.post("/<int:cohort_id>/export")
@login_required
def export(cohort_id: int):
    cohort = access.cohort_or_404(cohort_id)
    form = ExportForm()
    if not form.validate_on_submit():
        abort(400)
    unmasked = bool(form.unmasked.data)
    if unmasked and not services.may_unmask(current_user, cohort.school_id):
        abort(403)
    data = services.export_cohort(cohort, form.file_format.data, unmasked=unmasked, actor=current_user)
    db.session.commit()
    name = _("%(school)s graduates %(year)d", school=cohort.school.name, year=cohort.graduation_year)
    response = send_file(
        io.BytesIO(data),
        mimetype=MIMETYPES[form.file_format.data],
        as_attachment=True,
        download_name=f"{name}.{form.file_format.data}",
    )
    return no_store(response)


from marketplace.cohorts import import_views, student_views  # noqa: E402, F401  (they add routes to `bp`)
