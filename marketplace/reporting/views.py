"""Information reports (信息报送) and the annual assessment (年度考核). Built in issue 6."""

from flask import Blueprint

bp = Blueprint("reporting", __name__)
