"""Alliance reports against a small hand-computed market: outcomes, supply and demand, plans, practice, activity,
priority audit; access, filters, exports.

The market (alliance A, period 2026-2 unless said otherwise; cut-off 2026-12-31):
- school M is a member; school W was one until 2026-03-01 (withdrawn); school N never was.
- enterprise E (member) has plans 2026-1 (opening O0, employment, major 焊接技术应用) and 2026-2 (O1 employment with
  that major, headcount 3; O2 岗位实习, no major, headcount 2, ended; O3 employment, headcount 1, ended, nobody put
  forward).
- cohort 2026: M has s1…s5, W has w1 w2, N has n1 n2.
  s1 → O1 (07-01, ongoing, 5000); s2 → O1 (07-01, left early 08-01, 4000) and O2 (09-01, ongoing, 3000);
  s3 → O0 (01-15, completed 06-30, 4500); s4 → O0 (01-15, left early 03-01, 3500); n1 → O1 (07-01, 6000).
"""

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel.speaklater import LazyString
from openpyxl import load_workbook

from marketplace.alliances.models import MembershipStatus
from marketplace.allocations.models import AllocationRun, AllocationSeat, RunStatus
from marketplace.analytics import activity, fulfilment, outcomes, practice, priority, supply
from marketplace.analytics.filters import Filters
from marketplace.analytics.period import Period
from marketplace.audit.models import AuditEvent
from marketplace.auth.models import Role
from marketplace.orgs.models import OrgKind
from marketplace.pipeline.models import NominationStatus, Placement, PlacementStatus
from marketplace.plans.models import OpeningKind
from marketplace.practice.models import PracticeStatus
from tests.factories import (
    AllianceFactory,
    MembershipFactory,
    OrganizationFactory,
    PracticeRequestFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
)
from tests.pipeline_factories import CohortFactory, NominationFactory, OpeningFactory, PlanFactory, StudentFactory

H2 = Period(2026, 2)


def _place(student, opening, start, pay, status=PlacementStatus.ONGOING, end=None):
    from marketplace.extensions import db

    db.session.add(Placement(opening=opening, student=student, kind=opening.kind, start_date=start, end_date=end,
                             status=status, pay=pay))  # fmt: skip


@pytest.fixture
def market(db, request):
    """`request.param` (indirect) is the cohort's graduating year: 2026 unless a test asks for 2027 (the cohort the
    second half-year of 2026 is about, in the outcomes report)."""
    year = getattr(request, "param", 2026)
    alliance = AllianceFactory(priority_tolerance=0.02)
    m, w, n = SchoolFactory(name="成员学校M"), SchoolFactory(name="退出学校W"), SchoolFactory(name="=非成员学校N")
    e = OrganizationFactory(kind=OrgKind.ENTERPRISE, staff_count=1000, name="企业E")
    MembershipFactory(alliance=alliance, organization=m, effective_from=date(2020, 1, 1))
    MembershipFactory(alliance=alliance, organization=e, effective_from=date(2020, 1, 1))
    MembershipFactory(alliance=alliance, organization=w, effective_from=date(2020, 1, 1),
                      status=MembershipStatus.WITHDRAWN, effective_until=date(2026, 3, 1))  # fmt: skip
    plan1, plan2 = PlanFactory(enterprise=e, year=2026, half=1), PlanFactory(enterprise=e, year=2026, half=2)
    plan1.alliances, plan2.alliances = [alliance], [alliance]
    cohort = {school: CohortFactory(school=school, graduation_year=year) for school in (m, w, n)}
    s = [StudentFactory(cohort=cohort[m], name=f"s{i}") for i in range(1, 6)]
    welding = s[0].major
    o0 = OpeningFactory(plan=plan1, start_date=date(2026, 1, 15), end_date=date(2026, 6, 30), headcount=2)
    o1 = OpeningFactory(plan=plan2, start_date=date(2026, 7, 1), end_date=date(2026, 12, 31), headcount=3)
    o2 = OpeningFactory(plan=plan2, kind=OpeningKind.POST_INTERNSHIP, start_date=date(2026, 9, 1),
                        end_date=date(2026, 10, 31), headcount=2)  # fmt: skip
    o3 = OpeningFactory(plan=plan2, start_date=date(2026, 7, 1), end_date=date(2026, 10, 31), headcount=1)
    o0.majors, o1.majors = [welding], [welding]
    StudentFactory(cohort=cohort[w]), StudentFactory(cohort=cohort[w])
    n1, _ = StudentFactory(cohort=cohort[n]), StudentFactory(cohort=cohort[n])
    _place(s[0], o1, date(2026, 7, 1), 5000)
    _place(s[1], o1, date(2026, 7, 1), 4000, PlacementStatus.LEFT_EARLY, date(2026, 8, 1))
    _place(s[1], o2, date(2026, 9, 1), 3000)
    _place(s[2], o0, date(2026, 1, 15), 4500, PlacementStatus.COMPLETED, date(2026, 6, 30))
    _place(s[3], o0, date(2026, 1, 15), 3500, PlacementStatus.LEFT_EARLY, date(2026, 3, 1))
    _place(n1, o1, date(2026, 7, 1), 6000)
    NominationFactory(opening=o2, student=s[4], status=NominationStatus.DECLINED)
    from marketplace.extensions import db as _db

    _db.session.commit()
    return dict(alliance=alliance, m=m, w=w, n=n, e=e, s=s, o=(o0, o1, o2, o3), welding=welding)


