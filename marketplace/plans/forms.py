"""Forms for hiring plans and openings; the internship rules are checked here, with their reasons."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
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

from marketplace.certificates import CertificateFormatError, parse_certificates
from marketplace.extensions import db
from marketplace.i18n import choices
from marketplace.plans import rules
from marketplace.plans.messages import breach_message
from marketplace.plans.models import OpeningKind, ShiftPattern
from marketplace.reference.models import Major, Occupation
from marketplace.validators import CityField


class PlanForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2020, 2100)])
    half = SelectField(_l("Half-year"), choices=[(1, _l("First half")), (2, _l("Second half"))], coerce=int)
    labour_standards = TextAreaField(_l("Labour standards (用工标准)"), validators=[Length(max=5000)])
    core_products = TextAreaField(
        _l("Core products, one per line (name: short description)"), validators=[Length(max=5000)]
    )
    technical_needs = TextAreaField(
        _l("Technical needs you want to solve with schools, one per line (need: short description)"),
        validators=[Length(max=5000)],
    )
    alliances = SelectMultipleField(_l("Publish to alliances"), coerce=int)
    submit = SubmitField(_l("Save plan"))


class OpeningForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices(OpeningKind), validators=[InputRequired()])
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=128)])
    occupation_code = StringField(
        _l("Occupation (2022 classification code, e.g. 6-18-01-01)"), validators=[InputRequired(), Length(max=16)]
    )
    majors = SelectMultipleField(_l("Wanted majors"), coerce=int)
    skills = StringField(_l("Skills, separated by commas"), validators=[Length(max=1000)])
    certificates = StringField(_l("Wanted certificates, e.g. 焊工:中级;电工:初级"), validators=[Length(max=500)])
    city = CityField(_l("City"))
    headcount = IntegerField(_l("Headcount"), validators=[InputRequired(), NumberRange(1, 10_000)])
    pay_min = IntegerField(_l("Monthly pay from (yuan)"), validators=[InputRequired(), NumberRange(0, 1_000_000)])
    pay_max = IntegerField(_l("Monthly pay to (yuan)"), validators=[InputRequired(), NumberRange(0, 1_000_000)])
    post_wage = IntegerField(
        _l("Regular wage of the same post (yuan per month)"), validators=[Optional(), NumberRange(1, 1_000_000)]
    )
    start_date = DateField(_l("Start date"), validators=[InputRequired()])
    end_date = DateField(_l("End date"), validators=[InputRequired()])
    shift_pattern = SelectField(_l("Shift pattern"), choices=choices(ShiftPattern))
    requires_overtime = BooleanField(_l("Requires overtime"))
    staff_in_post = IntegerField(
        _l("Staff currently in this post"), validators=[InputRequired(), NumberRange(0, 2_000_000)]
    )
    restricted_venue = BooleanField(_l("Workplace is a bar, KTV, internet café or similar venue"))
    via_paid_agent = BooleanField(_l("Recruited through a paid agent"))
    labour_dispatch = BooleanField(_l("Placed through labour dispatch (劳务派遣)"))
    heavy_labour = BooleanField(_l("Physical labour of intensity III or above"))
    high_risk = BooleanField(_l("Work at height, underground, with radiation, toxic, flammable or explosive matter"))
    holiday_work = BooleanField(_l("Work on statutory holidays"))
    minors_forbidden_work = BooleanField(_l("Work forbidden to minors (未成年工特殊保护规定)"))
    women_forbidden_work = BooleanField(_l("Work forbidden to women (女职工劳动保护特别规定)"))
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    submit = SubmitField(_l("Save opening"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.city.load_choices()
        self.majors.choices = [
            (m.id, f"{m.name}（{m.code}）") for m in db.session.scalars(sa.select(Major).order_by(Major.code))
        ]
        self.occupation = None
        self.parsed_certificates: list[tuple[str, int]] = []

    def validate_occupation_code(self, field):
        code = field.data.strip()
        self.occupation = db.session.scalar(sa.select(Occupation).where(Occupation.code == code, Occupation.level == 4))
        if self.occupation is None:
            raise ValidationError(_l("Choose an occupation of the classification by its code (细类, level 4)."))

    def validate_certificates(self, field):
        try:
            self.parsed_certificates = parse_certificates(field.data or "")
        except CertificateFormatError as exc:
            raise ValidationError(
                _l(
                    "Write certificates as name:level with levels 初级/中级/高级/技师/高级技师 (problem: %(part)s).",
                    part=str(exc),
                )
            ) from None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not valid:
            return False
        if self.end_date.data < self.start_date.data:
            self.end_date.errors.append(_l("The end date is before the start date."))
            return False
        if self.pay_max.data < self.pay_min.data:
            self.pay_max.errors.append(_l("The upper end of the pay range is below the lower end."))
            return False
        breaches = rules.opening_breaches(
            kind=OpeningKind(self.kind.data),
            shift_pattern=ShiftPattern(self.shift_pattern.data),
            requires_overtime=self.requires_overtime.data,
            pay_min=self.pay_min.data,
            post_wage=self.post_wage.data,
            **{flag: bool(self[flag].data) for flag in rules.FORBIDDEN_FLAGS},
        )
        field_of = {rule: self[flag] for flag, rule in rules.FORBIDDEN_FLAGS.items()}
        field_of |= {rules.NIGHT_OR_OVERTIME: self.shift_pattern, rules.MIN_PAY: self.pay_min}
        for breach in breaches:
            field_of[breach.rule].errors.append(breach_message(breach))
        return not breaches
