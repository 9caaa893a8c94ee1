"""What each internship-rule breach says to the user, with the article it comes from."""

from flask_babel import gettext as _

from marketplace.plans import rules


def citation(rule: str) -> str:
    """The regulation and, where verified, the article: '(教职成〔2021〕4号, art. 16(3))'."""
    article = rules.RULES[rule].article
    if article is None:
        return _("(Internship rules 2021)")
    return _("(Internship rules 2021, art. %(a)s)", a=article)


def _reason(breach: rules.Breach) -> str:
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
    if breach.rule == rules.MINORS_FORBIDDEN_WORK:
        return _("This post is work forbidden to minors; the student turns 18 only on %(d)s.", d=d["adult_on"])
    if breach.rule == rules.WOMEN_FORBIDDEN_WORK:
        return _("This post is work forbidden to women under the female workers' protection rules.")
    if breach.rule == rules.NIGHT_OR_OVERTIME:
        return _("Interns may not work night shifts or overtime.")
    if breach.rule == rules.HOLIDAY_WORK:
        return _("Interns may not work on statutory holidays.")
    if breach.rule == rules.RESTRICTED_VENUE:
        return _("Interns may not be placed in bars, KTV, internet cafés or similar venues.")
    if breach.rule == rules.PAID_AGENT:
        return _("Interns may not be placed through paid agents.")
    if breach.rule == rules.LABOUR_DISPATCH:
        return _("Interns may not be placed through labour dispatch.")
    if breach.rule == rules.HEAVY_LABOUR:
        return _("Interns may not do physical labour of intensity III or above.")
    if breach.rule == rules.HIGH_RISK:
        return _("Interns may not work at height, underground, with radiation, toxic, flammable or explosive matter.")
    if breach.rule == rules.MIN_PAY and d.get("missing_wage"):
        return _("A post internship must state the same post's regular wage (the intern earns at least 80%% of it).")
    return _("Post-internship pay must be at least 80%% of the same post's wage (at least %(n)d yuan).", n=d["minimum"])


def breach_message(breach: rules.Breach) -> str:
    return f"{_reason(breach)} {citation(breach.rule)}"
