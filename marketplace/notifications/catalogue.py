"""Every kind of notification, defined once: its English msgid (translated when read) and the page it links to.

A row stores the kind's name, its parameters and the link's url_for values; the text is rendered when a reader
looks, in the reader's language. Parameters named in `labels` are enum values shown through their labels, so no
raw status code reaches the page.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from flask import current_app, has_request_context, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError

from marketplace.i18n import label
from marketplace.notifications.models import LEGACY, Notification
from marketplace.pipeline.models import NominationStatus
from marketplace.plans import rules
from marketplace.risks.kinds import RiskKind

_PARAM = re.compile(r"%\((\w+)\)[sd]")


@dataclass(frozen=True)
class Kind:
    """One kind of notification: `text` is a lazy msgid with %(name)s parameters; `endpoint` the page it opens."""

    name: str
    text: object
    endpoint: str | None = None
    labels: Mapping[str, Callable[[str], object]] = field(default_factory=dict)

    @property
    def params(self) -> frozenset[str]:
        msgid = self.text._args[0] if hasattr(self.text, "_args") else self.text  # the English of a lazy string
        return frozenset(_PARAM.findall(msgid))


KINDS: dict[str, Kind] = {}


def _kind(name: str, text, endpoint: str | None = None, **labels) -> Kind:
    if name in KINDS:
        raise ValueError(f"notification kind {name!r} defined twice")
    KINDS[name] = kind = Kind(name, text, endpoint, labels)
    return kind


def _enum(enum_cls: type[Enum]) -> Callable[[str], object]:
    def show(value: str):
        try:
            return label(enum_cls(value))
        except ValueError:
            return value

    return show


# The two rules a secretariat may waive, in the words of the waiver form.
_RULES = {
    rules.ENTERPRISE_SHARE: _l("Interns ≤ one tenth of staff"),
    rules.POST_SHARE: _l("Interns ≤ one fifth of the post"),
}

TEXT = _kind(LEGACY, "%(message)s")  # ready-made text: rows from before kinds; its link is a stored path

# --- pipeline: nominations, offers, placements -----------------------------------------------------------------
NOMINATED = _kind("nominated", _l("Nomination: %(student)s → %(opening)s"), "pipeline.nomination")
INVITED = _kind("invited", _l("Invitation: %(student)s → %(opening)s"), "pipeline.nomination")
INVITATION_ACCEPTED = _kind(
    "invitation_accepted", _l("The school agreed to your invitation: %(student)s → %(opening)s"), "pipeline.nomination"
)
INVITATION_DECLINED = _kind(
    "invitation_declined", _l("The school declined your invitation of %(student)s to %(opening)s: %(reason)s"),
    "pipeline.nomination",
)  # fmt: skip
NOMINATION_MOVED = _kind(
    "nomination_moved", _l("%(student)s · %(opening)s: %(status)s"), "pipeline.nomination",
    status=_enum(NominationStatus),
)  # fmt: skip
OFFER_ACCEPTED = _kind("offer_accepted", _l("%(student)s accepted %(opening)s"), "pipeline.placement")
PLACEMENT_FEEDBACK = _kind(
    "placement_feedback", _l("Placement feedback on %(student)s has been submitted"), "pipeline.placement"
)
# --- students' own answers and requests (the school confirms or resolves) -------------------------------------
STUDENT_ACCEPTED_OFFER = _kind(
    "student_accepted_offer", _l("%(student)s says yes to the offer %(opening)s: record the acceptance"),
    "pipeline.nomination",
)  # fmt: skip
STUDENT_DECLINED_OFFER = _kind(
    "student_declined_offer", _l("%(student)s says no to the offer %(opening)s: record the decline"),
    "pipeline.nomination",
)  # fmt: skip
CORRECTION_REQUESTED = _kind(
    "correction_requested", _l("%(student)s asks for a correction of their records"), "students.school_home"
)
RISK_WARNING = _kind(
    "risk_warning",
    _l("Risk warning: %(student)s, %(opening)s — %(reason)s"),
    "internships.placement_law",
    reason=_enum(RiskKind),
)
RISKS_IN_ALLIANCE = _kind(
    "risks_in_alliance",
    _l("%(alliance)s: %(count)s new risk warnings in member schools' internships"),
    "risks.alliance_risks",
)
RULE_WAIVED = _kind(
    "rule_waived", _l("The secretariat recorded an exception for %(opening)s: %(rule)s"), "plans.opening",
    rule=lambda code: _RULES.get(code, code),
)  # fmt: skip
# A confirmed allocation run tells each side once, not once per seat; the link lists the organisation's own seats.
ALLOCATION_TO_SCHOOL = _kind(
    "allocation_to_school",
    _l("Alliance allocation #%(run)d (%(alliance)s): %(count)d of your students put forward"),
    "allocations.allocation",
)
ALLOCATION_TO_ENTERPRISE = _kind(
    "allocation_to_enterprise",
    _l("Alliance allocation #%(run)d (%(alliance)s): %(count)d candidates put forward to your openings"),
    "allocations.allocation",
)
# The secretariat's background run ended: ready for review, or failed with the reason on the job's page.
ALLOCATION_READY = _kind(
    "allocation_ready", _l("Allocation #%(run)d (%(alliance)s) is ready: review it, then confirm or discard."),
    "allocations.allocation",
)  # fmt: skip
ALLOCATION_FAILED = _kind("allocation_failed", _l("The allocation of %(alliance)s failed: see why."), "jobs.job")

# --- teacher practice ----------------------------------------------------------------------------------------
PRACTICE_REQUESTED = _kind(
    "practice_requested",
    _l("New teacher-practice request: %(teacher)s (%(specialty)s) of %(school)s, %(start)s – %(end)s."),
    "practice.request_detail",
)
PRACTICE_CANCELLED = _kind(
    "practice_cancelled",
    _l("%(school)s withdrew the teacher-practice request of %(teacher)s (%(start)s – %(end)s)."),
    "practice.request_detail",
)
PRACTICE_ACCEPTED = _kind(
    "practice_accepted",
    _l("%(enterprise)s accepted %(teacher)s for practice at %(base)s, %(start)s – %(end)s; mentor: %(mentor)s."),
    "practice.request_detail",
)
PRACTICE_DECLINED = _kind(
    "practice_declined",
    _l("%(enterprise)s declined the practice request of %(teacher)s: %(reason)s"),
    "practice.request_detail",
)
PRACTICE_COMPLETED = _kind(
    "practice_completed",
    _l("%(enterprise)s recorded %(days)d days of practice served by %(teacher)s at %(base)s."),
    "practice.request_detail",
)

# --- governance ----------------------------------------------------------------------------------------------
MOTION_ON_MEMBERSHIP = _kind(
    "motion_on_membership",
    _l("%(alliance)s: the council's agenda includes a motion on your organisation's membership: “%(motion)s”"),
    "alliances.membership",
)
MOTION_PASSED = _kind("motion_passed", _l("%(alliance)s: %(motion)s — passed (%(date)s)"), "alliances.membership")
MEMBERSHIP_LAPSED = _kind(
    "membership_lapsed",
    _l("%(alliance)s: no member duties performed for %(years)d years in a row; the membership is deemed withdrawn"),
    "alliances.membership",
)
ABSENCES_WARNING = _kind(
    "absences_warning",
    _l("%(alliance)s: %(absences)d unexcused absences from alliance activities this working year; "
       "removal will be proposed"),
    "alliances.membership",
)  # fmt: skip
ABSENCES_FLAGGED = _kind(
    "absences_flagged",
    _l("%(organization)s has %(absences)d unexcused absences this working year and may be removed"),
    "governance.dashboard",
)
TERM_ENDING = _kind("term_ending", _l("%(alliance)s: the term of %(person)s ends on %(date)s"), "governance.dashboard")

# --- reporting and assessment --------------------------------------------------------------------------------
REPORT_DUE = _kind(
    "report_due",
    _l("%(alliance)s: your organisation has sent the secretariat no information for %(days)d days "
       "(at least once every %(interval)d days is required); please report."),
    "submissions.submit",
)  # fmt: skip
ASSESSMENT_DUE = _kind(
    "assessment_due", _l("%(alliance)s: submit your %(year)d self-assessment by %(date)s."), "submissions.assessment"
)
ASSESSMENT_FAILED = _kind(
    "assessment_failed",
    _l("%(alliance)s: your organisation's %(year)d assessment result is “%(grade)s”; "
       "complete the rectification by %(date)s."),
    "submissions.assessment",
)  # fmt: skip

# --- pools ---------------------------------------------------------------------------------------------------
EXPERT_RENEWAL = _kind(
    "expert_renewal",
    _l("%(alliance)s: the appointment of expert %(expert)s (%(organization)s) ends on %(date)s; "
       "arrange the renewal in time"),
    "pools.expert",
)  # fmt: skip


def stored(value):
    """A parameter as JSON keeps it: enum members by value, dates in ISO form (the same in every language)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | str):
        return value
    return str(value)


