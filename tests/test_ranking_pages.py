"""The ranking pages through the app (issue 13, items 6–8): the priority badge only where priority decided a place,
the whole ranking paged, filtered and acted on in bulk, and a school's pages showing what it needs to act."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.auth.models import Role
from marketplace.orgs.models import OrgKind
from marketplace.pipeline.models import Nomination, NominationStatus
from marketplace.reference.models import Major
from tests.factories import (
    AllianceFactory,
    MembershipFactory,
    OrganizationFactory,
    SchoolFactory,
    UserFactory,
    region,
)
from tests.pipeline_factories import CohortFactory, NominationFactory, OpeningFactory, PlanFactory, StudentFactory

N = NominationStatus


@pytest.fixture
def market(db):
    """An alliance (τ = 0.02) of an enterprise and a member school; a second school shares only another alliance
    with the enterprise (visible, no priority); a third school shares none (invisible)."""
    alliance, elsewhere = AllianceFactory(priority_tolerance=0.02), AllianceFactory()
    enterprise = OrganizationFactory(kind=OrgKind.ENTERPRISE, staff_count=1000)
    member_school, other_school = SchoolFactory(name="成员学校甲"), SchoolFactory(name="非成员学校乙")
    for a, org in ((alliance, enterprise), (alliance, member_school), (elsewhere, enterprise),
                   (elsewhere, other_school)):  # fmt: skip
        MembershipFactory(alliance=a, organization=org)
    plan = PlanFactory(enterprise=enterprise)
    plan.alliances = [alliance]
    opening = OpeningFactory(plan=plan, headcount=5, title="焊工岗位")
    db.session.commit()
    return {
        "alliance": alliance, "enterprise": enterprise, "opening": opening,
        "member": CohortFactory(school=member_school), "other": CohortFactory(school=other_school),
    }  # fmt: skip


def _student(db, cohort, name, grade, opening, **kw):
    student = StudentFactory(cohort=cohort, name=name, grade_score=grade, **kw)
    if student.major not in opening.majors:
        opening.majors.append(student.major)
    db.session.commit()
    return student


def _post_and_read(client, url, data) -> str:
    """Post a form and read the page it redirects to (with its flashed messages)."""
    response = client.post(url, data=data)
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _enterprise_user(market):
    return UserFactory(organization=market["enterprise"], role=Role.ORG_STAFF)


# ------------------------------------------------------------------------------------------------ item 6: priority
def test_the_priority_badge_marks_only_places_priority_decided_with_whom_it_passed_and_by_how_much(
    client, login_as, db, market
):
    """A member who fits clearly best holds place 1 on fit (a quiet member label, no badge); a member 0.01 below a
    non-member passes them within τ = 0.02 (the badge, naming the non-member and the 0.010 gap)."""
    opening = market["opening"]
    _student(db, market["member"], "成员生强", 99, opening)
    _student(db, market["other"], "非成员生", 90, opening)
    _student(db, market["member"], "成员生近", 80, opening)
    login_as(_enterprise_user(market))
    page = client.get(f"/openings/{opening.id}/ranking").get_data(as_text=True)
    assert page.index("成员生强") < page.index("成员生近") < page.index("非成员生")
    assert page.count('text-bg-warning">同等条件下优先') == 1, "one place decided by priority, one badge"
    assert page.count(">成员学校</span>") == 2, "both members marked quietly"
    assert "在容差 τ = 0.02 内排在其前" in page
    decided_row = page[page.index("成员生近") : page.index("</tr>", page.index("成员生近"))]
    assert re.search(r"非成员生 0\.\d{3}（匹配度高 0\.010）", decided_row), "whom it passed, and by how much"


def test_a_students_own_ranking_explains_what_priority_means_and_shows_no_priority_badge(client, login_as, db, market):
    student = _student(db, market["member"], "成员生", 80, market["opening"])
    login_as(UserFactory(organization=market["member"].school))
    page = client.get(f"/students/{student.id}/openings").get_data(as_text=True)
    assert "成员身份只在同等条件下起作用" in page
    assert "绝不会让匹配度明显较低的候选人排到更优者之前" in page
    assert ">成员学校</span>" in page
    assert 'text-bg-warning">同等条件下优先' not in page


# ------------------------------------------------------------------------------ item 7: the whole ranking, acted on
def test_the_enterprise_pages_through_the_whole_ranking(client, login_as, db, market):
    opening = market["opening"]
    for n in range(60):
        StudentFactory(cohort=market["member"], name=f"候选{n:02d}号", grade_score=40 + n % 50)
    opening.majors = [db.session.scalar(sa.select(Major).where(Major.code == "660105"))]
    db.session.commit()
    login_as(_enterprise_user(market))
    first = client.get(f"/openings/{opening.id}/ranking").get_data(as_text=True)
    second = client.get(f"/openings/{opening.id}/ranking?page=2").get_data(as_text=True)
    assert first.count('name="student_ids"') == 50
    assert second.count('name="student_ids"') == 10
    assert "60 名候选人中有 60 名符合；第 1 / 2 页" in first
    assert "<td>51</td>" in second, "places count in the whole ranking"
    assert "<td>60</td>" in second
    assert all(f"候选{n:02d}号" in first + second for n in range(60))


def test_filters_keep_each_candidates_place_in_the_whole_ranking(client, login_as, db, market):
    opening = market["opening"]
    other_major = db.session.scalar(sa.select(Major).where(Major.code != "660105").order_by(Major.code))
    _student(db, market["member"], "成员生", 95, opening)
    _student(db, market["other"], "邢台生", 90, opening, major=other_major)
    far = _student(db, market["other"], "非成员远", 60, opening)
    far.wanted_cities = [region("130500")]
    db.session.commit()
    login_as(_enterprise_user(market))
    url = f"/openings/{opening.id}/ranking"

    def shown(**args):
        page = client.get(url, query_string=args).get_data(as_text=True)
        return {name for name in ("成员生", "邢台生", "非成员远") if f"<td>{name}</td>" in page}

    assert shown() == {"成员生", "邢台生", "非成员远"}
    assert shown(member="yes") == {"成员生"}
    assert shown(member="no") == {"邢台生", "非成员远"}
    assert shown(school=market["other"].school_id) == {"邢台生", "非成员远"}
    assert shown(major=other_major.id) == {"邢台生"}
    assert shown(city=region("130500").id) == {"非成员远"}
    chosen = client.get(url, query_string={"school": market["other"].school_id}).get_data(as_text=True)
    assert re.findall(r'<option value="(\d+)" selected>', chosen) == [str(market["other"].school_id)], (
        "the filter shows the school chosen, and only it"
    )
    assert "<td>3</td>" in client.get(url, query_string={"member": "no", "major": far.major_id}).get_data(as_text=True)


def test_the_enterprise_invites_several_at_once_and_each_refusal_is_reported(client, login_as, db, market):
    opening = market["opening"]
    a = _student(db, market["member"], "甲生", 90, opening)
    b = _student(db, market["other"], "乙生", 85, opening)
    already = _student(db, market["member"], "已推荐生", 80, opening)
    stranger = StudentFactory(cohort=CohortFactory(school=SchoolFactory()), name="无联盟生")
    NominationFactory(opening=opening, student=already, status=N.NOMINATED)
    db.session.commit()
    login_as(_enterprise_user(market))
    page = _post_and_read(client, f"/openings/{opening.id}/ranking?page=1",
                          {"action": "invite", "student_ids": [a.id, b.id, already.id, stranger.id]})  # fmt: skip
    invited = set(db.session.scalars(sa.select(Nomination.student_id).where(Nomination.status == N.INVITED)))
    assert invited == {a.id, b.id}, "the refused row does not undo the others; an invisible student is ignored"
    assert "已完成 2 项" in page
    assert "已推荐生：" in page, "the refusal names its row"


def test_the_enterprise_shortlists_and_offers_from_the_ranking_only_those_put_forward(client, login_as, db, market):
    opening = market["opening"]
    nominated = _student(db, market["member"], "已推荐生", 90, opening)
    not_yet = _student(db, market["member"], "未推荐生", 85, opening)
    school_user = UserFactory(organization=market["member"].school)
    NominationFactory(opening=opening, student=nominated, status=N.NOMINATED, created_by_id=school_user.id)
    db.session.commit()
    login_as(_enterprise_user(market))
    page = _post_and_read(
        client, f"/openings/{opening.id}/ranking", {"action": "shortlist", "student_ids": [nominated.id, not_yet.id]}
    )
    statuses = dict(db.session.execute(sa.select(Nomination.student_id, Nomination.status)).all())
    assert statuses == {nominated.id: N.SHORTLISTED}
    assert "未推荐生：该学生尚未被推荐或邀请到此岗位。" in page
    client.post(f"/openings/{opening.id}/ranking", data={"action": "offer", "student_ids": [nominated.id]})
    assert db.session.scalar(sa.select(Nomination.status)) is N.OFFERED


def test_only_the_owning_enterprise_acts_on_a_ranking(client, login_as, db, market):
    opening = market["opening"]
    student = _student(db, market["member"], "甲生", 90, opening)
    url, data = f"/openings/{opening.id}/ranking", {"action": "invite", "student_ids": [student.id]}
    login_as(UserFactory(organization=OrganizationFactory(kind=OrgKind.ENTERPRISE)))
    assert client.post(url, data=data).status_code == 404
    login_as(UserFactory(organization=market["alliance"].secretariat, role=Role.SECRETARIAT))
    assert client.post(url, data=data).status_code == 404
    assert 'name="student_ids"' not in client.get(url).get_data(as_text=True), "the secretariat reads, no boxes"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Nomination)) == 0


# ----------------------------------------------------------------------------------- item 8: the school's pages
def test_the_cohort_page_shows_what_a_school_needs_and_no_suitable_opening_below_the_floor(
    client, login_as, db, market
):
    opening = market["opening"]
    good = _student(db, market["member"], "合适生", 90, opening)
    nurse_major = db.session.scalar(sa.select(Major).where(Major.code != "660105").order_by(Major.code.desc()))
    nurse = StudentFactory(cohort=market["member"], name="护理生", major=nurse_major)
    market["alliance"].fit_floor = 0.5
    db.session.commit()
    login_as(UserFactory(organization=market["member"].school))
    url = f"/cohorts/{market['member'].id}/matches"
    page = client.get(url).get_data(as_text=True)
    row = page[page.index("合适生") : page.index("</tr>", page.index("合适生"))]
    for shown in (opening.title, market["enterprise"].name, opening.city.name, "4000–6000", "2027-03-01",
                  "2027-08-31", "5 个名额", f'value="{good.id}:{opening.id}"'):  # fmt: skip
        assert shown in row, shown
    nurse_row = page[page.index("护理生") : page.index("</tr>", page.index("护理生"))]
    assert "暂无合适岗位" in nurse_row
    assert opening.title not in nurse_row
    assert "护理生" not in client.get(url, query_string={"suitable": "yes"}).get_data(as_text=True)
    assert "合适生" not in client.get(url, query_string={"suitable": "no"}).get_data(as_text=True)
    assert "合适生" not in client.get(url, query_string={"major": nurse.major_id}).get_data(as_text=True)


def test_the_fit_floor_is_the_lowest_among_the_schools_alliances_in_force(db, market):
    from marketplace.allocations.ranking_pages import fit_floor  # new with the fit floor: each test fails alone

    school = market["member"].school
    market["alliance"].fit_floor = 0.6
    MembershipFactory(alliance=AllianceFactory(fit_floor=0.3), organization=school)
    MembershipFactory(alliance=AllianceFactory(fit_floor=0.1), organization=school, effective_from=date(2030, 1, 1))
    db.session.commit()
    assert fit_floor(school.id, date(2026, 12, 1)) == pytest.approx(0.3)
    assert fit_floor(SchoolFactory().id, date(2026, 12, 1)) == pytest.approx(0.4), "no alliance: the default"


def test_the_cohort_page_pages_fifty_students(client, login_as, db, market):
    for n in range(55):
        StudentFactory(cohort=market["member"], name=f"学生{n:02d}号")
    db.session.commit()
    login_as(UserFactory(organization=market["member"].school))
    url = f"/cohorts/{market['member'].id}/matches"
    assert "55 名学生；第 1 / 2 页" in client.get(url).get_data(as_text=True)
    second = client.get(url, query_string={"page": 2}).get_data(as_text=True)
    assert sum(f"学生{n:02d}号" in second for n in range(55)) == 5


def test_a_school_puts_students_forward_from_the_cohort_page(client, login_as, db, market):
    opening = market["opening"]
    a = _student(db, market["member"], "甲生", 90, opening)
    b = _student(db, market["member"], "乙生", 85, opening)
    second = OpeningFactory(plan=opening.plan, title="第二岗位", headcount=1, filled=1)
    db.session.commit()
    url = f"/cohorts/{market['member'].id}/matches"
    login_as(UserFactory(organization=market["other"].school))
    assert client.post(url, data={"pairs": [f"{a.id}:{opening.id}"]}).status_code == 404, "another school"
    login_as(UserFactory(organization=market["member"].school))
    page = _post_and_read(client, url, {"pairs": [f"{a.id}:{opening.id}", f"{b.id}:{opening.id}",
                                                  f"{b.id}:{second.id}"]})  # fmt: skip
    pairs = {tuple(r) for r in db.session.execute(sa.select(Nomination.student_id, Nomination.opening_id))}
    assert pairs == {(a.id, opening.id), (b.id, opening.id)}
    assert "乙生 → 第二岗位：" in page, "the full opening is refused on its own row"


def test_a_students_list_groups_identical_openings_and_breaks_ties_by_pay_then_start(client, login_as, db, market):
    plan = market["opening"].plan
    student = _student(db, market["member"], "甲生", 90, market["opening"])
    same = dict(plan=plan, title="焊工", pay_min=5000, pay_max=6000, headcount=2)
    twins = [OpeningFactory(**same) for _ in range(3)]
    later = OpeningFactory(plan=plan, title="焊工晚", pay_min=5000, pay_max=6000, start_date=date(2027, 4, 1))
    richer = OpeningFactory(plan=plan, title="焊工高薪", pay_min=5000, pay_max=9000, start_date=date(2027, 5, 1))
    for o in [*twins, later, richer]:
        o.majors = [student.major]
    db.session.commit()
    login_as(UserFactory(organization=market["member"].school))
    page = client.get(f"/students/{student.id}/openings").get_data(as_text=True)
    assert page.index(">焊工高薪<") < page.index(">焊工<") < page.index(">焊工晚<"), "pay first, then start date"
    assert page.count(">焊工<") == 1
    assert "3 个相同岗位" in page
    assert "6 个名额" in page
    assert "2027-04-01" in page
    assert "2027-08-31" in page
