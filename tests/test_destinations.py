"""Graduate destinations (issue 16): a hand-computed cohort gives the documented rates at both snapshots; access.

The cohort of 2026 at one member school (衡水), deadline 31 August, snapshots on 1 September and 31 December.
E1 is a member throughout; E2 a member that left on 1 October 2026; E3 never a member (in 北京).

| graduate | effective destination (both snapshots unless said)                         | employer | pay  |
|----------|-----------------------------------------------------------------------------|----------|------|
| g1       | 11 签劳动合同, 衡水, major-relevant                                          | E1 member| 5000 |
| g2       | 10 签就业协议, 石家庄 (same province), started 1 July while E2 was a member  | E2 member| 4000 |
| g3       | 75 自由职业                                                                 | —        | 3000 |
| g4       | 76 自主创业                                                                 | —        | 6000 |
| g5       | 81 专升本                                                                   | —        | —    |
| g6       | 70 待就业                                                                   | —        | —    |
| g7       | 72 其他暂不就业                                                             | —        | —    |
| g8       | nothing registered                                                          | —        | —    |
| g9       | 11 at E3, approved 20 Aug; a late change (15 Sep) to 75, approved, not counted | E3    | 4500 |
| g10      | two records: 11 at E3 (3500), then 11 at E1 (relevant, 5500): the second    | E1 member| 5500 |
| g11      | 11 at E3 submitted 30 Aug, approved 10 Sep: counted at 31 Dec only          | E3       | 4200 |
| g12      | 11 submitted 1 Aug, never audited: not counted                              | —        | —    |

1 September: 12 graduates, 7 with a destination (58.3%), 6 employed (g1 g2 g3 g4 g9 g10), 2 major-relevant, pay
28,000 / 6; employed at members: g1 g2 g10 = 3, others 3.
31 December: 8 with a destination, 7 employed, 2 relevant, pay 32,200 / 7; members 3 (E2 left, but after g2 began).
"""

from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.alliances.models import MembershipStatus
from marketplace.audit.models import AuditEvent
from marketplace.auth.models import Role
from marketplace.destinations import services, snapshots
from marketplace.destinations.models import DestinationCode, DestinationRecord, DestinationSnapshot, RecordStatus
from marketplace.destinations.rates import Scope, snapshot_tables
from marketplace.extensions import db as _db
from marketplace.orgs.models import OrgKind
from marketplace.pipeline.models import Placement
from marketplace.plans.models import OpeningKind
from marketplace.reference.models import Occupation, major_occupations
from tests.factories import (
    AllianceFactory,
    CohortFactory,
    MembershipFactory,
    OrganizationFactory,
    SchoolFactory,
    StudentFactory,
    StudentUserFactory,
    UserFactory,
    credit_code_for,
    region,
)
from tests.pipeline_factories import OpeningFactory

YEAR = 2026
SEP, DEC = date(2026, 9, 1), date(2026, 12, 31)
ZH = {"Accept-Language": "zh"}


def code(value: str) -> int:
    return _db.session.scalar(sa.select(DestinationCode.id).where(DestinationCode.alliance_id.is_(None),
                                                                  DestinationCode.code == value))  # fmt: skip


def content(code_value: str, **fields) -> dict:
    base = {"code_id": code(code_value), "proof_on_file": True, "no_proof_reason": ""}
    return base | fields


