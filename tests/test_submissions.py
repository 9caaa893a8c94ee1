"""Information reports (信息报送): the monthly duty, late members, keyed reminders, and who sees which report."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from marketplace.alliances.models import MembershipStatus
from marketplace.audit.models import AuditEvent
from marketplace.auth.models import Role
from marketplace.notifications.models import Notification
from marketplace.submissions import services, sweep
from marketplace.submissions.models import InfoReport, ReportKind
from marketplace.timeutil import local_today
from tests.factories import AllianceFactory, MembershipFactory, OrganizationFactory, SchoolFactory, UserFactory

JOINED = date(2026, 1, 5)


@pytest.fixture
def world(db):
    secretariat = SchoolFactory()
    alliance = AllianceFactory(secretariat=secretariat, reporting_interval_days=30)
    MembershipFactory(alliance=alliance, organization=secretariat, effective_from=date(2021, 12, 2))
    member = MembershipFactory(alliance=alliance, organization=OrganizationFactory(), effective_from=JOINED)
    other = MembershipFactory(alliance=alliance, organization=SchoolFactory(), effective_from=JOINED)
    return alliance, member, other


def report(alliance, org, day: date, title: str = "三月校企合作动态") -> InfoReport:
    item = InfoReport(alliance_id=alliance.id, organization_id=org.id, kind=ReportKind.NEWS, title=title,
                      body="本月接收联盟院校实习生十二名。", submitted_on=day)  # fmt: skip
    services.db.session.add(item)
    services.db.session.commit()
    return item


def late_orgs(alliance, today: date) -> set[int]:
    return {r.membership.organization_id for r in services.late_members(alliance, today)}


@pytest.mark.parametrize(
    ("days_after", "late"),
    [(0, False), (29, False), (30, False), (31, True), (90, True)],
    ids=["same day", "a day before the interval", "exactly the interval", "one day over", "long silent"],
)
def test_late_is_more_than_the_interval_after_the_last_report(world, days_after, late):
    alliance, member, other = world
    last = date(2026, 6, 10)
    report(alliance, member.organization, last)
    report(alliance, other.organization, last + timedelta(days=days_after))  # the other one always just reported
    assert (member.organization_id in late_orgs(alliance, last + timedelta(days=days_after))) is late
    assert other.organization_id not in late_orgs(alliance, last + timedelta(days=days_after))


@pytest.mark.parametrize(("days_after", "late"), [(30, False), (31, True)])
def test_a_member_that_never_reported_counts_from_the_day_it_joined(world, days_after, late):
    alliance, member, _ = world
    assert (member.organization_id in late_orgs(alliance, JOINED + timedelta(days=days_after))) is late


def test_an_old_report_does_not_count_from_before_joining(world):
    alliance, member, _ = world
    report(alliance, member.organization, date(2025, 6, 1))  # from an earlier membership
    assert member.organization_id not in late_orgs(alliance, JOINED + timedelta(days=30))


def test_a_report_after_today_does_not_count(world):
    alliance, member, _ = world
    report(alliance, member.organization, date(2026, 12, 1))
    status = {r.membership.organization_id: r for r in services.reporting_status(alliance, date(2026, 11, 21))}
    assert status[member.organization_id].last_report is None
    assert status[member.organization_id].late


def test_no_duty_without_an_interval_nor_for_members_out_of_force_nor_the_secretariat(world, db):
    alliance, member, other = world
    today = date(2026, 11, 21)
    assert late_orgs(alliance, today) == {member.organization_id, other.organization_id}
    assert alliance.secretariat_org_id not in late_orgs(alliance, today)
    other.status, other.effective_until = MembershipStatus.WITHDRAWN, date(2026, 10, 1)
    db.session.commit()
    assert late_orgs(alliance, today) == {member.organization_id}
    alliance.reporting_interval_days = None
    db.session.commit()
    assert late_orgs(alliance, today) == set()
    assert services.remind_late(alliance, today) == []


def notifications(org) -> list[Notification]:
    return list(services.db.session.scalars(sa.select(Notification).where(Notification.organization_id == org.id)))


def test_reminders_are_sent_once_per_interval_window(world, db):
    alliance, _, other = world
    last = date(2026, 6, 10)
    report(alliance, other.organization, last)

    def reminded(days_after: int) -> bool:
        sent = services.remind_late(alliance, last + timedelta(days=days_after))
        return other.organization_id in {r.membership.organization_id for r in sent}

    assert [reminded(d) for d in (30, 31, 45, 60, 61, 75)] == [False, True, False, False, True, False]
    assert len(notifications(other.organization)) == 2
    assert "未向联盟秘书处报送信息" in notifications(other.organization)[0].message
    report(alliance, other.organization, last + timedelta(days=62))  # reporting starts a new count
    assert [reminded(d) for d in (92, 93)] == [False, True]
    assert len(notifications(other.organization)) == 3


def test_sweep_reports_what_it_sent_and_sends_nothing_twice(world, db):
    alliance, member, other = world
    today = date(2026, 11, 21)
    report(alliance, other.organization, today - timedelta(days=3))
    lines = sweep.run(alliance, today)
    db.session.commit()
    assert len(lines) == 1
    assert member.organization.name in lines[0]
    assert "信息报送提醒" in lines[0]
    assert sweep.run(alliance, today) == []


# --- through the app -------------------------------------------------------------------------------------------


def test_a_member_submits_and_sees_only_its_own_reports(world, client, login_as, db):
    alliance, member, other = world
    theirs = report(alliance, other.organization, date(2026, 11, 1), title="兄弟单位的保密数据")
    user = UserFactory(organization=member.organization, role=Role.ORG_STAFF)
    login_as(user)
    response = client.post(
        f"/alliances/{alliance.id}/info-reports/new",
        data={"kind": "results", "title": "订单班签约成果", "body": "本月与联盟院校签订订单班协议两份。",
              "period_month": "2026-10"},
    )  # fmt: skip
    assert response.status_code == 302
    mine = db.session.scalar(sa.select(InfoReport).where(InfoReport.organization_id == member.organization_id))
    assert (mine.kind, mine.period_month, mine.submitted_by_id) == (ReportKind.RESULTS, date(2026, 10, 1), user.id)
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.object_id == mine.id)) == (
        "info_report_submitted"
    )
    page = client.get(f"/alliances/{alliance.id}/info-reports").get_data(as_text=True)
    assert "订单班签约成果" in page
    assert "兄弟单位的保密数据" not in page
    assert client.get(f"/alliances/{alliance.id}/info-reports/{mine.id}").status_code == 200
    assert client.get(f"/alliances/{alliance.id}/info-reports/{theirs.id}").status_code == 404


def test_an_invalid_report_is_refused(world, client, login_as, db):
    alliance, member, _ = world
    login_as(UserFactory(organization=member.organization))
    response = client.post(f"/alliances/{alliance.id}/info-reports/new", data={"kind": "news", "title": "", "body": ""})
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InfoReport)) == 0


def test_the_secretariat_sees_every_report_and_the_late_list(world, client, login_as, db):
    alliance, member, other = world
    report(alliance, other.organization, local_today(), title="今日报送的动态")
    login_as(UserFactory(organization=alliance.secretariat, role=Role.SECRETARIAT))
    page = client.get(f"/alliances/{alliance.id}/info-reports", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "今日报送的动态" in text
    late_section = text.split("Late members", 1)[1].split("All reports", 1)[0]
    assert member.organization.name in late_section
    assert other.organization.name not in late_section


@pytest.mark.parametrize("who", ["outsider", "other alliance's secretariat", "former member"])
def test_others_get_404(world, client, login_as, db, who):
    alliance, member, other = world
    item = report(alliance, member.organization, date(2026, 11, 1))
    if who == "outsider":
        user = UserFactory(organization=OrganizationFactory())
    elif who == "other alliance's secretariat":
        elsewhere = AllianceFactory()
        user = UserFactory(organization=elsewhere.secretariat, role=Role.SECRETARIAT)
    else:
        other.status, other.effective_until = MembershipStatus.WITHDRAWN, date(2026, 10, 1)
        db.session.commit()
        user = UserFactory(organization=other.organization)
    login_as(user)
    assert client.get(f"/alliances/{alliance.id}/info-reports").status_code == 404
    assert client.get(f"/alliances/{alliance.id}/info-reports/new").status_code == 404
    assert client.get(f"/alliances/{alliance.id}/info-reports/{item.id}").status_code == 404
    posted = client.post(f"/alliances/{alliance.id}/info-reports/new",
                         data={"kind": "news", "title": "不应成功", "body": "非成员单位不能报送信息。"})  # fmt: skip
    assert posted.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InfoReport)) == 1


def test_a_report_is_only_found_under_its_own_alliance(world, client, login_as, db):
    alliance, member, _ = world
    item = report(alliance, member.organization, date(2026, 11, 1))
    elsewhere = AllianceFactory()
    MembershipFactory(alliance=elsewhere, organization=member.organization)
    login_as(UserFactory(organization=member.organization))
    assert client.get(f"/alliances/{elsewhere.id}/info-reports/{item.id}").status_code == 404
