"""Enterprises' half-year hiring plans and openings; the openings list."""

from flask import Blueprint

bp = Blueprint("plans", __name__)
