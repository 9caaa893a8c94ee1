"""The daily pools sweep for one alliance: renewal reminders (续聘提醒) for expert appointments about to end.

Keyed per expert and term, so running it again, or every day of the warning period, sends nothing twice."""

from datetime import date

from marketplace.alliances.models import Alliance
from marketplace.governance.reminders import remind
from marketplace.pools.services import renewals_due


def run(alliance: Alliance, today: date) -> list[str]:
    lines = []
    for expert in renewals_due(alliance, today):
        key = f"expert-renewal:{expert.id}:{expert.term_no}"
        message = (
            f"{alliance.short_name}：专家{expert.name}（{expert.organization.name}）的聘期将于"
            f"{expert.appointed_until.isoformat()}届满，请及时办理续聘"
        )
        link = f"/experts/{expert.id}"
        sent = remind(alliance.secretariat_org_id, key, message, link)
        sent_unit = remind(expert.organization_id, key, message, link)
        if sent is not None or sent_unit is not None:
            lines.append(f"专家续聘提醒：{expert.name}（聘期至{expert.appointed_until.isoformat()}）")
    return lines