@pytest.fixture
def world(db):
    alliance = AllianceFactory()
    school = SchoolFactory()
    MembershipFactory(organization=school, alliance=alliance, effective_from=date(2024, 1, 1))
    e1 = OrganizationFactory(name="成员企业一")
    MembershipFactory(organization=e1, alliance=alliance, effective_from=date(2024, 1, 1))
    e2 = OrganizationFactory(name="已退出企业二")
    MembershipFactory(organization=e2, alliance=alliance, effective_from=date(2024, 1, 1),
                      effective_until=date(2026, 10, 1), status=MembershipStatus.WITHDRAWN)  # fmt: skip
    e3 = OrganizationFactory(name="非成员企业三", credit_code=credit_code_for(9001, "110100"),
                             city=region("110100"), province=region("110000"))  # fmt: skip
    cohort = CohortFactory(school=school, graduation_year=YEAR)
    grads = [StudentFactory(cohort=cohort, student_no=f"2023{n:04d}", id_number="") for n in range(1, 13)]
    teacher = UserFactory(organization=school, role=Role.ORG_STAFF)
    major_id = grads[0].major_id
    # The links are not reference data the test database keeps between tests: the test makes the one it needs.
    relevant = db.session.scalar(sa.select(Occupation.id).where(Occupation.level == 4).order_by(Occupation.code))
    db.session.execute(major_occupations.insert().values(major_id=major_id, occupation_id=relevant))
    db.session.commit()
    return {"alliance": alliance, "school": school, "e1": e1, "e2": e2, "e3": e3, "g": grads, "teacher": teacher,
            "relevant": relevant}  # fmt: skip


def _register(student, data, day, *, teacher=None, approve_on=None, sequence=None):
    appended = services.register(student, data, actor=None, today=day, sequence=sequence)
    if approve_on:
        services.approve(appended.version, actor=teacher, today=approve_on)
    _db.session.commit()
    return appended


def _employer(org) -> dict:
    return {"employer_name": org.name, "employer_credit_code": org.credit_code, "city_id": org.city_id,
            "province_id": org.province_id}  # fmt: skip


def build_cohort(w):
    g, t = w["g"], w["teacher"]
    hs, sjz = region("131100"), region("130100")
    _register(
        g[0],
        content(
            "11",
            **_employer(w["e1"]),
            occupation_id=w["relevant"],
            monthly_pay=5000,
            start_date=date(2026, 7, 1),
            industry=" 制造业 ",
        ),
        date(2026, 6, 1),
        teacher=t,
        approve_on=date(2026, 6, 10),
    )
    _register(
        g[1],
        content(
            "10",
            **(_employer(w["e2"]) | {"city_id": sjz.id, "province_id": sjz.parent_id}),
            monthly_pay=4000,
            start_date=date(2026, 7, 1),
        ),
        date(2026, 6, 20),
        teacher=t,
        approve_on=date(2026, 6, 21),
    )
    _register(
        g[2],
        content("75", monthly_pay=3000, city_id=hs.id, province_id=hs.parent_id),
        date(2026, 7, 10),
        teacher=t,
        approve_on=date(2026, 7, 15),
    )
    _register(g[3], content("76", monthly_pay=6000), date(2026, 7, 10), teacher=t, approve_on=date(2026, 7, 11))
    _register(
        g[4], content("81", employer_name="某职业技术学院"), date(2026, 7, 1), teacher=t, approve_on=date(2026, 7, 2)
    )
    _register(g[5], content("70", proof_on_file=False), date(2026, 8, 1), teacher=t, approve_on=date(2026, 8, 2))
    _register(g[6], content("72", proof_on_file=False), date(2026, 8, 1), teacher=t, approve_on=date(2026, 8, 2))
    first = _register(
        g[8],
        content("11", **_employer(w["e3"]), monthly_pay=4500, start_date=date(2026, 9, 1)),
        date(2026, 8, 15),
        teacher=t,
        approve_on=date(2026, 8, 20),
    )
    late = _register(
        g[8],
        content("75", monthly_pay=2000),
        date(2026, 9, 15),
        sequence=first.version.sequence,
        teacher=t,
        approve_on=date(2026, 9, 20),
    )
    assert late.late
    assert not first.late
    _register(
        g[9],
        content("11", **_employer(w["e3"]), monthly_pay=3500, start_date=date(2026, 5, 1)),
        date(2026, 4, 20),
        teacher=t,
        approve_on=date(2026, 5, 1),
    )
    second = _register(
        g[9],
        content("11", **_employer(w["e1"]), occupation_id=w["relevant"], monthly_pay=5500, start_date=date(2026, 9, 1)),
        date(2026, 8, 24),
        teacher=t,
        approve_on=date(2026, 8, 25),
    )
    assert second.version.sequence == 2
    assert second.version.major_relevant
    pending = _register(
        g[10], content("11", **_employer(w["e3"]), monthly_pay=4200, start_date=date(2026, 10, 1)), date(2026, 8, 30)
    )
    services.approve(pending.version, actor=t, today=date(2026, 9, 10))
    _register(g[11], content("11", employer_name="某公司", monthly_pay=3900), date(2026, 8, 1))
    _db.session.commit()  # fmt: skip


