"""Forms for teachers, practice requests and bases, and the enterprise's decisions on a request."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from marketplace.extensions import db
from marketplace.practice.models import PracticeBase, Teacher
from marketplace.validators import CityField


class OptionalCityField(CityField):
    """A city that may be left open ("any city"); the value is then None."""

    def load_choices(self) -> None:
        super().load_choices()
        self.choices[0] = (0, _l("— any city —"))

    def pre_validate(self, form):
        if self.data:
            super().pre_validate(form)

    def post_validate(self, form, validation_stopped):
        self.data = self.data or None


class PeriodFields:
    """A period, both ends included; the end may not come before the start."""

    def validate_end(self, start_field, end_field):
        if start_field.data and end_field.data and end_field.data < start_field.data:
            raise ValidationError(_l("The period must end on or after its first day."))

    def period_days(self, start_field, end_field) -> int | None:
        if start_field.data and end_field.data and end_field.data >= start_field.data:
            return (end_field.data - start_field.data).days + 1
        return None


class TeacherForm(FlaskForm):
    staff_no = StringField(_l("Staff number"), validators=[InputRequired(), Length(max=32)])
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=64)])
    specialty = StringField(_l("Specialty taught"), validators=[InputRequired(), Length(max=64)])
    submit = SubmitField(_l("Save teacher"))

    def __init__(self, school_id: int, teacher: Teacher | None = None, **kwargs):
        self.school_id, self.teacher = school_id, teacher
        super().__init__(obj=teacher, **kwargs)

    def validate_staff_no(self, field):
        field.data = field.data.strip()
        clash = db.session.scalar(
            sa.select(Teacher.id).where(Teacher.school_id == self.school_id, Teacher.staff_no == field.data)
        )
        if clash is not None and (self.teacher is None or clash != self.teacher.id):
            raise ValidationError(_l("Another teacher of your school has this staff number."))


class PracticeRequestForm(PeriodFields, FlaskForm):
    teacher_id = SelectField(_l("Teacher"), coerce=int)
    specialty = StringField(
        _l("Specialty to practise (leave blank for the teacher's own)"), validators=[Optional(), Length(max=64)]
    )
    start_date = DateField(_l("First day"), validators=[InputRequired()])
    end_date = DateField(_l("Last day"), validators=[InputRequired()])
    days = IntegerField(_l("Days of practice wanted"), validators=[InputRequired(), NumberRange(min=1, max=366)])
    wanted_city = OptionalCityField(_l("Wanted city"))
    submit = SubmitField(_l("File request"))

    def __init__(self, school_id: int, **kwargs):
        super().__init__(**kwargs)
        self.teacher_id.choices = [
            (t.id, f"{t.name}（{t.staff_no}，{t.specialty}）")
            for t in db.session.scalars(sa.select(Teacher).where(Teacher.school_id == school_id).order_by(Teacher.name))
        ]
        self.wanted_city.load_choices()

    def validate_end_date(self, field):
        self.validate_end(self.start_date, field)

    def validate_days(self, field):
        length = self.period_days(self.start_date, self.end_date)
        if length is not None and field.data is not None and field.data > length:
            raise ValidationError(_l("The period has only %(n)d days.", n=length))


class PracticeBaseForm(PeriodFields, FlaskForm):
    name = StringField(_l("Base name"), validators=[InputRequired(), Length(max=128)])
    specialty = StringField(_l("Specialty"), validators=[InputRequired(), Length(max=64)])
    city = CityField(_l("City"))
    capacity = IntegerField(
        _l("Teachers at the same time (capacity)"), validators=[InputRequired(), NumberRange(min=1, max=1000)]
    )
    available_from = DateField(_l("Available from"), validators=[InputRequired()])
    available_until = DateField(_l("Available until"), validators=[InputRequired()])
    mentor_name = StringField(_l("Mentor (专人指导)"), validators=[InputRequired(), Length(max=64)])
    mentor_title = StringField(_l("Mentor's post or title"), validators=[Optional(), Length(max=64)])
    submit = SubmitField(_l("Save practice base"))

    STORED = ("name", "specialty", "capacity", "available_from", "available_until", "mentor_name", "mentor_title")

    def __init__(self, base: PracticeBase | None = None, **kwargs):
        # Not `obj=base`: WTForms prefers the object's `city` (a Region, which the select cannot hold) to a keyword,
        # so the stored city was never selected and an edit lost it.
        stored = {} if base is None else {name: getattr(base, name) for name in self.STORED} | {"city": base.city_id}
        super().__init__(data=stored, **kwargs)
        self.city.load_choices()

    def validate_available_until(self, field):
        self.validate_end(self.available_from, field)

    def validate_mentor_name(self, field):
        field.data = (field.data or "").strip()
        if not field.data:
            raise ValidationError(_l("Name the mentor who guides the teachers (专人指导)."))

    def values(self) -> dict:
        return {
            "name": self.name.data.strip(),
            "specialty": self.specialty.data.strip(),
            "city_id": self.city.data,
            "capacity": self.capacity.data,
            "available_from": self.available_from.data,
            "available_until": self.available_until.data,
            "mentor_name": self.mentor_name.data,
        }


class AcceptForm(FlaskForm):
    base_id = SelectField(_l("Practice base"), coerce=int)
    submit = SubmitField(_l("Accept onto this base"))

    def __init__(self, enterprise_id: int, **kwargs):
        super().__init__(**kwargs)
        bases = db.session.scalars(
            sa.select(PracticeBase).where(PracticeBase.enterprise_id == enterprise_id).order_by(PracticeBase.name)
        )
        self.base_id.choices = [
            (b.id, f"{b.name}（{b.available_from} – {b.available_until}，{b.capacity}）") for b in bases
        ]


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Reason (shown to the school)"), validators=[InputRequired(), Length(min=2, max=500)])
    submit = SubmitField(_l("Decline"))


class CompleteForm(FlaskForm):
    days_served = IntegerField(_l("Days served"), validators=[InputRequired(), NumberRange(min=0, max=366)])
    submit = SubmitField(_l("Record practice served"))


class ConfirmForm(FlaskForm):
    """A button that changes state: nothing to fill in, but CSRF-protected."""

    submit = SubmitField(_l("Confirm"))


class OpenRequestFilter(FlaskForm):
    """The enterprise's filter over open requests (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    specialty = StringField(_l("Specialty contains"), validators=[Optional(), Length(max=64)])
    city = OptionalCityField(_l("Wanted city"))

    def __init__(self, formdata, **kwargs):
        super().__init__(formdata=formdata, **kwargs)
        self.city.load_choices()
