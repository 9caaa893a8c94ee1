"""Friendly error pages (403/404/429/500) in the user's language."""

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l

from marketplace.extensions import db

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Not allowed"), _l("Your account may not do this.")),
    404: (_l("Not found"), _l("The page does not exist, or you may not see it.")),
    405: (_l("Method not allowed"), _l("This address does not accept that kind of request.")),
    429: (_l("Too many attempts"), _l("Please wait a minute and try again.")),
    500: (_l("Something went wrong"), _l("The error has been logged. Please try again later.")),
}


def _handler(code: int):
    def handle(error):
        if code == 500:
            db.session.rollback()
        title, message = MESSAGES[code]
        return render_template("errors/error.html", code=code, title=title, message=message), code

    return handle


def register(app: Flask) -> None:
    for code in MESSAGES:
        app.register_error_handler(code, _handler(code))