def _by_key(rows):
    return {r.key: r for r in rows}


def test_the_hand_computed_cohort_gives_the_documented_rates_at_both_snapshots(world):
    build_cohort(world)
    alliance = world["alliance"]
    sep = snapshots.take(alliance.id, YEAR, SEP, actor=None)
    dec = snapshots.take(alliance.id, YEAR, DEC, actor=None)
    _db.session.commit()

    t = snapshot_tables(_db.session, sep)
    o = t["overview"][0]
    assert (o.graduates, o.counted, o.employed, o.relevant, o.paid, o.pay_total) == (12, 7, 6, 2, 6, 28_000)
    assert o.destination_rate == pytest.approx(7 / 12)
    assert o.employment_rate == pytest.approx(0.5)
    assert o.relevance_rate == pytest.approx(2 / 6)
    assert o.average_pay == pytest.approx(28_000 / 6)
    members = _by_key(t["member"])
    assert members[True].employed == 3
    assert members[False].employed == 3
    categories = {r.key: r.graduates for r in t["category"]}
    assert categories == {"contract": 4, "flexible": 1, "entrepreneur": 1, "further_study": 1, "seeking": 1,
                          "not_seeking": 1, None: 3}  # fmt: skip
    regions = {r.key: r.graduates for r in t["region"]}
    assert regions["city"] == 3  # g1 and g10 at E1 in 衡水, g3 in 衡水
    assert regions["province"] == 1
    assert regions["elsewhere"] == 1
    assert {r.key: r.graduates for r in t["industry"]} == {"制造业": 1, None: 5}, "employed only, trimmed"
    assert t["school"][0].counted == 7

    t = snapshot_tables(_db.session, dec)
    o = t["overview"][0]
    assert (o.graduates, o.counted, o.employed, o.relevant, o.paid, o.pay_total) == (12, 8, 7, 2, 7, 32_200)
    assert o.destination_rate == pytest.approx(8 / 12)
    members = _by_key(t["member"])
    assert members[True].employed == 3
    assert members[False].employed == 4

    # A published figure never moves: a change after the snapshot leaves it as it was.
    services.approve(
        services.register(
            world["g"][11], content("11", employer_name="某公司"), actor=None, today=date(2026, 8, 31)
        ).version,
        actor=None,
        today=date(2027, 1, 5),
    )
    _db.session.commit()  # fmt: skip
    assert snapshot_tables(_db.session, dec)["overview"][0].counted == 8
    with pytest.raises(snapshots.SnapshotError):
        snapshots.take(alliance.id, YEAR, DEC, actor=None)


def _document_table(chapter, title):
    return next(b for b in chapter.blocks if getattr(b, "title", None) == title)


