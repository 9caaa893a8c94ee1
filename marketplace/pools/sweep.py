"""The daily pools sweep for one alliance: renewal reminders (续聘提醒) for expert appointments about to end.

Keyed per expert and term, so running it again, or every day of the warning period, sends nothing twice."""

from datetime import date

from marketplace.alliances.models import Alliance
from marketplace.notifications import catalogue as kinds
from marketplace.notifications.services import notify
from marketplace.pools.services import renewals_due


def run(alliance: Alliance, today: date) -> list[str]:
    lines = []
    for expert in renewals_due(alliance, today):
        key = f"expert-renewal:{expert.id}:{expert.term_no}"
        words = {"alliance": alliance.short_name, "expert": expert.name, "organization": expert.organization.name,
                 "date": expert.appointed_until}  # fmt: skip
        sent = notify(alliance.secretariat_org_id, kinds.EXPERT_RENEWAL, {"expert_id": expert.id}, key=key, **words)
        sent_unit = notify(expert.organization_id, kinds.EXPERT_RENEWAL, {"expert_id": expert.id}, key=key, **words)
        if sent is not None or sent_unit is not None:
            lines.append(f"专家续聘提醒：{expert.name}（聘期至{expert.appointed_until.isoformat()}）")
    return lines