def _english(value):
    """Labels are lazy translations: read them in English so that the expectations do not depend on the catalogue."""
    with force_locale("en"):
        return str(value) if isinstance(value, LazyString) else value


def _rows(report, key):
    rows = [tuple(_english(v) for v in r) for r in report.table(key).rows]
    return {r[0]: r for r in rows}


NEXT_COHORT = pytest.mark.parametrize("market", [2027], indirect=True)


@NEXT_COHORT
def test_outcomes_are_counted_as_defined(market):
    """The second half-year of 2026 is about the cohort graduating in 2027 (their final-year internships)."""
    report = outcomes.build(market["alliance"], Filters(H2))
    member, other = _rows(report, "summary")["Member schools"], _rows(report, "summary")["Other schools"]
    # name, graduates, placed, rate, placements, relevant, relevant rate, average pay, early leavers, retention
    assert member == ("Member schools", 5, 4, pytest.approx(0.8), 5, 4, pytest.approx(0.8), pytest.approx(4000), 2,
                      pytest.approx(0.5))  # fmt: skip
    assert other[1:4] == (2, 1, pytest.approx(0.5)), "the non-member school whose student the alliance took"
    total = report.table("summary").footer
    assert total[1:4] == (7, 5, pytest.approx(5 / 7))
    assert "退出学校W" not in _rows(report, "schools"), "withdrawn before the half-year: not counted in it"
    assert _rows(report, "schools")["成员学校M"][1] == "Yes"

    employment = outcomes.build(market["alliance"], Filters(H2, kind=OpeningKind.EMPLOYMENT))
    member = _rows(employment, "summary")["Member schools"]
    assert member[2] == 4, "s2 is still placed by their employment"
    assert member[4:7] == (4, 4, pytest.approx(1.0)), "the 岗位实习 without a major is left out"

    one_school = outcomes.build(market["alliance"], Filters(H2, school_id=market["m"].id))
    assert one_school.table("summary").footer[1] == 5

    graduated = outcomes.build(market["alliance"], Filters(Period(2026, 1)))
    assert graduated.table("summary").footer[1:4] == (0, 0, None), "the first half-year of 2026: the 2026 cohort"


def test_withdrawn_members_count_for_the_half_years_they_were_members(market):
    first = outcomes.build(market["alliance"], Filters(Period(2026, 1)))
    schools = _rows(first, "schools")
    assert schools["退出学校W"][2:5] == (2, 0, pytest.approx(0.0)), "zero placements: a rate of 0, not missing"
    assert schools["成员学校M"][2:5] == (5, 2, pytest.approx(0.4)), "placements started by 2026-06-30 only"
    assert "=非成员学校N" not in schools, "its student was taken only in July"
    after = outcomes.build(market["alliance"], Filters(H2))
    assert after.table("schools").rows == [], "the second half-year of 2026 is the 2027 cohort's: none here"


