"""Organisation forms: the profile an org admin edits."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, ValidationError

from marketplace.i18n import choices
from marketplace.orgs.models import OrgKind, SchoolLevel
from marketplace.validators import CityField


class OrganizationFields:
    """Fields shared by registration and the profile form; `kind` decides which are required."""

    org_name = StringField(_l("Organisation name"), validators=[InputRequired(), Length(min=4, max=128)])
    city = CityField(_l("City"))
    school_level = SelectField(
        _l("School level"), choices=[("", _l("— not a school —"))] + choices(SchoolLevel), default=""
    )
    staff_count = IntegerField(_l("Current staff count"), validators=[Optional(), NumberRange(min=1, max=2_000_000)])
    contact_name = StringField(_l("Contact person"), validators=[InputRequired(), Length(max=64)])
    contact_phone = StringField(_l("Contact phone"), validators=[InputRequired(), Length(max=32)])
    contact_email = EmailField(_l("Contact email"), validators=[Optional(), Email(), Length(max=254)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=255)])

    def org_kind(self) -> OrgKind:
        raise NotImplementedError

    def validate_school_level(self, field):
        is_school = self.org_kind() is OrgKind.SCHOOL
        if is_school and not field.data:
            raise ValidationError(_l("A school must give its level."))
        if not is_school and field.data:
            raise ValidationError(_l("Only schools have a school level."))

    def validate(self, extra_validators=None) -> bool:
        """Staff count is optional as a field but required of enterprises (Optional() stops inline checks)."""
        valid = super().validate(extra_validators)
        is_enterprise = self.org_kind() is OrgKind.ENTERPRISE
        if not self.staff_count.errors:
            if is_enterprise and self.staff_count.data is None:
                self.staff_count.errors.append(_l("An enterprise must give its current staff count."))
                valid = False
            elif not is_enterprise and self.staff_count.data is not None:
                self.staff_count.errors.append(_l("Only enterprises record a staff count."))
                valid = False
        return valid


class OrganizationProfileForm(OrganizationFields, FlaskForm):
    submit = SubmitField(_l("Save"))

    def __init__(self, organization, *args, **kwargs):
        self.organization = organization
        super().__init__(*args, **kwargs)
        self.city.load_choices()

    def org_kind(self) -> OrgKind:
        return self.organization.kind
