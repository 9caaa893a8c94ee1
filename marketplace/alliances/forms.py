"""Forms for joining, deciding on and leaving alliances, and for a charter's parameters."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from marketplace.alliances.models import MembershipStatus, Tier
from marketplace.i18n import choices


class ApplyForm(FlaskForm):
    note = TextAreaField(
        _l("Why your organisation wants to join, and what it brings"),
        validators=[InputRequired(), Length(min=10, max=2000)],
    )
    submit = SubmitField(_l("Submit application"))


DECISIONS = [
    MembershipStatus.UNDER_REVIEW,
    MembershipStatus.ACTIVE,
    MembershipStatus.REJECTED,
    MembershipStatus.WITHDRAWN,
    MembershipStatus.LAPSED,
    MembershipStatus.EXPELLED,
]


class DecisionForm(FlaskForm):
    """The secretariat's decision on one membership: the view checks it against the lifecycle."""

    status = SelectField(_l("Decision"), choices=choices(MembershipStatus, DECISIONS))
    tier = SelectField(_l("Tier"), choices=choices(Tier), default=Tier.MEMBER.value)
    effective_on = DateField(_l("Takes effect on"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason (shown to the organisation)"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Record decision"))

    def validate_reason(self, field):
        needs_reason = {MembershipStatus.REJECTED.value, MembershipStatus.EXPELLED.value, MembershipStatus.LAPSED.value}
        if self.status.data in needs_reason and not (field.data or "").strip():
            raise ValidationError(_l("Give a reason for this decision."))


class WithdrawalForm(FlaskForm):
    reason = TextAreaField(_l("Reason for withdrawing"), validators=[InputRequired(), Length(min=4, max=2000)])
    submit = SubmitField(_l("Request withdrawal"))


class CharterForm(FlaskForm):
    """A platform admin sets an alliance's name and charter (章程) parameters."""

    name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=128)])
    short_name = StringField(_l("Short name"), validators=[InputRequired(), Length(max=32)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    secretariat_org_id = SelectField(_l("Secretariat organisation"), coerce=int)
    admission_vote_num = IntegerField(_l("Admission vote: numerator"), validators=[InputRequired(), NumberRange(1, 99)])
    admission_vote_den = IntegerField(
        _l("Admission vote: denominator"), validators=[InputRequired(), NumberRange(1, 99)]
    )
    admission_vote_strict = BooleanField(_l("The share must be exceeded (more than), not just reached"))
    quorum_num = IntegerField(_l("Quorum: numerator"), validators=[InputRequired(), NumberRange(1, 99)])
    quorum_den = IntegerField(_l("Quorum: denominator"), validators=[InputRequired(), NumberRange(1, 99)])
    withdrawal_notice_months = IntegerField(
        _l("Withdrawal notice (months)"), validators=[InputRequired(), NumberRange(0, 24)]
    )
    lapse_after_years = IntegerField(
        _l("Deemed withdrawn after N years without performing duties"), validators=[Optional(), NumberRange(1, 10)]
    )
    officer_term_years = IntegerField(_l("Officer term (years)"), validators=[InputRequired(), NumberRange(1, 10)])
    officer_term_limit = IntegerField(_l("Officer term limit"), validators=[Optional(), NumberRange(1, 10)])
    reporting_interval_days = IntegerField(
        _l("Reporting interval (days)"), validators=[Optional(), NumberRange(1, 366)]
    )
    assessment_grades = StringField(
        _l("Assessment grades, best first, separated by commas"), validators=[InputRequired(), Length(max=200)]
    )
    priority_tolerance = FloatField(
        _l("Priority tolerance (equal-conditions band on a 0–1 fit scale)"),
        validators=[InputRequired(), NumberRange(0, 1)],
    )
    submit = SubmitField(_l("Save"))

    def validate_admission_vote_den(self, field):
        if self.admission_vote_num.data and field.data and field.data < self.admission_vote_num.data:
            raise ValidationError(_l("The share cannot exceed one."))

    def validate_quorum_den(self, field):
        if self.quorum_num.data and field.data and field.data < self.quorum_num.data:
            raise ValidationError(_l("The share cannot exceed one."))

    def grades(self) -> list[str]:
        return [g.strip() for g in self.assessment_grades.data.replace("，", ",").split(",") if g.strip()]

    def validate_assessment_grades(self, field):
        grades = self.grades()
        if len(grades) < 2 or len(set(grades)) != len(grades):
            raise ValidationError(_l("Give at least two distinct grades."))