@NEXT_COHORT
def test_an_empty_half_year_reports_zeros_and_undefined_rates(client, login_as, market):
    report = outcomes.build(market["alliance"], Filters(Period(2025, 2)))
    assert report.table("summary").footer[1:4] == (0, 0, None)
    assert report.table("schools").rows == []
    login_as(UserFactory(organization=market["alliance"].secretariat, role=Role.SECRETARIAT))
    response = client.get(f"/alliances/{market['alliance'].id}/reports/outcomes?period=2025-2")
    assert response.status_code == 200


def test_trend_rows_of_a_year_count_two_cohorts(market):
    """The 2026 cohort at its two cut-offs (31 Dec 2025: none placed yet; 30 Jun 2026: two), then the 2027 cohort
    (none here): the two half-years of 2026 never repeat one cohort."""
    trend = outcomes.build(market["alliance"], Filters(H2)).table("trend").rows
    assert len(trend) == outcomes.TREND_HALVES
    assert [_english(r[0]) for r in trend] == ["2025 年上半年", "2025 年下半年", "2026 年上半年", "2026 年下半年"]
    assert [r[1:3] for r in trend] == [(0, 0), (7, 0), (7, 2), (0, 0)], "2025-2 and 2026-1: M and W"


@NEXT_COHORT
def test_trend_follows_one_cohort_across_its_two_half_years(market):
    trend = outcomes.build(market["alliance"], Filters(Period(2027, 1))).table("trend").rows
    assert [r[1:3] for r in trend[-2:]] == [(7, 5), (7, 5)], "M, and N whose student the alliance took in July"
    assert [r[8] for r in trend[-2:]] == [2, 2], "early leavers by each cut-off"
    assert [r[9] for r in trend[-2:]] == [pytest.approx(1 / 2), pytest.approx(4 / 6)], "retention: due by each cut"


def test_supply_and_demand_by_major_and_why_openings_went_unfilled(market):
    m = market["m"]
    later = CohortFactory(school=m, graduation_year=2027)
    a, b, c = (StudentFactory(cohort=later, major=market["welding"]) for _ in range(3))
    _place(c, market["o"][0], date(2026, 1, 15), 4000)  # employed before the half-year: not available
    from marketplace.extensions import db

    db.session.commit()
    report = supply.build(market["alliance"], Filters(H2))
    welding = _rows(report, "majors")[market["welding"].name]
    assert welding[1:] == (3, 2, 1), "O1's 3 places against 2 available: short 1"
    assert _rows(report, "majors")["Any major"][1] == 3, "O2 (2) and O3 (1) name no major"
    assert report.table("majors").chart_spec()["highlight"] == [0]
    reasons = _rows(report, "unfilled_reasons")
    assert reasons["Offers declined"][1:] == (1, 1), "O2: one of two places taken, an offer declined"
    assert reasons["No candidate put forward"][1:] == (1, 1), "O3"
    assert reasons["Not started yet, still recruiting"][1:] == (0, 0), "O1 is still running but full"
    assert {r[1] for r in report.table("unfilled").rows} == {market["o"][2].title, market["o"][3].title}


def test_plan_fulfilment_counts_placements_against_the_plan(market):
    report = fulfilment.build(market["alliance"], Filters(H2))
    assert _rows(report, "enterprises")["企业E"][2:] == (3, 6, 4, pytest.approx(4 / 6), 2)


