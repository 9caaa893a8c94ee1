"""Who may open the cohort pages: the school's own users (any role) and platform admins; others get 404/403."""

from flask import abort
from flask_login import current_user

from marketplace.cohorts.models import Cohort, Student
from marketplace.orgs.models import Organization, OrgKind
from marketplace.permissions import load_or_404


def is_school_user(user) -> bool:
    return user.is_authenticated and user.organization.kind is OrgKind.SCHOOL


def school_or_abort(school_id: int) -> Organization:
    """The school, for its own users and platform admins; another organisation's id is 404, a non-school 403."""
    org = load_or_404(Organization, school_id, lambda o, u: o.can_view_private(u))
    if org.kind is not OrgKind.SCHOOL:
        abort(403)
    return org


def cohort_or_404(cohort_id: int) -> Cohort:
    return load_or_404(Cohort, cohort_id, lambda c, u: c.can_view(u))


def student_or_404(student_id: int) -> Student:
    """The school's management view of a student: consent lets enterprises see a profile elsewhere, not here."""
    return load_or_404(Student, student_id, lambda s, u: s.can_edit(u))


def require_school_user() -> None:
    if not (is_school_user(current_user) or current_user.is_platform_admin):
        abort(403)
