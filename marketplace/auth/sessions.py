"""Flask-Login's user loader: the session id carries a version so old cookies die on logout."""

from sqlalchemy.orm import joinedload

from marketplace.auth.models import User
from marketplace.extensions import db


def load_user(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id), options=[joinedload(User.organization)])  # every page asks its kind
    if user is None or user.session_version != int(version) or not user.active:
        return None
    return user
