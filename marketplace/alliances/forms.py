"""Forms for joining, deciding on and leaving alliances, and for a charter's parameters."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from marketplace.alliances.models import MembershipStatus, Tier
from marketplace.choosing import ChoiceRequiredField
from marketplace.governance.models import MotionKind
from marketplace.governance.rules import VoteRule
from marketplace.i18n import choices, label


def _pairs(text: str | None) -> list[tuple[str, str]]:
    """'key: value' lines (full-width colons too), blank lines skipped."""
    pairs = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        key, sep, value = line.replace("：", ":").partition(":")
        if not sep:
            raise ValueError(_l("Write each line as name: value."))
        pairs.append((key.strip(), value.strip()))
    return pairs


def _base_words() -> dict[str, str]:
    """The vote base as the reader writes it ('到会理事' in zh) → the rule's own word."""
    return {_("the directors present"): "present", _("all directors"): "council"}


def _names(enum_cls) -> dict[str, str]:
    """A member's label in the reader's language, or its stored value, → the stored value."""
    names = {m.value: m.value for m in enum_cls}
    names.update({str(label(m)): m.value for m in enum_cls})
    return names


def format_vote_rules(rules: dict | None) -> str:
    """Stored {'expel': '>= 2/3 present'} as the reader's lines: '开除会员: >= 2/3 到会理事'."""
    words = {canonical: shown for shown, canonical in _base_words().items()}
    lines = []
    for kind, rule in (rules or {}).items():
        op_share, _sep, base = str(rule).rpartition(" ")
        lines.append(f"{label(MotionKind(kind))}: {op_share} {words.get(base, base)}")
    return "\n".join(lines)


def format_tier_quotas(quotas: dict | None) -> str:
    return "\n".join(f"{label(Tier(tier))}: {number}" for tier, number in (quotas or {}).items())


class ApplyForm(FlaskForm):
    note = TextAreaField(
        _l("Why your organisation wants to join, and what it brings"),
        validators=[InputRequired(), Length(min=10, max=2000)],
    )
    submit = SubmitField(_l("Submit application"))


DECISIONS = [
    MembershipStatus.UNDER_REVIEW,
    MembershipStatus.ACTIVE,
    MembershipStatus.REJECTED,
    MembershipStatus.WITHDRAWN,
    MembershipStatus.LAPSED,
    MembershipStatus.EXPELLED,
]


class DecisionForm(FlaskForm):
    """The secretariat's decision on one membership: the view checks it against the lifecycle."""

    # No decision is pre-selected: the blank "— choose —" comes first, and the form refuses it.
    status = ChoiceRequiredField(_l("Decision"), choices=choices(MembershipStatus, DECISIONS))
    tier = SelectField(_l("Tier"), choices=choices(Tier), default=Tier.MEMBER.value)
    effective_on = DateField(_l("Takes effect on"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason (shown to the organisation)"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Record decision"))

    def validate_reason(self, field):
        needs_reason = {MembershipStatus.REJECTED.value, MembershipStatus.EXPELLED.value, MembershipStatus.LAPSED.value}
        if self.status.data in needs_reason and not (field.data or "").strip():
            raise ValidationError(_l("Give a reason for this decision."))


class WithdrawalForm(FlaskForm):
    reason = TextAreaField(_l("Reason for withdrawing"), validators=[InputRequired(), Length(min=4, max=2000)])
    submit = SubmitField(_l("Request withdrawal"))