def test_teacher_practice_standing_and_days(market):
    m = market["m"]
    short, fine = TeacherFactory(school=m), TeacherFactory(school=m)
    PracticeRequestFactory(teacher=short, start_date=date(2026, 7, 1), end_date=date(2026, 10, 31), days=100,
                           status=PracticeStatus.COMPLETED, days_served=100)  # fmt: skip
    PracticeRequestFactory(teacher=fine, start_date=date(2025, 1, 1), end_date=date(2025, 8, 31), days=200,
                           status=PracticeStatus.COMPLETED, days_served=200)  # fmt: skip
    from marketplace.extensions import db

    db.session.commit()
    report = practice.build(market["alliance"], Filters(H2))
    # school, teachers, short, coverage, requests, accepted, served, days served (requests starting in 2026-2)
    assert _rows(report, "schools")["成员学校M"][1:] == (2, 1, pytest.approx(0.5), 1, 1, 1, 100)
    assert _rows(report, "specialties")["数控技术"][1:] == (1, 1, 1, 100)


def test_member_activity_flags_members_silent_longer_than_the_interval(market):
    """Silence and months are counted on duties performed (an information report here); actions are shown apart."""
    from marketplace.extensions import db
    from marketplace.submissions.models import InfoReport, ReportKind

    user = UserFactory(organization=market["m"])
    for day in (date(2025, 3, 5), date(2025, 12, 20)):
        db.session.add(InfoReport(alliance_id=market["alliance"].id, organization_id=market["m"].id,
                                  kind=ReportKind.DATA, title="数据", submitted_on=day))  # fmt: skip
    for at in (datetime(2025, 3, 5, 2, tzinfo=UTC), datetime(2025, 12, 20, 2, tzinfo=UTC)):
        db.session.add(AuditEvent(at=at, actor_id=user.id, organization_id=market["e"].id, action="x",
                                  object_type="none"))  # fmt: skip
    market["alliance"].reporting_interval_days = 30
    db.session.commit()
    rows = _rows(activity.build(market["alliance"], Filters(Period(2025, 2))), "members")
    # last duty, actions in the half-year, months with duties this year, placements, silent (as of 2025-12-31)
    assert rows["成员学校M"][5:] == (date(2025, 12, 20), 0, 2, 0, "No")
    assert rows["企业E"][5:] == (None, 1, 0, 0, "Yes"), "busy on the platform, but no duty performed"


def test_priority_audit_counts_decided_seats_and_finds_a_breach(market):
    """Only confirmed runs count: a proposal, or one discarded or superseded, put nobody forward (the audit once
    summed every run, so two overlapping runs doubled the seats)."""
    from marketplace.extensions import db

    alliance, (_, o1, _, _) = market["alliance"], market["o"]
    secretary = UserFactory(organization=alliance.secretariat, role=Role.SECRETARIAT)
    s = market["s"]

    def a_run(status):
        run = AllocationRun(alliance=alliance, status=status, parameters={}, inputs_digest="x", timings={},
                            snapshot_at=datetime(2026, 9, 1, tzinfo=UTC), created_by_id=secretary.id,
                            created_at=datetime(2026, 9, 1, tzinfo=UTC),
                            summary={"ranking_places": 40, "ranking_decided": 3, "ranking_breaches": 0})  # fmt: skip
        run.seats = [
            AllocationSeat(student=s[0], opening=o1, fit=0.70, choice=1, priority=True, decided_by_priority=True,
                           passed_fit=0.71, tolerance=0.02),
            AllocationSeat(student=s[1], opening=o1, fit=0.60, choice=1, priority=True, decided_by_priority=True,
                           passed_fit=0.63, tolerance=0.02),  # a gap of 0.03 > τ: the audit must catch it
            AllocationSeat(student=s[4], opening=o1, fit=0.50, choice=2, priority=False),
        ]  # fmt: skip
        db.session.add(run)
        return run

    confirmed = a_run(RunStatus.CONFIRMED)
    a_run(RunStatus.PROPOSED)
    db.session.flush()
    a_run(RunStatus.DISCARDED).superseded_by_id = confirmed.id
    db.session.commit()
    report = priority.build(alliance, Filters(H2))
    (row,) = report.table("runs").rows
    assert row[0].startswith(f"#{confirmed.id} ")
    assert row[2:] == (3, 2, 2, 1, 40, 3, 0)
    assert report.table("runs").footer[2:] == (3, 2, 2, 1, 40, 3, 0)
    assert report.table("runs").chart_spec()["highlight"] == [0]


