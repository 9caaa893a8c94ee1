"""Forms for the gates, pay and attendance; each validated on the server."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from marketplace.i18n import choices
from marketplace.internships.models import InsurancePayer, PayMethod
from marketplace.internships.services import REFUSED_METHODS

BLANK = [("", _l("— choose —"))]


class AgreementForm(FlaskForm):
    post = TextAreaField(_l("Post"), validators=[InputRequired(), Length(max=500)])
    place = TextAreaField(_l("Place"), validators=[InputRequired(), Length(max=500)])
    period = TextAreaField(_l("Period"), validators=[InputRequired(), Length(max=200)])
    hours = TextAreaField(_l("Hours and rest"), validators=[InputRequired(), Length(max=2000)])
    pay = TextAreaField(_l("Pay and how it is paid"), validators=[InputRequired(), Length(max=2000)])
    insurance = TextAreaField(_l("Insurance"), validators=[InputRequired(), Length(max=2000)])
    safety = TextAreaField(_l("Safety"), validators=[InputRequired(), Length(max=2000)])
    responsibilities = TextAreaField(_l("Responsibilities"), validators=[InputRequired(), Length(max=2000)])
    termination = TextAreaField(_l("Termination"), validators=[InputRequired(), Length(max=2000)])
    submit = SubmitField(_l("Save as a new version"))


class SignForm(FlaskForm):
    party = SelectField(_l("Signature of"), validators=[InputRequired()])
    signed_on = DateField(_l("Signed on"), validators=[InputRequired()])
    student_signer = StringField(_l("Signed by (the student, or the guardian's name)"), validators=[Length(max=64)])
    no_fees = BooleanField(_l("The enterprise takes no fees or deposits and keeps none of the student's papers"))
    submit = SubmitField(_l("Record the signature"))


class GuardianConsentForm(FlaskForm):
    guardian_name = StringField(_l("Guardian's name"), validators=[InputRequired(), Length(max=64)])
    relation = StringField(_l("Relation to the student"), validators=[InputRequired(), Length(max=32)])
    signed_on = DateField(_l("Signed on"), validators=[InputRequired()])
    submit = SubmitField(_l("Record the consent"))


class InsuranceForm(FlaskForm):
    insurer = StringField(_l("Insurer"), validators=[InputRequired(), Length(max=128)])
    policy_no = StringField(_l("Policy number"), validators=[InputRequired(), Length(max=64)])
    covers_from = DateField(_l("Cover from"), validators=[InputRequired()])
    covers_to = DateField(_l("Cover to"), validators=[InputRequired()])
    payer = SelectField(
        _l("Premium paid by"),
        choices=BLANK + choices(InsurancePayer) + [("student", _l("The student"))],
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Record the insurance"))


class ArrivalForm(FlaskForm):
    arrived_on = DateField(_l("Arrived on"), validators=[InputRequired()])
    submit = SubmitField(_l("Record the arrival"))


class PayForm(FlaskForm):
    month = DateField(_l("Month paid for (any day of it)"), validators=[InputRequired()])
    amount = IntegerField(_l("Amount (yuan)"), validators=[InputRequired(), NumberRange(0, 1_000_000)])
    paid_on = DateField(_l("Paid on"), validators=[InputRequired()])
    method = SelectField(
        _l("How it was paid"),
        choices=BLANK + choices(PayMethod) + list(zip(REFUSED_METHODS, (_l("Goods or vouchers"),
                                                                         _l("Through a third party")), strict=True)),
        validators=[InputRequired()],
    )  # fmt: skip
    submit = SubmitField(_l("Record the pay"))


class AttendanceForm(FlaskForm):
    month = DateField(_l("Month (any day of it)"), validators=[InputRequired()])
    present = IntegerField(_l("Days present"), validators=[InputRequired(), NumberRange(0, 31)])
    absent = IntegerField(_l("Days absent"), validators=[InputRequired(), NumberRange(0, 31)])
    on_leave = IntegerField(_l("Days on leave"), validators=[InputRequired(), NumberRange(0, 31)])
    submit = SubmitField(_l("Confirm the month"))
