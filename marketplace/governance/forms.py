"""Forms for meetings, motions, votes, officers, the qualification review and membership steps."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.alliances.models import Tier
from marketplace.governance.models import MEMBERSHIP_KINDS, Body, MotionKind, Office
from marketplace.i18n import choices


class MeetingForm(FlaskForm):
    body = SelectField(_l("Body"), choices=choices(Body))
    title = StringField(_l("Meeting title"), validators=[InputRequired(), Length(max=128)])
    held_on = DateField(_l("Date"), validators=[InputRequired()])
    location = StringField(_l("Place"), validators=[Length(max=128)])
    submit = SubmitField(_l("Call the meeting"))


class MotionForm(FlaskForm):
    """Motions that concern no single membership; membership motions start from the membership's page."""

    kind = SelectField(_l("Kind"), choices=choices(MotionKind, [k for k in MotionKind if k not in MEMBERSHIP_KINDS]))
    title = StringField(_l("Motion title"), validators=[InputRequired(), Length(max=200)])
    text = TextAreaField(_l("Text"), validators=[Length(max=10000)])
    submit = SubmitField(_l("Put on the agenda"))


class ScheduleForm(FlaskForm):
    motion_id = SelectField(_l("Motion on the agenda"), coerce=int)
    submit = SubmitField(_l("Put before this meeting"))


class AttendanceForm(FlaskForm):
    """The statuses come as one radio group per invited unit (`att-<organisation id>`); the service checks them."""

    submit = SubmitField(_l("Save attendance"))


class VoteForm(FlaskForm):
    yes = IntegerField(_l("In favour"), validators=[InputRequired(), NumberRange(0, 9999)])
    no = IntegerField(_l("Against"), validators=[InputRequired(), NumberRange(0, 9999)])
    abstain = IntegerField(_l("Abstentions"), validators=[InputRequired(), NumberRange(0, 9999)])
    submit = SubmitField(_l("Count the vote"))


class OfficerForm(FlaskForm):
    office = SelectField(_l("Office"), choices=choices(Office))
    person_name = StringField(_l("Name"), validators=[InputRequired(), Length(max=64)])
    organization_id = SelectField(_l("Unit"), coerce=int)
    starts_on = DateField(_l("Term starts on"), validators=[InputRequired()])
    submit = SubmitField(_l("Record the election"))


class EndTermForm(FlaskForm):
    on = DateField(_l("Last day in office"), validators=[InputRequired()])
    reason = StringField(_l("Reason"), validators=[InputRequired(), Length(max=200)])
    submit = SubmitField(_l("End the term early"))


class QualificationForm(FlaskForm):
    """The secretariat's check of the charter's conditions for joining (资格审核)."""

    met = SelectMultipleField(
        _l("Conditions met"), option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False), validate_choice=True
    )
    tier = SelectField(_l("Tier the unit will hold"), choices=choices(Tier), default=Tier.MEMBER.value)
    submit = SubmitField(_l("Qualified: send to the council"))


class ExpulsionForm(FlaskForm):
    reason = TextAreaField(
        _l("The serious breach of the charter"), validators=[InputRequired(), Length(min=4, max=2000)]
    )
    submit = SubmitField(_l("Propose expulsion to the council"))


class TierForm(FlaskForm):
    tier = SelectField(_l("Tier"), choices=choices(Tier))
    submit = SubmitField(_l("Change tier"))
