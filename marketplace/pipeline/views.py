"""Nominations, offers, placements, intern roster, notifications."""

from flask import Blueprint

bp = Blueprint("pipeline", __name__)
