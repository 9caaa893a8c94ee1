"""Teacher enterprise practice: teachers, requests, practice bases, records."""

from flask import Blueprint

bp = Blueprint("practice", __name__, url_prefix="/practice")
