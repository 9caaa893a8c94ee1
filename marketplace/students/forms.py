"""Forms of the student's pages and of the school's side of them."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional

from marketplace.auth.forms import NewPasswordFields
from marketplace.choosing import ChoiceRequiredField


class JoinForm(NewPasswordFields, FlaskForm):
    submit = SubmitField(_l("Set my password"))


class OwnConsentForm(FlaskForm):
    granted = HiddenField(validators=[AnyOf(["1", "0"])])
    guardian_name = StringField(_l("Parent or guardian (required under 14)"), validators=[Optional(), Length(max=64)])
    submit = SubmitField(_l("Record"))


class AnswerForm(FlaskForm):
    answer = HiddenField(validators=[AnyOf(["yes", "no"])])
    reason = TextAreaField(_l("A word for the school (optional)"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Send my answer"))


class JournalForm(FlaskForm):
    week_of = DateField(_l("A day of the week written about"), validators=[InputRequired()])
    content = TextAreaField(_l("What I did and learned this week"), validators=[InputRequired(), Length(10, 5000)])
    submit = SubmitField(_l("Save the journal"))


class ReportForm(FlaskForm):
    content = TextAreaField(_l("Final report"), validators=[InputRequired(), Length(50, 20000)])
    submit = SubmitField(_l("Submit the report"))


SCORES = [(str(n), str(n)) for n in range(5, 0, -1)]


class EvaluationForm(FlaskForm):
    enterprise_score = ChoiceRequiredField(_l("The enterprise (1–5)"), choices=SCORES)
    post_score = ChoiceRequiredField(_l("The post (1–5)"), choices=SCORES)
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Send the evaluation"))


class CorrectionForm(FlaskForm):
    text = TextAreaField(_l("What is wrong, and what is right"), validators=[InputRequired(), Length(4, 2000)])
    submit = SubmitField(_l("Ask the school to correct it"))


class ReviewForm(FlaskForm):
    comment = TextAreaField(_l("Teacher's comment"), validators=[InputRequired(), Length(2, 2000)])
    submit = SubmitField(_l("Record the review"))


class MinimumForm(FlaskForm):
    min_count = IntegerField(_l("Journals required over an internship"), validators=[InputRequired(),
                                                                                      NumberRange(0, 60)])  # fmt: skip
    submit = SubmitField(_l("Save"))


class ResolveForm(FlaskForm):
    outcome = HiddenField(validators=[AnyOf(["corrected", "refused"])])
    answer = TextAreaField(_l("Answer to the student"), validators=[InputRequired(), Length(2, 2000)])
    submit = SubmitField(_l("Answer"))


class InviteForm(FlaskForm):
    submit = SubmitField(_l("Create the link"))


class SignAgreementForm(FlaskForm):
    agree = BooleanField(_l("I have read the agreement and agree to its terms"), validators=[InputRequired()])
    submit = SubmitField(_l("Sign the agreement"))
