"""Information reports (信息报送) and the annual assessment (年度考核): members report and self-assess, the
secretariat sees who is late, opens the year's cycle and records the final grades."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.alliances.models import Alliance
from marketplace.audit.services import record
from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.governance.models import Motion, MotionKind
from marketplace.permissions import is_member_or_secretariat, is_secretariat, load, load_or_404
from marketplace.refusals import commit
from marketplace.submissions import evidence, services
from marketplace.submissions.forms import CycleForm, ReportForm, ReviewForm, SelfAssessmentForm
from marketplace.submissions.models import Assessment, AssessmentCycle, InfoReport, ReportKind
from marketplace.timeutil import local_today

bp = Blueprint("submissions", __name__)

RECENT_REPORTS = 300  # the secretariat's list shows this many of the latest reports


# --- information reports ------------------------------------------------------------------------------------------


@bp.get("/alliances/<int:alliance_id>/info-reports")
@login_required
def reports(alliance_id: int):
    alliance = load_or_404(Alliance, alliance_id, is_member_or_secretariat)
    today = local_today()
    secretariat = alliance.is_secretariat(current_user)
    query = sa.select(InfoReport).where(InfoReport.alliance_id == alliance.id)
    if not secretariat:
        query = query.where(InfoReport.organization_id == current_user.organization_id)
    rows = db.session.scalars(
        query.order_by(InfoReport.submitted_on.desc(), InfoReport.id.desc()).limit(RECENT_REPORTS)
    )
    statuses = services.reporting_status(alliance, today)
    if not secretariat:
        statuses = [s for s in statuses if s.membership.organization_id == current_user.organization_id]
    member = services.membership_in_force(alliance, current_user.organization_id, today)
    return render_template("submissions/reports.html", alliance=alliance, reports=list(rows), statuses=statuses,
                           secretariat=secretariat, member=member, today=today)  # fmt: skip


@bp.route("/alliances/<int:alliance_id>/info-reports/new", methods=["GET", "POST"])
@login_required
def submit(alliance_id: int):
    today = local_today()
    alliance = load_or_404(
        Alliance, alliance_id, lambda a, u: services.membership_in_force(a, u.organization_id, today) is not None
    )
    form = ReportForm()
    if form.validate_on_submit():
        services.submit_report(
            alliance, current_user.organization_id, kind=ReportKind(form.kind.data), title=form.title.data,
            body=form.body.data, period_month=form.period_month.data, actor=current_user, today=today,
        )  # fmt: skip
        db.session.commit()
        flash(_("Report submitted to the secretariat."), "success")
        return redirect(url_for("submissions.reports", alliance_id=alliance.id))
    return render_template("submissions/submit.html", alliance=alliance, form=form)


@bp.get("/alliances/<int:alliance_id>/info-reports/<int:report_id>")
@login_required
def report(alliance_id: int, report_id: int):
    item = load_or_404(InfoReport, report_id, lambda r, u: r.alliance_id == alliance_id and r.can_view(u))
    return render_template("submissions/report.html", alliance=item.alliance, report=item)


# --- the annual assessment ----------------------------------------------------------------------------------------


def _cycles_page(alliance: Alliance, form: CycleForm | None):
    secretariat = alliance.is_secretariat(current_user)
    cycles = []
    if secretariat:
        cycles = list(
            db.session.scalars(
                sa.select(AssessmentCycle)
                .where(AssessmentCycle.alliance_id == alliance.id)
                .order_by(AssessmentCycle.year.desc())
            )
        )
    mine = services.my_assessments(alliance, current_user.organization_id)
    return render_template("submissions/cycles.html", alliance=alliance, cycles=cycles, mine=mine, form=form,
                           secretariat=secretariat, today=local_today())  # fmt: skip


def _may_see_assessments(alliance: Alliance, user) -> bool:
    return bool(is_member_or_secretariat(alliance, user) or services.my_assessments(alliance, user.organization_id))


@bp.get("/alliances/<int:alliance_id>/assessments")
@login_required
def cycles(alliance_id: int):
    alliance = load_or_404(Alliance, alliance_id, _may_see_assessments)
    form = None
    if alliance.is_secretariat(current_user):
        form = CycleForm(year=local_today().year)
    return _cycles_page(alliance, form)


@bp.post("/alliances/<int:alliance_id>/assessments")
@login_required
def open_cycle(alliance_id: int):
    alliance = load_or_404(Alliance, alliance_id, is_secretariat)
    form = CycleForm()
    if form.validate_on_submit():
        cycle = commit(
            lambda: services.open_cycle(alliance, year=form.year.data, standard=form.standard.data,
                                        actor=current_user, today=local_today()),
            field=form.year,
        )  # fmt: skip
        if cycle is not None:
            flash(_("The %(year)d assessment is open: %(n)d members were notified of the standard on their page.",
                    year=cycle.year, n=len(cycle.assessments)), "success")  # fmt: skip
            return redirect(url_for("submissions.cycle", alliance_id=alliance.id, year=cycle.year))
    return _cycles_page(alliance, form), 400


def _cycle(alliance_id: int, year: int) -> AssessmentCycle:
    alliance = load_or_404(Alliance, alliance_id, is_secretariat)
    cycle = db.session.scalar(
        sa.select(AssessmentCycle).where(AssessmentCycle.alliance_id == alliance.id, AssessmentCycle.year == year)
    )
    if cycle is None:
        abort(404)
    return cycle


@bp.get("/alliances/<int:alliance_id>/assessments/<int:year>")
@login_required
def cycle(alliance_id: int, year: int):
    c = _cycle(alliance_id, year)
    rows = sorted(c.assessments, key=lambda a: a.organization.name)
    removals = {
        m.membership_id: m
        for m in db.session.scalars(
            sa.select(Motion).where(
                Motion.membership_id.in_([a.membership_id for a in rows]), Motion.kind == MotionKind.REMOVE
            )
        )
    }
    return render_template("submissions/cycle.html", cycle=c, alliance=c.alliance, rows=rows, removals=removals,
                           labels=evidence.LABELS, today=local_today())  # fmt: skip


@bp.post("/alliances/<int:alliance_id>/assessments/<int:year>/refresh")
@login_required
def refresh(alliance_id: int, year: int):
    c = _cycle(alliance_id, year)
    n = services.refresh_evidence(c, local_today())
    record("assessment_evidence_refreshed", c, year=c.year, assessments=n)
    db.session.commit()
    flash(_("Evidence recounted for %(n)d assessments not yet submitted.", n=n), "success")
    return redirect(url_for("submissions.cycle", alliance_id=alliance_id, year=year))


def _assessment_page(a: Assessment, self_form=None, review_form=None):
    today = local_today()
    c = a.cycle
    if self_form is None and a.can_self_assess(current_user) and not a.reviewed and today <= c.self_due:
        self_form = SelfAssessmentForm(c.grades, grade=a.self_grade, summary=a.self_summary)
    if review_form is None and a.can_review(current_user) and not a.reviewed and today <= c.review_due:
        review_form = ReviewForm(c.grades, grade=a.self_grade)
    return render_template("submissions/assessment.html", a=a, cycle=c, alliance=c.alliance, labels=evidence.LABELS,
                           self_form=self_form, review_form=review_form, today=today)  # fmt: skip


@bp.get("/assessments/<int:assessment_id>")
@login_required
def assessment(assessment_id: int):
    return _assessment_page(load(Assessment, assessment_id))


@bp.post("/assessments/<int:assessment_id>/self")
@login_required
def self_assess(assessment_id: int):
    a = load(Assessment, assessment_id)
    if not a.can_self_assess(current_user):
        abort(403)
    form = SelfAssessmentForm(a.cycle.grades)
    if not form.validate_on_submit():
        return _assessment_page(a, self_form=form), 400
    done = commit(lambda: services.self_assess(a, grade=form.grade.data, summary=form.summary.data,
                                               actor=current_user, now=utcnow()),
                  _("Self-assessment submitted to the secretariat."))  # fmt: skip
    if done is None:
        return _assessment_page(a, self_form=form), 409
    return redirect(url_for("submissions.assessment", assessment_id=a.id))


@bp.post("/assessments/<int:assessment_id>/review")
@login_required
def review(assessment_id: int):
    a = load(Assessment, assessment_id)
    if not a.can_review(current_user):
        abort(403)
    form = ReviewForm(a.cycle.grades)
    if not form.validate_on_submit():
        return _assessment_page(a, review_form=form), 400
    reviewed = commit(lambda: (services.review(a, grade=form.grade.data, comment=form.comment.data or "",
                                               actor=current_user, now=utcnow()),),  # a 1-tuple: None is a refusal
                      _("Final grade recorded."))  # fmt: skip
    if reviewed is None:
        return _assessment_page(a, review_form=form), 409
    (motion,) = reviewed
    if a.rectify_by is not None:
        flash(_("The member was notified to rectify by %(date)s.", date=a.rectify_by.isoformat()), "warning")
    if motion is not None:
        flash(_("Failing grade in consecutive years: a motion to end the membership is on the council's agenda."),
              "danger")  # fmt: skip
    return redirect(url_for("submissions.assessment", assessment_id=a.id))
