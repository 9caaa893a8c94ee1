"""Translated labels for this feature's enum values: (member, lazy text) pairs, merged by marketplace.i18n."""

from flask_babel import lazy_gettext as _l

from marketplace.reporting.models import ReportKind

LABELS: list = [
    (ReportKind.NEWS, _l("News")),
    (ReportKind.RESULTS, _l("Results")),
    (ReportKind.DATA, _l("Data")),
]
