"""Schools' cohorts: students, Excel/CSV import, consent, exports."""

from flask import Blueprint

bp = Blueprint("cohorts", __name__, url_prefix="/cohorts")
