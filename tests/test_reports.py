"""The annual quality report (就业质量年度报告) and the 市域产教联合体 three lists, through the app.

The world (alliance A, graduating year 2026): school M is a member since 2020, school N never was. M's 2026 cohort:
m1, m2 (焊接 major), m3 (another major); M's 2025 cohort: p1, p2. N's 2026 cohort: n1. Enterprise E (member) hosted
m1, m2, m3 (placements in 2026) and p1 (2025); E has three evaluations by M's 2026 students (enterprise 5, 4, 3 →
4.00; post 4, 4, 1 → 3.00); enterprise F (no member) has one, counted in the total only.
"""

import io
import re
from datetime import date
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from docx import Document as read_docx
from openpyxl import load_workbook

from marketplace.audit.models import AuditEvent
from marketplace.auth.models import Role
from marketplace.jobs.models import Job, JobKind, JobStage, JobStatus
from marketplace.orgs.models import OrgKind
from marketplace.pipeline.models import Placement, PlacementStatus
from marketplace.reference.models import Major
from marketplace.reports import annual, render
from marketplace.reports.models import AnnualReport
from marketplace.students.models import Evaluation
from tests.factories import AllianceFactory, MembershipFactory, OrganizationFactory, SchoolFactory, UserFactory
from tests.pipeline_factories import CohortFactory, OpeningFactory, PlanFactory, StudentFactory

ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def world(db):
    alliance = AllianceFactory()
    m, n = SchoolFactory(name="成员学校M"), SchoolFactory(name="非成员学校N")
    e = OrganizationFactory(kind=OrgKind.ENTERPRISE, staff_count=300, name="企业E")
    f = OrganizationFactory(kind=OrgKind.ENTERPRISE, staff_count=300, name="企业F")
    MembershipFactory(alliance=alliance, organization=m, effective_from=date(2020, 1, 1))
    MembershipFactory(alliance=alliance, organization=e, effective_from=date(2020, 1, 1))
    plan = PlanFactory(enterprise=e, year=2026, half=1, core_products="五轴加工中心：立式，国产数控系统\n液压件",
                       technical_needs="焊接变形控制：薄板焊接后变形大")  # fmt: skip
    plan.alliances = [alliance]
    opening = OpeningFactory(plan=plan, title="焊工岗", headcount=5, start_date=date(2026, 3, 1),
                             end_date=date(2026, 8, 31))  # fmt: skip
    other = OpeningFactory(plan=PlanFactory(enterprise=f, year=2026, half=1), start_date=date(2026, 3, 1))
    now, before = CohortFactory(school=m, graduation_year=2026), CohortFactory(school=m, graduation_year=2025)
    m1 = StudentFactory(cohort=now, name="m1")
    m2 = StudentFactory(cohort=now, name="m2", major=m1.major)
    another = db.session.scalars(sa.select(Major).where(Major.id != m1.major_id).order_by(Major.id)).first()
    m3 = StudentFactory(cohort=now, name="m3", major=another)
    p1 = StudentFactory(cohort=before, name="p1")
    StudentFactory(cohort=before, name="p2")
    StudentFactory(cohort=CohortFactory(school=n, graduation_year=2026), name="n1")
    placements = {}
    for s, start in ((m1, date(2026, 3, 1)), (m2, date(2026, 3, 1)), (m3, date(2026, 3, 1)), (p1, date(2025, 3, 1))):
        placements[s.name] = Placement(opening=opening, student=s, kind=opening.kind, start_date=start, pay=4000,
                                       status=PlacementStatus.COMPLETED)  # fmt: skip
        db.session.add(placements[s.name])
    extra = Placement(opening=other, student=m3, kind=other.kind, start_date=date(2026, 4, 1), pay=4000,
                      status=PlacementStatus.COMPLETED)  # fmt: skip
    db.session.add(extra)
    db.session.flush()
    for name, (es, ps) in (("m1", (5, 4)), ("m2", (4, 4)), ("m3", (3, 1))):
        db.session.add(Evaluation(placement_id=placements[name].id, enterprise_id=e.id, enterprise_score=es,
                                  post_score=ps))  # fmt: skip
    db.session.add(Evaluation(placement_id=extra.id, enterprise_id=f.id, enterprise_score=1, post_score=1))
    db.session.commit()
    clerk = UserFactory(organization=alliance.secretariat, role=Role.SECRETARIAT)
    return dict(alliance=alliance, m=m, n=n, e=e, clerk=clerk, welding=m1.major)


def _table(document, title):
    return next(b for c in document.chapters for b in c.blocks if getattr(b, "title", None) == title)


