"""Upload a student sheet, see every problem, then save the good rows or nothing (see `uploads` for the file)."""

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from marketplace.cohorts import access, services, uploads
from marketplace.cohorts import jobs as cohort_jobs
from marketplace.cohorts.forms import CommitForm, UploadForm
from marketplace.cohorts.importer import MAX_ROWS
from marketplace.cohorts.spreadsheet import MAX_UPLOAD_BYTES
from marketplace.cohorts.views import bp
from marketplace.db import reading_only
from marketplace.extensions import db
from marketplace.jobs import services as job_services
from marketplace.jobs.models import JobKind
from marketplace.refusals import commit
from marketplace.timeutil import local_today

PROBLEMS_SHOWN = 1000
# The request body may be a little larger than the file (form fields, multipart boundaries); anything beyond
# this is refused before it is read, files between the two limits get the importer's message.
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + 1024 * 1024
MB = MAX_UPLOAD_BYTES // (1024 * 1024)


@bp.url_value_preprocessor
def limit_upload_size(endpoint, values):
    """Set the limit before anything reads the body: URL preprocessors run before the CSRF check parses the form."""
    if endpoint == "cohorts.upload":
        request.max_content_length = MAX_REQUEST_BYTES


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error):
    flash(_("The file is larger than %(mb)d MB.", mb=MB), "danger")
    return redirect(request.path)


@bp.route("/school/<int:school_id>/import", methods=["GET", "POST"])
@login_required
def upload(school_id: int):
    school = access.school_or_abort(school_id)
    today = local_today()
    form = UploadForm(graduation_year=today.year + (1 if today.month >= 9 else 0))  # after September: next summer
    if form.validate_on_submit():
        data = form.file.data.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            form.file.errors.append(_("The file is larger than %(mb)d MB.", mb=MB))
        else:
            school_id, user_id = school.id, current_user.id
            filename = uploads.clean_filename(form.file.data.filename or "")
            # Parse once, here, holding no transaction: on SQLite this POST's transaction holds the write lock.
            db.session.commit()
            with reading_only():
                refs = services.import_references()
                db.session.commit()
            preview = services.preview_upload(data, filename, refs)
            token = uploads.save(
                preview,
                filename=filename,
                school_id=school_id,
                user_id=user_id,
                graduation_year=form.graduation_year.data,
            )
            return redirect(url_for("cohorts.preview", school_id=school_id, token=token))
    return render_template("cohorts/upload.html", school=school, form=form, max_mb=MB, max_rows=MAX_ROWS)


@bp.route("/school/<int:school_id>/import/<token>", methods=["GET", "POST"])
@login_required
def preview(school_id: int, token: str):
    school = access.school_or_abort(school_id)
    pending = uploads.load(token, school_id=school.id, user_id=current_user.id)
    if pending is None:
        abort(404)
    preview = pending.preview  # parsed at upload: a page view or a commit never parses again
    form = CommitForm()
    if form.validate_on_submit() and preview.can_commit:
        mode = services.ImportMode(form.mode.data)
        if _queued(mode, preview):
            return _queue_import(school.id, token, mode)
        result = services.import_students(school.id, pending.graduation_year, preview, mode=mode, actor=current_user)
        db.session.commit()
        if result.cohort_id is None:
            flash(_("Nothing was saved: %(n)d rows have problems.", n=preview.bad_count), "warning")
            return redirect(url_for("cohorts.preview", school_id=school.id, token=token))
        uploads.discard(token)
        flash(
            _(
                "Saved: %(created)d students added, %(updated)d updated, %(skipped)d rows skipped.",
                created=result.created,
                updated=result.updated,
                skipped=result.skipped,
            ),
            "success",
        )
        return redirect(url_for("cohorts.cohort", cohort_id=result.cohort_id))
    existing = services.count_existing(school.id, [r.student_no for r in preview.rows])
    return render_template(
        "cohorts/preview.html",
        school=school,
        pending=pending,
        preview=preview,
        problems=preview.problems[:PROBLEMS_SHOWN],
        existing=existing,
        form=form,
    )


def _queued(mode, preview) -> bool:
    """A big save goes to the queue; a refused all-or-nothing saves nothing and answers at once."""
    writes = mode is services.ImportMode.GOOD_ROWS or not preview.bad_rows
    return writes and len(preview.rows) > current_app.config["JOBS_IMPORT_ROWS"]


def _queue_import(school_id: int, token: str, mode) -> Response:
    parameters = {"token": token, "mode": mode.value}
    job_id = commit(lambda: job_services.start(JobKind.COHORT_IMPORT, actor=current_user, organization_id=school_id,
                                               parameters=parameters).id)  # fmt: skip
    job_services.enqueue(job_id, cohort_jobs.import_rows)
    return redirect(url_for("jobs.job", job_id=job_id))