def render_text(notification: Notification) -> str:
    """The notification's text in the current language; an unknown kind shows its name rather than failing."""
    kind = KINDS.get(notification.kind)
    params = dict(notification.params or {})
    if kind is None:
        return notification.kind
    values = {name: params.get(name, "") for name in kind.params}
    for name, show in kind.labels.items():
        values[name] = show(values[name])
    try:
        return str(kind.text) % values
    except (TypeError, ValueError):  # a translation or a row that no longer fits: show the words, not a 500
        return str(kind.text)


def render_url(notification: Notification) -> str | None:
    """The notification's link, built with url_for; None when it points nowhere that still exists."""
    endpoint, values = notification.endpoint, dict(notification.target or {})
    if endpoint is None and notification.kind == LEGACY:
        endpoint, values = _match(notification.params.get("link") or "")
    if endpoint is None:
        return None
    try:
        if has_request_context():
            return url_for(endpoint, **values)
        return current_app.url_map.bind("localhost").build(endpoint, values)
    except BuildError:
        return None


def _match(path: str) -> tuple[str | None, dict]:
    """A legacy link (a path written by hand) as the endpoint and values of a page of this site, if it is one."""
    if not path.startswith("/") or path.startswith("//"):
        return None, {}
    try:
        endpoint, values = current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return None, {}
    return endpoint, values
