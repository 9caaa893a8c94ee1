"""The one place access is decided: load a record, check the user may see it, or answer 404/403."""

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort
from flask_login import current_user, login_required

from marketplace.extensions import db

T = TypeVar("T")


def load_or_404(model: type[T], object_id: int, check: Callable[[T, object], bool] | None = None) -> T:
    """Load `model` by id; a record the user may not see is answered as missing (404), not forbidden."""
    obj = db.session.get(model, object_id)
    if obj is None or (check is not None and not check(obj, current_user)):
        abort(404)
    return obj


def org_admin_required(view):
    """Only an admin of the user's own organisation (or a platform admin) may use this view."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_org_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def platform_admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_platform_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
