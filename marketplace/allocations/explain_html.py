"""An explanation as bars: each feature's points (weight × value) as a segment of the fit, with its reason on hover,
and a legend beneath. Drawn in Python, not in a template macro: a ranking page draws fifty of them, and the macro
was a tenth of the page's time (`Markup.format` costs as much again: the words are escaped once per request, and
the rest are numbers and the fixed colour names)."""

from flask import g
from markupsafe import Markup, escape

from marketplace.allocations import labels
from matching.features import Explanation


def words() -> tuple[dict[str, str], dict[str, str]]:
    """The features' and reasons' words in the request's language, translated once per request."""
    if "explanation_words" not in g:
        g.explanation_words = ({k: str(v) for k, v in labels.FEATURES.items()},
                               {k: str(v) for k, v in labels.REASONS.items()})  # fmt: skip
    return g.explanation_words


def _escaped() -> tuple[dict[str, Markup], dict[str, Markup]]:
    if "explanation_html" not in g:
        features, reasons = words()
        g.explanation_html = ({k: escape(v) for k, v in features.items()},
                              {k: escape(v) for k, v in reasons.items()}, escape(labels.FIT_BY_FEATURE))  # fmt: skip
    return g.explanation_html


def bars(explanation: Explanation) -> Markup:
    features, reasons, aria = _escaped()
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
