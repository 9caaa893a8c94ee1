"""The one transaction and refusal boundary: domain rules refuse with `Refusal`; a view commits once through `commit`.

Services flush but never commit. A view runs its one service call through `commit(...)`: the request's work is
committed once, or, when a rule refuses, rolled back and the refusal is shown as a flash in the reader's language
(refusals carry lazy catalogue strings, rendered when shown).
"""

from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from flask import flash

from marketplace.extensions import db

T = TypeVar("T")


class Refusal(ValueError):
    """A domain rule says no; the message is written for the user (a catalogue string)."""


def commit(action: Callable[[], T], done: str | None = None, *, field=None, conflict: str | None = None):
    """Run one service call and commit it (confirming with `done`), or roll back and show the refusal: on the form
    `field` when given, else as a flash. `conflict` is the words for a database constraint that refuses at commit
    (a race the service's checks could not see); without it such an error is the server's (500).

    Returns the call's result (True when it returns nothing), or None when refused."""
    try:
        result = action()
        db.session.commit()
    except Refusal as exc:
        db.session.rollback()
        _show(str(exc), field)
        return None
    except sa.exc.IntegrityError:
        if conflict is None:
            raise
        db.session.rollback()
        _show(conflict, field)
        return None
    if done:
        flash(done, "success")
    return True if result is None else result


def _show(message: str, field) -> None:
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        flash(message, "danger")
