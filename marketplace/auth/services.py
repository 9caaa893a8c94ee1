"""Account workflows. They flush but never commit: the view commits once."""

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from marketplace.audit.services import record
from marketplace.auth.models import Invitation, Role, User, hash_token
from marketplace.auth.passwords import hash_password, needs_rehash, verify_password
from marketplace.cohorts.models import Student
from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.orgs.models import Organization, OrgKind, SchoolLevel
from marketplace.reference.models import Region
from marketplace.validators import MOBILE_RE

MAX_SAME_STUDENT_NO = 5  # password checks one login attempt may cost when schools share a 学号

# Verifying against a dummy hash when the login is unknown keeps response times alike (no account probing).
_DUMMY_HASH_CACHE: dict[str, str] = {}


def find_by_login(identifier: str) -> User | None:
    identifier = identifier.strip()
    if MOBILE_RE.match(identifier):
        return db.session.scalar(sa.select(User).where(User.mobile == identifier))
    return db.session.scalar(sa.select(User).where(User.email == identifier.lower()))


def _student_accounts(student_no: str) -> list[User]:
    """Student accounts whose 学号 this is: unique within a school, so possibly one in each of a few schools."""
    return db.session.scalars(
        sa.select(User)
        .join(Student, Student.id == User.student_id)
        .where(Student.student_no == student_no, User.role == Role.STUDENT)
        .order_by(User.id)
        .limit(MAX_SAME_STUDENT_NO)
    ).all()


def _accounts_for(identifier: str) -> list[User]:
    """Who a login names: an email or a mobile names one account; anything else is read as a 学号."""
    identifier = identifier.strip()
    user = find_by_login(identifier)
    if user is not None:
        return [user]
    if MOBILE_RE.match(identifier) or "@" in identifier or not identifier:
        return []
    return _student_accounts(identifier)


def authenticate(identifier: str, password: str) -> User | None:
    """The account the login and password open. A 学号 shared by students of several schools opens the one whose
    password it is (two with the same password open none: the student signs in by mobile instead)."""
    accounts = _accounts_for(identifier)
    if not accounts:
        dummy = _DUMMY_HASH_CACHE.setdefault("h", hash_password(secrets.token_hex(8)))
        verify_password(dummy, password)
        record("login_failed", None, object_type="user", login=identifier[:64])
        return None
    opened = [u for u in accounts if u.active and verify_password(u.password_hash, password)]
    if len(opened) != 1:
        for user in accounts:
            record("login_failed", user, actor=user, reason="inactive" if not user.active else "password")
        return None
    (user,) = opened
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    record("login", user, actor=user)
    return user


def register_organization(form) -> User:
    """Create an organisation and its first admin from a validated RegisterForm."""
    city = db.session.get(Region, form.city.data)
    kind = OrgKind(form.kind.data)
    org = Organization(
        name=form.org_name.data.strip(),
        kind=kind,
        credit_code=form.credit_code.data,
        province_id=city.parent_id,
        city_id=city.id,
        staff_count=form.staff_count.data if kind is OrgKind.ENTERPRISE else None,
        school_level=SchoolLevel(form.school_level.data) if kind is OrgKind.SCHOOL else None,
        contact_name=form.contact_name.data.strip(),
        contact_phone=form.contact_phone.data.strip(),
        contact_email=(form.contact_email.data or "").strip(),
        address=(form.address.data or "").strip(),
    )
    user = User(
        email=form.email.data,
        mobile=form.mobile.data,
        name=form.name.data.strip(),
        password_hash=hash_password(form.password.data),
        organization=org,
        role=Role.ORG_ADMIN,
    )
    db.session.add_all([org, user])
    db.session.flush()
    record("organization_registered", org, actor=user, credit_code=org.credit_code)
    return user


def change_password(user: User, new_password: str) -> None:
    user.password_hash = hash_password(new_password)
    user.end_sessions()
    record("password_changed", user, actor=user)


def logout(user: User) -> None:
    user.end_sessions()
    record("logout", user, actor=user)


def create_invitation(inviter: User, email: str, role: Role) -> str:
    """Returns the one-time token; only its hash is stored."""
    token = secrets.token_urlsafe(24)
    invitation = Invitation(
        organization_id=inviter.organization_id,
        email=email,
        role=role,
        token_hash=hash_token(token),
        invited_by_id=inviter.id,
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    db.session.add(invitation)
    record("invitation_created", invitation, actor=inviter, email=email, role=role.value)
    return token


def find_invitation(token: str) -> Invitation | None:
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.token_hash == hash_token(token)))
    return invitation if invitation is not None and invitation.is_usable else None


def accept_invitation(invitation: Invitation, form) -> User:
    user = User(
        email=invitation.email,
        mobile=form.mobile.data,
        name=form.name.data.strip(),
        password_hash=hash_password(form.password.data),
        organization_id=invitation.organization_id,
        role=invitation.role,
    )
    invitation.accepted_at = utcnow()
    db.session.add(user)
    db.session.flush()
    record("invitation_accepted", user, actor=user, invitation_id=invitation.id)
    return user


def set_user_active(admin: User, user: User, active: bool) -> None:
    user.active = active
    if not active:
        user.end_sessions()
    record("user_activated" if active else "user_deactivated", user, actor=admin)
