"""Teacher enterprise practice, the school's side: teachers and their standing, requests; and the shared request page.

The enterprise's side (open requests, bases, decisions) is in `enterprise_views`, on the same blueprint.
"""

from functools import wraps
from types import SimpleNamespace

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from marketplace import ranking
from marketplace.extensions import db
from marketplace.orgs.models import OrgKind
from marketplace.permissions import can_view_practice_request, load_or_404
from marketplace.practice import queries, services
from marketplace.practice.forms import (
    AcceptForm,
    CompleteForm,
    ConfirmForm,
    DeclineForm,
    PracticeRequestForm,
    TeacherForm,
)
from marketplace.practice.models import PracticeBase, PracticeRequest, PracticeStatus, Teacher
from marketplace.practice.rules import REQUIRED_DAYS, ServedPractice, credited_days, practice_window
from marketplace.timeutil import local_today

bp = Blueprint("practice", __name__, url_prefix="/practice")


def kind_required(kind: OrgKind):
    """Only users of this kind of organisation (school, enterprise) may use the view: others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.organization.kind is not kind:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


school_required = kind_required(OrgKind.SCHOOL)
enterprise_required = kind_required(OrgKind.ENTERPRISE)


def per_page() -> int:
    return current_app.config["PER_PAGE"]


def page_number() -> int:
    return max(1, request.args.get("page", 1, type=int))


@bp.get("/teachers")
@school_required
def teachers():
    """The school's teachers with their practice days in the last five years; who is short comes first."""
    on, page, short_only = local_today(), page_number(), request.args.get("short") == "1"
    query = queries.teacher_standing(current_user.organization_id, on, short_only=short_only)
    rows = db.session.execute(query.limit(per_page() + 1).offset((page - 1) * per_page())).all()
    pager = SimpleNamespace(
        page=page, has_prev=page > 1, has_next=len(rows) > per_page(), prev_num=page - 1, next_num=page + 1
    )
    total, short = queries.standing_counts(current_user.organization_id, on)
    return render_template(
        "practice/teachers.html",
        rows=rows[: per_page()],
        pager=pager,
        total=total,
        short=short,
        short_only=short_only,
        window=practice_window(on),
        required=REQUIRED_DAYS,
    )


@bp.route("/teachers/new", methods=["GET", "POST"])
@school_required
def new_teacher():
    form = TeacherForm(current_user.organization_id)
    if form.validate_on_submit():
        teacher = services.add_teacher(
            current_user.organization_id,
            staff_no=form.staff_no.data,
            name=form.name.data.strip(),
            specialty=form.specialty.data.strip(),
            actor=current_user,
        )
        db.session.commit()
        flash(_("Teacher added."), "success")
        return redirect(url_for("practice.teacher", teacher_id=teacher.id))
    return render_template("practice/teacher_form.html", form=form, teacher=None)


@bp.route("/teachers/<int:teacher_id>/edit", methods=["GET", "POST"])
@school_required
def edit_teacher(teacher_id: int):
    teacher = load_or_404(Teacher, teacher_id, lambda t, u: t.can_edit(u))
    form = TeacherForm(current_user.organization_id, teacher)
    if form.validate_on_submit():
        services.update_teacher(
            teacher,
            staff_no=form.staff_no.data,
            name=form.name.data.strip(),
            specialty=form.specialty.data.strip(),
            actor=current_user,
        )
        db.session.commit()
        flash(_("Teacher saved."), "success")
        return redirect(url_for("practice.teacher", teacher_id=teacher.id))
    return render_template("practice/teacher_form.html", form=form, teacher=teacher)


@bp.get("/teachers/<int:teacher_id>")
@school_required
def teacher(teacher_id: int):
    """A teacher's practice history, and how it adds up against the rule."""
    teacher = load_or_404(Teacher, teacher_id, lambda t, u: t.can_view(u))
    history = db.session.scalars(
        sa.select(PracticeRequest)
        .where(PracticeRequest.teacher_id == teacher.id)
        .options(joinedload(PracticeRequest.base).joinedload(PracticeBase.enterprise))
        .order_by(PracticeRequest.start_date.desc())
    ).all()
    window = practice_window(local_today())
    credited = {
        r.id: credited_days(ServedPractice(r.start_date, r.end_date, r.days_served), window)
        for r in history
        if r.status is PracticeStatus.COMPLETED and r.days_served is not None
    }
    days = sum(credited.values())
    return render_template(
        "practice/teacher.html",
        teacher=teacher,
        history=history,
        credited=credited,
        days=days,
        shortfall=max(0, REQUIRED_DAYS - days),
        window=window,
        required=REQUIRED_DAYS,
    )


