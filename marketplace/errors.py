"""Friendly error pages (400/403/404/405/429/500) in the user's language, and the net under malformed input."""

from flask import Flask, current_app, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DataError

from marketplace import input_guard
from marketplace.extensions import db

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Not allowed"), _l("Your account may not do this.")),
    404: (_l("Not found"), _l("The page does not exist, or you may not see it.")),
    405: (_l("Method not allowed"), _l("This address does not accept that kind of request.")),
    429: (_l("Too many attempts"), _l("Please wait a minute and try again.")),
    500: (_l("Something went wrong"), _l("The error has been logged. Please try again later.")),
}


def _page(code: int):
    title, message = MESSAGES[code]
    return render_template("errors/error.html", code=code, title=title, message=message), code


def _handler(code: int):
    def handle(error):
        if code == 500:
            db.session.rollback()
        return _page(code)

    return handle


def out_of_range(error):
    """A value the database cannot hold (a number past its integer range, a NUL byte in text) is the client's
    malformed input, not our failure: 400, not a traceback. Logged, since it also shows a check a form is missing."""
    db.session.rollback()
    current_app.logger.warning("Refused input the database could not hold: %s", type(error).__name__)
    return _page(400)


def register(app: Flask) -> None:
    for code in MESSAGES:
        app.register_error_handler(code, _handler(code))
    # DataError: PostgreSQL's "integer/bigint out of range", "invalid byte sequence"; OverflowError: the sqlite3
    # driver refusing a Python int past 2^63 (a huge ?page= becomes such an OFFSET).
    app.register_error_handler(DataError, out_of_range)
    app.register_error_handler(OverflowError, out_of_range)
    input_guard.register(app)
