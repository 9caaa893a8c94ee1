"""The daily reporting sweep for one alliance: remind members late with their information reports (once per
interval of silence) and members who have not self-assessed in the week before the deadline. Every reminder is
keyed, so running it twice sends nothing twice; the lines say what was sent."""

from datetime import date

from marketplace.alliances.models import Alliance
from marketplace.submissions import services


def run(alliance: Alliance, today: date) -> list[str]:
    lines = []
    for r in services.remind_late(alliance, today):
        last = r.last_report.isoformat() if r.last_report else "从未报送"
        lines.append(f"信息报送提醒：{r.membership.organization.name}（已{r.days_silent}天未报送，上次：{last}）")
    for a in services.remind_self_assessment(alliance, today):
        lines.append(f"考核自评提醒：{a.organization.name}（{a.cycle.year}年度，截止{a.cycle.self_due.isoformat()}）")
    return lines