@pytest.mark.parametrize("kind", ["alliance", "school"])
def test_the_annual_report_reads_the_same_snapshots(world, kind):
    from flask_babel import force_locale

    from marketplace.reports import annual

    build_cohort(world)
    snapshots.take(world["alliance"].id, YEAR, SEP, actor=None)
    snapshots.take(world["alliance"].id, YEAR, DEC, actor=None)
    _db.session.commit()
    scope = (annual.Scope.of_alliance(world["alliance"]) if kind == "alliance"
             else annual.Scope.of_school(world["school"]))  # fmt: skip
    with force_locale("en"):
        structure, at_dates, flows, pay, relevance = annual.destination_chapters(_db.session, scope, YEAR)
        trend = annual.trend(_db.session, scope, YEAR)
    assert "8 of the 12 graduates" in structure.blocks[0], "the latest snapshot: 31 December"
    categories = {r[0]: r[1:] for r in _document_table(structure, "Graduates by destination category").rows}
    assert categories["Employment by agreement or contract"] == (5, pytest.approx(5 / 12)), "g11 counted by then"
    dates = _document_table(at_dates, "Destination rate at each snapshot").rows
    assert [r[:4] for r in dates] == [("2026-09-01", 12, 7, pytest.approx(7 / 12)),
                                      ("2026-12-31", 12, 8, pytest.approx(8 / 12))]  # fmt: skip
    members = {
        r[0]: r[1:] for r in _document_table(flows, "Employed graduates: alliance members and other employers").rows
    }
    assert members == {"Other employers": (4, pytest.approx(4 / 7)), "Alliance members": (3, pytest.approx(3 / 7))}
    industries = {r[0]: r[1] for r in _document_table(flows, "Employed graduates by industry").rows}
    assert industries == {"制造业": 1, "Not given": 6}
    assert "the 7 employed graduates who gave one: 4,600 yuan" in pay.blocks[0], "32,200 yuan over 7"
    assert "2 of the 7 employed graduates" in relevance.blocks[0]
    assert trend.blocks[1].rows[-1][4] == pytest.approx(8 / 12), "the trend's destination rate: latest snapshot"


def test_the_annual_report_says_when_no_snapshot_was_taken(world):
    from flask_babel import force_locale

    from marketplace.reports import annual

    build_cohort(world)
    snapshots.take(world["alliance"].id, YEAR - 1, SEP, actor=None)  # another cohort's: not this one's
    with force_locale("en"):
        chapters = annual.destination_chapters(_db.session, annual.Scope.of_school(world["school"]), YEAR)
    assert len(chapters) == 5
    assert all("No destination snapshot of the 2026 graduates" in c.blocks[0] for c in chapters)


def test_the_alliance_may_count_self_employment_under_flexible_employment(world):
    build_cohort(world)
    alliance = world["alliance"]
    services.save_settings(alliance.id, ["contract", "flexible", "entrepreneur"], ["contract", "flexible"], True,
                           actor=None)  # fmt: skip
    snapshot = snapshots.take(alliance.id, YEAR, SEP, actor=None)
    t = snapshot_tables(_db.session, snapshot)
    o = t["overview"][0]
    # 升学 no longer counted; 自主创业 counts as 灵活就业, so it is employed although 自主创业 itself is not listed
    assert (o.counted, o.employed) == (6, 6)
    assert {r.key: r.graduates for r in t["category"]}["flexible"] == 2


def test_a_school_deadline_of_its_own_moves_the_cut(world):
    build_cohort(world)
    services.set_deadline(world["school"].id, YEAR, date(2026, 8, 25), actor=None)
    snapshot = snapshots.take(world["alliance"].id, YEAR, DEC, actor=None)
    assert snapshot_tables(_db.session, snapshot)["overview"][0].counted == 7  # g11's content (30 Aug) is late


