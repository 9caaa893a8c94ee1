"""The daily governance sweep: lapses, absence flags and reminders, for one alliance. Run by `flask governance
sweep` (cron) and by the secretariat's button; every reminder is keyed, so running it twice sends nothing twice."""

from datetime import date

from marketplace.alliances.models import Alliance
from marketplace.governance import duties, officers
from marketplace.governance.reminders import remind
from marketplace.pools import sweep as pools_sweep
from marketplace.reporting import sweep as reporting_sweep


def run(alliance: Alliance, today: date) -> list[str]:
    lines = []
    for m in duties.apply_lapses(alliance, today):
        remind(m.organization_id, f"lapsed:{m.id}",
               f"{alliance.short_name}：连续{alliance.lapse_after_years}年未履行成员义务，已视为自动退出联盟",
               f"/memberships/{m.id}")  # fmt: skip
        lines.append(f"视为自动退出：{m.organization.name}")
    for flag in duties.absence_flags(alliance, today.year):
        org = flag.membership.organization
        key = f"absences:{alliance.id}:{today.year}:{flag.absences}"
        sent = remind(org.id, key, f"{alliance.short_name}：本工作年度已{flag.absences}次无故缺席联盟活动，将提请解聘",
                      f"/memberships/{flag.membership.id}")  # fmt: skip
        message = f"{org.name}本工作年度{flag.absences}次无故缺席，已达解聘条件"
        remind(alliance.secretariat_org_id, f"{key}:{org.id}", message, f"/alliances/{alliance.id}/governance")
        if sent is not None:
            lines.append(f"缺席提醒：{org.name}（{flag.absences}次）")
    for term in officers.terms_ending(alliance, today):
        message = f"{alliance.short_name}：{term.person_name}的任期将于{term.last_day.isoformat()}届满"
        link = f"/alliances/{alliance.id}/governance"
        if remind(alliance.secretariat_org_id, f"term-ending:{term.id}", message, link) is not None:
            lines.append(f"任期届满提醒：{term.person_name}")
        remind(term.organization_id, f"term-ending:{term.id}", message, link)
    lines += reporting_sweep.run(alliance, today)
    lines += pools_sweep.run(alliance, today)
    return lines
