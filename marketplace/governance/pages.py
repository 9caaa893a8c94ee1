"""What a membership's page shows of governance: its motions and the steps the secretariat can take next."""

import sqlalchemy as sa

from marketplace.alliances.models import Membership, MembershipStatus
from marketplace.extensions import db
from marketplace.governance.forms import ExpulsionForm, QualificationForm, TierForm
from marketplace.governance.models import Motion


def membership_steps(m: Membership, user) -> dict:
    motions = db.session.scalars(sa.select(Motion).where(Motion.membership_id == m.id).order_by(Motion.id)).all()
    steps = {"motions": motions, "qualification_form": None, "expulsion_form": None, "tier_form": None}
    if not m.can_decide(user):
        return steps
    if m.status is MembershipStatus.APPLIED:
        form = QualificationForm(tier=m.tier.value)
        form.met.choices = [(item, item) for item in m.alliance.admission_checklist or []]
        steps["qualification_form"] = form
    if m.in_force:
        steps["expulsion_form"] = ExpulsionForm()
        steps["tier_form"] = TierForm(tier=m.tier.value)
    return steps
