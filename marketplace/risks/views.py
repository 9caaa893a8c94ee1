"""Warnings pages: the school's own students' internships, and an alliance's member schools' for its secretariat.

The secretariat holds no reason to know the students: it reads their family name only, and the school's name; the
placement's own page is the school's and the enterprise's, so the secretariat gets no link to it.

Both list the newest first, PER_PAGE to a page, with the count of each kind above (each a filter: `?kind=`)."""

from collections import Counter

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from marketplace.alliances.models import Alliance
from marketplace.paging import ListPage
from marketplace.permissions import is_secretariat, load_or_404, school_required
from marketplace.privacy import mask_name
from marketplace.risks import queries
from marketplace.risks.kinds import RiskKind
from marketplace.timeutil import local_today

PER_PAGE = 50

bp = Blueprint("risks", __name__)


def _rows(found):
    placements = queries.placements_for(found)
    return [(r, placements[r.placement_id]) for r in found]


def _page(found: list, **context):
    """The page of the warnings `found` that the query asks for: one kind (an unknown kind: all) and a page."""
    counts = Counter(r.kind for r in found)
    kind = next((k for k in RiskKind if k.value == request.args.get("kind")), None)
    shown = [r for r in found if kind is None or r.kind is kind]
    page = ListPage(shown, request.args.get("page", 1, type=int), PER_PAGE)
    kinds = [(k, counts[k]) for k in RiskKind if counts[k]]
    return render_template("risks/list.html", rows=_rows(page.items), page=page, kinds=kinds, kind=kind,
                           total=len(found), **context)  # fmt: skip


@bp.get("/risks")
@school_required
def school_risks():
    found = queries.of_school(current_user.organization_id, local_today())
    return _page(found, alliance=None, name=lambda s: s.name)


@bp.get("/alliances/<int:alliance_id>/risks")
@login_required
def alliance_risks(alliance_id: int):
    alliance = load_or_404(Alliance, alliance_id, is_secretariat)
    today = local_today()
    found = queries.of_schools(queries.member_schools(alliance.id, today), today)
    return _page(found, alliance=alliance, name=lambda s: mask_name(s.name))