class CharterForm(FlaskForm):
    """A platform admin sets an alliance's name and charter (章程) parameters."""

    name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=128)])
    short_name = StringField(_l("Short name"), validators=[InputRequired(), Length(max=32)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    secretariat_org_id = SelectField(_l("Secretariat organisation"), coerce=int)
    admission_vote_num = IntegerField(_l("Admission vote: numerator"), validators=[InputRequired(), NumberRange(1, 99)])
    admission_vote_den = IntegerField(
        _l("Admission vote: denominator"), validators=[InputRequired(), NumberRange(1, 99)]
    )
    admission_vote_strict = BooleanField(_l("The share must be exceeded (more than), not just reached"))
    quorum_num = IntegerField(_l("Quorum: numerator"), validators=[InputRequired(), NumberRange(1, 99)])
    quorum_den = IntegerField(_l("Quorum: denominator"), validators=[InputRequired(), NumberRange(1, 99)])
    withdrawal_notice_months = IntegerField(
        _l("Withdrawal notice (months)"), validators=[InputRequired(), NumberRange(0, 24)]
    )
    lapse_after_years = IntegerField(
        _l("Deemed withdrawn after N years without performing duties"), validators=[Optional(), NumberRange(1, 10)]
    )
    officer_term_years = IntegerField(_l("Officer term (years)"), validators=[InputRequired(), NumberRange(1, 10)])
    officer_term_limit = IntegerField(_l("Officer term limit"), validators=[Optional(), NumberRange(1, 10)])
    reporting_interval_days = IntegerField(
        _l("Reporting interval (days)"), validators=[Optional(), NumberRange(1, 366)]
    )
    assessment_grades = StringField(
        _l("Assessment grades, best first, separated by commas"), validators=[InputRequired(), Length(max=200)]
    )
    priority_tolerance = FloatField(
        _l("Priority tolerance (equal-conditions band on a 0–1 fit scale)"),
        validators=[InputRequired(), NumberRange(0, 1)],
    )
    # Matching floors (issue 13). NumberRange alone: an empty value is refused, a form posted without the field (a
    # page from before the fields existed) keeps the alliance's current value.
    min_remaining_days = IntegerField(
        _l("Minimum remaining period of an opening to be proposed (days)"), validators=[NumberRange(0, 366)]
    )
    fit_floor = FloatField(
        _l("Fit floor: below it a school sees “no suitable opening” (0–1)"), validators=[NumberRange(0, 1)]
    )
    # Governance (issue 6)
    admission_vote_base = SelectField(
        _l("Admission vote counts"),
        choices=[("present", _l("the directors present")), ("council", _l("all directors"))],
    )
    vote_rules = TextAreaField(
        _l("Other motions' thresholds, one per line (e.g. Expel a member: >= 2/3 the directors present)"),
        validators=[Optional(), Length(max=1000)],
    )
    admission_checklist = TextAreaField(
        _l("Qualification checklist, one condition per line"), validators=[InputRequired(), Length(max=2000)]
    )
    withdrawal_requires_vote = BooleanField(_l("Withdrawals are approved by the council"))
    certificate_prefix = StringField(
        _l("Membership certificate number prefix (empty: no certificates)"),
        validators=[Optional(), Length(max=16), Regexp(r"^[A-Z0-9]+$", message=_l("Capital letters and digits."))],
    )
    removal_after_failed_years = IntegerField(
        _l("Removal motion after N consecutive failed assessments"), validators=[Optional(), NumberRange(1, 10)]
    )
    absence_flag_count = IntegerField(
        _l("Flag for dismissal after N unexcused absences in a work year"), validators=[Optional(), NumberRange(1, 20)]
    )
    tier_quotas = TextAreaField(
        _l("Tier quotas, one per line as tier: number (e.g. Vice-chair unit: 2)"),
        validators=[Optional(), Length(max=500)],
    )
    standing_share_num = IntegerField(
        _l("Standing council share: numerator"), validators=[Optional(), NumberRange(1, 99)]
    )
    standing_share_den = IntegerField(
        _l("Standing council share: denominator"), validators=[Optional(), NumberRange(1, 99)]
    )
    term_warning_days = IntegerField(
        _l("Warn this many days before a term ends"), validators=[InputRequired(), NumberRange(0, 366)]
    )
    self_assessment_due = StringField(
        _l("Self-assessment due (MM-DD)"), validators=[InputRequired(), Regexp(r"^\d\d-\d\d$")]
    )
    assessment_review_due = StringField(
        _l("Assessment review due (MM-DD)"), validators=[InputRequired(), Regexp(r"^\d\d-\d\d$")]
    )
    rectification_days = IntegerField(
        _l("Rectification period (days)"), validators=[InputRequired(), NumberRange(1, 366)]
    )
    expert_term_years = IntegerField(_l("Expert appointment (years)"), validators=[InputRequired(), NumberRange(1, 10)])
    expert_max_age = IntegerField(_l("Experts' maximum age"), validators=[Optional(), NumberRange(18, 99)])
    expert_min_title = SelectField(
        _l("Experts' minimum professional title"),
        choices=[("", _l("No condition")), ("intermediate", _l("Intermediate")),
                 ("associate_senior", _l("Associate senior")), ("senior", _l("Senior"))],
    )  # fmt: skip
    submit = SubmitField(_l("Save"))

    def validate_admission_vote_den(self, field):
        if self.admission_vote_num.data and field.data and field.data < self.admission_vote_num.data:
            raise ValidationError(_l("The share cannot exceed one."))

    def validate_quorum_den(self, field):
        if self.quorum_num.data and field.data and field.data < self.quorum_num.data:
            raise ValidationError(_l("The share cannot exceed one."))

    def validate_vote_rules(self, field):
        try:
            self.parsed_vote_rules()
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    def parsed_vote_rules(self) -> dict[str, str]:
        rules = {}
        kinds, bases = _names(MotionKind), _base_words()
        for name, text in _pairs(self.vote_rules.data):
            kind = kinds.get(name)
            if kind is None or kind == MotionKind.ADMIT.value:
                raise ValueError(_l("Unknown motion kind: %(kind)s", kind=name))
            for shown, canonical in bases.items():
                text = text.replace(shown, canonical)
            rules[kind] = str(VoteRule.parse(text.replace("≥", ">=")))
        return rules

    def validate_tier_quotas(self, field):
        try:
            self.parsed_tier_quotas()
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    def parsed_tier_quotas(self) -> dict[str, int]:
        quotas = {}
        tiers = _names(Tier)
        for name, number in _pairs(self.tier_quotas.data):
            if name not in tiers or not number.isdigit():
                raise ValueError(_l("Write each quota as tier: number, with a tier among %(tiers)s.",
                                    tiers="、".join(str(label(t)) for t in Tier)))  # fmt: skip
            quotas[tiers[name]] = int(number)
        return quotas

    def checklist(self) -> list[str]:
        return [line.strip() for line in (self.admission_checklist.data or "").splitlines() if line.strip()]

    def validate_standing_share_den(self, field):
        num = self.standing_share_num.data
        if (num is None) != (field.data is None) or (num and field.data and field.data < num):
            raise ValidationError(_l("Give both parts of the share, at most one."))

    def grades(self) -> list[str]:
        return [g.strip() for g in self.assessment_grades.data.replace("，", ",").split(",") if g.strip()]

    def validate_assessment_grades(self, field):
        grades = self.grades()
        if len(grades) < 2 or len(set(grades)) != len(grades):
            raise ValidationError(_l("Give at least two distinct grades."))
