"""The report faults seen on the demo, each through the app: whole people, reasons for openings past their start,
exports named in the reader's language, occupation names on the chart, one definition of performing duties."""

import io
import re
from datetime import UTC, date, datetime
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from marketplace.analytics import activity, supply
from marketplace.analytics.filters import Filters
from marketplace.analytics.period import Period
from marketplace.audit.models import AuditEvent
from marketplace.auth.models import Role
from marketplace.extensions import db
from marketplace.governance import duties
from marketplace.governance.models import Attendance, AttendanceStatus, Body, Meeting
from marketplace.orgs.models import OrgKind
from marketplace.reference.models import Major, Occupation
from marketplace.submissions.models import InfoReport, ReportKind
from tests.factories import AllianceFactory, MembershipFactory, OrganizationFactory, SchoolFactory, UserFactory
from tests.pipeline_factories import OpeningFactory, PlanFactory

H2 = Period(2026, 2)
TODAY = date(2026, 12, 1)


@pytest.fixture
def world(db, monkeypatch):
    monkeypatch.setattr("marketplace.analytics.supply.local_today", lambda: TODAY)
    alliance = AllianceFactory(lapse_after_years=3)
    enterprise = OrganizationFactory(kind=OrgKind.ENTERPRISE, staff_count=500, name="企业E")
    MembershipFactory(alliance=alliance, organization=enterprise, effective_from=date(2020, 1, 1))
    plan = PlanFactory(enterprise=enterprise, year=2026, half=2)
    plan.alliances = [alliance]
    three = list(db.session.scalars(sa.select(Major).order_by(Major.id).limit(3)))
    occupation = db.session.scalars(sa.select(Occupation).where(Occupation.level == 4).order_by(Occupation.id)).first()
    # started five months ago, still running, nobody put forward; and one that starts after today
    started = OpeningFactory(plan=plan, title="十人岗", headcount=10, start_date=date(2026, 7, 1),
                             end_date=date(2027, 6, 30), occupation_id=occupation.id)  # fmt: skip
    started.majors = three
    later = OpeningFactory(plan=plan, title="未开始岗", headcount=2, start_date=date(2026, 12, 20),
                           end_date=date(2027, 6, 30))  # fmt: skip
    db.session.commit()
    clerk = UserFactory(organization=alliance.secretariat, role=Role.SECRETARIAT)
    return dict(alliance=alliance, majors=three, occupation=db.session.get(Occupation, occupation.id),
                started=started, later=later, clerk=clerk)  # fmt: skip


def test_demand_is_counted_in_whole_people(client, login_as, world):
    """10 places over 3 majors were shown as 3.3 each; now 4, 3 and 3, which still add up to 10."""
    report = supply.build(world["alliance"], Filters(H2))
    demand = {str(r[0]): r[1] for r in report.table("majors").rows}
    shares = sorted(demand[m.name] for m in world["majors"])
    assert shares == [3, 3, 4]
    assert all(isinstance(v, int) for v in shares)
    login_as(world["clerk"])
    page = client.get(f"/alliances/{world['alliance'].id}/reports/supply?period=2026-2").get_data(as_text=True)
    assert not re.search(r">\s*-?\d+\.\d\s*<", page), "no fractional headcount in any cell"


def test_an_opening_past_its_start_gets_a_reason_other_than_still_recruiting(client, login_as, world):
    login_as(world["clerk"])
    page = client.get(f"/alliances/{world['alliance'].id}/reports/supply?period=2026-2").get_data(as_text=True)
    rows = {r[1]: r[6] for r in supply.build(world["alliance"], Filters(H2)).table("unfilled").rows}
    assert str(rows["十人岗"]) == str(supply.REASONS["none"]), "started 2026-07-01, nobody put forward"
    assert str(rows["未开始岗"]) == str(supply.REASONS["open"]), "starts 2026-12-20: still recruiting"
    assert "无人推荐" in page
    assert "尚未开始" in page