def test_the_document_is_built_from_the_data(world):
    document = annual.build(sa.orm.object_session(world["m"]), annual.Scope.of_alliance(world["alliance"]), 2026)
    assert len(document.chapters) == 8
    by_school = _table(document, "各学校毕业生人数").rows
    assert [(r[0], r[1]) for r in by_school] == [("成员学校M", 3)], "N is no member; the 2025 cohort is not counted"
    by_major = {r[0]: r[2] for r in _table(document, "各专业毕业生人数").rows}
    assert by_major[world["welding"].name] == 2
    feedback = _table(document, "学生对实习单位的评价").rows
    assert feedback[0][1:] == (4, pytest.approx(13 / 4), pytest.approx(10 / 4)), "all four answers"
    assert feedback[1:] == [("企业E", 3, 4.0, 3.0)], "F has one answer: not shown on its own"
    trend = _table(document, "各届毕业生人数、实习就业安置率和毕业去向落实率").rows
    assert [r[:3] for r in trend] == [("2024", 0, 0), ("2025", 2, 1), ("2026", 3, 3)]
    assert trend[1][3] == pytest.approx(0.5)
    session = sa.orm.object_session(world["m"])
    destination = annual.destination_chapters(session, annual.Scope.of_alliance(world["alliance"]), 2026)
    assert [c.title for c in document.chapters[1:6]] == [c.title for c in destination]
    assert "尚未形成毕业去向统计时点快照" in document.chapters[1].blocks[0], "no snapshot taken: each chapter says so"
    assert trend[-1][4] is None


def _pdf_is_well_formed(data: bytes) -> int:
    """Parse the PDF's cross-reference table: every object it lists starts at its offset. Returns the page count."""
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    start = int(re.search(rb"startxref\s+(\d+)", data[-200:]).group(1))
    assert data[start:].startswith(b"xref")
    entries = re.findall(rb"(\d{10}) (\d{5}) n", data[start:])
    assert entries
    for number, (offset, _gen) in enumerate(entries, start=1):
        assert re.match(rb"%d 0 obj" % number, data[int(offset) :]), f"object {number} is where the xref says"
    return len(re.findall(rb"/Type /Page\b", data))


def test_the_secretariat_generates_the_alliance_report_through_the_queue(client, login_as, db, world):
    alliance = world["alliance"]
    login_as(world["clerk"])
    page = client.get(f"/alliances/{alliance.id}/annual-reports", headers=ZH)
    assert page.status_code == 200
    assert "尚未生成报告" in page.get_data(as_text=True)
    response = client.post(f"/alliances/{alliance.id}/annual-reports", data={"year": 2026}, headers=ZH)
    job = db.session.scalar(sa.select(Job))
    assert response.headers["Location"] == f"/jobs/{job.id}"
    report = db.session.scalar(sa.select(AnnualReport))
    assert (job.kind, job.status, job.result_id) == (JobKind.ANNUAL_REPORT, JobStatus.DONE, report.id)
    assert job.parameters["stages"] == [JobStage.COLLECTING.value, JobStage.RENDERING.value]
    assert (report.alliance_id, report.school_id, report.year) == (alliance.id, None, 2026)
    assert f'href="/annual-reports/{report.id}"' in client.get(f"/jobs/{job.id}", headers=ZH).get_data(as_text=True)

    pdf = client.get(f"/annual-reports/{report.id}.pdf")
    assert pdf.mimetype == "application/pdf"
    assert _pdf_is_well_formed(pdf.data) >= 9, "a title page and eight chapters, each on a new page"
    name = unquote(re.search(r"filename\*=UTF-8''(\S+)", pdf.headers["Content-Disposition"]).group(1))
    assert name == f"{report.title}.pdf"
    assert "就业质量年度报告" in name

    word = read_docx(io.BytesIO(client.get(f"/annual-reports/{report.id}.docx").data))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "一、毕业生规模和结构"
    assert "七、实习评价反馈" in headings
    assert "八、近三年变化趋势" in headings
    cells = [[c.text for c in row.cells] for t in word.tables for row in t.rows]
    assert ["成员学校M", "3", "2", "100.0%"] in cells
    assert ["企业E", "3", "4.00", "3.00"] in cells
    assert ["2025", "2", "1", "50.0%", "—"] in cells, "no destination snapshot of 2025: no destination rate"
    assert len(word.inline_shapes) >= 4, "each table with a chart has its PNG"

    downloads = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "annual_report_download").order_by(AuditEvent.id)
    ).all()
    assert [e.details["format"] for e in downloads] == ["pdf", "docx"]


