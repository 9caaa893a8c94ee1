"""Front-end packages installed by npm into node_modules/ and served by Flask, so that no page depends on a CDN."""

import json
from functools import cache

from flask import Blueprint, abort, current_app, send_from_directory

from marketplace import ROOT

bp = Blueprint("assets", __name__, url_prefix="/assets")

ECHARTS_DIR = ROOT / "node_modules" / "echarts"
ECHARTS_FILE = "echarts.min.js"
# Pages ask for the file with `?v=<version>` (see `echarts_version`), so an upgrade changes the URL and a year of
# browser caching never serves a stale copy.
ONE_YEAR = 365 * 24 * 3600


@cache
def _installed_echarts_version() -> str | None:
    try:
        return json.loads((ECHARTS_DIR / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return None


@bp.app_context_processor
def echarts_version():
    return {"echarts_version": _installed_echarts_version()}


@bp.get("/echarts.min.js")
def echarts():
    dist = ECHARTS_DIR / "dist"
    if not (dist / ECHARTS_FILE).is_file():
        current_app.logger.warning("%s is missing: run `make setup` to install the npm packages", dist / ECHARTS_FILE)
        abort(404)
    return send_from_directory(dist, ECHARTS_FILE, max_age=ONE_YEAR, mimetype="text/javascript")
