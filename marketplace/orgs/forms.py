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
        if "staff_count" in self and not self.staff_count.errors:
            if is_enterprise and self.staff_count.data is None:
                self.staff_count.errors.append(_l("An enterprise must give its current staff count."))
                valid = False
            elif not is_enterprise and self.staff_count.data is not None:
                self.staff_count.errors.append(_l("Only enterprises record a staff count."))
                valid = False
        return valid


class OrganizationProfileForm(OrganizationFields, FlaskForm):
    """An organisation's own profile: only the fields of its kind (a school level for schools, a staff count for
    enterprises), pre-filled with what is stored, the city included."""

    submit = SubmitField(_l("Save"))

    def __init__(self, organization, *args, **kwargs):
        self.organization = organization
        # Not `obj=organization`: WTForms prefers an object's attribute to a keyword, and `city` (a Region) and an
        # enterprise's school_level (None, coerced to "None") are not what the fields hold: the city was never
        # pre-filled and an enterprise's profile could not be saved.
        super().__init__(*args, data=self.stored(organization), **kwargs)
        if organization.kind is not OrgKind.SCHOOL:
            del self.school_level
        if organization.kind is not OrgKind.ENTERPRISE:
            del self.staff_count
        self.city.load_choices()

    @staticmethod
    def stored(org) -> dict:
        return {
            "org_name": org.name,
            "city": org.city_id,
            "school_level": org.school_level.value if org.school_level else "",
            "staff_count": org.staff_count,
            "contact_name": org.contact_name,
            "contact_phone": org.contact_phone,
            "contact_email": org.contact_email,
            "address": org.address,
        }

    def org_kind(self) -> OrgKind:
        return self.organization.kind

    def values(self) -> dict:
        """The organisation's columns as the form says they should be."""
        values = {
            "name": self.org_name.data.strip(),
            "city_id": self.city.data,
            "contact_name": self.contact_name.data.strip(),
            "contact_phone": self.contact_phone.data.strip(),
            "contact_email": (self.contact_email.data or "").strip(),
            "address": (self.address.data or "").strip(),
        }
        if "school_level" in self:
            values["school_level"] = SchoolLevel(self.school_level.data)
        if "staff_count" in self:
            values["staff_count"] = self.staff_count.data
        return values
