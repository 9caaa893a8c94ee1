"""Expert pool (专家库), teacher pool (教师库) and specialty collaboration groups (专业建设协作组). Built in issue 6."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.alliances.models import Alliance
from marketplace.extensions import db
from marketplace.i18n import choices
from marketplace.input_guard import db_int
from marketplace.permissions import is_member_or_secretariat, load_or_404
from marketplace.pools import queries, services
from marketplace.pools.forms import (
    ApproveForm,
    ExpertForm,
    GroupForm,
    GroupMemberForm,
    LeaveForm,
    RejectForm,
    RenewForm,
    ResignForm,
)
from marketplace.pools.models import (
    ConsentMethod,
    Expert,
    GroupMember,
    GroupRole,
    Route,
    SpecialtyGroup,
    Standing,
    TitleLevel,
)
from marketplace.refusals import commit
from marketplace.timeutil import local_today

bp = Blueprint("pools", __name__)


def _expert_viewer(expert: Expert, user) -> bool:
    """Secretariat and the expert's unit see every entry; other members in force see current appointments only."""
    if expert.can_decide(user) or expert.is_own_unit(user):
        return True
    return expert.standing(local_today()) is Standing.APPOINTED and is_member_or_secretariat(expert.alliance, user)


@bp.get("/alliances/<int:alliance_id>/experts")
@login_required
def experts(alliance_id: int):
    alliance = load_or_404(Alliance, alliance_id, is_member_or_secretariat)
    secretariat = alliance.is_secretariat(current_user)
    today = local_today()
    entries = [
        e
        for e in queries.experts(alliance)
        if secretariat or e.is_own_unit(current_user) or e.standing(today) is Standing.APPOINTED
    ]
    return render_template(
        "pools/experts.html",
        alliance=alliance,
        entries=entries,
        secretariat=secretariat,
        min_title=TitleLevel(alliance.expert_min_title) if alliance.expert_min_title else None,
        can_submit=services.is_member_in_force(current_user.organization_id, alliance.id),
        today=today,
    )


@bp.route("/alliances/<int:alliance_id>/experts/new", methods=["GET", "POST"])
@login_required
def expert_new(alliance_id: int):
    alliance = load_or_404(Alliance, alliance_id, is_member_or_secretariat)
    if not services.is_member_in_force(current_user.organization_id, alliance.id):
        abort(403)
    form = ExpertForm()
    if not current_user.is_org_admin:  # staff apply for themselves only
        form.route.choices = choices(Route, [Route.APPLICATION])
        form.name.data = current_user.name
    elif not form.is_submitted():
        form.name.data = current_user.name
    if form.validate_on_submit():
        expert = commit(
            lambda: services.submit_expert(
                alliance,
                actor=current_user,
                route=Route(form.route.data),
                name=form.name.data,
                title_level=TitleLevel(form.title_level.data),
                birth_year=form.birth_year.data,
                specialty=form.specialty.data,
                summary=form.summary.data or "",
                consent_on=form.consent_on.data,
                consent_method=ConsentMethod(form.consent_method.data) if form.consent_method.data else None,
                today=local_today(),
            ),
            _("Submitted. The secretariat will review the qualifications."),
        )
        if expert is not None:
            return redirect(url_for("pools.expert", expert_id=expert.id))
    return render_template("pools/expert_new.html", alliance=alliance, form=form)


EXPERT_FORMS = {"approve": ApproveForm, "reject": RejectForm, "renew": RenewForm, "resign": ResignForm}


@bp.route("/experts/<int:expert_id>", methods=["GET", "POST"])
@login_required
def expert(expert_id: int):
    e = load_or_404(Expert, expert_id, _expert_viewer)
    today = local_today()
    deciding, resigning = e.can_decide(current_user), e.can_resign(current_user)
    allowed = {"approve": deciding, "reject": deciding, "renew": deciding, "resign": resigning}
    forms = {name: cls(formdata=None) for name, cls in EXPERT_FORMS.items() if allowed[name]}
    if request.method == "POST":
        action = request.form.get("action", "")
        if not allowed.get(action):
            abort(403)
        form = forms[action] = EXPERT_FORMS[action]()
        calls = {
            "approve": lambda: services.approve(e, actor=current_user, start=form.appointed_from.data),
            "reject": lambda: services.reject(e, actor=current_user, reason=form.reason.data),
            "renew": lambda: services.renew(e, actor=current_user, today=today),
            "resign": lambda: services.resign(e, actor=current_user, on=today, reason=form.reason.data or ""),
        }
        if _attempt(form, calls[action]) is not None:
            flash(_("Recorded."), "success")
            return redirect(url_for("pools.expert", expert_id=e.id))
    if "approve" in forms and not forms["approve"].appointed_from.data:
        forms["approve"].appointed_from.data = today
    return render_template(
        "pools/expert.html",
        e=e,
        forms=forms,
        today=today,
        standing=e.standing(today),
        personal=e.sees_personal_data(current_user),
    )


