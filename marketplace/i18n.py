"""Locale choice (简体中文 first, English second) and translated labels for enum values."""

from flask import current_app, has_request_context, request, session

# Each feature registers the labels of its enums beside their definitions (register_labels in its models).
# Keyed by (class, value): StrEnum members of different enums with the same value are equal and hash alike.
_BY_KEY: dict[tuple[type, object], object] = {}


def register_labels(*pairs) -> None:
    """Record the translated (lazy) label of each enum member: `register_labels((Kind.A, _l("A")), ...)`."""
    for member, text in pairs:
        _BY_KEY[(type(member), member.value)] = text


def label(value) -> str:
    """The translated label of an enum member (the raw value if none is defined)."""
    if value is None:
        return ""
    # Enum members of different classes may share a value ("accepted"): look up by (class, value).
    return str(_BY_KEY.get((type(value), getattr(value, "value", value)), getattr(value, "value", value)))


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
