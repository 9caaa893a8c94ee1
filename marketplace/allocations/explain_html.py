"""An explanation as bars: each feature's points (weight × value) as a segment of the fit, with its reason on hover,
and a legend beneath. Drawn in Python, not in a template macro: a ranking page draws fifty of them, and the macro
was a tenth of the page's time (`Markup.format` costs as much again: the words are escaped once per language, and
the rest are numbers and the fixed colour names). The same explanation in the same language draws the same bars,
so they are kept, a few thousand per process: a page viewed again draws none anew."""

from functools import lru_cache

from flask_babel import get_locale
from markupsafe import Markup, escape

from marketplace.allocations import labels
from matching.features import Explanation


def words() -> tuple[dict[str, str], dict[str, str]]:
    """The features' and reasons' words in the request's language."""
    return _words(str(get_locale()))


@lru_cache(maxsize=8)
def _words(locale: str) -> tuple[dict[str, str], dict[str, str]]:
    """Translated once per language (`locale` is the request's, so the lazy strings speak it)."""
    return ({k: str(v) for k, v in labels.FEATURES.items()},
            {k: str(v) for k, v in labels.REASONS.items()})  # fmt: skip


@lru_cache(maxsize=8)
def _escaped(locale: str) -> tuple[dict[str, Markup], dict[str, Markup], Markup]:
    features, reasons = _words(locale)
    return ({k: escape(v) for k, v in features.items()},
            {k: escape(v) for k, v in reasons.items()}, escape(str(labels.FIT_BY_FEATURE)))  # fmt: skip


def bars(explanation: Explanation) -> Markup:
    return _bars(explanation, str(get_locale()))


@lru_cache(maxsize=4_096)
def _bars(explanation: Explanation, locale: str) -> Markup:
    features, reasons, aria = _escaped(locale)
    segments, legend = [], []
    for c in explanation.contributions:
        colour, name = labels.COLOURS[c.feature], features[c.feature]
        reason = reasons.get(c.reason) or escape(c.reason)
        if c.points > 0:
            segments.append(f'<div class="progress-bar bg-{colour}" style="width: {c.points * 100:.1f}%" '
                            f'title="{name}：{reason}（{c.value:.2f} × {c.weight:.2f}）"></div>')  # fmt: skip
        legend.append(f'<span class="me-2"><span class="badge bg-{colour}">&nbsp;</span> {name} {c.points:.2f} · '
                      f"{reason}</span>")  # fmt: skip
    html = (f'<div class="progress" style="height: 1.1rem; min-width: 12rem" role="img" aria-label="{aria}">'
            f'{"".join(segments)}</div><div class="small text-muted mt-1">{"".join(legend)}</div>')  # fmt: skip
    return Markup(html)  # noqa: S704  (every word is escaped above; the rest are numbers and fixed colour names)
