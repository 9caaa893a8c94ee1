"""Expert pool, teacher pool and specialty collaboration groups: the charters' rules, terms, reminders, access."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from marketplace.alliances.models import MembershipStatus
from marketplace.audit.models import AuditEvent
from marketplace.auth.models import Role
from marketplace.notifications.models import Notification
from marketplace.orgs.models import OrgKind
from marketplace.pools import services, sweep
from marketplace.pools.models import (
    ConsentMethod,
    Expert,
    ExpertStatus,
    ExpertTerm,
    GroupMember,
    GroupRole,
    Route,
    Standing,
    TitleLevel,
    term_end,
)
from marketplace.pools.services import PoolError
from marketplace.practice.models import PracticeStatus
from marketplace.timeutil import local_today
from tests.factories import (
    AllianceFactory,
    MembershipFactory,
    OrganizationFactory,
    PracticeBaseFactory,
    PracticeRequestFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
)

# The two charters' expert rules (DOMAIN.md): 机械 art. 6 and 联席会 art. 19.
JIXIE = dict(expert_term_years=4, expert_max_age=60, expert_min_title="associate_senior")
LIANXI = dict(expert_term_years=3, expert_max_age=None, expert_min_title=None)
EN = {"Accept-Language": "en"}
START = date(2026, 3, 1)


def alliance_with(charter: dict):
    return AllianceFactory(secretariat=SchoolFactory(), **charter)


def member_admin(alliance, kind=OrgKind.SCHOOL, role=Role.ORG_ADMIN):
    org = OrganizationFactory(kind=kind)
    MembershipFactory(organization=org, alliance=alliance)
    return UserFactory(organization=org, role=role)


def clerk_of(alliance):
    return UserFactory(organization=alliance.secretariat, role=Role.SECRETARIAT)


def submit(alliance, actor, *, birth_year=1975, title=TitleLevel.ASSOCIATE_SENIOR, name="张建华", **extra):
    return services.submit_expert(
        alliance,
        actor=actor,
        route=extra.pop("route", Route.APPLICATION),
        name=name,
        title_level=title,
        birth_year=birth_year,
        specialty="数控技术",
        today=extra.pop("today", START),
        **extra,
    )


def appointed(alliance, start=START, **kwargs) -> Expert:
    expert = submit(alliance, member_admin(alliance), **kwargs)
    return services.approve(expert, actor=clerk_of(alliance), start=start)


# --- charter rules ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("charter", "birth_year", "title", "refused_by"),
    [
        (JIXIE, 1966, TitleLevel.ASSOCIATE_SENIOR, None),  # exactly 60 in 2026
        (JIXIE, 1965, TitleLevel.ASSOCIATE_SENIOR, "max_age"),  # 61
        (JIXIE, 1980, TitleLevel.SENIOR, None),
        (JIXIE, 1980, TitleLevel.ASSOCIATE_SENIOR, None),  # 副高 is enough
        (JIXIE, 1980, TitleLevel.INTERMEDIATE, "min_title"),  # 中级 is not
        (JIXIE, 1980, TitleLevel.NONE, "min_title"),
        (LIANXI, 1965, TitleLevel.INTERMEDIATE, None),  # 联席会 has neither rule
        (LIANXI, 1950, TitleLevel.NONE, None),
    ],
)
def test_charter_rules_decide_approval(db, charter, birth_year, title, refused_by):
    alliance = alliance_with(charter)
    expert = submit(alliance, member_admin(alliance), birth_year=birth_year, title=title)
    if refused_by is None:
        services.approve(expert, actor=clerk_of(alliance), start=START)
        assert expert.status is ExpertStatus.APPOINTED
    else:
        with pytest.raises(PoolError) as refused:
            services.approve(expert, actor=clerk_of(alliance), start=START)
        assert refused.value.rule == refused_by
        assert expert.status is ExpertStatus.PENDING


@pytest.mark.parametrize(
    ("years", "start", "end"),
    [
        (3, date(2026, 3, 1), date(2029, 2, 28)),
        (4, date(2026, 3, 1), date(2030, 2, 28)),
        (3, date(2024, 1, 1), date(2026, 12, 31)),
        (4, date(2027, 7, 15), date(2031, 7, 14)),
    ],
)
def test_term_ends_n_years_less_a_day_after_it_starts(db, years, start, end):
    assert term_end(start, years) == end
    alliance = alliance_with(JIXIE if years == 4 else LIANXI)
    expert = appointed(alliance, start=start)
    assert (expert.appointed_from, expert.appointed_until, expert.term_no) == (start, end, 1)
    assert [(t.starts_on, t.ends_on) for t in expert.terms] == [(start, end)]


def test_secretariat_sees_the_rule_refuse_approval_in_the_browser(client, login_as, db):
    alliance = alliance_with(JIXIE)
    old = submit(alliance, member_admin(alliance), birth_year=1965, name="王振国")
    fine = submit(alliance, member_admin(alliance), birth_year=1966, name="李立新")
    login_as(clerk_of(alliance))
    response = client.post(f"/experts/{old.id}", data={"action": "approve", "appointed_from": "2026-03-01"}, headers=EN)
    assert response.status_code == 200
    assert "at most 60 years old" in response.get_data(as_text=True)
    assert (
        client.post(f"/experts/{fine.id}", data={"action": "approve", "appointed_from": "2026-03-01"}).status_code
        == 302
    )
    db.session.refresh(old)
    db.session.refresh(fine)
    assert old.status is ExpertStatus.PENDING
    assert (fine.status, fine.appointed_until) == (ExpertStatus.APPOINTED, date(2030, 2, 28))
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.object_id == fine.id).order_by(
        AuditEvent.id.desc()).limit(1)) == "expert_appointed"  # fmt: skip


# --- recommendation and consent --------------------------------------------------------------------------------


def test_recommendation_without_consent_is_refused(client, login_as, db):
    alliance = alliance_with(LIANXI)
    admin = member_admin(alliance)
    with pytest.raises(PoolError) as refused:
        submit(alliance, admin, route=Route.RECOMMENDATION)
    assert refused.value.rule == "consent"
    with pytest.raises(PoolError):  # consent must come first (事先征得同意)
        submit(alliance, admin, route=Route.RECOMMENDATION, consent_on=START + timedelta(days=1),
               consent_method=ConsentMethod.WRITTEN)  # fmt: skip
    login_as(admin)
    data = {"route": "recommendation", "name": "赵海燕", "title_level": "senior", "birth_year": 1970,
            "specialty": "焊接技术", "consent_on": "", "consent_method": ""}  # fmt: skip
    response = client.post(f"/alliances/{alliance.id}/experts/new", data=data, headers=EN)
    assert response.status_code == 200
    assert "prior consent" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Expert)) == 0
    data.update(consent_on=local_today().isoformat(), consent_method="written")
    assert client.post(f"/alliances/{alliance.id}/experts/new", data=data).status_code == 302
    expert = db.session.scalar(sa.select(Expert))
    assert (expert.route, expert.consent_on, expert.consent_method, expert.consent_recorded_by_id) == (
        Route.RECOMMENDATION, local_today(), ConsentMethod.WRITTEN, admin.id)  # fmt: skip
    assert expert.status is ExpertStatus.PENDING


def test_the_database_refuses_a_recommendation_without_consent(db):
    alliance = alliance_with(LIANXI)
    unit = member_admin(alliance).organization
    db.session.add(Expert(alliance=alliance, organization_id=unit.id, name="某人", title_level=TitleLevel.SENIOR,
                          birth_year=1970, specialty="数控", route=Route.RECOMMENDATION))  # fmt: skip
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()


def test_staff_apply_only_for_themselves_and_non_members_not_at_all(client, login_as, db):
    alliance = alliance_with(LIANXI)
    staff = member_admin(alliance, role=Role.ORG_STAFF)
    with pytest.raises(PoolError) as refused:
        submit(alliance, staff, route=Route.RECOMMENDATION, consent_on=START, consent_method=ConsentMethod.WRITTEN)
    assert refused.value.rule == "recommender"
    login_as(staff)
    data = {"route": "application", "name": "别人", "title_level": "intermediate", "birth_year": 1985,
            "specialty": "汽车维修"}  # fmt: skip
    assert client.post(f"/alliances/{alliance.id}/experts/new", data=data).status_code == 302
    expert = db.session.scalar(sa.select(Expert))
    assert (expert.name, expert.user_id, expert.route) == (staff.name, staff.id, Route.APPLICATION)
    outsider = UserFactory()
    with pytest.raises(PoolError):
        submit(alliance, outsider)
    login_as(outsider)
    assert client.get(f"/alliances/{alliance.id}/experts/new").status_code == 404


# --- renewal, expiry, resignation ------------------------------------------------------------------------------


def test_renewal_starts_the_day_after_and_rechecks_the_rules(db):
    alliance = alliance_with(JIXIE)
    expert = appointed(alliance, start=date(2022, 9, 1), birth_year=1965)  # 57 in 2022
    clerk = clerk_of(alliance)
    assert expert.appointed_until == date(2026, 8, 31)
    with pytest.raises(PoolError) as refused:  # 61 in 2026
        services.renew(expert, actor=clerk, today=date(2026, 6, 1))
    assert refused.value.rule == "max_age"
    younger = appointed(alliance, start=date(2022, 9, 1), birth_year=1970, name="刘志刚")
    services.renew(younger, actor=clerk, today=date(2026, 6, 1))
    assert (younger.appointed_from, younger.appointed_until, younger.term_no) == (
        date(2026, 9, 1), date(2030, 8, 31), 2)  # fmt: skip
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExpertTerm).where(
        ExpertTerm.expert_id == younger.id)) == 2  # fmt: skip
    with pytest.raises(PoolError):  # already renewed for the next term
        services.renew(younger, actor=clerk, today=date(2026, 6, 2))


def test_an_appointment_not_renewed_expires(db):
    alliance = alliance_with(JIXIE)
    expert = appointed(alliance, start=date(2022, 9, 1))
    assert expert.standing(date(2026, 8, 31)) is Standing.APPOINTED
    assert expert.standing(date(2026, 9, 1)) is Standing.EXPIRED
    with pytest.raises(PoolError):
        services.renew(expert, actor=clerk_of(alliance), today=date(2026, 9, 1))


def test_secretariat_renews_and_unit_resigns_through_the_app(client, login_as, db):
    alliance = alliance_with(LIANXI)
    today = local_today()
    expert = appointed(alliance, start=today)
    unit_admin = UserFactory(organization=expert.organization, role=Role.ORG_ADMIN)
    login_as(clerk_of(alliance))
    assert client.post(f"/experts/{expert.id}", data={"action": "renew"}).status_code == 302
    db.session.refresh(expert)
    assert expert.appointed_from == term_end(today, 3) + timedelta(days=1)
    login_as(unit_admin)
    assert client.post(f"/experts/{expert.id}", data={"action": "resign", "reason": "工作调动"}).status_code == 302
    db.session.refresh(expert)
    assert (expert.status, expert.ended_on) == (ExpertStatus.RESIGNED, today)
    actions = list(db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.object_type == "experts").order_by(AuditEvent.id)))  # fmt: skip
    assert actions == ["expert_submitted", "expert_appointed", "expert_renewed", "expert_resigned"]


# --- reminders -------------------------------------------------------------------------------------------------


def test_renewal_reminder_is_sent_once_from_exactly_the_warning_day(db):
    alliance = alliance_with(LIANXI)
    expert = appointed(alliance, start=date(2024, 2, 1))
    end = expert.appointed_until
    assert end == date(2027, 1, 31)
    warning = end - timedelta(days=alliance.term_warning_days)

    def notices():
        return sorted(db.session.scalars(sa.select(Notification.organization_id).where(
            Notification.key == f"expert-renewal:{expert.id}:1")))  # fmt: skip

    assert sweep.run(alliance, warning - timedelta(days=1)) == []
    assert notices() == []
    lines = sweep.run(alliance, warning)
    assert len(lines) == 1
    assert expert.name in lines[0]
    assert notices() == sorted([alliance.secretariat_org_id, expert.organization_id])
    assert sweep.run(alliance, warning) == []
    assert sweep.run(alliance, warning + timedelta(days=1)) == []
    assert len(notices()) == 2
    assert sweep.run(alliance, end + timedelta(days=1)) == []  # expired: nothing to renew


# --- collaboration groups --------------------------------------------------------------------------------------


def test_a_group_has_one_chair_and_one_secretary_general(db):
    alliance = alliance_with(JIXIE)
    clerk = clerk_of(alliance)
    unit = member_admin(alliance).organization
    group = services.create_group(alliance, actor=clerk, name="数控技术专业建设协作组", specialty="数控技术")

    def seat(name, role):
        return services.add_group_member(group, actor=clerk, person_name=name, organization_id=unit.id, role=role,
                                         joined_on=START)  # fmt: skip

    chair = seat("王主任", GroupRole.CHAIR)
    seat("李秘书长", GroupRole.SECRETARY_GENERAL)
    seat("张副主任", GroupRole.VICE_CHAIR)
    seat("赵副主任", GroupRole.VICE_CHAIR)  # several vice-chairs are fine
    for role in (GroupRole.CHAIR, GroupRole.SECRETARY_GENERAL):
        with pytest.raises(PoolError) as refused:
            seat("另一人", role)
        assert refused.value.rule == "single_seat"
    services.leave_group(chair, actor=clerk, on=date(2026, 6, 30))
    assert seat("新主任", GroupRole.CHAIR).role is GroupRole.CHAIR
    outsider = OrganizationFactory()
    with pytest.raises(PoolError) as refused:
        services.add_group_member(group, actor=clerk, person_name="外人", organization_id=outsider.id,
                                  role=GroupRole.MEMBER, joined_on=START)  # fmt: skip
    assert refused.value.rule == "member"


def test_the_database_keeps_the_single_seats_single(db):
    alliance = alliance_with(JIXIE)
    unit = member_admin(alliance).organization
    group = services.create_group(alliance, actor=clerk_of(alliance), name="工业机器人", specialty="工业机器人")
    for name in ("甲", "乙"):
        db.session.add(GroupMember(group=group, person_name=name, organization_id=unit.id, role=GroupRole.CHAIR,
                                   joined_on=START))  # fmt: skip
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()


def test_second_chair_is_refused_in_the_browser(client, login_as, db):
    alliance = alliance_with(JIXIE)
    unit = member_admin(alliance).organization
    login_as(clerk_of(alliance))
    response = client.post(f"/alliances/{alliance.id}/groups", data={"name": "数控技术", "specialty": "数控技术"})
    assert response.status_code == 302
    group_url = response.headers["Location"]
    again = client.post(f"/alliances/{alliance.id}/groups", data={"name": "数控技术", "specialty": "数控"}, headers=EN)
    assert again.status_code == 200
    assert "already exists" in again.get_data(as_text=True)
    seat = {"action": "add", "organization_id": unit.id, "role": "chair", "joined_on": "2026-03-01"}
    assert client.post(group_url, data=dict(seat, person_name="王主任")).status_code == 302
    response = client.post(group_url, data=dict(seat, person_name="李主任"), headers=EN)
    assert response.status_code == 200
    assert "already has a Group chair" in response.get_data(as_text=True)
    members = list(db.session.scalars(sa.select(GroupMember.person_name)))
    assert members == ["王主任"]
    chair = db.session.scalar(sa.select(GroupMember))
    leave = {"action": "leave", "member_id": chair.id, "left_on": "2026-09-30"}
    assert client.post(group_url, data=leave).status_code == 302
    db.session.refresh(chair)
    assert chair.left_on == date(2026, 9, 30)


# --- teacher pool ----------------------------------------------------------------------------------------------


def test_teacher_pool_lists_member_schools_teachers_and_member_enterprises_mentors(client, login_as, db):
    alliance = alliance_with(LIANXI)
    school_admin = member_admin(alliance)
    enterprise = member_admin(alliance, kind=OrgKind.ENTERPRISE).organization
    served = TeacherFactory(school=school_admin.organization, name="陈丽萍", specialty="数控技术")
    TeacherFactory(school=school_admin.organization, name="周国强", specialty="焊接技术")
    TeacherFactory(name="外校教师", specialty="数控技术")  # school not a member
    former = SchoolFactory()
    MembershipFactory(organization=former, alliance=alliance, status=MembershipStatus.WITHDRAWN)
    TeacherFactory(school=former, name="退出学校教师")
    base = PracticeBaseFactory(enterprise=enterprise, mentor_name="孙师傅", specialty="数控技术")
    PracticeBaseFactory(mentor_name="非成员师傅")
    start = local_today() - timedelta(days=400)
    PracticeRequestFactory(teacher=served, base=base, status=PracticeStatus.COMPLETED, start_date=start,
                           end_date=start + timedelta(days=59), days=60, days_served=60)  # fmt: skip
    login_as(school_admin)
    page = client.get(f"/alliances/{alliance.id}/teachers").get_data(as_text=True)
    assert "陈丽萍" in page
    assert "周国强" in page
    assert "孙师傅" in page
    assert "外校教师" not in page
    assert "退出学校教师" not in page
    assert "非成员师傅" not in page
    assert ">60" in page.replace(" ", "")
    filtered = client.get(f"/alliances/{alliance.id}/teachers?specialty=焊接技术").get_data(as_text=True)
    assert "周国强" in filtered
    assert "陈丽萍" not in filtered
    assert "孙师傅" not in filtered


# --- access control --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        ("outsider", "/alliances/{a}/teachers", 404),
        ("outsider", "/alliances/{a}/experts", 404),
        ("outsider", "/alliances/{a}/groups", 404),
        ("outsider", "/experts/{appointed}", 404),
        ("other_secretariat", "/alliances/{a}/teachers", 404),
        ("other_secretariat", "/experts/{pending}", 404),
        ("member", "/alliances/{a}/teachers", 200),
        ("member", "/alliances/{a}/groups", 200),
        ("member", "/experts/{appointed}", 200),
        ("member", "/experts/{pending}", 404),  # another unit's entry awaiting review
        ("unit", "/experts/{pending}", 200),
        ("secretariat", "/experts/{pending}", 200),
        ("secretariat", "/alliances/{a}/teachers", 200),
    ],
)
def test_who_sees_what(client, login_as, db, who, path, status):
    alliance = alliance_with(LIANXI)
    unit_admin = member_admin(alliance)
    pending = submit(alliance, unit_admin, name="待审专家")
    done = appointed(alliance, start=local_today())
    users = {
        "outsider": lambda: UserFactory(),
        "other_secretariat": lambda: clerk_of(alliance_with(LIANXI)),
        "member": lambda: member_admin(alliance),
        "unit": lambda: unit_admin,
        "secretariat": lambda: clerk_of(alliance),
    }
    login_as(users[who]())
    url = path.format(a=alliance.id, pending=pending.id, appointed=done.id)
    assert client.get(url).status_code == status


def test_only_the_alliances_secretariat_decides(client, login_as, db):
    alliance = alliance_with(LIANXI)
    expert = submit(alliance, member_admin(alliance))
    approve = {"action": "approve", "appointed_from": "2026-03-01"}
    login_as(member_admin(alliance))
    assert client.post(f"/experts/{expert.id}", data=approve).status_code == 404  # cannot even see it
    login_as(UserFactory(organization=expert.organization, role=Role.ORG_ADMIN))
    assert client.post(f"/experts/{expert.id}", data=approve).status_code == 403  # its own unit cannot approve
    login_as(clerk_of(alliance_with(LIANXI)))
    assert client.post(f"/experts/{expert.id}", data=approve).status_code == 404
    login_as(member_admin(alliance))
    assert client.post(f"/alliances/{alliance.id}/groups", data={"name": "组", "specialty": "数控"}).status_code == 403
    db.session.refresh(expert)
    assert expert.status is ExpertStatus.PENDING
    login_as(clerk_of(alliance))
    assert client.post(f"/experts/{expert.id}", data=approve).status_code == 302
    db.session.refresh(expert)
    assert expert.status is ExpertStatus.APPOINTED


def test_lists_show_members_appointments_and_the_secretariat_everything(client, login_as, db):
    alliance = alliance_with(LIANXI)
    submit(alliance, member_admin(alliance), name="待审专家")
    appointed(alliance, start=local_today(), name="在聘专家")
    appointed(alliance, start=date(2020, 1, 1), name="到期专家")
    login_as(member_admin(alliance))
    page = client.get(f"/alliances/{alliance.id}/experts").get_data(as_text=True)
    assert "在聘专家" in page
    assert "待审专家" not in page
    assert "到期专家" not in page
    login_as(clerk_of(alliance))
    page = client.get(f"/alliances/{alliance.id}/experts").get_data(as_text=True)
    assert "在聘专家" in page
    assert "待审专家" in page
    assert "到期专家" in page


def test_every_page_renders_for_the_secretariat_and_a_member(client, login_as, db):
    alliance = alliance_with(JIXIE)
    admin = member_admin(alliance)
    clerk = clerk_of(alliance)
    pending = submit(alliance, admin, name="待审专家")
    done = appointed(alliance, start=local_today() - timedelta(days=4 * 365 - 30), name="将到期专家")
    group = services.create_group(alliance, actor=clerk, name="工业机器人", specialty="工业机器人")
    services.add_group_member(group, actor=clerk, person_name="王主任", organization_id=admin.organization_id,
                              role=GroupRole.CHAIR, joined_on=START)  # fmt: skip
    pages = ["/alliances/{a}/experts", "/alliances/{a}/experts/new", "/alliances/{a}/teachers",
             "/alliances/{a}/groups", f"/groups/{group.id}", f"/experts/{done.id}"]  # fmt: skip
    login_as(admin)
    for page in pages + [f"/experts/{pending.id}"]:
        assert client.get(page.format(a=alliance.id)).status_code == 200, page
    login_as(clerk)  # the secretariat's organisation is not a member here, so it puts nobody forward
    assert client.get(f"/alliances/{alliance.id}/experts/new").status_code == 403
    for page in [p for p in pages if not p.endswith("/new")] + [f"/experts/{pending.id}"]:
        assert client.get(page.format(a=alliance.id)).status_code == 200, page
    detail = client.get(f"/experts/{pending.id}", headers=EN).get_data(as_text=True)
    assert "Approve and appoint" in detail
    assert "1975" in detail
    assert "Term ends soon" in client.get(f"/alliances/{alliance.id}/experts", headers=EN).get_data(as_text=True)
    login_as(member_admin(alliance))
    assert "1975" not in client.get(f"/experts/{done.id}").get_data(as_text=True)  # birth year is not for others


def test_decisions_and_leaving_need_the_csrf_token(csrf_app, db):
    alliance = alliance_with(JIXIE)
    unit = member_admin(alliance).organization
    expert = submit(alliance, member_admin(alliance))
    clerk = clerk_of(alliance)
    group = services.create_group(alliance, actor=clerk, name="数控技术", specialty="数控技术")
    seat = services.add_group_member(group, actor=clerk, person_name="王主任", organization_id=unit.id,
                                     role=GroupRole.CHAIR, joined_on=START)  # fmt: skip
    client = csrf_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = clerk.get_id()
    approve = {"action": "approve", "appointed_from": "2026-03-01"}
    assert client.post(f"/experts/{expert.id}", data=approve).status_code == 400  # no token: refused
    page = client.get(f"/experts/{expert.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post(f"/experts/{expert.id}", data=dict(approve, csrf_token=token)).status_code == 302
    page = client.get(f"/groups/{group.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    leave = {"action": "leave", "member_id": seat.id, "left_on": "2026-06-30", "csrf_token": token}
    assert client.post(f"/groups/{group.id}", data=leave).status_code == 302
    db.session.refresh(expert)
    db.session.refresh(seat)
    assert (expert.status, seat.left_on) == (ExpertStatus.APPOINTED, date(2026, 6, 30))