def test_every_change_is_appended_and_the_audit_needs_a_pending_version(world):
    g, teacher = world["g"][0], world["teacher"]
    first = services.register(g, content("11", employer_name="甲公司"), actor=None, today=date(2026, 6, 1)).version
    services.send_back(first, "请补充合同", actor=teacher, today=date(2026, 6, 2))
    with pytest.raises(services.DestinationError):
        services.approve(first, actor=teacher, today=date(2026, 6, 3))
    _db.session.commit()
    versions = services.versions_of(g.id)
    assert [(v.version, v.status) for v in versions] == [(1, RecordStatus.SUBMITTED), (2, RecordStatus.RETURNED)]
    assert versions[1].review_reason == "请补充合同"
    assert versions[0].employer_name == "甲公司"
    with pytest.raises(services.DestinationError):
        services.register(g, content("11", employer_name="乙公司", proof_on_file=False), actor=None,
                          today=date(2026, 6, 4), sequence=1)  # fmt: skip


def test_a_job_placement_proposes_a_destination(world):
    g = world["g"][0]
    opening = OpeningFactory(kind=OpeningKind.EMPLOYMENT, plan__enterprise=world["e1"], occupation_id=world["relevant"])
    _db.session.add(Placement(opening=opening, student=g, kind=OpeningKind.EMPLOYMENT, start_date=date(2026, 7, 1),
                              pay=4800))  # fmt: skip
    _db.session.commit()
    assert services.propose_for_cohort(world["school"].id, YEAR, actor=world["teacher"], today=date(2026, 6, 1)) == 1
    proposed = services.current_records(g.id)[0]
    assert proposed.status is RecordStatus.PROPOSED
    assert proposed.employer_org_id == world["e1"].id
    assert proposed.major_relevant
    assert proposed.monthly_pay == 4800
    assert services.propose_for_cohort(world["school"].id, YEAR, actor=world["teacher"], today=date(2026, 6, 1)) == 0


# ------------------------------------------------------------------------------------------------ through the app
def test_the_graduate_registers_and_the_school_approves(world, client, login_as, monkeypatch):
    from marketplace.destinations import student_views, views

    monkeypatch.setattr(student_views, "local_today", lambda: date(2026, 6, 1))
    monkeypatch.setattr(views, "local_today", lambda: date(2026, 6, 2))
    g = world["g"][0]
    login_as(StudentUserFactory(student=g))
    page = client.get("/me/destination/", headers={"Accept-Language": "zh"})
    assert page.status_code == 200
    assert "毕业去向" in page.get_data(as_text=True)
    bad = client.post("/me/destination/", data={"code": code("11"), "employer_credit_code": "91131100000000000X",
                                                "proof_on_file": "y"})  # fmt: skip
    assert bad.status_code == 200
    assert _db.session.scalar(sa.select(sa.func.count(DestinationRecord.id))) == 0
    ok = client.post("/me/destination/", data={"code": code("11"), "employer_name": world["e1"].name,
                                               "employer_credit_code": world["e1"].credit_code, "proof_on_file": "y",
                                               "city": region("131100").id, "monthly_pay": "5200"})  # fmt: skip
    assert ok.status_code == 302
    version = services.current_records(g.id)[0]
    assert version.status is RecordStatus.SUBMITTED
    assert version.employer_org_id == world["e1"].id
    assert version.province_id == region("130000").id

    login_as(world["teacher"])
    assert client.get("/destinations/?year=2026").status_code == 200
    record_page = client.get(f"/destinations/records/{version.id}", headers=ZH)
    assert record_page.status_code == 200
    assert f"入职日为{world['alliance'].short_name}成员单位" in record_page.get_data(as_text=True)
    done = client.post(f"/destinations/records/{version.id}/audit", data={"decision": "approve"})
    assert done.status_code == 302
    assert services.current_records(g.id)[0].status is RecordStatus.APPROVED


