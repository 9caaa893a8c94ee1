"""Forms of the cohort pages: upload, commit mode, consent, export, unmask, student edit."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.cohorts import fields, queries
from marketplace.cohorts.models import Gender
from marketplace.cohorts.services import ImportMode
from marketplace.i18n import label
from marketplace.plans.models import OpeningKind
from marketplace.validators import mobile_number


class UploadForm(FlaskForm):
    graduation_year = IntegerField(_l("Graduation year"), validators=[InputRequired(), NumberRange(2000, 2100)])
    file = FileField(
        _l("Spreadsheet (.xlsx or .csv)"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(["xlsx", "csv"], _l("Upload an .xlsx or .csv file (save older .xls files as .xlsx first).")),
        ],
    )
    submit = SubmitField(_l("Upload and check"))


class CommitForm(FlaskForm):
    mode = RadioField(
        _l("What to save"),
        choices=[
            (ImportMode.GOOD_ROWS.value, _l("The good rows; skip the rows with problems")),
            (ImportMode.ALL_OR_NOTHING.value, _l("All or nothing: save only if every row is good")),
        ],
        default=ImportMode.GOOD_ROWS.value,
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Save students"))


class ConsentForm(FlaskForm):
    granted = HiddenField(validators=[AnyOf(["1", "0"])])
    evidence = StringField(_l("Evidence (e.g. signed form of 2027-03-01)"), validators=[Optional(), Length(max=255)])
    submit = SubmitField(_l("Record"))


class ExportForm(FlaskForm):
    file_format = SelectField(_l("Format"), choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV")], default="xlsx")
    unmasked = BooleanField(_l("Full phone and ID numbers (recorded in the audit log)"))
    submit = SubmitField(_l("Export"))


class UnmaskForm(FlaskForm):
    submit = SubmitField(_l("Show full phone and ID number"))


class StudentForm(FlaskForm):
    """Edit one student. Phone and ID number start empty (never sent to the browser); empty means unchanged."""

    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=64)])
    gender = SelectField(_l("Gender"), choices=[(g.value, g.value) for g in Gender])
    birth_date = DateField(_l("Birth date"), validators=[InputRequired()])
    enrolled_on = DateField(_l("Enrolment date"), validators=[InputRequired()])
    major_id = SelectField(_l("Major"), coerce=int)
    certificates = StringField(_l("Certificates, e.g. 焊工:中级;电工:初级"), validators=[Length(max=500)])
    skills = TextAreaField(_l("Skills"), validators=[Length(max=2000)])
    grade_score = FloatField(_l("Grade score (0–100)"), validators=[Optional(), NumberRange(0, 100)])
    wanted_cities = StringField(_l("Wanted cities, e.g. 衡水市;德州市"), validators=[Length(max=500)])
    wanted_kinds = SelectMultipleField(
        _l("Wanted kinds"), widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    phone = StringField(_l("Mobile number (leave empty to keep it)"), validators=[Optional(), mobile_number])
    id_number = StringField(_l("ID number (leave empty to keep it)"), validators=[Optional(), Length(max=18)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.gender.choices = [(g.value, label(g)) for g in Gender]
        self.wanted_kinds.choices = [(k.value, label(k)) for k in OpeningKind]
        self.major_id.choices = [(i, f"{label(lv)} · {code} {name}") for i, lv, code, name in queries.major_choices()]

    def _parsed(self, parser, field, *args):
        try:
            return parser(field.data, *args)
        except fields.CellError as exc:
            raise ValidationError(_(exc.reason, **exc.params)) from None

    def validate_enrolled_on(self, field):
        if self.birth_date.data and field.data and self.birth_date.data >= field.data:
            raise ValidationError(_("The birth date is not before the enrolment date."))

    def validate_certificates(self, field):
        self.certificate_pairs = self._parsed(fields.parse_certificates_cell, field)

    def validate_wanted_cities(self, field):
        self.city_ids = self._parsed(fields.parse_cities, field, queries.city_ids_by_name())

    def validate_id_number(self, field):
        field.data = (field.data or "").strip().upper()
        if field.data and fields.id_number_error(field.data):
            raise ValidationError(_(fields.id_number_error(field.data)))
        if field.data and self.birth_date.data and fields.id_birth_date(field.data) != self.birth_date.data:
            raise ValidationError(_("The birth date in the ID number differs from the birth date."))

    def values(self) -> dict:
        """What `services.update_student` takes."""
        return {
            "name": self.name.data.strip(),
            "gender": Gender(self.gender.data),
            "birth_date": self.birth_date.data,
            "enrolled_on": self.enrolled_on.data,
            "major_id": self.major_id.data,
            "certificates": self.certificate_pairs,
            "skills": (self.skills.data or "").strip(),
            "grade_score": self.grade_score.data,
            "wanted_city_ids": self.city_ids,
            "wanted_kinds": list(self.wanted_kinds.data or []),
            "phone": (self.phone.data or "").strip() or None,
            "id_number": self.id_number.data or None,
        }