def test_a_school_reports_on_its_own_graduates_and_sees_no_one_elses(client, login_as, db, world):
    staff = UserFactory(organization=world["m"], role=Role.ORG_STAFF)
    login_as(staff)
    response = client.post("/annual-reports", data={"year": 2026})
    assert response.status_code == 302
    mine = db.session.scalar(sa.select(AnnualReport))
    assert (mine.school_id, mine.alliance_id) == (world["m"].id, None)
    assert client.get(f"/annual-reports/{mine.id}.docx").status_code == 200
    word = read_docx(io.BytesIO(client.get(f"/annual-reports/{mine.id}.docx").data))
    cells = [[c.text for c in row.cells] for t in word.tables for row in t.rows]
    assert ["学校", "毕业生", "专业数", "占比"] not in cells, "a school's report has no by-school table"
    assert any(row[0] == world["welding"].name and row[2] == "2" for row in cells)

    login_as(world["clerk"])
    client.post(f"/alliances/{world['alliance'].id}/annual-reports", data={"year": 2026})
    theirs = db.session.scalar(sa.select(AnnualReport).where(AnnualReport.alliance_id.is_not(None)))

    for outsider in (UserFactory(organization=world["n"]), UserFactory(organization=world["e"])):
        login_as(outsider)
        for url in (f"/annual-reports/{mine.id}", f"/annual-reports/{mine.id}.pdf", f"/annual-reports/{theirs.id}.pdf"):
            assert client.get(url).status_code == 404, (outsider.organization.name, url)
    login_as(staff)
    assert client.get(f"/annual-reports/{theirs.id}.pdf").status_code == 404, "the alliance's is the secretariat's"
    assert client.get(f"/alliances/{world['alliance'].id}/annual-reports").status_code == 404
    login_as(UserFactory(organization=AllianceFactory().secretariat, role=Role.SECRETARIAT))
    assert client.get(f"/annual-reports/{theirs.id}.docx").status_code == 404, "another alliance's secretariat"
    assert client.post(f"/alliances/{world['alliance'].id}/annual-reports", data={"year": 2026}).status_code == 404
    login_as(UserFactory(organization=world["e"]))
    assert client.post("/annual-reports", data={"year": 2026}).status_code in (403, 404), "schools only"
    login_as(staff)
    assert client.post("/annual-reports", data={"year": 1800}).status_code == 400


def test_the_three_lists_come_from_members_plans_and_are_logged(client, login_as, db, world):
    alliance = world["alliance"]
    login_as(UserFactory(organization=world["m"]))
    assert client.get(f"/alliances/{alliance.id}/three-lists.xlsx?year=2026").status_code == 404
    login_as(world["clerk"])
    response = client.get(f"/alliances/{alliance.id}/three-lists.xlsx?year=2026", headers=ZH)
    assert response.status_code == 200
    name = unquote(re.search(r"filename\*=UTF-8''(\S+)", response.headers["Content-Disposition"]).group(1))
    assert name == f"{alliance.short_name}三张清单-2026.xlsx"
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["核心产品清单", "技术需求清单", "人才需求清单"]
    products = list(book["核心产品清单"].iter_rows(values_only=True))[1:]
    assert products == [("企业E", "五轴加工中心", "立式，国产数控系统"), ("企业E", "液压件", None)]
    needs = list(book["技术需求清单"].iter_rows(values_only=True))[1:]
    assert needs == [("企业E", "焊接变形控制", "薄板焊接后变形大")]
    talent = list(book["人才需求清单"].iter_rows(values_only=True))[1:]
    assert [(r[0], r[1], r[5]) for r in talent] == [("企业E", "焊工岗", 5)], "F publishes to no alliance"
    (event,) = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "report_export")).all()
    assert event.details == {"report": "three_lists", "format": "xlsx", "year": 2026}
    assert client.get(f"/alliances/{alliance.id}/three-lists.xlsx?year=1800").status_code == 400


def test_an_enterprise_enters_its_core_products_and_technical_needs_on_its_plan(client, login_as, db, world):
    hr = UserFactory(organization=world["e"])
    login_as(hr)
    response = client.post("/plans/new", data={"year": 2027, "half": 1, "labour_standards": "",
                                               "core_products": "数控车床：卧式", "technical_needs": "刀具寿命",
                                               "alliances": [world["alliance"].id]})  # fmt: skip
    assert response.status_code == 302
    from marketplace.plans.models import HiringPlan

    plan = db.session.scalar(sa.select(HiringPlan).where(HiringPlan.year == 2027))
    assert (plan.core_products, plan.technical_needs) == ("数控车床：卧式", "刀具寿命")
    assert "刀具寿命" in client.get(f"/plans/{plan.id}").get_data(as_text=True)


def test_both_renderings_carry_every_chart_of_the_document(world):
    document = annual.build(sa.orm.object_session(world["m"]), annual.Scope.of_school(world["m"]), 2026)
    charted = [b for c in document.chapters for b in c.blocks if getattr(b, "chart", None) and b.rows]
    word = read_docx(io.BytesIO(render.docx(document)))
    assert len(word.inline_shapes) == len(charted)
    assert render.pdf(document).startswith(b"%PDF-")
