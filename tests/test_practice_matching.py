"""Teacher practice through the matching engine: ranked bases on the school's request page, and the secretariat's
allocation proposal of open requests to member bases."""

from datetime import date

from marketplace.auth.models import Role
from marketplace.orgs.models import OrgKind
from marketplace.practice.models import PracticeStatus
from marketplace.ranking import rank_bases
from tests.factories import (
    AllianceFactory,
    MembershipFactory,
    OrganizationFactory,
    PracticeBaseFactory,
    PracticeRequestFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    region,
)


def test_bases_rank_by_specialty_and_city_and_leave_out_full_or_unavailable_ones(client, login_as, db):
    school = SchoolFactory()
    teacher = TeacherFactory(school=school, specialty="数控技术")
    req = PracticeRequestFactory(teacher=teacher, wanted_city=region("131100"))
    near = PracticeBaseFactory(name="数控基地甲", specialty="数控技术", city=region("131100"))
    far = PracticeBaseFactory(name="数控基地乙", specialty="数控技术", city=region("110100"))
    unrelated = PracticeBaseFactory(name="护理基地", specialty="护理", city=region("131100"))
    closed = PracticeBaseFactory(name="暑假关闭基地", available_until=date(2026, 7, 31))
    full = PracticeBaseFactory(name="已满基地", capacity=1)
    PracticeRequestFactory(status=PracticeStatus.ACCEPTED, base=full, start_date=date(2026, 8, 1),
                           end_date=date(2026, 8, 20))  # fmt: skip
    db.session.commit()

    ranked = [s.base.id for s in rank_bases(req)]
    assert ranked[:2] == [near.id, far.id]
    assert ranked.index(far.id) < ranked.index(unrelated.id)
    assert closed.id not in ranked, "available only for part of the period"
    assert full.id not in ranked, "its one place is held for part of the period"

    login_as(UserFactory(organization=school))
    page = client.get(f"/practice/requests/{req.id}").get_data(as_text=True)
    assert page.index("数控基地甲") < page.index("数控基地乙") < page.index("护理基地")
    login_as(UserFactory(organization=OrganizationFactory(kind=OrgKind.ENTERPRISE)))
    page = client.get(f"/practice/requests/{req.id}").get_data(as_text=True)
    assert "数控基地乙" not in page, "the suggestions are the school's, not shown to enterprises"


def test_the_secretariat_sees_a_stable_capacity_respecting_proposal(client, login_as, db):
    alliance = AllianceFactory(priority_tolerance=0.02)
    member_school, enterprise = SchoolFactory(), OrganizationFactory(kind=OrgKind.ENTERPRISE)
    MembershipFactory(alliance=alliance, organization=member_school)
    MembershipFactory(alliance=alliance, organization=enterprise)
    base = PracticeBaseFactory(enterprise=enterprise, capacity=1, city=region("131100"))
    PracticeRequestFactory(teacher=TeacherFactory(school=member_school, name="近处教师"),
                                  wanted_city=region("131100"))  # fmt: skip
    PracticeRequestFactory(teacher=TeacherFactory(school=member_school, name="远处教师"),
                                 wanted_city=region("110100"))  # fmt: skip
    PracticeRequestFactory(teacher=TeacherFactory(name="非成员教师"))
    db.session.commit()

    url = f"/alliances/{alliance.id}/practice-allocation"
    login_as(UserFactory(organization=member_school))
    assert client.get(url).status_code == 404
    login_as(UserFactory(organization=alliance.secretariat, role=Role.SECRETARIAT))
    page = client.get(url).get_data(as_text=True)
    assert "非成员教师" not in page
    assert "1 of 2" in page or "2 个请求中有 1 个" in page
    row_near = page[page.index("近处教师") : page.index("</tr>", page.index("近处教师"))]
    row_far = page[page.index("远处教师") : page.index("</tr>", page.index("远处教师"))]
    assert base.name in row_near
    assert base.name not in row_far


def test_the_school_sees_which_suggested_bases_belong_to_an_enterprise_that_declined(client, login_as, db):
    school = SchoolFactory()
    req = PracticeRequestFactory(teacher=TeacherFactory(school=school))
    declined_base = PracticeBaseFactory(name="已婉拒企业的基地")
    other_base = PracticeBaseFactory(name="尚未答复企业的基地")
    login_as(UserFactory(organization=declined_base.enterprise))
    assert client.post(f"/practice/requests/{req.id}/decline", data={"reason": "导师出差"}).status_code == 302

    login_as(UserFactory(organization=school))
    page = client.get(f"/practice/requests/{req.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    row = page[page.index(declined_base.name) : page.index("</tr>", page.index(declined_base.name))]
    assert "Declined" in row
    row = page[page.index(other_base.name) : page.index("</tr>", page.index(other_base.name))]
    assert "Declined" not in row
