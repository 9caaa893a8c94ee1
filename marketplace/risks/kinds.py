"""The kinds of risk warning (实习风险预警) and their reasons, as labels: a notification stores the kind's value and
the reader sees its label in their language."""

import enum

from flask_babel import lazy_gettext as _l

from marketplace.i18n import register_labels


class RiskKind(enum.StrEnum):
    AGREEMENT = "agreement"  # the start is near and the agreement is not signed by all three
    INSURANCE = "insurance"  # the start is near and no policy covers the period
    JOURNALS = "journals"  # no weekly journal for two weeks
    ABSENCES = "absences"  # a month's absent days above the threshold
    PAY_LATE = "pay_late"  # a month paid after the end of the next month (art. 18)
    PAY_SHORT = "pay_short"  # a month paid below 80% of the post's wage (art. 18)
    PAY_UNPAID = "pay_unpaid"  # a month unpaid after the end of the next month (art. 18)
    MINOR_FLAGGED = "minor_flagged"  # a student under 18 in a post flagged as forbidden to minors (art. 16(3))
    UNGRADED = "ungraded"  # the internship ended without a final grade


register_labels(
    (RiskKind.AGREEMENT, _l("The start is near and the tripartite agreement is not signed by all three parties")),
    (RiskKind.INSURANCE, _l("The start is near and no liability insurance covers the whole period")),
    (RiskKind.JOURNALS, _l("No weekly journal for two weeks or more")),
    (RiskKind.ABSENCES, _l("Absent days in a month above the threshold")),
    (RiskKind.PAY_LATE, _l("A month's pay was paid late (art. 18)")),
    (RiskKind.PAY_SHORT, _l("A month's pay was below four fifths of the post's wage (art. 18)")),
    (RiskKind.PAY_UNPAID, _l("A month's pay is overdue (art. 18)")),
    (RiskKind.MINOR_FLAGGED, _l("A student under 18 in a post forbidden to minors (art. 16(3))")),
    (RiskKind.UNGRADED, _l("The internship ended without a final grade")),
)
