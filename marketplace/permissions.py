"""The one place access is decided: load a record, check the user may see it, or answer 404/403."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import wraps
from typing import TypeVar

import sqlalchemy as sa
from flask import abort, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import aliased

from marketplace.alliances.models import Alliance, Membership, in_force_on
from marketplace.alliances.services import membership_in_force
from marketplace.allocations.models import AllocationRun, AllocationSeat
from marketplace.auth.models import User
from marketplace.cohorts.models import Student
from marketplace.extensions import db
from marketplace.orgs.models import Organization, OrgKind
from marketplace.pipeline.models import Nomination, NominationStatus
from marketplace.plans.models import HiringPlan, Opening
from marketplace.practice.models import PracticeRequest
from marketplace.timeutil import local_today

T = TypeVar("T")


def load_or_404(
    model: type[T], object_id: int, check: Callable[[T, object], bool] | None = None, options: Sequence = ()
) -> T:
    """Load `model` by id (with the loader `options` the page needs, e.g. the relations it shows); a record the user
    may not see is answered as missing (404), not forbidden."""
    obj = db.session.get(model, object_id, options=options)
    if obj is None or (check is not None and not check(obj, current_user)):
        abort(404)
    return obj


def org_admin_required(view):
    """Only an admin of the user's own organisation (or a platform admin) may use this view."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_org_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def platform_admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_platform_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def load(model: type[T], object_id: int, may: str = "view") -> T:
    """The entry point for one record: load it and ask its own rule, `record.can_<may>(user)` (or the rule this
    module writes for it in RULES); what the user may not see is answered as missing (404)."""
    check = RULES.get((model, may)) or (lambda record, user: getattr(record, f"can_{may}")(user))
    return load_or_404(model, object_id, check)


def org_kind_required(*kinds: OrgKind):
    """Only users of an organisation of one of these kinds. Platform admins are not let in: they oversee records
    through each record's own rule, not by acting as a school or an enterprise."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.organization is None or current_user.organization.kind not in kinds:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


enterprise_required = org_kind_required(OrgKind.ENTERPRISE)
school_required = org_kind_required(OrgKind.SCHOOL)


# --------------------------------------------------------------------------------------------- student accounts
# What a student account may open besides its own pages (the `me` blueprint): everything else is staff's.
STUDENT_ENDPOINTS = frozenset(
    {"auth.login", "auth.logout", "auth.change_password", "main.set_language", "static", "bootstrap.static",
     "assets.echarts"}
)  # fmt: skip


def keep_students_to_their_pages():
    """Before every request: a student account belongs to no organisation's staff, so every page but its own is
    refused (403), whatever that page's own guard would say; the home page sends it to its own home."""
    if not (current_user.is_authenticated and current_user.is_student):
        return None
    endpoint = request.endpoint or ""
    if endpoint.startswith(("me.", "me_destination.")) or endpoint in STUDENT_ENDPOINTS:
        return None
    if endpoint == "main.index":
        return redirect(url_for("me.home"))
    abort(403)


