"""Warnings pages: the school's own students' internships, and an alliance's member schools' for its secretariat.

The secretariat holds no reason to know the students: it reads their family name only, and the school's name; the
placement's own page is the school's and the enterprise's, so the secretariat gets no link to it."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from marketplace.alliances.models import Alliance
from marketplace.permissions import is_secretariat, load_or_404, school_required
from marketplace.privacy import mask_name
from marketplace.risks import queries
from marketplace.timeutil import local_today

bp = Blueprint("risks", __name__)


def _rows(found):
    placements = queries.placements_for(found)
    return [(r, placements[r.placement_id]) for r in found]


@bp.get("/risks")
@school_required
def school_risks():
    found = queries.of_school(current_user.organization_id, local_today())
    return render_template("risks/list.html", rows=_rows(found), alliance=None, name=lambda s: s.name)


@bp.get("/alliances/<int:alliance_id>/risks")
@login_required
def alliance_risks(alliance_id: int):
    alliance = load_or_404(Alliance, alliance_id, is_secretariat)
    today = local_today()
    found = queries.of_schools(queries.member_schools(alliance.id, today), today)
    return render_template("risks/list.html", rows=_rows(found), alliance=alliance, name=lambda s: mask_name(s.name))
