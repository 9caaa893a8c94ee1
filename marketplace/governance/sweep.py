"""The daily governance sweep: lapses, absence flags and reminders, for one alliance. Run by `flask governance
sweep` (cron) and by the secretariat's button, which first shows what it would do (`preview`: the sweep run inside
a savepoint and rolled back) and then a summary of what it did (`checks`). Every reminder is keyed, so running it
twice sends nothing twice."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from marketplace.alliances.models import Alliance
from marketplace.extensions import db
from marketplace.governance import duties, officers
from marketplace.governance.errors import GovernanceError
from marketplace.notifications import catalogue as kinds
from marketplace.notifications.models import Notification
from marketplace.notifications.services import notify
from marketplace.orgs.models import Organization
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


# What each kind of notice the sweep sends is called in its summary, in the order shown.
NOTICES = {
    kinds.MEMBERSHIP_LAPSED.name: _l("Notices of deemed withdrawal"),
    kinds.ABSENCES_WARNING.name: _l("Absence warnings to members"),
    kinds.ABSENCES_FLAGGED.name: _l("Absence flags to the secretariat"),
    kinds.TERM_ENDING.name: _l("Term-ending reminders"),
    kinds.REPORT_DUE.name: _l("Information report reminders"),
    kinds.ASSESSMENT_DUE.name: _l("Self-assessment reminders"),
    kinds.EXPERT_RENEWAL.name: _l("Expert renewal reminders"),
}
OTHER = _l("Other notices")


@dataclass(frozen=True)
class Checks:
    """What one run of the checks does: members deemed withdrawn, and notices by kind with their recipients."""

    withdrawn: list[str]  # organisation names
    notices: list[tuple[object, list[str]]]  # (what they are, recipients' names)

    @property
    def sent(self) -> int:
        return sum(len(names) for _, names in self.notices)

    @property
    def recipients(self) -> int:
        return len({name for _, names in self.notices for name in names})

    @property
    def digest(self) -> str:
        """Names what was previewed, so that acting on a different outcome can be refused."""
        return hashlib.sha256(repr((self.withdrawn, [(str(k), n) for k, n in self.notices])).encode()).hexdigest()

    def __bool__(self) -> bool:
        return bool(self.withdrawn or self.notices)


def checks(alliance: Alliance, today: date) -> Checks:
    """Run the sweep and say what it did."""
    withdrawn = sorted(m.organization.name for m in duties.lapse_due(alliance, today))
    sent: list[Notification] = []

    def collect(_session, instance) -> None:
        if isinstance(instance, Notification):
            sent.append(instance)

    session = db.session()  # this request's session only: what it writes is what the sweep sent
    sa.event.listen(session, "pending_to_persistent", collect)
    try:
        run(alliance, today)
    finally:
        sa.event.remove(session, "pending_to_persistent", collect)
    names = dict(db.session.execute(
        sa.select(Organization.id, Organization.name).where(Organization.id.in_({n.organization_id for n in sent}))
    ).all())  # fmt: skip
    by_kind = defaultdict(list)
    for n in sorted(sent, key=lambda n: names[n.organization_id]):
        by_kind[n.kind if n.kind in NOTICES else None].append(names[n.organization_id])
    order = [*NOTICES, None]
    notices = [(NOTICES.get(k, OTHER), by_kind[k]) for k in order if by_kind.get(k)]
    return Checks(withdrawn, notices)


def preview(alliance: Alliance, today: date) -> Checks:
    """What `checks` would do today, without doing it: the sweep runs in a savepoint that is rolled back."""
    savepoint = db.session.begin_nested()
    try:
        return checks(alliance, today)
    finally:
        savepoint.rollback()


def act(alliance: Alliance, today: date, *, previewed: str) -> Checks:
    """Run the checks the secretariat previewed; refused when they would now do something else (`previewed`: the
    digest of the preview it read)."""
    done = checks(alliance, today)
    if done.digest != previewed:
        raise GovernanceError(_l("What the daily checks would do changed since you looked: review it again."))
    return done
