"""Expert pool (专家库), teacher pool (教师库) and specialty collaboration groups (专业建设协作组). Built in issue 6."""

from flask import Blueprint

bp = Blueprint("pools", __name__)
