"""Forms for putting forward and deciding on experts, and for collaboration groups and their seats."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from marketplace.i18n import choices
from marketplace.pools.models import ConsentMethod, GroupRole, Route, TitleLevel


class ExpertForm(FlaskForm):
    """A personal application or a unit recommendation; the consent fields count for recommendations only."""

    route = SelectField(_l("How the expert is put forward"), choices=choices(Route), default=Route.APPLICATION.value)
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=64)])
    title_level = SelectField(_l("Professional title level"), choices=choices(TitleLevel))
    birth_year = IntegerField(_l("Year of birth"), validators=[InputRequired(), NumberRange(1930, 2010)])
    specialty = StringField(_l("Specialty or field"), validators=[InputRequired(), Length(max=64)])
    summary = TextAreaField(
        _l("Experience and qualifications (for the secretariat's review)"), validators=[Optional(), Length(max=2000)]
    )
    consent_on = DateField(_l("Date the person consented to the recommendation"), validators=[Optional()])
    consent_method = SelectField(
        _l("How the consent was given"), choices=[("", "—"), *choices(ConsentMethod)], validators=[Optional()]
    )
    submit = SubmitField(_l("Submit"))

    def _recommending(self) -> bool:
        return self.route.data == Route.RECOMMENDATION.value

    def validate_consent_on(self, field):
        if self._recommending() and not field.data:
            raise ValidationError(_l("A recommendation needs the recommended person's prior consent."))

    def validate_consent_method(self, field):
        if self._recommending() and not field.data:
            raise ValidationError(_l("Say how the consent was given."))


class ApproveForm(FlaskForm):
    action = HiddenField(default="approve")
    appointed_from = DateField(_l("Appointed from"), validators=[InputRequired()])
    submit = SubmitField(_l("Approve and appoint"))


class RejectForm(FlaskForm):
    action = HiddenField(default="reject")
    reason = TextAreaField(_l("Reason (shown to the unit)"), validators=[InputRequired(), Length(min=2, max=2000)])
    submit = SubmitField(_l("Do not admit"))


class RenewForm(FlaskForm):
    action = HiddenField(default="renew")
    submit = SubmitField(_l("Renew for another term"))


class ResignForm(FlaskForm):
    action = HiddenField(default="resign")
    reason = TextAreaField(_l("Reason for resigning"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Record resignation"))


class GroupForm(FlaskForm):
    name = StringField(_l("Group name"), validators=[InputRequired(), Length(max=64)])
    specialty = StringField(_l("Specialty"), validators=[InputRequired(), Length(max=64)])
    submit = SubmitField(_l("Create group"))


class GroupMemberForm(FlaskForm):
    action = HiddenField(default="add")
    person_name = StringField(_l("Name"), validators=[InputRequired(), Length(max=64)])
    organization_id = SelectField(_l("Unit"), coerce=int, validators=[InputRequired()])
    role = SelectField(_l("Role in the group"), choices=choices(GroupRole), default=GroupRole.MEMBER.value)
    joined_on = DateField(_l("Joined on"), validators=[InputRequired()])
    submit = SubmitField(_l("Add to the group"))


class LeaveForm(FlaskForm):
    action = HiddenField(default="leave")
    member_id = HiddenField(validators=[InputRequired()])
    left_on = DateField(_l("Left on"), validators=[InputRequired()])
    submit = SubmitField(_l("Record leaving"))
