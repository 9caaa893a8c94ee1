"""WTForms validators shared by the feature forms; messages are translated."""

import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import ValidationError

from marketplace.extensions import db
from marketplace.orgs.credit_code import credit_code_error, normalize_credit_code
from marketplace.reference.models import Region, RegionLevel

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
MIN_PASSWORD = 10

CREDIT_CODE_MESSAGES = {
    "must be 18 characters": _l("A credit code has exactly 18 characters."),
    "contains characters not allowed in a credit code": _l(
        "A credit code uses digits and capital letters except I, O, S, V and Z."
    ),
    "characters 3 to 8 must be an administrative division code": _l(
        "Characters 3 to 8 must be the 6-digit administrative division code."
    ),
    "the check character does not match": _l(
        "The last character (check character) does not match: please check the code for typos."
    ),
}


def strip_or_none(value):
    """Field filter: surrounding blanks dropped, an empty answer stored as NULL (UNIQUE columns allow many NULLs,
    not many ''). A filter, not a validator, because Optional() ends the validator chain on an empty field."""
    if isinstance(value, str):
        value = value.strip()
    return value or None


def mobile_number(form, field):
    if field.data and not MOBILE_RE.match(field.data.strip()):
        raise ValidationError(_l("Enter an 11-digit mainland mobile number."))


def password_strength(form, field):
    value = field.data or ""
    if len(value) < MIN_PASSWORD:
        raise ValidationError(_l("Use at least %(n)d characters.", n=MIN_PASSWORD))
    if value.isdigit() or value.isalpha():
        raise ValidationError(_l("Mix letters with digits or symbols."))


def credit_code(form, field):
    field.data = normalize_credit_code(field.data or "")
    error = credit_code_error(field.data)
    if error:
        raise ValidationError(CREDIT_CODE_MESSAGES[error])


class CityField(SelectField):
    """A prefecture-level city, labelled with its province, validated against the regions table."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, coerce=int, validate_choice=True, **kwargs)

    def load_choices(self) -> None:
        province = sa.orm.aliased(Region)
        rows = db.session.execute(
            sa.select(Region.id, Region.name, province.name)
            .join(province, Region.parent_id == province.id)
            .where(Region.level == RegionLevel.CITY)
            .order_by(Region.code)
        )
        self.choices = [(0, _l("— choose a city —"))] + [(rid, f"{pname} · {name}") for rid, name, pname in rows]

    def pre_validate(self, form):
        if not self.data:
            raise ValidationError(_l("Choose a city."))
        super().pre_validate(form)
