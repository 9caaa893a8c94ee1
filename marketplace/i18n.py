"""Locale choice (简体中文 first, English second) and translated labels for enum values."""

from flask import Flask, current_app, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from marketplace.alliances.models import MembershipStatus, Tier
from marketplace.auth.models import Role
from marketplace.orgs.models import OrgKind, SchoolLevel
from marketplace.reference.models import MajorLevel

LABELS = {
    OrgKind.SCHOOL: _l("School"),
    OrgKind.ENTERPRISE: _l("Enterprise"),
    OrgKind.ASSOCIATION: _l("Industry association"),
    OrgKind.INSTITUTE: _l("Research institute"),
    SchoolLevel.JIGONG: _l("Technical school"),
    SchoolLevel.ZHONGZHI: _l("Secondary vocational school"),
    SchoolLevel.GAOZHI: _l("Higher vocational college"),
    SchoolLevel.BENKE: _l("Undergraduate institution"),
    MajorLevel.JIGONG: _l("Technical school"),
    MajorLevel.ZHONGZHI: _l("Secondary vocational"),
    MajorLevel.GAOZHI: _l("Higher vocational"),
    Tier.CHAIR: _l("Chair unit"),
    Tier.VICE_CHAIR: _l("Vice-chair unit"),
    Tier.STANDING: _l("Standing director unit"),
    Tier.DIRECTOR: _l("Director unit"),
    Tier.MEMBER: _l("Member unit"),
    MembershipStatus.APPLIED: _l("Applied"),
    MembershipStatus.UNDER_REVIEW: _l("Under review"),
    MembershipStatus.ACTIVE: _l("Active"),
    MembershipStatus.WITHDRAWAL_REQUESTED: _l("Withdrawal requested"),
    MembershipStatus.WITHDRAWN: _l("Withdrawn"),
    MembershipStatus.LAPSED: _l("Lapsed"),
    MembershipStatus.EXPELLED: _l("Expelled"),
    MembershipStatus.REJECTED: _l("Rejected"),
    Role.ORG_ADMIN: _l("Organisation admin"),
    Role.ORG_STAFF: _l("Organisation staff"),
    Role.SECRETARIAT: _l("Alliance secretariat"),
    Role.PLATFORM_ADMIN: _l("Platform admin"),
}


def label(value) -> str:
    """The translated label of an enum member (the raw value if none is defined)."""
    if value is None:
        return ""
    return str(LABELS.get(value, getattr(value, "value", value)))


def choices(enum_cls, members=None) -> list[tuple[str, object]]:
    return [(m.value, LABELS[m]) for m in (members or enum_cls)]


def select_locale() -> str:
    supported = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in supported:
        return chosen
    # Werkzeug falls back from zh-CN to zh; the catalogue lives in `zh`, never `zh_CN` (Babel reads that as zh_Hans_CN).
    return request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(label=label, get_locale=get_locale)
    app.jinja_env.filters["label"] = label
