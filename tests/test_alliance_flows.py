"""Joining, review, withdrawal and charter editing, through the app."""

import html
import re
from datetime import date
from fractions import Fraction

import sqlalchemy as sa

from marketplace.alliances.models import Alliance, Membership, MembershipStatus
from marketplace.audit.models import AuditEvent
from marketplace.auth.models import Role
from marketplace.timeutil import local_today
from tests.factories import AllianceFactory, MembershipFactory, OrganizationFactory, SchoolFactory, UserFactory


def test_apply_review_and_approve(app, client, login_as, db):
    secretariat_org = SchoolFactory()
    alliance = AllianceFactory(secretariat=secretariat_org)
    applicant = UserFactory(organization=OrganizationFactory(), role=Role.ORG_ADMIN)
    clerk = UserFactory(organization=secretariat_org, role=Role.SECRETARIAT)

    login_as(applicant)
    response = client.post(f"/alliances/{alliance.id}/apply", data={"note": "我单位愿意接收联盟院校实习生。"})
    assert response.status_code == 302
    membership = db.session.scalar(sa.select(Membership))
    assert membership.status is MembershipStatus.APPLIED
    assert client.post(f"/alliances/{alliance.id}/apply", data={"note": "第二次申请，不应成功。"}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 1

    login_as(clerk)
    assert "我单位愿意接收" in client.get(f"/memberships/{membership.id}").get_data(as_text=True)
    queue = client.get(f"/alliances/{alliance.id}/review").get_data(as_text=True)
    assert applicant.organization.name in queue
    response = client.post(
        f"/memberships/{membership.id}/qualification",
        data={"met": list(alliance.admission_checklist), "tier": "standing"},
    )
    assert response.status_code == 302
    db.session.refresh(membership)
    assert (membership.status, membership.decided_by_id) == (MembershipStatus.UNDER_REVIEW, clerk.id)
    assert membership.qualification["met"] == list(alliance.admission_checklist)
    actions = list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["membership_applied", "membership_under_review", "motion_tabled"]
    page = client.get(f"/memberships/{membership.id}").get_data(as_text=True)
    assert "awaiting a meeting" in page or "等待会议" in page  # the council decides; see test_governance_flows


def test_illegal_decision_is_explained_not_applied(client, login_as, db):
    secretariat_org = SchoolFactory()
    alliance = AllianceFactory(secretariat=secretariat_org)
    membership = MembershipFactory(alliance=alliance, status=MembershipStatus.APPLIED, effective_from=None)
    login_as(UserFactory(organization=secretariat_org, role=Role.SECRETARIAT))
    response = client.post(
        f"/memberships/{membership.id}",
        data={"status": "expelled", "tier": "member", "effective_on": "2026-01-01", "reason": "违反章程"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    db.session.refresh(membership)
    assert membership.status is MembershipStatus.APPLIED


def test_rejection_needs_a_reason(client, login_as, db):
    secretariat_org = SchoolFactory()
    membership = MembershipFactory(
        alliance=AllianceFactory(secretariat=secretariat_org), status=MembershipStatus.UNDER_REVIEW, effective_from=None
    )
    login_as(UserFactory(organization=secretariat_org, role=Role.SECRETARIAT))
    response = client.post(
        f"/memberships/{membership.id}",
        data={"status": "rejected", "tier": "member", "effective_on": "2026-01-01", "reason": ""},
    )
    assert response.status_code == 200
    db.session.refresh(membership)
    assert membership.status is MembershipStatus.UNDER_REVIEW


def test_withdrawal_with_notice(client, login_as, db):
    secretariat_org = SchoolFactory()
    alliance = AllianceFactory(secretariat=secretariat_org, withdrawal_notice_months=3)
    member_admin = UserFactory()
    membership = MembershipFactory(organization=member_admin.organization, alliance=alliance)
    login_as(member_admin)
    assert client.post(f"/memberships/{membership.id}/withdraw", data={"reason": "业务调整"}).status_code == 302
    db.session.refresh(membership)
    requested = local_today()
    assert (membership.status, membership.withdrawal_requested_on) == (MembershipStatus.WITHDRAWAL_REQUESTED, requested)

    login_as(UserFactory(organization=secretariat_org, role=Role.SECRETARIAT))
    earliest = alliance.earliest_withdrawal(requested)
    too_early = date.fromordinal(earliest.toordinal() - 1).isoformat()
    response = client.post(
        f"/memberships/{membership.id}",
        data={"status": "withdrawn", "tier": "member", "effective_on": too_early, "reason": ""},
    )
    assert response.status_code == 200
    assert earliest.isoformat() in response.get_data(as_text=True)
    client.post(
        f"/memberships/{membership.id}",
        data={"status": "withdrawn", "tier": "member", "effective_on": earliest.isoformat(), "reason": ""},
    )
    db.session.refresh(membership)
    assert (membership.status, membership.effective_until) == (MembershipStatus.WITHDRAWN, earliest)


def test_staff_cannot_withdraw_their_organisation(client, login_as, db):
    staff = UserFactory(role=Role.ORG_STAFF)
    membership = MembershipFactory(organization=staff.organization)
    login_as(staff)
    assert client.post(f"/memberships/{membership.id}/withdraw", data={"reason": "业务调整"}).status_code == 403
    db.session.refresh(membership)
    assert membership.status is MembershipStatus.ACTIVE


def test_platform_admin_creates_and_edits_a_charter(client, login_as, db):
    admin = UserFactory(role=Role.PLATFORM_ADMIN)
    login_as(admin)
    data = {
        "name": "沧州市职业教育集团",
        "short_name": "沧州职教集团",
        "description": "",
        "secretariat_org_id": admin.organization_id,
        "admission_vote_num": 1,
        "admission_vote_den": 2,
        "admission_vote_strict": "y",
        "quorum_num": 2,
        "quorum_den": 3,
        "withdrawal_notice_months": 1,
        "lapse_after_years": "",
        "officer_term_years": 3,
        "officer_term_limit": "",
        "reporting_interval_days": 30,
        "assessment_grades": "优秀，合格，不合格",
        "priority_tolerance": "0.05",
        "admission_vote_base": "council",
        "vote_rules": "expel：>= 2/3 present\namend_charter: > 1/2 present",
        "admission_checklist": "具备法人资格\n\n承认并遵守联盟章程",
        "tier_quotas": "vice_chair: 2",
        "standing_share_num": 1,
        "standing_share_den": 3,
        "term_warning_days": 60,
        "self_assessment_due": "12-10",
        "assessment_review_due": "12-30",
        "rectification_days": 90,
        "expert_term_years": 3,
        "expert_min_title": "associate_senior",
    }
    assert client.post("/alliances/new", data=data).status_code == 302
    alliance = db.session.scalar(sa.select(Alliance))
    assert (alliance.admission_vote_strict, alliance.assessment_grades, alliance.priority_tolerance) == (
        True,
        ["优秀", "合格", "不合格"],
        0.05,
    )
    assert alliance.vote_rules == {"expel": ">= 2/3 present", "amend_charter": "> 1/2 present"}
    assert (alliance.admission_checklist, alliance.tier_quotas) == (
        ["具备法人资格", "承认并遵守联盟章程"],
        {"vice_chair": 2},
    )
    assert (alliance.standing_share, alliance.expert_min_title, alliance.certificate_prefix) == (
        Fraction(1, 3),
        "associate_senior",
        None,
    )
    assert alliance.admission_passes(yes=5, present=7, council_size=9)  # more than half of all nine directors
    assert not alliance.admission_passes(yes=4, present=7, council_size=9)  # 4/7 of those present, not of all
    assert not alliance.admission_passes(yes=4, present=8, council_size=8)  # exactly half is not "more than"
    for bad_rules in ("expel: 2/3", "admit: > 1/2 present", "vote: > 1/2 present"):
        response = client.post(f"/alliances/{alliance.id}/charter", data=dict(data, vote_rules=bad_rules))
        assert response.status_code == 200
    assert client.post(f"/alliances/{alliance.id}/charter", data=dict(data, tier_quotas="chief: 1")).status_code == 200
    bad = dict(data, admission_vote_num=3, admission_vote_den=2, priority_tolerance="1.5")
    response = client.post(f"/alliances/{alliance.id}/charter", data=bad, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "cannot exceed one" in response.get_data(as_text=True)

    client.post(f"/alliances/{alliance.id}/charter", data=dict(data, withdrawal_notice_months=6))
    db.session.refresh(alliance)
    assert alliance.withdrawal_notice_months == 6
    change = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "charter_changed"))
    assert change.details["changes"] == {"withdrawal_notice_months": [1, 6]}

    # The zh form writes rules in Chinese (no stored codes on the page), and reads them back the same way.
    page = client.get(f"/alliances/{alliance.id}/charter", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    rules = html.unescape(re.search(r'name="vote_rules"[^>]*>([^<]*)<', page).group(1))
    quotas = re.search(r'name="tier_quotas"[^>]*>([^<]*)<', page).group(1)
    assert rules.strip().splitlines() == ["除名: >= 2/3 到会理事", "修改章程: > 1/2 到会理事"]
    assert quotas.strip() == "副理事长单位: 2"
    zh = dict(data, vote_rules="除名：> 1/2 全体理事", tier_quotas="常务理事单位: 4")
    response = client.post(f"/alliances/{alliance.id}/charter", data=zh, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 302, re.findall(r"invalid-feedback[^>]*>([^<]*)", response.get_data(as_text=True))
    db.session.refresh(alliance)
    assert (alliance.vote_rules, alliance.tier_quotas) == ({"expel": "> 1/2 council"}, {"standing": 4})


def test_quorum_and_threshold_boundaries():
    hengshui = Alliance(
        admission_vote_num=2, admission_vote_den=3, admission_vote_strict=False, quorum_num=2, quorum_den=3
    )
    assert hengshui.admission_passes(yes=6, present=9, council_size=12)  # exactly 2/3 present and agreeing
    assert not hengshui.admission_passes(yes=5, present=9, council_size=12)  # one vote short
    assert not hengshui.admission_passes(yes=7, present=7, council_size=12)  # 7/12 below quorum
    dezhou = Alliance(
        admission_vote_num=2, admission_vote_den=3, admission_vote_strict=True, quorum_num=2, quorum_den=3
    )
    assert not dezhou.admission_passes(yes=6, present=9, council_size=9)  # must be more than 2/3
    assert dezhou.admission_passes(yes=7, present=9, council_size=9)