def test_only_the_alliances_secretariat_sees_its_reports_and_bad_filters_are_refused(client, login_as, market):
    alliance = market["alliance"]
    url = f"/alliances/{alliance.id}/reports/outcomes"
    for user in (UserFactory(organization=market["m"]),
                 UserFactory(organization=AllianceFactory().secretariat, role=Role.SECRETARIAT)):  # fmt: skip
        login_as(user)
        assert client.get(url).status_code == 404
        assert client.get(url + ".xlsx").status_code == 404
    login_as(UserFactory(organization=alliance.secretariat, role=Role.SECRETARIAT))
    assert client.get(f"/alliances/{alliance.id}/reports").status_code == 200
    for name in ("outcomes", "supply", "plans", "practice", "activity", "priority"):
        assert client.get(f"/alliances/{alliance.id}/reports/{name}?period=2026-2").status_code == 200, name
    outsider = SchoolFactory()
    assert client.get(f"{url}?school={outsider.id}").status_code == 400, "a school outside the alliance"
    assert client.get(f"{url}?period=2026-3").status_code == 400
    assert client.get(f"{url}?kind=party").status_code == 400
    assert client.get(f"/alliances/{alliance.id}/reports/nonsense").status_code == 404


@NEXT_COHORT
def test_chart_and_table_show_the_same_numbers(client, login_as, market):
    login_as(UserFactory(organization=market["alliance"].secretariat, role=Role.SECRETARIAT))
    page = client.get(f"/alliances/{market['alliance'].id}/reports/outcomes?period=2026-2").get_data(as_text=True)
    report = outcomes.build(market["alliance"], Filters(H2))
    spec = report.table("summary").chart_spec()
    assert spec["series"][0]["data"] == [80.0, 50.0]
    assert spec["unit"] == "%"
    assert "80.0%" in page
    assert "50.0%" in page
    assert "xqt-chart" in page
    assert "cdn" not in page.lower()


@NEXT_COHORT
def test_exports_carry_the_filters_neutralise_formulas_and_are_logged(client, login_as, market, db):
    alliance = market["alliance"]
    login_as(UserFactory(organization=alliance.secretariat, role=Role.SECRETARIAT))
    # The workbook is written on the queue (immediate in the tests): the POST answers with the job's page.
    queued = client.post(f"/alliances/{alliance.id}/reports/outcomes/export",
                         data={"period": "2026-2", "kind": "employment"})  # fmt: skip
    assert queued.status_code == 302
    job_page = client.get(queued.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="(/jobs/files/\d+)"', job_page)
    assert link, "the finished job links to its file"
    assert not db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "report_export")).all(), (
        "logged when downloaded, not when queued"
    )
    response = client.get(link.group(1))
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [
        "筛选条件与口径", "成员学校与其他学校", "各半年度趋势", "按学校", "按专业",
        "各学校毕业去向", "各统计时点毕业去向落实率",
    ]  # fmt: skip
    summary = list(book["成员学校与其他学校"].iter_rows(values_only=True))
    assert summary[1][1:4] == (5, 4, 80.0), "member schools: rates exported as percentages"
    schools = [r[0] for r in book["按学校"].iter_rows(values_only=True)]
    assert "'=非成员学校N" in schools, "a name that starts with = is written as text"

    response = client.get(f"/alliances/{alliance.id}/reports/outcomes.csv?period=2026-2&table=schools")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][0] == "学校"
    assert "'=非成员学校N" in [r[0] for r in rows]
    assert client.get(f"/alliances/{alliance.id}/reports/outcomes.csv?table=nope").status_code == 404
    refused = client.post(f"/alliances/{alliance.id}/reports/outcomes/export", data={"period": "1999-9"})
    assert refused.status_code == 400

    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "report_export").order_by(AuditEvent.id)
    ).all()
    assert [(e.details["report"], e.details["format"]) for e in events] == [("outcomes", "xlsx"), ("outcomes", "csv")]
    assert events[0].details["filters"] == {"period": "2026-2", "kind": "employment"}