def student_required(view):
    """Only a student account: the student's own pages, which show nothing but their own records."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_student:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


# ------------------------------------------------------------------------------------- alliances' own rules
def is_secretariat(alliance: Alliance, user) -> bool:
    """The alliance's secretariat (秘书处): a secretariat user of the alliance's secretariat organisation."""
    return alliance.is_secretariat(user)


def is_member(alliance: Alliance, user) -> bool:
    """A user of an organisation whose membership of the alliance is in force today."""
    return user.is_authenticated and membership_in_force(alliance.id, user.organization_id, local_today()) is not None


def is_member_or_secretariat(alliance: Alliance, user) -> bool:
    return is_secretariat(alliance, user) or is_member(alliance, user)


def is_secretariat_of_plan(plan: HiringPlan, user) -> bool:
    """The secretariat of an alliance the plan is published to (it reads the plan's openings, read-only)."""
    return any(alliance.is_secretariat(user) for alliance in plan.alliances)


# ---------------------------------------------------------------------------------------- who an enterprise may see
# The consent page tells the school: 本校所在联盟的企业现在可以看到该学生. So an enterprise sees a consenting student
# only through a fellow membership in force, or because the school put the student forward to it. Every query that
# lists students for an enterprise (opening page, ranking, invite, allocation) uses this one condition.
def visible_students_condition(enterprise_id, on: date) -> sa.ColumnElement[bool]:
    """SQL over `Student`: the students the enterprise may see on day `on`.

    The student consented to share, and either the school and the enterprise are fellow members, in force on `on`,
    of some alliance, or the school put the student forward to one of the enterprise's openings (a nomination the
    school made and has not withdrawn). For an enterprise id given as a value both subqueries are independent of the
    student, so the database computes each once per query, not once per student.
    """
    school_side, enterprise_side = aliased(Membership), aliased(Membership)
    fellow_schools = (
        sa.select(school_side.organization_id)
        .join(enterprise_side, enterprise_side.alliance_id == school_side.alliance_id)
        .where(enterprise_side.organization_id == enterprise_id, in_force_on(on, school_side),
               in_force_on(on, enterprise_side))
    )  # fmt: skip
    nominated, nominator = aliased(Student), aliased(User)
    put_forward = (
        sa.select(Nomination.student_id)
        .join(nominated, nominated.id == Nomination.student_id)
        .join(nominator, nominator.id == Nomination.created_by_id)
        .join(Opening, Opening.id == Nomination.opening_id)
        .join(HiringPlan, HiringPlan.id == Opening.plan_id)
        .where(
            HiringPlan.enterprise_id == enterprise_id,
            nominator.organization_id == nominated.school_id,
            Nomination.status != NominationStatus.WITHDRAWN,
        )
    )
    return sa.and_(
        Student.consent_to_share.is_(True),
        sa.or_(Student.school_id.in_(fellow_schools), Student.id.in_(put_forward)),
    )


@dataclass(frozen=True)
class Visibility:
    """`visible_students_condition` for many enterprises at once, as sets: the schools whose consenting students each
    enterprise may see, and the (enterprise, student) pairs a school put forward. Consent is the caller's filter."""

    schools: dict[int, frozenset[int]]
    put_forward: frozenset[tuple[int, int]]

    def sees(self, enterprise_id: int, student_id: int, school_id: int) -> bool:
        return school_id in self.schools.get(enterprise_id, ()) or (enterprise_id, student_id) in self.put_forward


def visibility(enterprise_ids, on: date, session=None) -> Visibility:
    """The rule of `visible_students_condition` for these enterprises on day `on`, in two queries (in `session`,
    the request's by default)."""
    session = session or db.session
    ids = sorted(set(enterprise_ids))
    school_side, enterprise_side = aliased(Membership), aliased(Membership)
    schools: dict[int, set[int]] = {e: set() for e in ids}
    # Only schools: a fellow enterprise is never a student's school, and an alliance has ten times more of them.
    for enterprise_id, school_id in session.connection().execute(
        sa.select(enterprise_side.organization_id, school_side.organization_id)
        .join(school_side, school_side.alliance_id == enterprise_side.alliance_id)
        .join(Organization, Organization.id == school_side.organization_id)
        .where(enterprise_side.organization_id.in_(ids), Organization.kind == OrgKind.SCHOOL,
               in_force_on(on, school_side), in_force_on(on, enterprise_side))
        .distinct()
    ):  # fmt: skip
        schools[enterprise_id].add(school_id)
    nominated, nominator = aliased(Student), aliased(User)
    put_forward = session.execute(
        sa.select(HiringPlan.enterprise_id, Nomination.student_id)
        .join(nominated, nominated.id == Nomination.student_id)
        .join(nominator, nominator.id == Nomination.created_by_id)
        .join(Opening, Opening.id == Nomination.opening_id)
        .join(HiringPlan, HiringPlan.id == Opening.plan_id)
        .where(HiringPlan.enterprise_id.in_(ids), nominator.organization_id == nominated.school_id,
               Nomination.status != NominationStatus.WITHDRAWN)
        .distinct()
    ).all()  # fmt: skip
    return Visibility({e: frozenset(s) for e, s in schools.items()}, frozenset((e, s) for e, s in put_forward))


def enterprise_may_see(enterprise_id: int, student: Student, on: date | None = None) -> bool:
    """The per-record form of `visible_students_condition`, for one loaded student (today by default)."""
    condition = visible_students_condition(enterprise_id, on or local_today())
    return db.session.scalar(sa.select(Student.id).where(Student.id == student.id, condition)) is not None


# ------------------------------------------------------------------------------ secretariats' read-only views
def can_view_nomination(nomination: Nomination, user) -> bool:
    """The two parties and platform admins; and, read-only, the secretariat of an alliance whose allocation run
    proposed the seat the nomination was confirmed from (the run's page links to it)."""
    if nomination.can_view(user):
        return True
    if not (user.is_authenticated and user.is_secretariat):
        return False
    alliances = db.session.scalars(
        sa.select(Alliance)
        .join(AllocationRun, AllocationRun.alliance_id == Alliance.id)
        .join(AllocationSeat, AllocationSeat.run_id == AllocationRun.id)
        .where(AllocationSeat.nomination_id == nomination.id)
    )
    return any(alliance.is_secretariat(user) for alliance in alliances)


def can_view_practice_request(req: PracticeRequest, user) -> bool:
    """Those `PracticeRequest.can_view` lets in; and, read-only, the secretariat of an alliance the teacher's school
    is a member of today (its practice allocation lists the request and links to it)."""
    if req.can_view(user):
        return True
    if not (user.is_authenticated and user.is_secretariat):
        return False
    return (
        db.session.scalar(
            sa.select(Membership.id)
            .join(Alliance, Alliance.id == Membership.alliance_id)
            .where(
                Alliance.secretariat_org_id == user.organization_id,
                Membership.organization_id == req.teacher.school_id,
                in_force_on(local_today()),
            )
            .limit(1)
        )
        is not None
    )


def can_view_student(student: Student, user) -> bool:
    """The school and the platform admin; an enterprise that the one visibility rule lets see the student."""
    if student.can_view(user):
        return True
    return (
        user.is_authenticated
        and user.organization is not None
        and user.organization.kind is OrgKind.ENTERPRISE
        and enterprise_may_see(user.organization_id, student)
    )


# Records whose rule is wider than their own can_<may>: (model, may) → check(record, user).
RULES: dict[tuple[type, str], Callable[[object, object], bool]] = {
    (Student, "view"): can_view_student,
    (Nomination, "view"): can_view_nomination,
    (PracticeRequest, "view"): can_view_practice_request,
}
