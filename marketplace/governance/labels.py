"""Translated labels for this feature's enum values, registered with marketplace.i18n when its models load."""

from flask_babel import lazy_gettext as _l

from marketplace.governance.models import AttendanceStatus, Body, MotionKind, MotionStatus, Office
from marketplace.i18n import register_labels

register_labels(
    (Body.COUNCIL, _l("Council")),
    (Body.STANDING, _l("Standing council")),
    (Body.ASSEMBLY, _l("General assembly")),
    (Body.ACTIVITY, _l("Alliance activity")),
    (AttendanceStatus.PRESENT, _l("Present")),
    (AttendanceStatus.EXCUSED, _l("Excused")),
    (AttendanceStatus.ABSENT, _l("Absent without excuse")),
    (MotionKind.ADMIT, _l("Admit a member")),
    (MotionKind.APPROVE_WITHDRAWAL, _l("Approve a withdrawal")),
    (MotionKind.EXPEL, _l("Expel a member")),
    (MotionKind.REMOVE, _l("End a membership after failed assessments")),
    (MotionKind.AMEND_CHARTER, _l("Amend the charter")),
    (MotionKind.ANNUAL_PLAN, _l("Adopt the annual work plan")),
    (MotionKind.OTHER, _l("Other business")),
    (MotionStatus.PENDING, _l("On the agenda")),
    (MotionStatus.PASSED, _l("Passed")),
    (MotionStatus.FAILED, _l("Not passed")),
    (MotionStatus.NO_QUORUM, _l("No quorum")),
    (Office.CHAIR, _l("Chair")),
    (Office.EXEC_VICE_CHAIR, _l("Executive vice-chair")),
    (Office.VICE_CHAIR, _l("Vice-chair")),
    (Office.SECRETARY_GENERAL, _l("Secretary-general")),
    (Office.DEPUTY_SECRETARY_GENERAL, _l("Deputy secretary-general")),
)


def describe_rule(rule) -> str:
    """'more than 2/3 of all directors', in the reader's language."""
    from flask_babel import gettext as _

    from marketplace.governance.rules import VoteRule

    if isinstance(rule, str):
        rule = VoteRule.parse(rule)
    share = f"{rule.share.numerator}/{rule.share.denominator}"
    if rule.base == "council":
        return (
            _("more than %(share)s of all directors", share=share)
            if rule.strict
            else _("at least %(share)s of all directors", share=share)
        )
    return (
        _("more than %(share)s of those present", share=share)
        if rule.strict
        else _("at least %(share)s of those present", share=share)
    )