@bp.get("/alliances/<int:alliance_id>/teachers")
@login_required
def teachers(alliance_id: int):
    alliance = load_or_404(Alliance, alliance_id, is_member_or_secretariat)
    specialty = request.args.get("specialty", "").strip()[:64]
    page = request.args.get("page", 1, type=db_int) or 1
    today = local_today()
    rows, total = queries.teachers(alliance.id, today, specialty, page)
    return render_template(
        "pools/teachers.html",
        alliance=alliance,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // queries.PAGE_SIZE)),
        mentors=queries.mentors(alliance.id, specialty),
        specialties=queries.specialties(alliance.id),
        specialty=specialty,
        today=today,
    )


@bp.route("/alliances/<int:alliance_id>/groups", methods=["GET", "POST"])
@login_required
def groups(alliance_id: int):
    alliance = load_or_404(Alliance, alliance_id, is_member_or_secretariat)
    form = GroupForm() if alliance.is_secretariat(current_user) else None
    if request.method == "POST" and form is None:
        abort(403)
    if form is not None and form.is_submitted():
        group = _attempt(
            form,
            lambda: services.create_group(
                alliance, actor=current_user, name=form.name.data, specialty=form.specialty.data
            ),
            form.name,
        )
        if group is not None:
            return redirect(url_for("pools.group", group_id=group.id))
    return render_template("pools/groups.html", alliance=alliance, rows=queries.groups(alliance.id), form=form)


def _attempt(form, call, field=None):
    """Validate `form` and run one service call, committed; a refusal is shown on `field` (or flashed), rolled back,
    and returns None."""
    if not form.validate():
        if field is None:
            flash(_("Check the form: some fields are missing or invalid."), "danger")
        return None
    return commit(call, field=field)


def _group_member_or_abort(g: SpecialtyGroup) -> GroupMember:
    member = db.session.get(GroupMember, request.form.get("member_id", 0, type=db_int))
    if member is None or member.group_id != g.id:
        abort(404)
    if not member.can_leave(current_user):
        abort(403)
    return member


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
@login_required
def group(group_id: int):
    g = load_or_404(SpecialtyGroup, group_id, lambda g, u: is_member_or_secretariat(g.alliance, u))
    today = local_today()
    action = request.form.get("action", "") if request.method == "POST" else ""
    add_form = None
    if g.can_edit(current_user):
        add_form = GroupMemberForm(formdata=request.form if action == "add" else None, joined_on=today)
        add_form.organization_id.choices = [(o.id, o.name) for o in queries.member_units(g.alliance_id)]
    if request.method == "POST":
        if action == "add" and add_form is not None:
            f = add_form
            done = _attempt(
                f,
                lambda: services.add_group_member(
                    g,
                    actor=current_user,
                    person_name=f.person_name.data,
                    organization_id=f.organization_id.data,
                    role=GroupRole(f.role.data),
                    joined_on=f.joined_on.data,
                ),
                f.role,
            )
        elif action == "leave":
            member, leave = _group_member_or_abort(g), LeaveForm()
            done = _attempt(leave, lambda: services.leave_group(member, actor=current_user, on=leave.left_on.data))
        else:
            abort(403)
        if done is not None:
            flash(_("Recorded."), "success")
            return redirect(url_for("pools.group", group_id=g.id))
    leavers = {m.id for m in g.current_members if m.can_leave(current_user)}
    return render_template(
        "pools/group.html", g=g, add_form=add_form, leave_form=LeaveForm(formdata=None, left_on=today), leavers=leavers
    )
