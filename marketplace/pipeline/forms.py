"""Forms of the pipeline: nominate, decide, accept, close a placement, feedback, rule exceptions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from marketplace.choosing import ChoiceRequiredField
from marketplace.i18n import choices
from marketplace.pipeline.models import NominationStatus, PlacementStatus
from marketplace.plans import rules


class PutForwardForm(FlaskForm):
    """The student is checked by the view against who may be put forward, not against a list of choices."""

    student_id = IntegerField(_l("Student"), validators=[InputRequired()])
    submit = SubmitField(_l("Put forward"))


# The steps that end a nomination: each is its own button, and takes effect only once confirmed.
ENDING_STEPS = frozenset({NominationStatus.REJECTED, NominationStatus.DECLINED, NominationStatus.WITHDRAWN})


class MoveForm(FlaskForm):
    """One step on a nomination; the page shows each step as its own button, so none is pre-selected. `status`
    NOMINATED from an invitation is the school's agreement; WITHDRAWN from one is its refusal."""

    status = ChoiceRequiredField(
        _l("Next step"),
        choices=choices(
            NominationStatus,
            [NominationStatus.NOMINATED, NominationStatus.SHORTLISTED, NominationStatus.OFFERED,
             NominationStatus.REJECTED, NominationStatus.DECLINED, NominationStatus.WITHDRAWN],
        ),
    )  # fmt: skip
    reason = TextAreaField(_l("Reason"), validators=[Length(max=1000)])
    confirmed = HiddenField()
    submit = SubmitField(_l("Record"))

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed.data == "yes"


class AcceptForm(FlaskForm):
    start_date = DateField(_l("Start date"), validators=[InputRequired()])
    pay = IntegerField(_l("Agreed monthly pay (yuan)"), validators=[InputRequired(), NumberRange(0, 1_000_000)])
    submit = SubmitField(_l("Record the student's acceptance"))


class ClosePlacementForm(FlaskForm):
    status = ChoiceRequiredField(
        _l("Outcome"), choices=choices(PlacementStatus, [PlacementStatus.COMPLETED, PlacementStatus.LEFT_EARLY])
    )
    end_date = DateField(_l("End date"), validators=[InputRequired()])
    reason = TextAreaField(_l("Why the student left early"), validators=[Length(max=1000)])
    submit = SubmitField(_l("Close placement"))


class FeedbackForm(FlaskForm):
    text = TextAreaField(_l("Feedback"), validators=[InputRequired(), Length(min=4, max=2000)])
    submit = SubmitField(_l("Send feedback"))


class WaiverForm(FlaskForm):
    rule = SelectField(
        _l("Rule"),
        choices=[
            (rules.ENTERPRISE_SHARE, _l("Interns ≤ one tenth of staff")),
            (rules.POST_SHARE, _l("Interns ≤ one fifth of the post")),
        ],
    )
    alliance_id = SelectField(_l("On behalf of"), coerce=int)
    reason = TextAreaField(_l("Reason for the exception"), validators=[InputRequired(), Length(min=4, max=1000)])
    submit = SubmitField(_l("Record exception"))
