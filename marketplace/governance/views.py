"""Meetings, motions and votes, admission and exit, officers and terms: the secretariat's governance pages."""

from flask import Blueprint

bp = Blueprint("governance", __name__)
