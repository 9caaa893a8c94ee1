"""Translated labels for this feature's enum values, registered with marketplace.i18n when its models load."""

from flask_babel import lazy_gettext as _l

from marketplace.i18n import register_labels
from marketplace.submissions.models import ReportKind

register_labels(
    (ReportKind.NEWS, _l("News")),
    (ReportKind.RESULTS, _l("Results")),
    (ReportKind.DATA, _l("Data")),
)
