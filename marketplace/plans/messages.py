"""What each internship-rule breach says to the user."""

from flask_babel import gettext as _

from marketplace.plans import rules


def breach_message(breach: rules.Breach) -> str:
    d = breach.detail
    if breach.rule == rules.ENTERPRISE_SHARE:
        return _("Interns at one enterprise may generally not exceed 10%% of its staff (at most %(n)d).", n=d["limit"])
    if breach.rule == rules.POST_SHARE:
        return _(
            "Interns in one post may generally not exceed 20%% of the staff in that post (at most %(n)d).",
            n=d["limit"],
        )
    if breach.rule == rules.MIN_AGE:
        return _("Students under 16 may not do a post internship (this student turns 16 on %(d)s).", d=d["sixteen_on"])
    if breach.rule == rules.FIRST_YEAR:
        return _("First-year students may not do a post internship (possible from %(d)s).", d=d["from"])
    if breach.rule == rules.NIGHT_OR_OVERTIME:
        return _("Interns may not work night shifts or overtime.")
    if breach.rule == rules.RESTRICTED_VENUE:
        return _("Interns may not be placed in bars, KTV, internet cafés or similar venues.")
    if breach.rule == rules.PAID_AGENT:
        return _("Interns may not be placed through paid agents.")
    if breach.rule == rules.MIN_PAY and d.get("missing_wage"):
        return _("A post internship must state the same post's regular wage (the intern earns at least 80%% of it).")
    return _("Post-internship pay must be at least 80%% of the same post's wage (at least %(n)d yuan).", n=d["minimum"])
