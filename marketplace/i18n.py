"""Locale choice (简体中文 first, English second) and translated labels for enum values."""

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from marketplace.alliances.models import MembershipStatus, Tier
from marketplace.allocations.models import RunStatus
from marketplace.auth.models import Role
from marketplace.cohorts.models import Gender
from marketplace.governance.labels import LABELS as GOVERNANCE_LABELS
from marketplace.orgs.models import OrgKind, SchoolLevel
from marketplace.pipeline.models import NominationStatus, PlacementStatus
from marketplace.plans.models import OpeningKind, PlanStatus, ShiftPattern
from marketplace.pools.labels import LABELS as POOLS_LABELS
from marketplace.practice.models import PracticeStatus
from marketplace.reference.models import MajorLevel
from marketplace.reporting.labels import LABELS as REPORTING_LABELS

# Pairs, not a dict: StrEnum members of different enums with the same value are equal and hash alike.
LABELS = [
    (OrgKind.SCHOOL, _l("School")),
    (OrgKind.ENTERPRISE, _l("Enterprise")),
    (OrgKind.ASSOCIATION, _l("Industry association")),
    (OrgKind.INSTITUTE, _l("Research institute")),
    (SchoolLevel.JIGONG, _l("Technical school")),
    (SchoolLevel.ZHONGZHI, _l("Secondary vocational school")),
    (SchoolLevel.GAOZHI, _l("Higher vocational college")),
    (SchoolLevel.BENKE, _l("Undergraduate institution")),
    (MajorLevel.JIGONG, _l("Technical school")),
    (MajorLevel.ZHONGZHI, _l("Secondary vocational")),
    (MajorLevel.GAOZHI, _l("Higher vocational")),
    (Tier.CHAIR, _l("Chair unit")),
    (Tier.VICE_CHAIR, _l("Vice-chair unit")),
    (Tier.STANDING, _l("Standing director unit")),
    (Tier.DIRECTOR, _l("Director unit")),
    (Tier.MEMBER, _l("Member unit")),
    (MembershipStatus.APPLIED, _l("Applied")),
    (MembershipStatus.UNDER_REVIEW, _l("Under review")),
    (MembershipStatus.ACTIVE, _l("Active")),
    (MembershipStatus.WITHDRAWAL_REQUESTED, _l("Withdrawal requested")),
    (MembershipStatus.WITHDRAWN, _l("Withdrawn")),
    (MembershipStatus.LAPSED, _l("Lapsed")),
    (MembershipStatus.EXPELLED, _l("Expelled")),
    (MembershipStatus.REJECTED, _l("Rejected")),
    (Role.ORG_ADMIN, _l("Organisation admin")),
    (Role.ORG_STAFF, _l("Organisation staff")),
    (Role.SECRETARIAT, _l("Alliance secretariat")),
    (Role.PLATFORM_ADMIN, _l("Platform admin")),
    (OpeningKind.EMPLOYMENT, _l("Employment")),
    (OpeningKind.POST_INTERNSHIP, _l("Post internship")),
    (OpeningKind.COGNITIVE_INTERNSHIP, _l("Cognitive internship")),
    (OpeningKind.WORK_STUDY, _l("Work-study alternation")),
    (OpeningKind.ORDER_CLASS, _l("Order / named class")),
    (OpeningKind.APPRENTICESHIP, _l("Modern apprenticeship")),
    (ShiftPattern.DAY, _l("Day shift")),
    (ShiftPattern.TWO_SHIFTS, _l("Two shifts, no nights")),
    (ShiftPattern.NIGHT, _l("Includes night shifts")),
    (ShiftPattern.FLEXIBLE, _l("Flexible hours")),
    (PlanStatus.DRAFT, _l("Draft")),
    (PlanStatus.PUBLISHED, _l("Published")),
    (Gender.MALE, _l("Male")),
    (Gender.FEMALE, _l("Female")),
    (NominationStatus.NOMINATED, _l("Nominated")),
    (NominationStatus.INVITED, _l("Invited")),
    (NominationStatus.SHORTLISTED, _l("Shortlisted")),
    (NominationStatus.REJECTED, _l("Not selected")),
    (NominationStatus.OFFERED, _l("Offered")),
    (NominationStatus.ACCEPTED, _l("Accepted")),
    (NominationStatus.DECLINED, _l("Declined")),
    (NominationStatus.WITHDRAWN, _l("Withdrawn by school")),
    (PlacementStatus.ONGOING, _l("Ongoing")),
    (PlacementStatus.COMPLETED, _l("Completed")),
    (PlacementStatus.LEFT_EARLY, _l("Left early")),
    (PracticeStatus.REQUESTED, _l("Requested")),
    (PracticeStatus.ACCEPTED, _l("Accepted")),
    (PracticeStatus.DECLINED, _l("Declined")),
    (PracticeStatus.COMPLETED, _l("Completed")),
    (PracticeStatus.CANCELLED, _l("Cancelled")),
    (RunStatus.PROPOSED, _l("Proposed")),
    (RunStatus.CONFIRMED, _l("Confirmed")),
    (RunStatus.DISCARDED, _l("Discarded")),
]


def label(value) -> str:
    """The translated label of an enum member (the raw value if none is defined)."""
    if value is None:
        return ""
    # Enum members of different classes may share a value ("accepted"): look up by (class, value).
    return str(_BY_KEY.get((type(value), getattr(value, "value", value)), getattr(value, "value", value)))


_BY_KEY = {
    (type(member), member.value): text
    for member, text in [*LABELS, *GOVERNANCE_LABELS, *REPORTING_LABELS, *POOLS_LABELS]
}


def choices(enum_cls, members=None) -> list[tuple[str, object]]:
    return [(m.value, _BY_KEY[(enum_cls, m.value)]) for m in (members or enum_cls)]


def select_locale() -> str:
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and background work speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in supported:
        return chosen
    # Werkzeug falls back from zh-CN to zh; the catalogue lives in `zh`, never `zh_CN` (Babel reads that as zh_Hans_CN).
    return request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]


def register_template_helpers(app: Flask) -> None:
    from marketplace.certificates import LEVEL_NAMES
    from marketplace.governance.labels import describe_rule
    from marketplace.plans.models import OpeningKind

    app.jinja_env.globals.update(
        describe_rule=describe_rule,
        label_tier=lambda value: label(Tier(value)),
        label=label,
        get_locale=get_locale,
        cert_level=LEVEL_NAMES.get,
        kind_choices=choices(OpeningKind),
    )
    app.jinja_env.filters["label"] = label
