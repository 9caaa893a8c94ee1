"""Teacher enterprise practice through the app: request → accepted onto a base → practice served, and its rules."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from marketplace.audit.models import AuditEvent
from marketplace.auth.models import Role
from marketplace.notifications.models import Notification
from marketplace.practice.models import PracticeBase, PracticeDecline, PracticeRequest, PracticeStatus, Teacher
from marketplace.timeutil import local_today
from tests.factories import (
    OrganizationFactory,
    PracticeBaseFactory,
    PracticeRequestFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    region,
)

EN = {"Accept-Language": "en"}


def actions(db) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def notifications(db) -> list[tuple[int, str, str]]:
    rows = db.session.scalars(sa.select(Notification).order_by(Notification.id))
    return [(n.organization_id, n.message, n.link) for n in rows]


@pytest.fixture
def sides(db):
    """A school and an enterprise with a numerical-control practice base open a year either side of today."""
    school, enterprise = SchoolFactory(), OrganizationFactory()
    today = local_today()
    base = PracticeBaseFactory(
        enterprise=enterprise,
        specialty="数控",
        capacity=1,
        available_from=today - timedelta(days=365),
        available_until=today + timedelta(days=365),
    )
    return (
        UserFactory(organization=school, role=Role.ORG_STAFF),
        UserFactory(organization=enterprise, role=Role.ORG_STAFF),
        base,
    )


def test_journey_request_accept_serve(client, login_as, db, sides):
    school_user, enterprise_user, base = sides
    unrelated = PracticeBaseFactory(specialty="护理")  # another enterprise's base in another specialty
    start, end = local_today() - timedelta(days=90), local_today() - timedelta(days=31)  # 60 days, already over

    login_as(school_user)
    response = client.post(
        "/practice/teachers/new", data={"staff_no": "T001", "name": "张老师", "specialty": "数控技术"}
    )
    assert response.status_code == 302
    teacher = db.session.scalar(sa.select(Teacher))
    response = client.post(
        "/practice/requests/new",
        data={
            "teacher_id": teacher.id,
            "specialty": "",
            "start_date": start,
            "end_date": end,
            "days": 50,
            "wanted_city": region("131100").id,
        },
    )
    assert response.status_code == 302
    req = db.session.scalar(sa.select(PracticeRequest))
    assert (req.specialty, req.status, req.days, req.wanted_city.name) == (
        "数控技术",
        PracticeStatus.REQUESTED,
        50,
        "衡水市",
    )
    link = f"/practice/requests/{req.id}"
    assert [(org, lk) for org, _m, lk in notifications(db)] == [(base.enterprise_id, link)]
    assert unrelated.enterprise_id not in [org for org, _m, _l in notifications(db)]

    login_as(enterprise_user)
    page = client.get("/practice/open").get_data(as_text=True)
    assert "张老师" in page
    assert "T001" not in page  # the school's internal staff number stays with the school
    assert client.post(f"{link}/accept", data={"base_id": base.id}).status_code == 302
    db.session.refresh(req)
    assert (req.status, req.base_id) == (PracticeStatus.ACCEPTED, base.id)
    org, message, note_link = notifications(db)[-1]
    assert (org, note_link) == (school_user.organization_id, link)
    assert "张老师" in message
    assert "李师傅" in message  # the named mentor (专人指导)
    assert "张老师" in client.get("/practice/hosted").get_data(as_text=True)

    assert client.post(f"{link}/complete", data={"days_served": 45}).status_code == 302
    db.session.refresh(req)
    assert (req.status, req.days_served) == (PracticeStatus.COMPLETED, 45)
    org, message, _link = notifications(db)[-1]
    assert org == school_user.organization_id
    assert "45" in message

    events = db.session.execute(sa.select(AuditEvent.action, AuditEvent.actor_id).order_by(AuditEvent.id)).all()
    assert [tuple(e) for e in events] == [
        ("teacher_added", school_user.id),
        ("practice_requested", school_user.id),
        ("practice_accepted", enterprise_user.id),
        ("practice_completed", enterprise_user.id),
    ]
    assert len(notifications(db)) == 3

    login_as(school_user)
    page = client.get("/practice/teachers", headers=EN).get_data(as_text=True)
    assert "135 days short" in page  # 180 − 45
    assert base.name in client.get("/practice/requests").get_data(as_text=True)


def accepted(base: PracticeBase, start: date, end: date, status=PracticeStatus.ACCEPTED) -> PracticeRequest:
    return PracticeRequestFactory(
        base=base,
        status=status,
        start_date=start,
        end_date=end,
        days=(end - start).days + 1,
        days_served=(end - start).days + 1 if status is PracticeStatus.COMPLETED else None,
    )


@pytest.mark.parametrize(
    ("start", "end", "capacity", "accepted_ok"),
    [
        (date(2026, 4, 1), date(2026, 4, 30), 1, True),  # starts the day after the held period ends
        (date(2026, 1, 1), date(2026, 2, 28), 1, True),  # ends the day before it starts
        (date(2026, 3, 31), date(2026, 4, 30), 1, False),  # one shared day is an overlap
        (date(2026, 2, 1), date(2026, 3, 1), 1, False),
        (date(2026, 3, 10), date(2026, 3, 20), 2, True),  # a second place
    ],
)
def test_capacity_counts_overlapping_places(client, login_as, db, start, end, capacity, accepted_ok):
    base = PracticeBaseFactory(capacity=capacity, available_from=date(2026, 1, 1), available_until=date(2026, 12, 31))
    accepted(base, date(2026, 3, 1), date(2026, 3, 31))
    PracticeRequestFactory(base=None, status=PracticeStatus.DECLINED, start_date=start, end_date=end, days=1)
    req = PracticeRequestFactory(start_date=start, end_date=end, days=1)
    login_as(UserFactory(organization=base.enterprise))
    before = (actions(db), notifications(db))
    response = client.post(f"/practice/requests/{req.id}/accept", data={"base_id": base.id}, headers=EN)
    db.session.refresh(req)
    if accepted_ok:
        assert response.status_code == 302
        assert req.status is PracticeStatus.ACCEPTED
    else:
        assert response.status_code == 422
        assert "is full for this period: 1 of its 1 places" in response.get_data(as_text=True)
        assert (req.status, req.base_id) == (PracticeStatus.REQUESTED, None)
        assert (actions(db), notifications(db)) == before


def test_served_practice_holds_its_place(client, login_as, db):
    base = PracticeBaseFactory(capacity=1)
    accepted(base, date(2026, 3, 1), date(2026, 3, 31), status=PracticeStatus.COMPLETED)
    req = PracticeRequestFactory(start_date=date(2026, 3, 15), end_date=date(2026, 4, 15), days=10)
    login_as(UserFactory(organization=base.enterprise))
    assert client.post(f"/practice/requests/{req.id}/accept", data={"base_id": base.id}).status_code == 422


def test_concurrent_accepts_never_overbook(app, db):
    """Eight enterprise users accept eight overlapping requests onto the last place at once: exactly one gets it."""
    base = PracticeBaseFactory(capacity=1)
    user, base_id = UserFactory(organization=base.enterprise), base.id
    request_ids = [PracticeRequestFactory().id for _ in range(8)]
    clients = []
    for _ in request_ids:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = user.get_id(), True
        clients.append(client)
    db.session.commit()  # hold no transaction (on SQLite, no write lock) while the threads run
    barrier = threading.Barrier(len(request_ids))

    def accept(client, request_id: int) -> int:
        with app.app_context():
            barrier.wait()
            return client.post(f"/practice/requests/{request_id}/accept", data={"base_id": base_id}).status_code

    with ThreadPoolExecutor(len(request_ids)) as pool:
        codes = list(pool.map(accept, clients, request_ids))
    assert sorted(codes) == [302] + [422] * 7
    statuses = db.session.scalars(sa.select(PracticeRequest.status).where(PracticeRequest.base_id == base_id)).all()
    assert statuses == [PracticeStatus.ACCEPTED]
    assert actions(db) == ["practice_accepted"]


@pytest.mark.parametrize(
    ("start", "end"), [(date(2026, 6, 1), date(2026, 7, 15)), (date(2025, 12, 31), date(2026, 1, 31))]
)
def test_period_outside_availability_is_refused(client, login_as, db, start, end):
    base = PracticeBaseFactory(capacity=5, available_from=date(2026, 1, 1), available_until=date(2026, 6, 30))
    req = PracticeRequestFactory(start_date=start, end_date=end, days=10)
    login_as(UserFactory(organization=base.enterprise))
    response = client.post(f"/practice/requests/{req.id}/accept", data={"base_id": base.id}, headers=EN)
    assert response.status_code == 422
    assert "outside the base&#39;s availability (2026-01-01 – 2026-06-30)" in response.get_data(as_text=True)
    db.session.refresh(req)
    assert req.status is PracticeStatus.REQUESTED
    assert actions(db) == []
    assert notifications(db) == []


def test_enterprise_cannot_accept_onto_another_enterprises_base(client, login_as, db):
    base, req = PracticeBaseFactory(), PracticeRequestFactory()
    login_as(UserFactory())  # a user of another enterprise
    assert client.post(f"/practice/requests/{req.id}/accept", data={"base_id": base.id}).status_code == 422
    db.session.refresh(req)
    assert req.status is PracticeStatus.REQUESTED


@pytest.mark.parametrize(("days_served", "expected"), [(61, 422), (60, 302), (0, 302), (-1, 422)])
def test_days_served_cannot_exceed_the_period(client, login_as, db, days_served, expected):
    base = PracticeBaseFactory(available_from=date(2026, 1, 1))
    req = accepted(base, date(2026, 3, 1), date(2026, 4, 29))  # 60 days
    login_as(UserFactory(organization=base.enterprise))
    response = client.post(f"/practice/requests/{req.id}/complete", data={"days_served": days_served}, headers=EN)
    assert response.status_code == expected
    db.session.refresh(req)
    if expected == 302:
        assert (req.status, req.days_served) == (PracticeStatus.COMPLETED, days_served)
    else:
        assert (req.status, req.days_served) == (PracticeStatus.ACCEPTED, None)
    if days_served == 61:
        assert "cannot exceed the 60 days of the period 2026-03-01 – 2026-04-29" in response.get_data(as_text=True)


def test_practice_not_yet_started_cannot_be_recorded(client, login_as, db):
    base = PracticeBaseFactory(available_until=local_today() + timedelta(days=400))
    req = accepted(base, local_today() + timedelta(days=10), local_today() + timedelta(days=40))
    login_as(UserFactory(organization=base.enterprise))
    response = client.post(f"/practice/requests/{req.id}/complete", data={"days_served": 5}, headers=EN)
    assert response.status_code == 422
    assert "has not started yet" in response.get_data(as_text=True)


def test_a_decline_is_one_enterprises_answer_and_the_request_stays_open(client, login_as, db):
    """Two enterprises see the request: one declines (the school hears why), the other still sees and accepts it."""
    req = PracticeRequestFactory(teacher__name="韩老师")
    school_id, link = req.teacher.school_id, f"/practice/requests/{req.id}"
    decliner = UserFactory(organization=OrganizationFactory(name="婉拒机械有限公司"))
    own_base = PracticeBaseFactory(enterprise=decliner.organization)
    taker_base = PracticeBaseFactory()
    taker = UserFactory(organization=taker_base.enterprise)

    login_as(decliner)
    assert client.post(f"{link}/decline", data={"reason": ""}).status_code == 422
    response = client.post(f"{link}/decline", data={"reason": "本期名额已满，请下半年再申请"})
    assert (response.status_code, response.headers["Location"]) == (302, "/practice/open")
    db.session.refresh(req)
    assert req.status is PracticeStatus.REQUESTED
    [decline] = db.session.scalars(sa.select(PracticeDecline)).all()
    assert (decline.request_id, decline.enterprise_id, decline.reason, decline.declined_by_id) == (
        req.id,
        decliner.organization_id,
        "本期名额已满，请下半年再申请",
        decliner.id,
    )
    assert decline.declined_at is not None
    [(org, message, note_link)] = notifications(db)
    assert (org, note_link) == (school_id, link)
    assert "本期名额已满" in message
    event = db.session.scalar(sa.select(AuditEvent))
    assert (event.action, event.actor_id, event.details["reason"], event.details["enterprise_id"]) == (
        "practice_declined",
        decliner.id,
        "本期名额已满，请下半年再申请",
        decliner.organization_id,
    )

    # The decliner's answer is given: off its open list, no forms on the page, and it cannot accept after all.
    assert "韩老师" not in client.get("/practice/open").get_data(as_text=True)
    page = client.get(link, headers=EN).get_data(as_text=True)
    assert "Your enterprise declined this request on" in page
    assert f"{link}/accept" not in page
    assert f"{link}/decline" not in page
    response = client.post(f"{link}/accept", data={"base_id": own_base.id}, headers=EN)
    assert response.status_code == 422
    assert "has declined this request and can no longer accept it" in response.get_data(as_text=True)

    # The other enterprise still sees it open and accepts it.
    login_as(taker)
    assert "韩老师" in client.get("/practice/open").get_data(as_text=True)
    page = client.get(link).get_data(as_text=True)
    assert f"{link}/decline" in page
    assert "本期名额已满" not in page, "an enterprise's reason is for the school, not for the other enterprises"
    assert client.post(f"{link}/accept", data={"base_id": taker_base.id}).status_code == 302
    db.session.refresh(req)
    assert (req.status, req.base_id) == (PracticeStatus.ACCEPTED, taker_base.id)
    assert actions(db) == ["practice_declined", "practice_accepted"]

    # The school reads who declined and why, on the request and in its list.
    login_as(UserFactory(organization=req.teacher.school))
    page = client.get(link).get_data(as_text=True)
    assert "婉拒机械有限公司" in page
    assert "本期名额已满，请下半年再申请" in page
    listing = client.get("/practice/requests", headers=EN).get_data(as_text=True)
    assert "Declined by 婉拒机械有限公司" in listing


def test_a_second_decline_by_the_same_enterprise_is_refused_politely(client, login_as, db):
    req = PracticeRequestFactory()
    decliner = UserFactory()
    login_as(decliner)
    link = f"/practice/requests/{req.id}"
    assert client.post(f"{link}/decline", data={"reason": "名额已满"}).status_code == 302
    login_as(UserFactory(organization=decliner.organization))  # a colleague, not knowing
    response = client.post(f"{link}/decline", data={"reason": "再次婉拒"}, headers=EN)
    assert (response.status_code, response.headers["Location"]) == (302, link)
    page = client.get(link, headers=EN).get_data(as_text=True)
    assert "Your enterprise has already declined this request." in page
    assert "Your enterprise declined this request on" in page
    reasons = db.session.scalars(sa.select(PracticeDecline.reason)).all()
    assert reasons == ["名额已满"]
    assert len(notifications(db)) == 1
    assert actions(db) == ["practice_declined"]
    db.session.refresh(req)
    assert req.status is PracticeStatus.REQUESTED


def test_declines_by_the_same_enterprise_at_once_record_one(app, db):
    """Two users of one enterprise decline at the same moment: the row lock queues them, the second is refused."""
    req = PracticeRequestFactory()
    enterprise = OrganizationFactory()
    users = [UserFactory(organization=enterprise) for _ in range(2)]
    clients = []
    for user in users:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = user.get_id(), True
        clients.append(client)
    request_id = req.id
    db.session.commit()
    barrier = threading.Barrier(len(clients))

    def decline(client) -> str:
        with app.app_context():
            barrier.wait()
            response = client.post(f"/practice/requests/{request_id}/decline", data={"reason": "名额已满"})
            return response.headers["Location"]

    with ThreadPoolExecutor(len(clients)) as pool:
        targets = sorted(pool.map(decline, clients))
    assert targets == ["/practice/open", f"/practice/requests/{request_id}"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PracticeDecline)) == 1
    assert db.session.get(PracticeRequest, request_id).status is PracticeStatus.REQUESTED


def test_a_request_declined_before_the_change_still_shows_its_reason(client, login_as, db):
    """A request closed as DECLINED whose enterprise migration 0009 could not find: the reason from the audit log."""
    req = PracticeRequestFactory(status=PracticeStatus.DECLINED)
    db.session.add(AuditEvent(action="practice_declined", object_type="practice_requests", object_id=req.id,
                              details={"reason": "旧的婉拒理由"}))  # fmt: skip
    login_as(UserFactory(organization=req.teacher.school))
    assert "旧的婉拒理由" in client.get(f"/practice/requests/{req.id}").get_data(as_text=True)
    assert "旧的婉拒理由" in client.get("/practice/requests").get_data(as_text=True)
    login_as(UserFactory())
    assert client.get(f"/practice/requests/{req.id}").status_code == 404
    assert client.post(f"/practice/requests/{req.id}/decline", data={"reason": "名额已满"}).status_code == 404


def test_school_withdraws_an_open_request_only(client, login_as, db):
    base = PracticeBaseFactory(available_from=date(2026, 1, 1), available_until=date(2026, 12, 31))
    open_req = PracticeRequestFactory(start_date=date(2026, 7, 1), end_date=date(2026, 7, 31), days=20)
    taken = accepted(base, date(2026, 8, 1), date(2026, 8, 31))
    login_as(UserFactory(organization=open_req.teacher.school, role=Role.ORG_STAFF))
    assert client.post(f"/practice/requests/{open_req.id}/cancel").status_code == 302
    db.session.refresh(open_req)
    assert open_req.status is PracticeStatus.CANCELLED
    assert actions(db) == ["practice_cancelled"]
    assert [org for org, _m, _l in notifications(db)] == [base.enterprise_id]  # its base fitted the request

    login_as(UserFactory(organization=taken.teacher.school))
    client.post(f"/practice/requests/{taken.id}/cancel")
    db.session.refresh(taken)
    assert taken.status is PracticeStatus.ACCEPTED


def test_request_form_checks_the_period_and_the_teacher(client, login_as, db):
    teacher = TeacherFactory()
    other_school_teacher = TeacherFactory()
    login_as(UserFactory(organization=teacher.school))
    cases = [
        ({"teacher_id": teacher.id, "start_date": "2026-07-01", "end_date": "2026-07-10", "days": 11}, "only 10 days"),
        (
            {"teacher_id": teacher.id, "start_date": "2026-07-10", "end_date": "2026-07-01", "days": 1},
            "end on or after",
        ),
        ({"teacher_id": other_school_teacher.id, "start_date": "2026-07-01", "end_date": "2026-07-10", "days": 5}, ""),
    ]
    for data, message in cases:
        response = client.post("/practice/requests/new", data=data, headers=EN)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PracticeRequest)) == 0


def test_request_may_leave_the_city_open(client, login_as, db):
    teacher = TeacherFactory(specialty="焊接技术")
    PracticeBaseFactory(specialty="焊接", city=region("130100"))  # any city will do: this base hears of it
    login_as(UserFactory(organization=teacher.school))
    data = {
        "teacher_id": teacher.id,
        "specialty": " 焊接机器人 ",
        "start_date": "2026-07-01",
        "end_date": "2026-07-10",
        "days": 10,
        "wanted_city": "0",
    }
    assert client.post("/practice/requests/new", data=data).status_code == 302
    req = db.session.scalar(sa.select(PracticeRequest))
    assert (req.specialty, req.wanted_city_id) == ("焊接机器人", None)
    assert len(notifications(db)) == 1


def test_teacher_staff_number_is_unique_within_the_school(client, login_as, db):
    teacher = TeacherFactory(staff_no="T100")
    TeacherFactory(staff_no="T200")  # same number at another school is fine
    login_as(UserFactory(organization=teacher.school))
    data = {"staff_no": "T100", "name": "王老师", "specialty": "焊接"}
    assert "has this staff number" in client.post("/practice/teachers/new", data=data, headers=EN).get_data(True)
    assert client.post("/practice/teachers/new", data=data | {"staff_no": "T200"}).status_code == 302
    edit = {"staff_no": "T100", "name": "张老师（改）", "specialty": "数控技术"}
    assert client.post(f"/practice/teachers/{teacher.id}/edit", data=edit).status_code == 302
    db.session.refresh(teacher)
    assert teacher.name == "张老师（改）"
    assert actions(db) == ["teacher_added", "teacher_updated"]


def test_base_needs_a_named_mentor(client, login_as, db):
    login_as(UserFactory())
    data = {
        "name": "焊接实践基地",
        "specialty": "焊接",
        "city": region("131100").id,
        "capacity": 3,
        "available_from": "2026-01-01",
        "available_until": "2026-12-31",
        "mentor_name": "  ",
    }
    response = client.post("/practice/bases/new", data=data, headers=EN)
    assert response.status_code == 200
    assert "Name the mentor" in response.get_data(as_text=True)
    assert client.post("/practice/bases/new", data=data | {"mentor_name": "赵工"}).status_code == 302
    base = db.session.scalar(sa.select(PracticeBase))
    assert (base.mentor_name, base.capacity, base.city.name) == ("赵工", 3, "衡水市")
    assert actions(db) == ["practice_base_created"]


def test_base_edit_keeps_accepted_teachers_in(client, login_as, db):
    base = PracticeBaseFactory(capacity=2, available_from=date(2026, 1, 1), available_until=date(2026, 12, 31))
    accepted(base, date(2026, 3, 1), date(2026, 3, 31))
    accepted(base, date(2026, 3, 15), date(2026, 4, 15))
    login_as(UserFactory(organization=base.enterprise))
    data = {
        "name": base.name,
        "specialty": base.specialty,
        "city": base.city_id,
        "capacity": 2,
        "available_from": "2026-01-01",
        "available_until": "2026-12-31",
        "mentor_name": "钱师傅",
    }
    refusals = [
        ({"capacity": 1}, "2 teachers are already placed"),
        ({"available_from": "2026-04-01"}, "outside the new availability"),
    ]
    for change, message in refusals:
        response = client.post(f"/practice/bases/{base.id}/edit", data=data | change, headers=EN)
        assert message in response.get_data(as_text=True)
    assert client.post(f"/practice/bases/{base.id}/edit", data=data).status_code == 302
    db.session.refresh(base)
    assert (base.capacity, base.mentor_name) == (2, "钱师傅")
    assert actions(db) == ["practice_base_updated"]


def test_open_requests_filter_by_specialty_and_city(client, login_as, db):
    PracticeRequestFactory(specialty="数控车削", teacher__name="甲老师", wanted_city=region("131100"))
    PracticeRequestFactory(specialty="汽车维修", teacher__name="乙老师", wanted_city=region("131100"))
    PracticeRequestFactory(specialty="数控铣削", teacher__name="丙老师", wanted_city=region("130100"))
    PracticeRequestFactory(specialty="数控编程", teacher__name="丁老师", status=PracticeStatus.CANCELLED)
    login_as(UserFactory())

    def shown(query: str) -> set[str]:
        page = client.get(f"/practice/open{query}").get_data(as_text=True)
        return {name for name in ("甲老师", "乙老师", "丙老师", "丁老师") if name in page}

    assert shown("") == {"甲老师", "乙老师", "丙老师"}
    assert shown("?specialty=数控") == {"甲老师", "丙老师"}
    assert shown(f"?specialty=数控&city={region('131100').id}") == {"甲老师"}
    assert shown("?specialty=%25") == set()  # wildcards are matched literally


def test_list_pages_do_not_query_per_row(app, client, login_as, db):
    """The number of SQL statements for a list page does not grow with its rows."""
    school, enterprise = SchoolFactory(), OrganizationFactory()
    base = PracticeBaseFactory(enterprise=enterprise, capacity=50)
    school_user, enterprise_user = UserFactory(organization=school), UserFactory(organization=enterprise)
    statements = []

    def count(*args):
        statements.append(1)

    def queries_for(user, url: str) -> int:
        login_as(user)
        statements.clear()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(url).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    pages = [
        (school_user, "/practice/teachers"),
        (school_user, "/practice/requests"),
        (enterprise_user, "/practice/open"),
        (enterprise_user, "/practice/hosted"),
    ]
    counts = []
    for _round in range(2):
        for _n in range(3):
            teacher = TeacherFactory(school=school)
            declined = PracticeRequestFactory(teacher=teacher)
            PracticeRequestFactory(teacher=teacher, base=base, status=PracticeStatus.ACCEPTED)
            db.session.add(PracticeDecline(request=declined, enterprise=OrganizationFactory(), reason="名额已满"))
        counts.append([queries_for(user, url) for user, url in pages])
    assert counts[0] == counts[1]
