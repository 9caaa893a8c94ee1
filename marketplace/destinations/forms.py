"""Forms: the graduate's destination, the school's audit and deadline, the secretariat's settings, codes, snapshots."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.choosing import ChoiceRequiredField
from marketplace.destinations.models import DestinationGroup, EmployerSize, Ownership
from marketplace.extensions import db
from marketplace.i18n import choices
from marketplace.practice.forms import OptionalCityField
from marketplace.reference.models import Occupation, major_occupations
from marketplace.timeutil import local_today
from marketplace.validators import credit_code


def _no_nul(form, field):
    if field.data and "\x00" in field.data:
        raise ValidationError(_l("The text contains a character that cannot be stored."))


class DestinationForm(FlaskForm):
    """The graduate's registration (毕业去向登记): category, employer, post, pay, proof."""

    code = ChoiceRequiredField(_l("Destination category"), coerce=lambda v: int(v) if v else None)
    employer_name = StringField(_l("Employer or school"), validators=[Optional(), Length(max=128), _no_nul])
    employer_credit_code = StringField(_l("Unified social credit code (if known)"), validators=[Optional()])
    industry = StringField(_l("Industry"), validators=[Optional(), Length(max=64), _no_nul])
    ownership = SelectField(_l("Kind of employer"), choices=[], validators=[Optional()])
    size = SelectField(_l("Size of employer"), choices=[], validators=[Optional()])
    city = OptionalCityField(_l("City"))
    job_title = StringField(_l("Job title"), validators=[Optional(), Length(max=128), _no_nul])
    occupation = SelectField(_l("Occupation"), coerce=lambda v: int(v) if v else None, validators=[Optional()])
    start_date = DateField(_l("Start date"), validators=[Optional()])
    monthly_pay = IntegerField(_l("Starting monthly pay (yuan)"), validators=[Optional(), NumberRange(0, 200_000)])
    proof_on_file = BooleanField(_l("A contract or agreement is on file"))
    no_proof_reason = TextAreaField(_l("If not, why"), validators=[Optional(), Length(max=500), _no_nul])
    submit = SubmitField(_l("Submit to the school"))

    def __init__(self, codes, major_id: int, extra_occupation: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.code.choices = [(c.id, f"{c.code} {c.name}") for c in codes]
        blank = [("", _l("Not given"))]
        self.ownership.choices = blank + choices(Ownership)
        self.size.choices = blank + choices(EmployerSize)
        self.city.load_choices()
        linked = sa.select(major_occupations.c.occupation_id).where(major_occupations.c.major_id == major_id)
        wanted = sa.or_(Occupation.id.in_(linked), Occupation.id == (extra_occupation or 0))
        occupations = db.session.execute(sa.select(Occupation.id, Occupation.code, Occupation.name).where(wanted)
                                          .where(Occupation.level == 4).order_by(Occupation.code))  # fmt: skip
        self.occupation.choices = [("", _l("Another occupation"))] + [(i, f"{c} {n}") for i, c, n in occupations]

    def validate_employer_credit_code(self, field):
        if field.data and field.data.strip():
            credit_code(self, field)

    def content(self, region_parent) -> dict:
        city = self.city.data or None
        return {"code_id": self.code.data, "employer_name": (self.employer_name.data or "").strip(),
                "employer_credit_code": self.employer_credit_code.data or "", "industry": self.industry.data or "",
                "ownership": Ownership(self.ownership.data) if self.ownership.data else None,
                "size": EmployerSize(self.size.data) if self.size.data else None,
                "city_id": city, "province_id": region_parent(city) if city else None,
                "job_title": self.job_title.data or "", "occupation_id": self.occupation.data or None,
                "start_date": self.start_date.data, "monthly_pay": self.monthly_pay.data,
                "proof_on_file": bool(self.proof_on_file.data),
                "no_proof_reason": self.no_proof_reason.data or ""}  # fmt: skip


class AuditForm(FlaskForm):
    decision = ChoiceRequiredField(_l("Decision"), choices=[("approve", _l("Approve")), ("return", _l("Send back"))])
    reason = TextAreaField(_l("Reason (when sending back)"), validators=[Optional(), Length(max=1000), _no_nul])
    submit = SubmitField(_l("Record the audit"))

    def validate_reason(self, field):
        if self.decision.data == "return" and not (field.data or "").strip():
            raise ValidationError(_l("Say why the record is sent back."))


class YearForm(FlaskForm):
    year = IntegerField(_l("Graduation year"), validators=[InputRequired(), NumberRange(2000, 2100)])


class ProposeForm(YearForm):
    submit = SubmitField(_l("Draft destinations from job placements"))


class DeadlineForm(YearForm):
    deadline = DateField(_l("Changes close on"), validators=[InputRequired()])
    submit = SubmitField(_l("Save the deadline"))

    def validate_deadline(self, field):
        if self.year.data and field.data and field.data.year not in (self.year.data, self.year.data + 1):
            raise ValidationError(_l("The deadline falls in the graduation year or the year after."))


class SnapshotForm(YearForm):
    as_of = DateField(_l("Snapshot date"), validators=[InputRequired()])
    submit = SubmitField(_l("Take the snapshot"))

    def validate_as_of(self, field):
        if field.data and field.data > local_today():
            raise ValidationError(_l("A snapshot is taken of what was recorded by its date: it cannot be dated ahead."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SettingsForm(FlaskForm):
    counted = MultiCheckboxField(_l("Categories counted toward the destination rate"), choices=[])
    employed = MultiCheckboxField(_l("Categories counted toward the employment rate"), choices=[])
    entrepreneur_as_flexible = BooleanField(_l("Show self-employment under flexible employment"))
    submit = SubmitField(_l("Save the counting rules"))

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.counted.choices = choices(DestinationGroup)
        self.employed.choices = choices(DestinationGroup)


class CodesForm(FlaskForm):
    file = FileField(_l("Code table (.xlsx or .csv: code, name, category)"), validators=[FileRequired()])
    submit = SubmitField(_l("Import the codes"))
