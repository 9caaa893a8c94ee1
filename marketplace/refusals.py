"""The one transaction and refusal boundary: domain rules refuse with `Refusal`; a view commits once through `commit`.

Services flush but never commit. A view runs its one service call through `commit(...)`: the request's work is
committed once, or, when a rule refuses, rolled back and the refusal is shown as a flash in the reader's language
(refusals carry lazy catalogue strings, rendered when shown).
"""

from collections.abc import Callable
from typing import TypeVar

from flask import flash

from marketplace.extensions import db

T = TypeVar("T")


class Refusal(ValueError):
    """A domain rule says no; the message is written for the user (a catalogue string)."""


def commit(action: Callable[[], T], done: str | None = None, *, field=None) -> T | bool | None:
    """Run one service call and commit it (confirming with `done`), or roll back and show the refusal: on the form
    `field` when given, else as a flash.

    Returns the call's result (True when it returns nothing), or None when refused."""
    try:
        result = action()
    except Refusal as exc:
        db.session.rollback()
        if field is not None:
            field.errors = [*field.errors, str(exc)]
        else:
            flash(str(exc), "danger")
        return None
    db.session.commit()
    if done:
        flash(done, "success")
    return True if result is None else result
