"""Meetings, motions and votes, officers and terms: the secretariat's governance pages, and the membership steps
(qualification review, expulsion, tier, certificate) that lead to the council."""

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from marketplace.alliances.models import IN_FORCE_STATUSES, Alliance, Membership, MembershipStatus, Tier
from marketplace.extensions import db
from marketplace.governance import certificates, duties, officers, rules, services, sweep
from marketplace.governance.forms import (
    AttendanceForm,
    EndTermForm,
    ExpulsionForm,
    MeetingForm,
    MotionForm,
    OfficerForm,
    QualificationForm,
    ScheduleForm,
    TierForm,
    VoteForm,
)
from marketplace.governance.models import Body, Meeting, Motion, MotionKind, Office, OfficerTerm
from marketplace.orgs.models import Organization
from marketplace.permissions import is_secretariat, load, load_or_404
from marketplace.refusals import commit
from marketplace.timeutil import local_today

bp = Blueprint("governance", __name__)
# The other governance pages of an alliance (信息报送, assessment, pools), each taking `alliance_id`.
GOVERNANCE_LINKS = [
    ("submissions.reports", _l("Information reports")),
    ("submissions.cycles", _l("Annual assessment")),
    ("pools.experts", _l("Expert pool")),
    ("pools.teachers", _l("Teacher pool")),
    ("pools.groups", _l("Specialty collaboration groups")),
]


def _secretariat_alliance(alliance_id: int) -> Alliance:
    return load_or_404(Alliance, alliance_id, is_secretariat)


def _member_choices(alliance: Alliance) -> list[tuple[int, str]]:
    rows = db.session.execute(
        sa.select(Organization.id, Organization.name)
        .join(Membership, Membership.organization_id == Organization.id)
        .where(Membership.alliance_id == alliance.id, Membership.status.in_(IN_FORCE_STATUSES))
        .order_by(Organization.name)
    )
    return [(i, n) for i, n in rows]


@bp.get("/alliances/<int:alliance_id>/governance")
@login_required
def dashboard(alliance_id: int):
    alliance = _secretariat_alliance(alliance_id)
    today = local_today()
    officer_form = OfficerForm(starts_on=today)
    officer_form.organization_id.choices = _member_choices(alliance)
    meetings = db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.alliance_id == alliance.id)
        .options(selectinload(Meeting.attendance), selectinload(Meeting.motions))
        .order_by(Meeting.held_on.desc())
    ).all()
    decided = db.session.scalars(
        sa.select(Motion)
        .where(Motion.alliance_id == alliance.id, Motion.decided_at.is_not(None))
        .order_by(Motion.decided_at.desc())
        .limit(20)
    ).all()
    return render_template(
        "governance/dashboard.html",
        alliance=alliance,
        today=today,
        agenda=services.pending_agenda(alliance),
        meetings=meetings,
        decided=decided,
        terms=officers.current_terms(alliance, today),
        ending={t.id for t in officers.terms_ending(alliance, today)},
        lapse_due=duties.lapse_due(alliance, today),
        absences=duties.absence_flags(alliance, today.year),
        quotas=officers.quota_status(alliance, today),
        meeting_form=MeetingForm(held_on=today),
        governance_links=GOVERNANCE_LINKS,
        motion_form=MotionForm(),
        officer_form=officer_form,
    )


@bp.post("/alliances/<int:alliance_id>/meetings")
@login_required
def call_meeting(alliance_id: int):
    alliance = _secretariat_alliance(alliance_id)
    form = MeetingForm()
    if not form.validate_on_submit():
        flash(_("The meeting was not called: %(errors)s", errors=_errors(form)), "danger")
        return redirect(url_for("governance.dashboard", alliance_id=alliance.id))
    meeting = commit(lambda: services.call_meeting(alliance, body=Body(form.body.data), title=form.title.data.strip(),
                                                    held_on=form.held_on.data, location=form.location.data or "",
                                                    actor=current_user))  # fmt: skip
    if meeting is None:
        return redirect(url_for("governance.dashboard", alliance_id=alliance.id))
    return redirect(url_for("governance.meeting", meeting_id=meeting.id))


@bp.post("/alliances/<int:alliance_id>/motions")
@login_required
def table_motion(alliance_id: int):
    alliance = _secretariat_alliance(alliance_id)
    form = MotionForm()
    if form.validate_on_submit():
        services.table_motion(alliance, kind=MotionKind(form.kind.data), title=form.title.data.strip(),
                              text=form.text.data or "", actor=current_user)  # fmt: skip
        db.session.commit()
        flash(_("The motion is on the agenda."), "success")
    else:
        flash(_("The motion was not tabled: %(errors)s", errors=_errors(form)), "danger")
    return redirect(url_for("governance.dashboard", alliance_id=alliance.id))