def test_a_late_change_is_kept_with_a_clear_message(world, client, login_as, monkeypatch):
    from marketplace.destinations import student_views

    monkeypatch.setattr(student_views, "local_today", lambda: date(2026, 9, 2))
    login_as(StudentUserFactory(student=world["g"][0]))
    assert client.post("/me/destination/", data={"code": code("70")}).status_code == 302
    page = client.get("/me/destination/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "已超过学校截止日期（2026-08-31）：记录已保存，但不计入统计。" in page  # flashed in the POST's language
    assert services.current_records(world["g"][0].id)[0].late


def test_secretariat_takes_a_snapshot_reads_the_rates_and_exports_logged(world, client, login_as, monkeypatch):
    from marketplace.destinations import forms

    monkeypatch.setattr(forms, "local_today", lambda: date(2026, 10, 1))
    build_cohort(world)
    alliance = world["alliance"]
    login_as(UserFactory(organization=alliance.secretariat, role=Role.SECRETARIAT))
    assert client.get(f"/alliances/{alliance.id}/destinations").status_code == 200
    ahead = client.post(f"/alliances/{alliance.id}/destinations/snapshots", data={"year": YEAR, "as_of": "2026-12-31"})
    assert ahead.status_code == 302
    assert _db.session.scalar(sa.select(DestinationSnapshot)) is None, "a snapshot is never dated ahead"
    taken = client.post(f"/alliances/{alliance.id}/destinations/snapshots", data={"year": YEAR, "as_of": "2026-09-01"})
    assert taken.status_code == 302
    snapshot = _db.session.scalar(sa.select(DestinationSnapshot))
    page = client.get(
        f"/alliances/{alliance.id}/destinations/snapshots/{snapshot.id}", headers={"Accept-Language": "zh"}
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "58.3%" in text
    assert "xqt-chart" in text
    export = client.get(f"/alliances/{alliance.id}/destinations/snapshots/{snapshot.id}.xlsx")
    assert export.status_code == 200
    assert export.data[:2] == b"PK"
    assert _db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "destination_export")) is not None


