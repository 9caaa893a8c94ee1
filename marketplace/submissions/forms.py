"""Forms for information reports, opening an assessment cycle, self-assessment and the secretariat's review."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, MonthField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from marketplace.i18n import choices
from marketplace.submissions.models import ReportKind


class ReportForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices(ReportKind), default=ReportKind.NEWS.value)
    title = StringField(_l("Report title"), validators=[InputRequired(), Length(min=2, max=200)])
    body = TextAreaField(_l("Report"), validators=[InputRequired(), Length(min=10, max=20000)])
    period_month = MonthField(_l("Month reported on (optional)"), validators=[Optional()])
    submit = SubmitField(_l("Submit report"))


class CycleForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2100)])
    standard = TextAreaField(
        _l("Assessment standard (published to the members)"), validators=[InputRequired(), Length(min=10, max=20000)]
    )
    submit = SubmitField(_l("Open the assessment"))


class _GradeForm(FlaskForm):
    grade = SelectField(_l("Grade"), validators=[InputRequired()])

    def __init__(self, grades: list[str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.grade.choices = [(g, g) for g in grades]


class SelfAssessmentForm(_GradeForm):
    summary = TextAreaField(
        _l("Self-assessment: the year's work for the alliance"), validators=[InputRequired(), Length(min=10, max=20000)]
    )
    submit = SubmitField(_l("Submit self-assessment"))


class ReviewForm(_GradeForm):
    comment = TextAreaField(_l("Review comment"), validators=[Length(max=20000)])
    submit = SubmitField(_l("Record final grade"))

    def __init__(self, grades: list[str], *args, **kwargs):
        super().__init__(grades, *args, **kwargs)
        self.failing = grades[-1]

    def validate_comment(self, field):
        if self.grade.data == self.failing and not (field.data or "").strip():
            raise ValidationError(_l("Say what must be rectified when the grade is failing."))
