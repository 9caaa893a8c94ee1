"""The ranking pages' filters (query arguments) and their actions on several rows at once."""

from dataclasses import dataclass, fields

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField
from wtforms.validators import InputRequired

from marketplace.input_guard import db_int

PER_PAGE = 50


def _id(value) -> int | None:
    try:
        return db_int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _yes_no(value) -> str:
    return value if value in ("yes", "no") else ""


class _Args:
    @classmethod
    def from_args(cls, args):
        return cls(**{f.name: (_yes_no if f.type is str else _id)(args.get(f.name)) for f in fields(cls)})

    def as_args(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) not in (None, "")}


@dataclass(frozen=True)
class CandidateFilters(_Args):
    """An opening's ranked candidates: by school, major, city (the school's or a wanted one), member school."""

    school: int | None = None
    major: int | None = None
    city: int | None = None
    member: str = ""  # "yes" / "no"


@dataclass(frozen=True)
class CohortFilters(_Args):
    """A cohort's best openings: by major, and whether the student has an opening at or above the fit floor."""

    major: int | None = None
    suitable: str = ""  # "yes" / "no"


class CandidateActionForm(FlaskForm):
    """Invite the ticked candidates, or shortlist or offer those already put forward."""

    action = SelectField(
        choices=[("invite", _l("Invite")), ("shortlist", _l("Shortlist")), ("offer", _l("Offer"))],
        validators=[InputRequired()],
    )
    student_ids = SelectMultipleField(coerce=int, validate_choice=False)


class PutForwardPairsForm(FlaskForm):
    """Put ticked students forward for the openings ticked beside them; each pair is `student id:opening id`."""

    pairs = SelectMultipleField(validate_choice=False)

    def pair_ids(self) -> list[tuple[int, int]]:
        result = []
        for value in self.pairs.data or []:
            student, _, opening = value.partition(":")
            if _id(student) is not None and _id(opening) is not None:
                result.append((_id(student), _id(opening)))
        return result