def test_the_cli_takes_a_snapshot(world, app):
    build_cohort(world)
    result = app.test_cli_runner().invoke(args=["destinations", "snapshot", "--alliance", str(world["alliance"].id),
                                                "--year", str(YEAR), "--as-of", "2026-12-31"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "12 graduates" in result.output


def test_codes_are_imported_from_a_sheet(world, client, login_as):
    alliance = world["alliance"]
    login_as(UserFactory(organization=alliance.secretariat, role=Role.SECRETARIAT))
    sheet = "代码,名称,类别\n501,签协议就业,协议和合同就业\n502,自由职业,灵活就业\n503,乱码,不存在\n".encode()
    import io

    client.post(f"/alliances/{alliance.id}/destinations/codes",
                data={"file": (io.BytesIO(sheet), "codes.csv")}, content_type="multipart/form-data")  # fmt: skip
    own = _db.session.scalars(sa.select(DestinationCode.code).where(DestinationCode.alliance_id == alliance.id)).all()
    assert sorted(own) == ["501", "502"]


# --------------------------------------------------------------------------------------------------- access
def test_a_school_sees_only_its_graduates(world, client, login_as):
    build_cohort(world)
    snapshot = snapshots.take(world["alliance"].id, YEAR, SEP, actor=None)
    _db.session.commit()
    version = services.current_records(world["g"][0].id)[0]
    other = UserFactory(organization=SchoolFactory(), role=Role.ORG_STAFF)
    login_as(other)
    assert client.get(f"/destinations/records/{version.id}").status_code == 404
    assert client.post(f"/destinations/records/{version.id}/audit", data={"decision": "approve"}).status_code == 404
    assert world["g"][0].name not in client.get("/destinations/?year=2026").get_data(as_text=True)
    assert client.get(f"/destinations/rates?snapshot={snapshot.id}").status_code == 404
    assert client.get(f"/destinations/rates/{snapshot.id}.xlsx").status_code == 404
    login_as(world["teacher"])
    mine = client.get(f"/destinations/rates?snapshot={snapshot.id}")
    assert mine.status_code == 200
    assert "58.3%" in mine.get_data(as_text=True)
    enterprise = UserFactory(organization=world["e1"])
    login_as(enterprise)
    assert client.get("/destinations/").status_code == 403


def test_a_student_sees_only_their_own(world, client, login_as):
    build_cohort(world)
    login_as(StudentUserFactory(student=world["g"][11]))
    page = client.get("/me/destination/").get_data(as_text=True)
    assert "某公司" in page
    assert world["e1"].name not in page
    other = services.current_records(world["g"][0].id)[0]
    assert client.get(f"/destinations/records/{other.id}").status_code == 403
    assert client.get(f"/alliances/{world['alliance'].id}/destinations").status_code == 403


def test_the_secretariat_sees_only_its_alliance(world, client, login_as):
    build_cohort(world)
    snapshot = snapshots.take(world["alliance"].id, YEAR, SEP, actor=None)
    _db.session.commit()
    stranger = AllianceFactory()
    login_as(UserFactory(organization=stranger.secretariat, role=Role.SECRETARIAT))
    aid = world["alliance"].id
    assert client.get(f"/alliances/{aid}/destinations").status_code == 404
    assert client.get(f"/alliances/{aid}/destinations/snapshots/{snapshot.id}").status_code == 404
    assert client.get(f"/alliances/{stranger.id}/destinations/snapshots/{snapshot.id}").status_code == 404
    assert client.post(f"/alliances/{aid}/destinations/snapshots", data={"year": YEAR, "as_of": "2026-12-31"}
                       ).status_code == 404  # fmt: skip
    assert OrgKind.SCHOOL  # the secretariat of an alliance is an organisation of any kind
    assert Scope().school_id is None


# ------------------------------------------------------------------------------------------------------ demo
def test_the_demo_has_two_graduated_cohorts_with_destinations_and_snapshots(app, client, login_as, monkeypatch):
    from marketplace.alliances.models import Alliance
    from marketplace.destinations.models import SnapshotCell
    from marketplace.reports.models import AnnualReport

    # As `make run` loads it: with each process's ranking rows kept (on SQLite they once waited on the demo's lock).
    monkeypatch.setitem(app.config, "RANKING_ROWS_KEPT", True)
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert app.config["RANKING_ROWS_KEPT"] is True
    hs = _db.session.scalar(sa.select(Alliance).order_by(Alliance.id))
    taken = _db.session.scalars(sa.select(DestinationSnapshot).where(DestinationSnapshot.alliance_id == hs.id)).all()
    assert sorted({s.graduation_year for s in taken}) == [2025, 2026]
    assert len(taken) == 4
    cells = sa.select(SnapshotCell.key).where(SnapshotCell.snapshot_id == taken[-1].id,
                                              SnapshotCell.dimension == "category")  # fmt: skip
    groups = set(_db.session.scalars(cells))
    assert {"contract", "flexible", "entrepreneur", "further_study", "seeking", "not_seeking", None} <= groups
    rate = snapshot_tables(_db.session, taken[-1])["overview"][0].destination_rate
    assert 0.5 < rate < 1
    clerk = _db.session.scalar(sa.select(UserFactory._meta.model).where(
        UserFactory._meta.model.organization_id == hs.secretariat_org_id,
        UserFactory._meta.model.role == Role.SECRETARIAT))  # fmt: skip
    login_as(clerk)
    page = client.get(f"/alliances/{hs.id}/destinations/snapshots/{taken[-1].id}", headers=ZH)
    assert page.status_code == 200
    report = _db.session.scalar(sa.select(AnnualReport).where(AnnualReport.alliance_id == hs.id))
    assert report.year == 2026
    assert report.pdf.startswith(b"%PDF-")
    assert report.docx.startswith(b"PK")
    assert "毕业去向落实率" in page.get_data(as_text=True)
    outcomes = client.get(f"/alliances/{hs.id}/reports/outcomes?period=2026-2", headers=ZH).get_data(as_text=True)
    assert "实习安置率" in outcomes
    assert "各学校毕业去向" in outcomes
