"""A select that starts on a blank '— choose —' option: no decision is ever pre-selected for the user."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import InputRequired

BLANK = ""


class ChoiceRequiredField(SelectField):
    """A SelectField whose first option is always a blank '— choose —' that does not validate.

    A negative or destructive choice (未通过, 已婉拒, 学校已撤回) must be the reader's act, never what the browser
    shows first; the blank is kept when a view narrows the choices (`field.choices = [...]`).
    """

    def __init__(self, label=None, validators=None, choices=None, **kwargs):
        validators = [InputRequired(_l("Choose one of the options.")), *(validators or [])]
        super().__init__(label, validators, choices=choices, **kwargs)

    @property
    def choices(self):
        value = SelectField.choices.fget(self)
        if value is None:
            return None
        value = list(value)
        if not value or value[0][0] != BLANK:
            value.insert(0, (BLANK, _l("— choose —")))
        return value

    @choices.setter
    def choices(self, value):
        SelectField.choices.fset(self, value)