def test_the_occupation_chart_names_occupations_not_codes(world):
    spec = supply.build(world["alliance"], Filters(H2)).table("occupations").chart_spec()
    assert spec["categories"] == [world["occupation"].name]


def test_exports_are_named_in_the_readers_language(client, login_as, world):
    login_as(world["clerk"])
    queued = client.post(f"/alliances/{world['alliance'].id}/reports/supply/export", data={"period": "2026-2"})
    result_url = client.get(queued.headers["Location"] + "/progress").get_json()["result_url"]
    response = client.get(result_url)
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    fallback = re.search(r'filename="([^"]+)"', disposition).group(1)
    assert fallback == "supply-2026-2.xlsx", "an ASCII name for browsers that do not read filename*"
    name = unquote(re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1))
    assert name.startswith("人才供求-2026")
    assert name.endswith(".xlsx")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["筛选条件与口径", "按专业", "按职业", "岗位未招满的原因", "未招满的岗位"]
    response = client.get(f"/alliances/{world['alliance'].id}/reports/supply.csv?period=2026-2&table=unfilled")
    name = unquote(re.search(r"filename\*=UTF-8''(\S+)", response.headers["Content-Disposition"]).group(1))
    assert name.startswith("人才供求-未招满的岗位-")


def test_governance_and_the_activity_report_agree_on_who_performs_duties(client, login_as, world):
    """A member busy on the platform every month but never at a meeting and never reporting was deemed withdrawn
    by governance while the activity report showed it active: both now read `duties.duty_days`."""
    alliance = world["alliance"]
    busy = MembershipFactory(alliance=alliance, organization=SchoolFactory(name="忙而不报学校"),
                             effective_from=date(2021, 1, 1))  # fmt: skip
    dutiful = MembershipFactory(alliance=alliance, organization=SchoolFactory(name="按时报送学校"),
                                effective_from=date(2021, 1, 1))  # fmt: skip
    user = UserFactory(organization=busy.organization)
    for month in range(1, 11):
        at = datetime(2026, month, 5, 2, tzinfo=UTC)
        db.session.add(AuditEvent(at=at, actor_id=user.id, organization_id=busy.organization_id,
                                  action="plan_publish", object_type="none"))  # fmt: skip
    db.session.add(InfoReport(alliance_id=alliance.id, organization_id=dutiful.organization_id,
                              kind=ReportKind.DATA, title="数据", submitted_on=date(2026, 3, 10)))  # fmt: skip
    meeting = Meeting(alliance=alliance, body=Body.COUNCIL, title="理事会", held_on=date(2026, 11, 20),
                      attendance_taken_at=datetime(2026, 11, 20, tzinfo=UTC))  # fmt: skip
    meeting.attendance = [
        Attendance(organization_id=busy.organization_id, status=AttendanceStatus.ABSENT),
        Attendance(organization_id=dutiful.organization_id, status=AttendanceStatus.PRESENT),
    ]
    db.session.add(meeting)
    db.session.commit()

    lapsed = {m.organization_id for m in duties.lapse_due(alliance, date(2027, 1, 2))}
    assert busy.organization_id in lapsed, "no duty in 2024, 2025 or 2026, however busy on the platform"
    assert dutiful.organization_id not in lapsed
    rows = {str(r[0]): r for r in activity.build(alliance, Filters(H2)).table("members").rows}
    # last duty, actions in the half-year, months with duties this year, placements, silent
    assert rows["忙而不报学校"][5] is None
    assert rows["忙而不报学校"][6] == 4, "its platform actions are still shown, as actions"
    assert rows["忙而不报学校"][7] == 0
    assert str(rows["忙而不报学校"][9]) == str(rows["企业E"][9]), "silent, like the enterprise that did nothing"
    assert rows["按时报送学校"][5] == date(2026, 11, 20)
    assert rows["按时报送学校"][7] == 2, "March (report) and November (meeting)"
    login_as(world["clerk"])
    page = client.get(f"/alliances/{alliance.id}/reports/activity?period=2026-2").get_data(as_text=True)
    assert "履行" in page
