"""Front-end packages come from npm and are served by Flask: no page loads a script or stylesheet from elsewhere."""

import logging
import re
from pathlib import Path

import pytest
from flask import render_template_string

from marketplace import assets

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"

# A <script> or <link> tag whose src/href leaves the site: http(s):// or protocol-relative //.
EXTERNAL_ASSET = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)

needs_echarts = pytest.mark.skipif(
    not (assets.ECHARTS_DIR / "dist" / assets.ECHARTS_FILE).is_file(),
    reason="node_modules/echarts is absent: run `make setup` (npm ci) to install the npm packages",
)


@needs_echarts
def test_echarts_is_served_from_node_modules(client):
    response = client.get("/assets/echarts.min.js")
    assert response.status_code == 200
    assert response.mimetype in {"text/javascript", "application/javascript"}
    assert response.cache_control.max_age == assets.ONE_YEAR
    assert b"Apache Software Foundation" in response.data[:400]
    assert len(response.data) > 500_000


@needs_echarts
def test_pages_can_ask_for_the_installed_version(app):
    with app.test_request_context():
        url = render_template_string("{{ url_for('assets.echarts', v=echarts_version) }}")
    assert re.fullmatch(r"/assets/echarts\.min\.js\?v=\d+\.\d+\.\d+", url)


def test_missing_echarts_is_a_404_with_a_hint(client, monkeypatch, tmp_path, caplog):
    monkeypatch.setattr(assets, "ECHARTS_DIR", tmp_path / "echarts")
    with caplog.at_level(logging.WARNING):
        assert client.get("/assets/echarts.min.js").status_code == 404
    assert "make setup" in caplog.text


@pytest.mark.parametrize(
    ("tag", "external"),
    [
        ('<script src="https://cdn.jsdelivr.net/npm/echarts"></script>', True),
        ("<link rel='stylesheet' href='http://example.com/a.css'>", True),
        ('<script src="//unpkg.com/echarts"></script>', True),
        ("<script src=\"{{ url_for('assets.echarts') }}\"></script>", False),
        ('<a href="https://www.gov.cn/">gov.cn</a>', False),
    ],
)
def test_external_asset_pattern(tag, external):
    assert bool(EXTERNAL_ASSET.search(tag)) is external


def test_no_template_loads_scripts_or_stylesheets_from_another_site():
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for match in EXTERNAL_ASSET.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
