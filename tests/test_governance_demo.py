"""The demo runs each alliance's own rules: its data obeys its charter and every governance page answers."""

from datetime import date

import sqlalchemy as sa

from marketplace.alliances.models import Alliance, Membership, MembershipStatus
from marketplace.auth.models import Role, User
from marketplace.governance import duties, officers, services, sweep
from marketplace.governance.models import Meeting, MotionKind


def test_the_demo_alliances_follow_their_charters(app, client, login_as, db, demo_copy):
    demo_copy.load()
    today = date(2026, 11, 21)
    hs = db.session.scalar(sa.select(Alliance).where(Alliance.short_name.like("衡水%")))
    assert len(duties.lapse_due(hs, today)) == 1  # the member silent since 2023 (衡水 art. 13)
    for alliance in db.session.scalars(sa.select(Alliance)).all():
        in_force = db.session.scalars(
            sa.select(Membership).where(Membership.alliance_id == alliance.id, Membership.status == "active")
        ).all()
        for m in in_force:  # raises if the member's tier breaks a quota or the standing council's share
            officers.check_tier(alliance, m.tier, today, membership=m)
        agenda = services.pending_agenda(alliance)
        assert any(m.kind is MotionKind.ADMIT for m in agenda), alliance.short_name
        clerk = db.session.scalar(
            sa.select(User).where(User.organization_id == alliance.secretariat_org_id, User.role == Role.SECRETARIAT)
        )
        login_as(clerk)
        meeting = db.session.scalar(sa.select(Meeting).where(Meeting.alliance_id == alliance.id).limit(1))
        for path in (f"/alliances/{alliance.id}/governance", f"/meetings/{meeting.id}", f"/alliances/{alliance.id}",
                     f"/alliances/{alliance.id}/info-reports", f"/alliances/{alliance.id}/assessments"):  # fmt: skip
            assert client.get(path).status_code == 200, path
        sweep.run(alliance, today)
        assert sweep.run(alliance, today) == []  # keyed reminders: nothing twice

    withdrawals = [m for m in services.pending_agenda(hs) if m.kind is MotionKind.APPROVE_WITHDRAWAL]
    due = [m for m in withdrawals if hs.earliest_withdrawal(m.membership.withdrawal_requested_on) <= today]
    assert due  # one the council may approve today, in the browser
    assert len(due) < len(withdrawals)  # and one still inside its three months' notice
    zz = db.session.scalar(sa.select(Alliance).where(Alliance.certificate_prefix.is_not(None)))
    members = db.session.scalars(
        sa.select(Membership).where(Membership.alliance_id == zz.id, Membership.status == MembershipStatus.ACTIVE)
    ).all()
    assert all(m.certificate_no and m.certificate_no.startswith("ZZLXH-") for m in members)
