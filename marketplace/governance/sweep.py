"""The daily governance sweep: lapses, absence flags and reminders, for one alliance. Run by `flask governance
sweep` (cron) and by the secretariat's button; every reminder is keyed, so running it twice sends nothing twice."""

from datetime import date

from marketplace.alliances.models import Alliance
from marketplace.governance import duties, officers
from marketplace.notifications import catalogue as kinds
from marketplace.notifications.services import notify
from marketplace.pools import sweep as pools_sweep
from marketplace.submissions import sweep as reporting_sweep


def run(alliance: Alliance, today: date) -> list[str]:
    lines = []
    for m in duties.apply_lapses(alliance, today):
        notify(m.organization_id, kinds.MEMBERSHIP_LAPSED, {"membership_id": m.id}, key=f"lapsed:{m.id}",
               alliance=alliance.short_name, years=alliance.lapse_after_years)  # fmt: skip
        lines.append(f"视为自动退出：{m.organization.name}")
    for flag in duties.absence_flags(alliance, today.year):
        org = flag.membership.organization
        key = f"absences:{alliance.id}:{today.year}:{flag.absences}"
        sent = notify(org.id, kinds.ABSENCES_WARNING, {"membership_id": flag.membership.id}, key=key,
                      alliance=alliance.short_name, absences=flag.absences)  # fmt: skip
        notify(alliance.secretariat_org_id, kinds.ABSENCES_FLAGGED, {"alliance_id": alliance.id},
               key=f"{key}:{org.id}", organization=org.name, absences=flag.absences)  # fmt: skip
        if sent is not None:
            lines.append(f"缺席提醒：{org.name}（{flag.absences}次）")
    for term in officers.terms_ending(alliance, today):
        words = {"alliance": alliance.short_name, "person": term.person_name, "date": term.last_day}
        target, key = {"alliance_id": alliance.id}, f"term-ending:{term.id}"
        if notify(alliance.secretariat_org_id, kinds.TERM_ENDING, target, key=key, **words) is not None:
            lines.append(f"任期届满提醒：{term.person_name}")
        notify(term.organization_id, kinds.TERM_ENDING, target, key=key, **words)
    lines += reporting_sweep.run(alliance, today)
    lines += pools_sweep.run(alliance, today)
    return lines