@bp.get("/meetings/<int:meeting_id>")
@login_required
def meeting(meeting_id: int):
    m = load(Meeting, meeting_id)
    editable = m.can_edit(current_user)
    schedule_form = None
    if editable:
        schedule_form = ScheduleForm()
        schedule_form.motion_id.choices = [(x.id, x.title) for x in services.pending_agenda(m.alliance)]
    locked = any(x.decided for x in m.motions)
    present_needed = rules.present_needed(m.alliance.quorum, m.council_size)
    return render_template("governance/meeting.html", meeting=m, editable=editable, today=local_today(),
                           locked=locked, present_needed=present_needed,
                           attendance_form=AttendanceForm(), schedule_form=schedule_form, vote_form=VoteForm(),
                           statuses=[("present", _("Present")), ("excused", _("Excused")),
                                     ("absent", _("Absent without excuse"))])  # fmt: skip


def _editable_meeting(meeting_id: int) -> Meeting:
    return load(Meeting, meeting_id, "edit")


@bp.post("/meetings/<int:meeting_id>/attendance")
@login_required
def attendance(meeting_id: int):
    m = _editable_meeting(meeting_id)
    if AttendanceForm().validate_on_submit():
        statuses = {row.organization_id: request.form.get(f"att-{row.organization_id}") for row in m.attendance}
        if commit(lambda: services.record_attendance(m, statuses, actor=current_user, today=local_today())):
            flash(_("Attendance saved: %(p)d of %(n)d present.", p=m.present, n=m.council_size), "success")
    return redirect(url_for("governance.meeting", meeting_id=m.id))


@bp.post("/meetings/<int:meeting_id>/schedule")
@login_required
def schedule(meeting_id: int):
    m = _editable_meeting(meeting_id)
    form = ScheduleForm()
    form.motion_id.choices = [(x.id, x.title) for x in services.pending_agenda(m.alliance)]
    if form.validate_on_submit():
        commit(lambda: services.schedule(db.session.get(Motion, form.motion_id.data), m, actor=current_user))
    return redirect(url_for("governance.meeting", meeting_id=m.id))


@bp.post("/motions/<int:motion_id>/vote")
@login_required
def vote(motion_id: int):
    motion = load_or_404(Motion, motion_id, lambda x, u: is_secretariat(x.alliance, u))
    form = VoteForm()
    if not form.validate_on_submit():
        flash(_("The vote was not counted: %(errors)s", errors=_errors(form)), "danger")
    else:
        tally = commit(lambda: services.decide_motion(motion, yes=form.yes.data, no=form.no.data,
                                                       abstain=form.abstain.data, actor=current_user,
                                                       today=local_today()))  # fmt: skip
        if tally is not None:
            flash(_outcome_message(tally), "success" if tally.outcome == "passed" else "warning")
    if motion.meeting_id is None:
        return redirect(url_for("governance.dashboard", alliance_id=motion.alliance_id))
    return redirect(url_for("governance.meeting", meeting_id=motion.meeting_id))


def _outcome_message(tally) -> str:
    if tally.outcome == "no_quorum":
        return _("No quorum: %(p)d of %(n)d directors present, %(need)d needed. The motion was not decided.",
                 p=tally.present, n=tally.council, need=tally.present_needed)  # fmt: skip
    if tally.outcome == "passed":
        return _("Passed: %(yes)d in favour, %(need)d needed.", yes=tally.yes, need=tally.yes_needed)
    return _("Not passed: %(yes)d in favour, %(need)d needed.", yes=tally.yes, need=tally.yes_needed)


@bp.post("/motions/<int:motion_id>/retable")
@login_required
def retable(motion_id: int):
    motion = load_or_404(Motion, motion_id, lambda x, u: is_secretariat(x.alliance, u))
    commit(lambda: services.retable(motion, actor=current_user), _("The motion is back on the agenda."))
    return redirect(url_for("governance.dashboard", alliance_id=motion.alliance_id))


@bp.post("/alliances/<int:alliance_id>/officers")
@login_required
def appoint(alliance_id: int):
    alliance = _secretariat_alliance(alliance_id)
    form = OfficerForm()
    form.organization_id.choices = _member_choices(alliance)
    if not form.validate_on_submit():
        flash(_("The election was not recorded: %(errors)s", errors=_errors(form)), "danger")
    else:
        commit(lambda: officers.appoint(alliance, office=Office(form.office.data), person_name=form.person_name.data,
                                         organization_id=form.organization_id.data, starts_on=form.starts_on.data,
                                         actor=current_user), _("Officer recorded."))  # fmt: skip
    return redirect(url_for("governance.dashboard", alliance_id=alliance.id))


