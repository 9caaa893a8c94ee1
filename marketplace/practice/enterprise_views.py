"""Teacher enterprise practice, the enterprise's side: open requests, practice bases, accept / decline / complete."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.extensions import db
from marketplace.permissions import load_or_404
from marketplace.practice import queries, services
from marketplace.practice.forms import AcceptForm, CompleteForm, DeclineForm, OpenRequestFilter, PracticeBaseForm
from marketplace.practice.models import PracticeBase, PracticeRequest
from marketplace.practice.views import bp, enterprise_required, page_number, per_page, render_detail
from marketplace.timeutil import local_today


@bp.get("/open")
@enterprise_required
def open_requests():
    """Open requests from every school, less those this enterprise declined: teacher's name and specialty only."""
    form = OpenRequestFilter(request.args)
    query = queries.open_requests(
        form.specialty.data or "", form.city.data or None, enterprise_id=current_user.organization_id
    )
    page = db.paginate(query, page=page_number(), per_page=per_page(), error_out=False)
    return render_template("practice/open.html", form=form, page=page)


@bp.get("/hosted")
@enterprise_required
def hosted():
    """Teachers accepted onto this enterprise's bases: record their practice when it is served."""
    page = db.paginate(
        queries.hosted_requests(current_user.organization_id), page=page_number(), per_page=per_page(), error_out=False
    )
    return render_template("practice/hosted.html", page=page)


@bp.get("/bases")
@enterprise_required
def bases():
    rows = db.session.scalars(
        sa.select(PracticeBase)
        .where(PracticeBase.enterprise_id == current_user.organization_id)
        .options(sa.orm.joinedload(PracticeBase.city))
        .order_by(PracticeBase.available_from.desc(), PracticeBase.name)
    ).all()
    return render_template("practice/bases.html", bases=rows)


def _base_page(base: PracticeBase | None):
    """New and edit share one page: only the service call differs."""
    form = PracticeBaseForm(base)
    if form.validate_on_submit():
        mentor_title = form.mentor_title.data or ""
        try:
            if base is None:
                services.create_base(current_user.organization_id, mentor_title=mentor_title, actor=current_user,
                                     **form.values())  # fmt: skip
            else:
                services.update_base(base, mentor_title=mentor_title, actor=current_user, **form.values())
        except services.PracticeError as exc:
            db.session.rollback()
            form.capacity.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Practice base saved."), "success")
            return redirect(url_for("practice.bases"))
    return render_template("practice/base_form.html", form=form, base=base)


@bp.route("/bases/new", methods=["GET", "POST"])
@enterprise_required
def new_base():
    return _base_page(None)


@bp.route("/bases/<int:base_id>/edit", methods=["GET", "POST"])
@enterprise_required
def edit_base(base_id: int):
    return _base_page(load_or_404(PracticeBase, base_id, lambda b, u: b.can_edit(u)))


def _load_for_enterprise(request_id: int) -> PracticeRequest:
    return load_or_404(PracticeRequest, request_id, lambda r, u: r.can_view(u))


@bp.post("/requests/<int:request_id>/accept")
@enterprise_required
def accept(request_id: int):
    req = _load_for_enterprise(request_id)
    form = AcceptForm(current_user.organization_id)
    if form.validate_on_submit():
        base = load_or_404(PracticeBase, form.base_id.data, lambda b, u: b.can_edit(u))
        try:
            services.accept(req, base, actor=current_user)
        except services.PracticeError as exc:
            db.session.rollback()
            form.base_id.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Teacher accepted; the school has been notified."), "success")
            return redirect(url_for("practice.request_detail", request_id=req.id))
    return render_detail(req, 422, accept_form=form)


@bp.post("/requests/<int:request_id>/decline")
@enterprise_required
def decline(request_id: int):
    req = _load_for_enterprise(request_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        return render_detail(req, 422, decline_form=form)
    try:
        services.decline(req, reason=form.reason.data.strip(), actor=current_user)
    except services.PracticeError as exc:
        # Declined already (a second click), or the request moved on: say so rather than offer the form again.
        db.session.rollback()
        flash(str(exc), "warning")
        if req.can_view(current_user):
            return redirect(url_for("practice.request_detail", request_id=req.id))
        return redirect(url_for("practice.open_requests"))
    db.session.commit()
    flash(_("Request declined; the school has been told why."), "success")
    return redirect(url_for("practice.open_requests"))


@bp.post("/requests/<int:request_id>/complete")
@enterprise_required
def complete(request_id: int):
    req = load_or_404(PracticeRequest, request_id, lambda r, u: r.is_host_user(u))
    form = CompleteForm()
    if form.validate_on_submit():
        try:
            services.complete(req, days_served=form.days_served.data, actor=current_user, on=local_today())
        except services.PracticeError as exc:
            db.session.rollback()
            form.days_served.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Practice recorded; the school has been notified."), "success")
            return redirect(url_for("practice.hosted"))
    return render_detail(req, 422, complete_form=form)
