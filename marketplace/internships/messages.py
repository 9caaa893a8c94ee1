"""What each missing gate says, with the regulation it comes from."""

from flask_babel import gettext as _

from marketplace.internships.gates import ARTICLES, Gate, Missing
from marketplace.plans.messages import breach_message


def gate_message(missing: Missing) -> str:
    gate = missing.gate
    if gate is Gate.PROHIBITION:
        return breach_message(missing.breach)
    text = {
        Gate.AGREEMENT: _("No tripartite agreement has been drawn up."),
        Gate.SCHOOL_SIGNATURE: _("The school has not signed the agreement."),
        Gate.ENTERPRISE_SIGNATURE: _("The enterprise has not signed the agreement."),
        Gate.STUDENT_SIGNATURE: _("The student (or guardian) has not signed the agreement."),
        Gate.NO_FEES: _("The enterprise has not confirmed that it takes no fees or deposits and keeps no papers."),
        Gate.GUARDIAN_CONSENT: _("The student is under 18 on the start date: the guardian's consent is missing."),
        Gate.INSURANCE: _("No liability insurance paid by the school or the enterprise covers the whole period."),
    }[gate]
    return f"{text} {_('(Internship rules 2021, art. %(a)s)', a=ARTICLES[gate])}"


def describe(missing: list[Missing]) -> str:
    return " ".join([_("The placement cannot start yet:"), *(gate_message(m) for m in missing)])
