"""Refuse malformed input before any view sees it: control characters never reach a form or the database.

PostgreSQL refuses a NUL byte in text (a 500 in every form before), and no field of the product has a use for the
other C0 controls. Tab, carriage return and line feed are ordinary text in form bodies and query values (a textarea,
a pasted address, a `next=` link the login page cleans up itself), so they pass there; a path has no use for any.
"""

import re

from flask import Flask, abort, request

from marketplace.converters import MAX_ID

CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
CONTROLS_BUT_WHITESPACE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _has_controls(pairs, pattern: re.Pattern) -> bool:
    return any(pattern.search(key) or pattern.search(value) for key, value in pairs)


def refuse_control_characters() -> None:
    """400 for a control character in the path, a query parameter, a form field or an uploaded file's name."""
    if CONTROLS.search(request.path):
        abort(400)
    if _has_controls(request.args.items(multi=True), CONTROLS_BUT_WHITESPACE):
        abort(400)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if _has_controls(request.form.items(multi=True), CONTROLS_BUT_WHITESPACE):
        abort(400)
    names = ((key, upload.filename or "") for key, upload in request.files.items(multi=True))
    if _has_controls(names, CONTROLS):
        abort(400)


def db_int(value: str) -> int:
    """A `type=` for `request.args.get`: a number an INTEGER column holds, else ValueError (so the default is used).

    `type=int` lets `?major=2147483648` through to the query, where PostgreSQL refuses it (a 400 from the error
    handler at best); with this the filter is simply not applied.
    """
    number = int(value)
    if not -MAX_ID - 1 <= number <= MAX_ID:
        raise ValueError(f"{value!r} is outside the database's integer range")
    return number


def register(app: Flask) -> None:
    app.before_request(refuse_control_characters)
