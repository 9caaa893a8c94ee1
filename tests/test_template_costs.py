"""Template constructs that cost per row: an inline `x if cond` with no `else` yields an Undefined when false, which
Jinja builds with a formatted message and markupsafe then probes for `__html__` through a raised AttributeError.
On the candidates page's 300 filter options that was a quarter of the page's time."""

from pathlib import Path

from jinja2 import nodes

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def inline_ifs_without_else(app, source: str) -> list[int]:
    tree = app.jinja_env.parse(source)
    return [node.lineno for node in tree.find_all(nodes.CondExpr) if node.expr2 is None]


def test_the_check_finds_an_inline_if_without_else(app):
    assert inline_ifs_without_else(app, "<option {{ 'selected' if chosen }}>\n{{ 'a' if b else '' }}") == [1]


def test_no_template_has_an_inline_if_without_else(app):
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{line}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for line in inline_ifs_without_else(app, path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
