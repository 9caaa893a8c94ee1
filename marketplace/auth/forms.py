"""Account forms: registration of an organisation with its admin, login, password, invitations."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional, ValidationError

from marketplace.auth.models import Role, User
from marketplace.extensions import db
from marketplace.i18n import choices
from marketplace.orgs.forms import OrganizationFields
from marketplace.orgs.models import Organization, OrgKind
from marketplace.validators import credit_code, mobile_number, password_strength, strip_or_none


def _login_taken(column, value) -> bool:
    return value is not None and db.session.scalar(sa.select(User.id).where(column == value)) is not None


class NewPasswordFields:
    password = PasswordField(_l("Password"), validators=[InputRequired(), password_strength])
    confirm = PasswordField(
        _l("Repeat password"), validators=[InputRequired(), EqualTo("password", message=_l("Passwords differ."))]
    )


class AccountFields(NewPasswordFields):
    name = StringField(_l("Your name"), validators=[InputRequired(), Length(max=64)])
    mobile = StringField(_l("Mobile number"), filters=[strip_or_none], validators=[Optional(), mobile_number])

    def validate_mobile(self, field):
        if _login_taken(User.mobile, field.data):
            raise ValidationError(_l("This mobile number already has an account."))


class RegisterForm(OrganizationFields, AccountFields, FlaskForm):
    kind = SelectField(
        _l("Organisation kind"), choices=choices(OrgKind), validators=[InputRequired()], default=OrgKind.SCHOOL.value
    )
    credit_code = StringField(_l("Unified social credit code"), validators=[InputRequired(), credit_code])
    email = EmailField(_l("Email (your login)"), validators=[InputRequired(), Email(), Length(max=254)])
    submit = SubmitField(_l("Register"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.city.load_choices()

    def org_kind(self) -> OrgKind | None:
        try:
            return OrgKind(self.kind.data)
        except ValueError:
            return None

    def validate_credit_code(self, field):
        if db.session.scalar(sa.select(Organization.id).where(Organization.credit_code == field.data)):
            raise ValidationError(_l("An organisation with this credit code is already registered."))

    def validate_email(self, field):
        field.data = field.data.strip().lower()
        if _login_taken(User.email, field.data):
            raise ValidationError(_l("This email already has an account."))


class LoginForm(FlaskForm):
    identifier = StringField(
        _l("Email, mobile number or student number"), validators=[InputRequired(), Length(max=254)]
    )
    password = PasswordField(_l("Password"), validators=[InputRequired()])
    submit = SubmitField(_l("Log in"))


class ChangePasswordForm(NewPasswordFields, FlaskForm):
    current = PasswordField(_l("Current password"), validators=[InputRequired()])
    submit = SubmitField(_l("Change password"))


class InviteForm(FlaskForm):
    email = EmailField(_l("Colleague's email"), validators=[InputRequired(), Email(), Length(max=254)])
    role = SelectField(
        _l("Role"), choices=choices(Role, [Role.ORG_STAFF, Role.ORG_ADMIN]), default=Role.ORG_STAFF.value
    )
    submit = SubmitField(_l("Create invitation"))

    def validate_email(self, field):
        field.data = field.data.strip().lower()
        if _login_taken(User.email, field.data):
            raise ValidationError(_l("This email already has an account."))


class AcceptInvitationForm(AccountFields, FlaskForm):
    submit = SubmitField(_l("Create my account"))
