"""Governance through the app and its services: admission by vote, withdrawal after notice, expulsion, lapse,
absences, officers' terms and tier quotas, each as its charter writes it."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from marketplace.alliances.models import Membership, MembershipStatus, Tier
from marketplace.alliances.services import decide
from marketplace.audit.models import AuditEvent
from marketplace.auth.models import Role
from marketplace.governance import duties, officers, services, sweep
from marketplace.governance.errors import GovernanceError
from marketplace.governance.models import AttendanceStatus, Body, Meeting, Motion, MotionKind, MotionStatus, Office
from marketplace.notifications.models import Notification
from marketplace.timeutil import local_today
from tests.factories import AllianceFactory, MembershipFactory, UserFactory
from tests.governance_world import applicant, council

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def english(app):
    """Refusals are lazy texts: read them in English, whatever the default locale."""
    with app.app_context(), force_locale("en"):
        yield


def _hold(alliance, clerk, body, on, present: int, *, excused: int = 0) -> Meeting:
    """Call a meeting and record the first `present` invited units present, the next `excused` excused."""
    meeting = services.call_meeting(alliance, body=body, title=f"{on.year}年度理事会", held_on=on, actor=clerk)
    statuses = {}
    for i, row in enumerate(meeting.attendance):
        statuses[row.organization_id] = "present" if i < present else "excused" if i < present + excused else "absent"
    services.record_attendance(meeting, statuses, actor=clerk, today=on)
    return meeting


def test_full_admission_by_council_vote_through_the_browser(client, login_as, db):
    alliance, clerk, _ = council("hs", 15, standing=3)  # the new standing unit makes 5 of 16: within 衡水's third
    m = applicant(alliance)
    login_as(clerk)
    page = client.get(f"/memberships/{m.id}").get_data(as_text=True)
    assert "愿意为衡水技工教育发展做贡献" in page  # the charter's own checklist

    half = {"met": ["具备法人资格", "承认并遵守联盟章程"], "tier": "standing"}
    client.post(f"/memberships/{m.id}/qualification", data=half)
    db.session.refresh(m)
    assert m.status is MembershipStatus.APPLIED  # one condition unchecked: nothing moves

    client.post(
        f"/memberships/{m.id}/qualification", data={**half, "met": [*half["met"], "愿意为衡水技工教育发展做贡献"]}
    )
    db.session.refresh(m)
    assert m.status is MembershipStatus.UNDER_REVIEW
    motion = db.session.scalar(sa.select(Motion).where(Motion.membership_id == m.id))
    assert (motion.kind, motion.status, motion.meeting_id) == (MotionKind.ADMIT, MotionStatus.PENDING, None)

    held_on = local_today() - timedelta(days=1)
    response = client.post(f"/alliances/{alliance.id}/meetings",
                           data={"body": "council", "title": "理事会", "held_on": held_on.isoformat()})  # fmt: skip
    meeting = db.session.scalar(sa.select(Meeting))
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}")
    assert meeting.council_size == 15  # the chair unit and 14 directors; the applicant is not on the council
    client.post(f"/meetings/{meeting.id}/schedule", data={"motion_id": motion.id})
    statuses = {f"att-{row.organization_id}": "present" if i < 12 else "absent" for i, row in
                enumerate(meeting.attendance)}  # fmt: skip
    client.post(f"/meetings/{meeting.id}/attendance", data=statuses)
    response = client.post(f"/motions/{motion.id}/vote", data={"yes": 8, "no": 3, "abstain": 1}, headers=EN)
    db.session.refresh(m)
    db.session.refresh(motion)
    assert (motion.status, motion.present, motion.council_size) == (MotionStatus.PASSED, 12, 15)
    assert (m.status, m.effective_from, m.tier) == (MembershipStatus.ACTIVE, held_on, Tier.STANDING)
    assert "Passed: 8 in favour, 8 needed." in client.get(f"/meetings/{meeting.id}", headers=EN).get_data(as_text=True)
    assert m.organization.name in client.get(f"/alliances/{alliance.id}").get_data(as_text=True)
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"motion_tabled", "meeting_called", "meeting_attendance", "motion_passed", "membership_active"} <= actions


def test_a_meeting_without_quorum_says_so_and_decides_nothing(client, login_as, db):
    alliance, clerk, _ = council("hs", 15)
    m = applicant(alliance)
    motion = services.review_qualification(m, met=list(alliance.admission_checklist), tier=Tier.MEMBER, actor=clerk,
                                           on=date(2026, 3, 1))  # fmt: skip
    meeting = _hold(alliance, clerk, Body.COUNCIL, date(2026, 3, 2), present=9)
    services.schedule(motion, meeting, actor=clerk)
    login_as(clerk)
    client.post(f"/motions/{motion.id}/vote", data={"yes": 9, "no": 0, "abstain": 0}, headers=EN)
    page = client.get(f"/meetings/{meeting.id}", headers=EN).get_data(as_text=True)
    assert "No quorum: 9 of 15 directors present, 10 needed." in page
    assert "the meeting lacked a quorum, so the motion was not decided." in page
    db.session.refresh(motion)
    db.session.refresh(m)
    assert (motion.status, m.status) == (MotionStatus.NO_QUORUM, MembershipStatus.UNDER_REVIEW)
    client.post(f"/motions/{motion.id}/retable")
    assert [x.title for x in services.pending_agenda(alliance)] == [motion.title]


def test_dezhou_counts_all_directors_not_those_present(db):
    alliance, clerk, _ = council("dz", 15)
    m = applicant(alliance)
    motion = services.review_qualification(m, met=list(alliance.admission_checklist), tier=Tier.MEMBER, actor=clerk,
                                           on=date(2026, 3, 1))  # fmt: skip
    meeting = _hold(alliance, clerk, Body.COUNCIL, date(2026, 3, 2), present=12)
    services.schedule(motion, meeting, actor=clerk)
    tally = services.decide_motion(motion, yes=10, no=2, abstain=0, actor=clerk, today=date(2026, 3, 2))
    assert (tally.outcome, tally.yes_needed) == ("failed", 11)
    assert m.status is MembershipStatus.UNDER_REVIEW


def test_votes_cannot_outnumber_those_present(db):
    alliance, clerk, _ = council("jx", 6)
    motion = services.table_motion(alliance, kind=MotionKind.ANNUAL_PLAN, title="2027年度工作计划", actor=clerk)
    meeting = _hold(alliance, clerk, Body.COUNCIL, date(2026, 3, 2), present=4)
    services.schedule(motion, meeting, actor=clerk)
    with pytest.raises(GovernanceError):
        services.decide_motion(motion, yes=4, no=1, abstain=0, actor=clerk, today=date(2026, 3, 2))
    tally = services.decide_motion(motion, yes=2, no=2, abstain=0, actor=clerk, today=date(2026, 3, 2))
    assert tally.outcome == "failed"  # other motions need more than half of those present: a tie fails


def test_membership_motions_belong_to_the_council_not_the_standing_council(db):
    alliance, clerk, _ = council("hs", 9, standing=3)
    m = applicant(alliance)
    motion = services.review_qualification(m, met=list(alliance.admission_checklist), tier=Tier.MEMBER, actor=clerk,
                                           on=date(2026, 3, 1))  # fmt: skip
    standing = _hold(alliance, clerk, Body.STANDING, date(2026, 3, 2), present=4)
    assert standing.council_size == 4  # the chair unit and three standing units
    with pytest.raises(GovernanceError):
        services.schedule(motion, standing, actor=clerk)


def test_the_lianxihui_issues_a_numbered_certificate(client, login_as, db):
    alliance, clerk, _ = council("zz", 6)
    m = applicant(alliance)
    motion = services.review_qualification(m, met=list(alliance.admission_checklist), tier=Tier.MEMBER, actor=clerk,
                                           on=date(2026, 3, 1))  # fmt: skip
    meeting = _hold(alliance, clerk, Body.ASSEMBLY, date(2026, 3, 2), present=6)
    services.schedule(motion, meeting, actor=clerk)
    services.decide_motion(motion, yes=4, no=2, abstain=0, actor=clerk, today=date(2026, 3, 2))
    assert m.certificate_no == "ZZLXH-2026-0001"
    member = UserFactory(organization=m.organization, role=Role.ORG_ADMIN)
    login_as(member)
    response = client.get(f"/memberships/{m.id}/certificate.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    login_as(UserFactory())
    assert client.get(f"/memberships/{m.id}/certificate.pdf").status_code == 404


NOTICE_CASES = [  # requested on, meeting on, can the council approve it then?
    (date(2026, 1, 10), date(2026, 4, 9), False),  # one day short of 衡水's three months
    (date(2026, 1, 10), date(2026, 4, 10), True),
    (date(2025, 11, 30), date(2026, 2, 28), True),  # three months after 30 November ends on the last day of February
    (date(2025, 11, 30), date(2026, 2, 27), False),
]


@pytest.mark.parametrize(("requested", "held", "allowed"), NOTICE_CASES)
def test_hengshui_withdrawal_waits_for_notice_then_the_council(db, requested, held, allowed):
    alliance, clerk, members = council("hs", 9)
    leaving = members[0]
    decide(leaving, MembershipStatus.WITHDRAWAL_REQUESTED, actor=clerk, reason="业务调整", on=requested)
    motion = services.after_withdrawal_request(leaving, actor=clerk)
    assert motion.kind is MotionKind.APPROVE_WITHDRAWAL
    meeting = _hold(alliance, clerk, Body.COUNCIL, held, present=8)
    if not allowed:
        with pytest.raises(GovernanceError, match="notice period"):
            services.schedule(motion, meeting, actor=clerk)
        return
    services.schedule(motion, meeting, actor=clerk)
    services.decide_motion(motion, yes=6, no=2, abstain=0, actor=clerk, today=held)
    assert (leaving.status, leaving.effective_until) == (MembershipStatus.WITHDRAWN, held)


def test_a_withdrawal_without_a_council_vote_is_the_secretariats_decision(client, login_as, db):
    alliance, clerk, members = council("dz", 4)
    leaving = members[0]
    member_admin = UserFactory(organization=leaving.organization, role=Role.ORG_ADMIN)
    login_as(member_admin)
    client.post(f"/memberships/{leaving.id}/withdraw", data={"reason": "不再参与联盟活动"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Motion)) == 0
    login_as(clerk)
    client.post(f"/memberships/{leaving.id}",
                data={"status": "withdrawn", "effective_on": local_today().isoformat(), "reason": ""})  # fmt: skip
    db.session.refresh(leaving)
    assert leaving.status is MembershipStatus.WITHDRAWN


def test_the_secretariat_cannot_admit_or_expel_alone(client, login_as, db):
    alliance, clerk, members = council("hs", 4)
    m = applicant(alliance)
    login_as(clerk)
    for target, status in ((m, "active"), (members[0], "expelled")):
        response = client.post(f"/memberships/{target.id}",
                               data={"status": status, "effective_on": "2026-01-01", "reason": "直接决定"})  # fmt: skip
        assert response.status_code == 200
        db.session.refresh(target)
        assert target.status is not MembershipStatus(status)


def test_expulsion_goes_through_a_motion(client, login_as, db):
    alliance, clerk, members = council("hs", 9)
    target = members[0]
    login_as(clerk)
    client.post(f"/memberships/{target.id}/expulsion", data={"reason": "严重违反联盟章程，损害联盟声誉"})
    motion = db.session.scalar(sa.select(Motion))
    assert (motion.kind, motion.membership_id) == (MotionKind.EXPEL, target.id)
    assert db.session.scalar(sa.select(Notification).where(Notification.organization_id == target.organization_id))
    meeting = _hold(alliance, clerk, Body.COUNCIL, date(2026, 5, 6), present=9)
    services.schedule(motion, meeting, actor=clerk)
    services.decide_motion(motion, yes=6, no=3, abstain=0, actor=clerk, today=date(2026, 5, 6))
    assert (target.status, target.effective_until) == (MembershipStatus.EXPELLED, date(2026, 5, 6))


def test_hengshui_members_lapse_after_three_years_without_duties(db):
    alliance, clerk, members = council("hs", 6, since=date(2022, 3, 1))
    silent, attended_2024, _ = members[0], members[1], members[2]
    late_joiner = MembershipFactory(alliance=alliance, tier=Tier.DIRECTOR, effective_from=date(2023, 6, 1))
    meeting = services.call_meeting(alliance, body=Body.COUNCIL, title="2024年度理事会", held_on=date(2024, 6, 1),
                                    actor=clerk)  # fmt: skip
    services.record_attendance(
        meeting,
        {row.organization_id: "absent" if row.organization_id in (silent.organization_id,
                                                                   late_joiner.organization_id) else "present"
         for row in meeting.attendance},
        actor=clerk, today=date(2024, 6, 1),
    )  # fmt: skip
    assert duties.lapse_due(alliance, date(2025, 12, 31)) == []  # 2022 not a full year of membership yet
    due = duties.lapse_due(alliance, date(2026, 1, 5))
    assert [m.id for m in due] == [silent.id]  # the late joiner has no three full years yet
    lines = sweep.run(alliance, date(2026, 1, 5))
    assert silent.status is MembershipStatus.LAPSED
    assert len(lines) == 1
    assert sweep.run(alliance, date(2026, 1, 6)) == []
    assert attended_2024.status is MembershipStatus.ACTIVE


def test_the_daily_checks_show_what_they_would_do_then_act_and_sum_up(client, login_as, db):
    """立即运行每日检查 once deemed a member withdrawn and sent reminders at one click, shown as a 30-line banner:
    now the first POST previews (who is deemed withdrawn, notices by kind and recipient), the second acts only with
    the box ticked and on what was previewed, and the result is a count."""
    alliance, clerk, members = council("hs", 4, since=date(2022, 3, 1))
    silent = members[0]
    for year in (2023, 2024, 2025):  # everyone but the silent member attends a meeting each year
        meeting = services.call_meeting(alliance, body=Body.COUNCIL, title=f"{year}年度理事会",
                                        held_on=date(year, 6, 1), actor=clerk)  # fmt: skip
        services.record_attendance(
            meeting, {row.organization_id: "absent" if row.organization_id == silent.organization_id else "present"
                      for row in meeting.attendance}, actor=clerk, today=date(year, 6, 1),
        )  # fmt: skip
    db.session.commit()
    notices_before = db.session.scalar(sa.select(sa.func.count()).select_from(Notification))
    login_as(clerk)
    url = f"/alliances/{alliance.id}/sweep"

    preview = client.post(url, headers=EN)
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "Members deemed withdrawn (1)" in page
    assert silent.organization.name in page
    assert "Notices of deemed withdrawal" in page
    digest = re.search(r'name="previewed" value="(\w+)"', page)[1]
    db.session.refresh(silent)
    assert silent.status is MembershipStatus.ACTIVE, "the preview changes nothing"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == notices_before

    assert client.post(url, data={"previewed": digest}, headers=EN).status_code == 200, "box not ticked: preview"
    client.post(url, data={"previewed": "something-else", "acknowledged": "y"}, headers=EN)
    db.session.refresh(silent)
    assert silent.status is MembershipStatus.ACTIVE, "not what was previewed: refused"

    done = client.post(url, data={"previewed": digest, "acknowledged": "y"}, headers=EN)
    assert done.status_code == 302
    db.session.refresh(silent)
    assert silent.status is MembershipStatus.LAPSED
    sent = db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) - notices_before
    assert sent >= 1
    dashboard = client.get(done.headers["Location"]).get_data(as_text=True)
    assert re.search(rf"Daily checks done: 1 members deemed withdrawn; {sent} notices sent to \d+ organisations\.",
                     dashboard)  # fmt: skip
    assert "视为自动退出：" not in dashboard, "a summary, not the lines"
    again = client.post(url, headers=EN).get_data(as_text=True)
    assert "Members deemed withdrawn (0)" in again or "Nothing is due" in again


def test_jixie_flags_two_unexcused_absences_in_a_work_year(db):
    alliance, clerk, members = council("jx", 4)
    absentee, excused = members[0], members[1]
    for day in (date(2026, 3, 1), date(2026, 9, 1)):
        meeting = services.call_meeting(alliance, body=Body.ACTIVITY, title="专业建设研讨", held_on=day, actor=clerk)
        services.record_attendance(
            meeting,
            {row.organization_id: "absent" if row.organization_id == absentee.organization_id else
             "excused" if row.organization_id == excused.organization_id else "present" for row in meeting.attendance},
            actor=clerk, today=day,
        )  # fmt: skip
        if day.month == 3:
            assert duties.absence_flags(alliance, 2026) == []  # once is not yet twice
    flags = duties.absence_flags(alliance, 2026)
    assert [(f.membership.id, f.absences) for f in flags] == [(absentee.id, 2)]
    assert duties.absence_flags(alliance, 2025) == []
    assert len(sweep.run(alliance, date(2026, 9, 2))) == 1
    assert sweep.run(alliance, date(2026, 9, 3)) == []  # the reminder goes once


@pytest.mark.parametrize(
    ("key", "third_term_allowed", "term_end"),
    [("hs", False, date(2031, 2, 28)), ("zz", True, date(2029, 2, 28)), ("jx", True, date(2030, 2, 28))],
)
def test_officer_terms_follow_each_charter(db, key, third_term_allowed, term_end):
    alliance, clerk, _ = council(key, 3, since=date(2010, 1, 1))
    org_id = alliance.secretariat_org_id
    first = officers.appoint(alliance, office=Office.CHAIR, person_name="王建国", organization_id=org_id,
                             starts_on=date(2026, 3, 1), actor=clerk)  # fmt: skip
    assert first.ends_on == term_end
    for n in (2, 3):
        start = date(2026 + 10 * n, 3, 1)
        if n == 3 and not third_term_allowed:
            with pytest.raises(GovernanceError, match="at most 2 terms"):
                officers.appoint(alliance, office=Office.CHAIR, person_name="王建国", organization_id=org_id,
                                 starts_on=start, actor=clerk)  # fmt: skip
        else:
            term = officers.appoint(alliance, office=Office.CHAIR, person_name="王建国", organization_id=org_id,
                                    starts_on=start, actor=clerk)  # fmt: skip
            assert term.term_no == n


def test_a_single_seat_cannot_have_two_holders_at_once(db):
    alliance, clerk, members = council("zz", 3)
    officers.appoint(alliance, office=Office.CHAIR, person_name="甲", organization_id=alliance.secretariat_org_id,
                     starts_on=date(2026, 1, 1), actor=clerk)  # fmt: skip
    with pytest.raises(GovernanceError):
        officers.appoint(alliance, office=Office.CHAIR, person_name="乙", organization_id=members[0].organization_id,
                         starts_on=date(2027, 1, 1), actor=clerk)  # fmt: skip
    officers.appoint(alliance, office=Office.VICE_CHAIR, person_name="乙", organization_id=members[0].organization_id,
                     starts_on=date(2027, 1, 1), actor=clerk)  # fmt: skip


@pytest.mark.parametrize(("days_before_end", "warned"), [(90, True), (91, False), (0, True)])
def test_the_secretariat_is_warned_before_a_term_ends(db, days_before_end, warned):
    alliance, clerk, _ = council("hs", 3)
    org_id = alliance.secretariat_org_id
    term = officers.appoint(alliance, office=Office.SECRETARY_GENERAL, person_name="李秘书", organization_id=org_id,
                            starts_on=date(2024, 1, 1), actor=clerk)  # fmt: skip
    today = term.ends_on - timedelta(days=days_before_end)
    assert (officers.terms_ending(alliance, today) == [term]) is warned
    assert any(line.startswith("任期届满提醒") for line in sweep.run(alliance, today)) is warned


def test_dezhou_tier_quotas(client, login_as, db):
    alliance, clerk, members = council("dz", 6)
    for m in members[:2]:
        officers.set_tier(m, Tier.VICE_CHAIR, actor=clerk, on=date(2026, 1, 1))
    with pytest.raises(GovernanceError, match="at most 2 units"):
        officers.set_tier(members[2], Tier.VICE_CHAIR, actor=clerk, on=date(2026, 1, 1))
    login_as(clerk)
    client.post(f"/memberships/{members[2].id}/tier", data={"tier": "vice_chair"})
    db.session.refresh(members[2])
    assert members[2].tier is Tier.DIRECTOR
    m = applicant(alliance)
    with pytest.raises(GovernanceError):  # the quota holds at the qualification review too
        services.review_qualification(m, met=list(alliance.admission_checklist), tier=Tier.CHAIR, actor=clerk,
                                      on=date(2026, 1, 1))  # fmt: skip


@pytest.mark.parametrize(("standing", "allowed"), [(3, True), (4, False)])
def test_hengshui_standing_council_at_most_a_third(db, standing, allowed):
    alliance, clerk, members = council("hs", 15, standing=standing)  # the chair unit sits on the standing council
    target = members[-1]
    if allowed:  # 5 of 15 is exactly a third: "不超过" allows it
        officers.set_tier(target, Tier.STANDING, actor=clerk, on=date(2026, 1, 1))
        assert target.tier is Tier.STANDING
    else:
        with pytest.raises(GovernanceError, match="standing council"):  # 6 of 15
            officers.set_tier(target, Tier.STANDING, actor=clerk, on=date(2026, 1, 1))


ACCESS = [  # who, path, expected status
    ("other_secretariat", "/alliances/{alliance}/governance", 404),
    ("member", "/alliances/{alliance}/governance", 404),
    ("clerk", "/alliances/{alliance}/governance", 200),
    ("member", "/meetings/{meeting}", 200),  # invited to it
    ("outsider", "/meetings/{meeting}", 404),
    ("other_secretariat", "/meetings/{meeting}", 404),
]


@pytest.mark.parametrize(("who", "path", "expected"), ACCESS)
def test_governance_pages_are_the_alliances_own(client, login_as, db, who, path, expected):
    alliance, clerk, members = council("hs", 4)
    meeting = services.call_meeting(alliance, body=Body.COUNCIL, title="理事会", held_on=date(2026, 1, 1), actor=clerk)
    other = AllianceFactory()
    users = {
        "clerk": clerk,
        "member": UserFactory(organization=members[0].organization),
        "outsider": UserFactory(),
        "other_secretariat": UserFactory(organization=other.secretariat, role=Role.SECRETARIAT),
    }
    login_as(users[who])
    assert client.get(path.format(alliance=alliance.id, meeting=meeting.id)).status_code == expected


def test_a_member_cannot_record_votes_or_attendance(client, login_as, db):
    alliance, clerk, members = council("jx", 4)
    motion = services.table_motion(alliance, kind=MotionKind.OTHER, title="议题", actor=clerk)
    meeting = _hold(alliance, clerk, Body.COUNCIL, date(2026, 1, 1), present=4)
    services.schedule(motion, meeting, actor=clerk)
    login_as(UserFactory(organization=members[0].organization))
    assert client.post(f"/motions/{motion.id}/vote", data={"yes": 4, "no": 0, "abstain": 0}).status_code == 404
    assert client.post(f"/meetings/{meeting.id}/attendance", data={}).status_code == 404
    db.session.refresh(motion)
    assert motion.status is MotionStatus.PENDING


def test_attendance_is_fixed_once_votes_are_counted(db):
    alliance, clerk, _ = council("jx", 4)
    motion = services.table_motion(alliance, kind=MotionKind.OTHER, title="议题", actor=clerk)
    meeting = _hold(alliance, clerk, Body.COUNCIL, date(2026, 1, 1), present=4)
    services.schedule(motion, meeting, actor=clerk)
    services.decide_motion(motion, yes=3, no=1, abstain=0, actor=clerk, today=date(2026, 1, 1))
    with pytest.raises(GovernanceError, match="no longer change"):
        services.record_attendance(meeting, {r.organization_id: "absent" for r in meeting.attendance}, actor=clerk,
                                   today=date(2026, 1, 2))  # fmt: skip
    future = services.call_meeting(alliance, body=Body.COUNCIL, title="下次", held_on=date(2026, 6, 1), actor=clerk)
    with pytest.raises(GovernanceError, match="day of the meeting"):
        services.record_attendance(future, {r.organization_id: "present" for r in future.attendance}, actor=clerk,
                                   today=date(2026, 5, 31))  # fmt: skip
    assert AttendanceStatus.PRESENT in {r.status for r in meeting.attendance}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 4