@bp.route("/requests/new", methods=["GET", "POST"])
@school_required
def new_request():
    form = PracticeRequestForm(current_user.organization_id, teacher_id=request.args.get("teacher", type=int))
    if form.validate_on_submit():
        teacher = load_or_404(Teacher, form.teacher_id.data, lambda t, u: t.can_edit(u))
        req = services.file_request(
            teacher,
            specialty=(form.specialty.data or "").strip() or teacher.specialty,
            start=form.start_date.data,
            end=form.end_date.data,
            days=form.days.data,
            wanted_city_id=form.wanted_city.data,
            actor=current_user,
        )
        db.session.commit()
        flash(_("Practice request filed. Enterprises with a fitting base have been notified."), "success")
        return redirect(url_for("practice.request_detail", request_id=req.id))
    return render_template("practice/request_form.html", form=form)


@bp.get("/requests")
@school_required
def my_requests():
    status = request.args.get("status")
    status = PracticeStatus(status) if status in set(PracticeStatus) else None
    page = db.paginate(
        queries.school_requests(current_user.organization_id, status), per_page=per_page(), error_out=False
    )
    declines = queries.declines([r.id for r in page.items])
    reasons = queries.decline_reasons([r.id for r in page.items if r.status is PracticeStatus.DECLINED])
    return render_template(
        "practice/requests.html",
        page=page,
        declines=declines,
        reasons=reasons,
        status=status,
        statuses=list(PracticeStatus),
    )


@bp.get("/requests/<int:request_id>")
@login_required
def request_detail(request_id: int):
    # The secretariat of an alliance the school belongs to reads it from its practice allocation: no form is offered.
    req = load_or_404(PracticeRequest, request_id, can_view_practice_request)
    return render_detail(req)


def render_detail(req: PracticeRequest, status_code: int = 200, **forms):
    """The request page, with the forms the current user may use on it (failed ones keep their errors)."""
    is_open = req.status is PracticeStatus.REQUESTED
    if req.is_open_to(current_user):
        forms.setdefault("accept_form", AcceptForm(current_user.organization_id))
        forms.setdefault("decline_form", DeclineForm())
    if req.is_host_user(current_user) and req.status is PracticeStatus.ACCEPTED:
        forms.setdefault("complete_form", CompleteForm(days_served=req.days))
    is_school = req.is_school_user(current_user)
    if is_school and is_open:
        forms.setdefault("cancel_form", ConfirmForm())
    # Each enterprise's answer is the school's to read; an enterprise sees only its own.
    declines = req.declines if is_school else []
    own_decline = req.decline_of(current_user.organization_id)
    reason = queries.decline_reasons([req.id]).get(req.id) if req.status is PracticeStatus.DECLINED else None
    # The school sees which bases fit its open request best (the enterprises decide; this only guides the school).
    suggestions = ranking.rank_bases(req) if is_school and is_open else None
    page = render_template(
        "practice/request.html",
        req=req,
        declines=declines,
        own_decline=own_decline,
        reason=reason,
        suggestions=suggestions,
        **forms,
    )
    return page, status_code


@bp.post("/requests/<int:request_id>/cancel")
@school_required
def cancel_request(request_id: int):
    req = load_or_404(PracticeRequest, request_id, lambda r, u: r.is_school_user(u))
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_detail(req, 400, cancel_form=form)
    try:
        services.cancel(req, actor=current_user)
    except services.PracticeError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("practice.request_detail", request_id=req.id))
    db.session.commit()
    flash(_("Request withdrawn."), "success")
    return redirect(url_for("practice.my_requests"))


from marketplace.practice import enterprise_views  # noqa: E402, F401  (registers the enterprise's routes on bp)