@bp.post("/officers/<int:term_id>/end")
@login_required
def end_term(term_id: int):
    term = load_or_404(OfficerTerm, term_id, lambda t, u: is_secretariat(t.alliance, u))
    form = EndTermForm()
    if form.validate_on_submit():
        commit(lambda: officers.end_early(term, on=form.on.data, actor=current_user, reason=form.reason.data))
    else:
        flash(_("The term was not ended: %(errors)s", errors=_errors(form)), "danger")
    return redirect(url_for("governance.dashboard", alliance_id=term.alliance_id))


@bp.post("/alliances/<int:alliance_id>/sweep")
@login_required
def run_checks(alliance_id: int):
    """Two steps: the first POST shows what the checks would do; the second (box ticked) does it, if it is still
    what was shown, and says what was done in counts."""
    alliance = _secretariat_alliance(alliance_id)
    if not AttendanceForm().validate_on_submit():  # any FlaskForm: the CSRF token is all it checks
        abort(400)
    today = local_today()
    previewed = request.form.get("previewed", "")
    if not previewed or request.form.get("acknowledged") != "y":
        preview = sweep.preview(alliance, today)
        return render_template("governance/checks.html", alliance=alliance, checks=preview,
                               unticked=bool(previewed))  # fmt: skip
    done = commit(lambda: sweep.act(alliance, today, previewed=previewed))
    if done is not None:
        flash(_("Daily checks done: %(withdrawn)d members deemed withdrawn; %(sent)d notices sent to %(orgs)d "
                "organisations.", withdrawn=len(done.withdrawn), sent=done.sent, orgs=done.recipients),
              "success")  # fmt: skip
        if done.notices:
            flash(" · ".join(f"{what} {len(names)}" for what, names in done.notices), "info")
    return redirect(url_for("governance.dashboard", alliance_id=alliance.id))


@bp.post("/memberships/<int:membership_id>/qualification")
@login_required
def qualification(membership_id: int):
    m = load(Membership, membership_id)
    if not m.can_decide(current_user) or m.status is not MembershipStatus.APPLIED:
        abort(403)
    form = QualificationForm()
    form.met.choices = [(item, item) for item in m.alliance.admission_checklist or []]
    if form.validate_on_submit():
        commit(lambda: services.review_qualification(m, met=form.met.data, tier=Tier(form.tier.data),
                                                      actor=current_user, on=local_today()),
                _("Qualified. The admission motion is on the council's agenda."))  # fmt: skip
    else:
        flash(_("The review was not recorded: %(errors)s", errors=_errors(form)), "danger")
    return redirect(url_for("alliances.membership", membership_id=m.id))


@bp.post("/memberships/<int:membership_id>/expulsion")
@login_required
def propose_expulsion(membership_id: int):
    m = load(Membership, membership_id)
    if not m.can_decide(current_user) or not m.in_force:
        abort(403)
    form = ExpulsionForm()
    if form.validate_on_submit():
        services.table_motion(m.alliance, kind=MotionKind.EXPEL, title=f"关于将{m.organization.name}除名的议案",
                              text=form.reason.data, membership=m, actor=current_user)  # fmt: skip
        db.session.commit()
        flash(_("The expulsion motion is on the council's agenda."), "success")
    else:
        flash(_("Give the breach of the charter."), "danger")
    return redirect(url_for("alliances.membership", membership_id=m.id))


@bp.post("/memberships/<int:membership_id>/tier")
@login_required
def change_tier(membership_id: int):
    m = load(Membership, membership_id)
    if not m.can_decide(current_user):
        abort(403)
    form = TierForm()
    if form.validate_on_submit():
        commit(
            lambda: officers.set_tier(m, Tier(form.tier.data), actor=current_user, on=local_today()), _("Tier changed.")
        )
    return redirect(url_for("alliances.membership", membership_id=m.id))


@bp.get("/memberships/<int:membership_id>/certificate.pdf")
@login_required
def certificate(membership_id: int):
    m = load(Membership, membership_id)
    if not m.certificate_no:
        abort(404)
    response = Response(certificates.render_pdf(m), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{m.certificate_no}.pdf"'
    return response


def _errors(form) -> str:
    return "; ".join(f"{getattr(form, name).label.text}: {' '.join(errs)}" for name, errs in form.errors.items())
