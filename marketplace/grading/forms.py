"""The rubric form and each side's grade form (its fields are the school's criteria); validated on the server."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, FormField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.fields import FieldList
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from marketplace.grading.services import MAX_CRITERIA


class CriterionRow(Form):
    name = StringField(_l("Criterion"), validators=[Optional(), Length(max=64)])
    weight = IntegerField(_l("Weight (%)"), validators=[Optional(), NumberRange(1, 100)])
    max_points = IntegerField(_l("Maximum points"), validators=[Optional(), NumberRange(1, 1000)])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.name.data and self.name.data.strip() and (self.weight.data is None or self.max_points.data is None):
            self.name.errors = [*self.name.errors, _l("Give the criterion's weight and maximum points.")]
            return False
        return ok


class RubricForm(FlaskForm):
    enterprise_weight = IntegerField(_l("Weight of the enterprise mentor's grade (%)"),
                                     validators=[InputRequired(), NumberRange(0, 100)])  # fmt: skip
    criteria = FieldList(FormField(CriterionRow), min_entries=MAX_CRITERIA, max_entries=MAX_CRITERIA)
    submit = SubmitField(_l("Save the rubric"))


class CloseForm(FlaskForm):
    submit = SubmitField(_l("Close as graded"))


def grade_form(criteria, data: dict | None = None) -> FlaskForm:
    """A form with one points field per criterion of the school's rubric (`points_0`, `points_1` …)."""

    class GradeForm(FlaskForm):
        comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])
        submit = SubmitField(_l("Save the grade"))

    for i, c in enumerate(criteria):
        label = f"{c.name}（{c.weight}%，0–{c.max_points}）"
        setattr(
            GradeForm, f"points_{i}", IntegerField(label, validators=[InputRequired(), NumberRange(0, c.max_points)])
        )
    form = GradeForm(data=data)
    form.point_fields = [form[f"points_{i}"] for i in range(len(criteria))]
    return form
