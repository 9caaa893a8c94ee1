"""Accounts: users of member organisations, and staff invitations."""

import enum
import hashlib
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import UTCDateTime, enum_column, utcnow
from marketplace.extensions import db
from marketplace.i18n import register_labels
from marketplace.orgs.models import Organization


class Role(enum.StrEnum):
    ORG_ADMIN = "org_admin"
    ORG_STAFF = "org_staff"
    SECRETARIAT = "secretariat"
    PLATFORM_ADMIN = "platform_admin"
    STUDENT = "student"  # a student's own account: no organisation's staff (学生本人)


register_labels(
    (Role.ORG_ADMIN, _l("Organisation admin")),
    (Role.ORG_STAFF, _l("Organisation staff")),
    (Role.SECRETARIAT, _l("Alliance secretariat")),
    (Role.PLATFORM_ADMIN, _l("Platform admin")),
    (Role.STUDENT, _l("Student")),
)


class User(UserMixin, db.Model):
    """A person who logs in (用户): staff of one organisation, by email or mobile number; or a student (学生本人),
    by 学号 or mobile, who belongs to no organisation's staff and is linked to their one student record."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("email IS NOT NULL OR mobile IS NOT NULL OR student_id IS NOT NULL", name="has_login"),
        # A student account is no organisation's staff: every rule comparing organisation ids keeps it out.
        sa.CheckConstraint(
            "(role = 'student' AND student_id IS NOT NULL AND organization_id IS NULL)"
            " OR (role <> 'student' AND student_id IS NULL AND organization_id IS NOT NULL)",
            name="staff_or_student",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    mobile: Mapped[str | None] = mapped_column(sa.String(11), unique=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"), default=Role.ORG_STAFF)
    # By table name: the cohorts' models sit above accounts (marketplace.students reads the record).
    student_id: Mapped[int | None] = mapped_column(sa.ForeignKey("students.id"), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the session id: bumping it kills every copy of an old session cookie.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization | None] = relationship()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.login}>"

    @property
    def login(self) -> str:
        return self.email or self.mobile or ""

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        self.session_version += 1

    @property
    def is_platform_admin(self) -> bool:
        return self.role is Role.PLATFORM_ADMIN

    @property
    def is_student(self) -> bool:
        return self.role is Role.STUDENT

    @property
    def is_secretariat(self) -> bool:
        return self.role is Role.SECRETARIAT

    @property
    def is_org_admin(self) -> bool:
        """Org admins manage their organisation; secretariat staff administer their own organisation too."""
        return self.role in (Role.ORG_ADMIN, Role.SECRETARIAT, Role.PLATFORM_ADMIN)


def hash_token(token: str) -> str:
    """Invitation tokens are stored hashed: a leaked table does not let anyone join."""
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(db.Model):
    """An org admin's invitation for a colleague to join as staff (邀请同事)."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    role: Mapped[Role] = mapped_column(enum_column(Role, "invitation_role"), default=Role.ORG_STAFF)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship()
    invited_by: Mapped[User] = relationship()

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > utcnow()
