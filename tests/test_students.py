"""The student as a user (issue 15): invitation, sign-in by 学号 or mobile, their own data, consent history, answers
to offers, weekly journals with the teacher's review and the school's minimum, the final report, the evaluation of
the enterprise (aggregates only for the enterprise), the data download and correction requests."""

import json
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from marketplace.audit.models import AuditEvent
from marketplace.auth.models import Role, User
from marketplace.cohorts.models import ConsentRecord
from marketplace.notifications.models import Notification
from marketplace.pipeline.models import NominationStatus, Placement, PlacementStatus
from marketplace.plans.models import OpeningKind
from marketplace.students import services
from marketplace.students.models import (
    CorrectionRequest,
    CorrectionStatus,
    Evaluation,
    Journal,
    OfferAnswer,
    StudentInvitation,
)
from marketplace.timeutil import local_today
from tests.factories import (
    PASSWORD,
    AllianceFactory,
    MembershipFactory,
    OrganizationFactory,
    StudentUserFactory,
    UserFactory,
)
from tests.pipeline_factories import CohortFactory, NominationFactory, OpeningFactory, PlanFactory, StudentFactory

EN = {"Accept-Language": "en"}


@pytest.fixture
def school(db):
    """A school with its placement teacher, one student with an account and a classmate without."""
    cohort = CohortFactory()
    student = StudentFactory(cohort=cohort, student_no="2024000777", phone="13700007777")
    classmate = StudentFactory(cohort=cohort, student_no="2024000778", phone="13700007778")
    teacher = UserFactory(organization=cohort.school, role=Role.ORG_STAFF, name="指导教师王老师")
    account = StudentUserFactory(student=student, mobile="13700007777")
    return cohort, student, classmate, teacher, account


def _placement(student, *, start: date, end: date | None, status=PlacementStatus.ONGOING, plan=None):
    opening = OpeningFactory(kind=OpeningKind.POST_INTERNSHIP, **({"plan": plan} if plan else {}))
    placement = Placement(opening=opening, student=student, kind=opening.kind, start_date=start, end_date=end,
                          pay=4000, status=status)  # fmt: skip
    from marketplace.extensions import db

    db.session.add(placement)
    db.session.commit()
    return placement


# ----------------------------------------------------------------------------------------------- accounts


def test_the_school_invites_a_student_who_sets_a_password_once(client, login_as, school, db):
    cohort, student, classmate, teacher, _account = school
    login_as(teacher)
    page = client.post(f"/students/invite/{classmate.id}", headers=EN)
    assert page.status_code == 200
    link = re.search(r'value="(http://[^"]+/me/join/([^"]+))"', page.get_data(as_text=True))
    assert link, "the page shows the link once"
    token = link.group(2)
    stored = db.session.scalars(sa.select(StudentInvitation.token_hash)).all()
    assert len(stored) == 1
    assert token not in stored, "only the token's hash is kept"

    client.post("/auth/logout")
    assert client.get(f"/me/join/{token}", headers=EN).status_code == 200
    done = client.post(f"/me/join/{token}", data={"password": "Student-pass-2027", "confirm": "Student-pass-2027"})
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/me/")
    user = db.session.scalar(sa.select(User).where(User.student_id == classmate.id))
    assert user.role is Role.STUDENT
    assert user.organization_id is None
    assert user.mobile == "13700007778"
    client.post("/auth/logout")
    assert client.get(f"/me/join/{token}").status_code == 404, "single use"


def test_an_expired_link_is_refused(client, login_as, school, db):
    _cohort, _student, classmate, teacher, _account = school
    with client.application.test_request_context():
        token = services.invite(classmate, actor=teacher)
    invitation = db.session.scalar(sa.select(StudentInvitation))
    invitation.expires_at = invitation.created_at - timedelta(seconds=1)
    db.session.commit()
    assert client.get(f"/me/join/{token}").status_code == 404


def test_a_new_link_replaces_the_old_one(client, school, db):
    _cohort, _student, classmate, teacher, _account = school
    with client.application.test_request_context():
        first = services.invite(classmate, actor=teacher)
        second = services.invite(classmate, actor=teacher)
    db.session.commit()
    assert client.get(f"/me/join/{first}").status_code == 404
    assert client.get(f"/me/join/{second}").status_code == 200


def test_the_class_list_gives_a_link_to_each_student_without_an_account(client, login_as, school, db):
    cohort, student, classmate, teacher, _account = school
    login_as(teacher)
    response = client.post(f"/students/cohorts/{cohort.id}/invite", headers=EN)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8-sig")
    assert classmate.student_no in text
    assert "/me/join/" in text
    assert student.student_no not in text, "the student with an account gets no link"


def test_another_school_cannot_invite_the_student(client, login_as, school, db):
    _cohort, _student, classmate, _teacher, _account = school
    other = UserFactory(organization=CohortFactory().school)
    login_as(other)
    assert client.post(f"/students/invite/{classmate.id}").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(StudentInvitation.id))) == 0


@pytest.mark.parametrize("identifier", ["2024000777", "13700007777"])
def test_a_student_signs_in_by_student_number_or_mobile(client, school, identifier):
    response = client.post("/auth/login", data={"identifier": identifier, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").headers["Location"].endswith("/me/")


def test_a_shared_student_number_opens_the_account_whose_password_it_is(client, school, db):
    _cohort, student, *_ = school
    twin = StudentFactory(cohort=CohortFactory(), student_no=student.student_no)
    twin_account = StudentUserFactory(student=twin)
    twin_account.password_hash = __import__("marketplace.auth.passwords", fromlist=["x"]).hash_password("Other-pw-9")
    db.session.commit()
    client.post("/auth/login", data={"identifier": student.student_no, "password": "Other-pw-9"})
    with client.session_transaction() as session:
        assert session["_user_id"].startswith(f"{twin_account.id}:")


def test_student_logins_share_the_login_rate_limit(client, school):
    answers = [
        client.post("/auth/login", data={"identifier": "2024000777", "password": "wrong-wrong-1"}).status_code
        for _ in range(6)
    ]
    assert answers[-1] == 429


def test_a_student_is_kept_out_of_staff_pages(client, login_as, school):
    *_, account = school
    login_as(account)
    assert client.get("/").headers["Location"].endswith("/me/")
    for path in ("/cohorts/", "/nominations", "/orgs/mine", "/alliances/", "/notifications/", "/students/"):
        assert client.get(path).status_code == 403, path
    assert client.get("/me/").status_code == 200


def test_the_students_home_says_a_placement_has_not_started_before_its_start(client, login_as, school, db):
    _, student, *_, account = school
    placement = _placement(student, start=local_today() + timedelta(days=10), end=local_today() + timedelta(days=190))
    login_as(account)
    page = client.get("/me/", headers=EN).get_data(as_text=True)
    assert "Not started yet" in page
    assert "· Ongoing" not in page
    placement.start_date = local_today()
    db.session.commit()
    page = client.get("/me/", headers=EN).get_data(as_text=True)
    assert "Not started yet" not in page
    assert "· Ongoing" in page


# --------------------------------------------------------------------------------------------- own data


def test_the_student_sees_their_data_masked(client, login_as, school):
    *_, account = school
    login_as(account)
    page = client.get("/me/data", headers=EN).get_data(as_text=True)
    assert "137****7777" in page
    assert "13700007777" not in page
    assert "131102********0013" in page
    assert "131102200805120013" not in page


def test_consent_changes_are_appended(client, login_as, school, db):
    _cohort, student, *_rest, account = school
    login_as(account)
    assert student.consent_to_share
    client.post("/me/consent", data={"granted": "0"})
    client.post("/me/consent", data={"granted": "0"})  # already so: nothing appended
    client.post("/me/consent", data={"granted": "1"})
    client.post("/me/consent", data={"granted": "0"})
    records = db.session.scalars(
        sa.select(ConsentRecord).where(ConsentRecord.student_id == student.id).order_by(ConsentRecord.id)
    ).all()
    assert [r.granted for r in records] == [False, True, False]
    assert all(r.recorded_by_id == account.id for r in records)
    db.session.refresh(student)
    assert student.consent_to_share is False


def test_under_14_consent_needs_the_guardian(client, login_as, db):
    child = StudentFactory(birth_date=local_today() - timedelta(days=13 * 365), consent_to_share=False)
    account = StudentUserFactory(student=child)
    login_as(account)
    client.post("/me/consent", data={"granted": "1"})
    assert db.session.scalar(sa.select(sa.func.count(ConsentRecord.id))) == 0
    client.post("/me/consent", data={"granted": "1", "guardian_name": "张家长"})
    (record,) = db.session.scalars(sa.select(ConsentRecord)).all()
    assert record.granted
    assert record.guardian_name == "张家长"


def test_the_student_downloads_all_their_data_and_it_is_logged(client, login_as, school, db):
    _cohort, student, _classmate, _teacher, account = school
    placement = _placement(student, start=local_today() - timedelta(days=30), end=local_today() + timedelta(days=60))
    db.session.add(Journal(placement_id=placement.id, week_start=services.monday(placement.start_date),
                           content="第一周：熟悉车间安全规程。"))  # fmt: skip
    db.session.commit()
    login_as(account)
    response = client.post("/me/export")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["student"]["student_no"] == student.student_no
    assert data["student"]["phone"] == "13700007777"
    assert data["placements"][0]["journals"][0]["content"] == "第一周：熟悉车间安全规程。"
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export")).details["what"] == "own_data"


def test_a_correction_request_goes_to_the_school_which_answers(client, login_as, school, db):
    _cohort, student, _classmate, teacher, account = school
    login_as(account)
    client.post("/me/corrections", data={"text": "我的专业应为数控技术应用"})
    request_ = db.session.scalar(sa.select(CorrectionRequest))
    assert request_.school_id == student.school_id
    assert request_.status is CorrectionStatus.OPEN
    assert db.session.scalar(sa.select(Notification.kind).where(Notification.organization_id == student.school_id)) \
        == "correction_requested"  # fmt: skip
    login_as(teacher)
    assert "我的专业应为数控技术应用" in client.get("/students/").get_data(as_text=True)
    client.post(f"/students/corrections/{request_.id}", data={"outcome": "corrected", "answer": "已更正"})
    db.session.refresh(request_)
    assert request_.status is CorrectionStatus.CORRECTED
    assert request_.resolved_by_id == teacher.id


# ------------------------------------------------------------------------------------------------- offers


def test_the_student_answers_an_offer_and_the_school_confirms(client, login_as, school, db):
    _cohort, student, _classmate, teacher, account = school
    nomination = NominationFactory(student=student, status=NominationStatus.OFFERED, created_by_id=teacher.id)
    login_as(account)
    assert client.get(f"/me/offers/{nomination.id}").status_code == 200
    client.post(f"/me/offers/{nomination.id}", data={"answer": "yes", "reason": "愿意去"})
    answer = db.session.scalar(sa.select(OfferAnswer))
    assert answer.accepted
    assert answer.student_id == student.id
    db.session.refresh(nomination)
    assert nomination.status is NominationStatus.OFFERED, "the school records it"
    kinds = db.session.scalars(sa.select(Notification.kind).where(Notification.organization_id == student.school_id))
    assert "student_accepted_offer" in set(kinds)
    login_as(teacher)
    assert "愿意去" in client.get("/students/").get_data(as_text=True)
    client.post(f"/nominations/{nomination.id}/accept", data={"start_date": "2027-03-01", "pay": "4500"})
    db.session.refresh(nomination)
    assert nomination.status is NominationStatus.ACCEPTED


def test_a_closed_offer_takes_no_answer(client, login_as, school, db):
    _cohort, student, _classmate, teacher, account = school
    nomination = NominationFactory(student=student, status=NominationStatus.DECLINED, created_by_id=teacher.id)
    login_as(account)
    client.post(f"/me/offers/{nomination.id}", data={"answer": "yes"})
    assert db.session.scalar(sa.select(sa.func.count(OfferAnswer.id))) == 0


def test_a_student_sees_only_their_own_offers_and_placements(client, login_as, school, db):
    _cohort, student, classmate, teacher, account = school
    theirs = NominationFactory(student=classmate, status=NominationStatus.OFFERED, created_by_id=teacher.id)
    placement = _placement(classmate, start=date(2026, 9, 1), end=date(2027, 1, 31))
    login_as(account)
    assert client.get(f"/me/offers/{theirs.id}").status_code == 404
    assert client.post(f"/me/offers/{theirs.id}", data={"answer": "no"}).status_code == 404
    assert client.get(f"/me/placements/{placement.id}").status_code == 404
    assert (
        client.post(
            f"/me/placements/{placement.id}/journals",
            data={"week_of": "2026-09-07", "content": "别人的周志内容十个字以上"},
        ).status_code
        == 404
    )
    assert db.session.scalar(sa.select(sa.func.count(OfferAnswer.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Journal.id))) == 0


# ------------------------------------------------------------------------------------------------ journals


def test_journals_are_written_reviewed_and_then_fixed(client, login_as, school, db):
    _cohort, student, _classmate, teacher, account = school
    today = local_today()
    placement = _placement(student, start=today - timedelta(days=21), end=today + timedelta(days=120))
    login_as(account)
    week = {"week_of": today.isoformat(), "content": "本周学习了数控车床的对刀操作。"}
    client.post(f"/me/placements/{placement.id}/journals", data=week)
    client.post(f"/me/placements/{placement.id}/journals", data=week | {"content": "本周学习了对刀和程序输入。"})
    (journal,) = db.session.scalars(sa.select(Journal)).all()
    assert journal.week_start == services.monday(today)
    assert "程序输入" in journal.content
    future = {"week_of": (today + timedelta(days=7)).isoformat(), "content": "下周的周志不能提前写。"}
    client.post(f"/me/placements/{placement.id}/journals", data=future)
    assert db.session.scalar(sa.select(sa.func.count(Journal.id))) == 1

    login_as(teacher)
    assert "程序输入" in client.get(f"/students/placements/{placement.id}").get_data(as_text=True)
    client.post(f"/students/journals/{journal.id}/review", data={"comment": "记录详细，继续保持。"})
    db.session.refresh(journal)
    assert journal.is_reviewed
    assert journal.reviewed_by_id == teacher.id

    login_as(account)
    client.post(f"/me/placements/{placement.id}/journals", data=week | {"content": "审阅后想改的内容。"})
    db.session.refresh(journal)
    assert "程序输入" in journal.content, "a reviewed journal stays as reviewed"
    assert "记录详细" in client.get(f"/me/placements/{placement.id}").get_data(as_text=True)


def test_another_school_cannot_review(client, login_as, school, db):
    _cohort, student, *_ = school
    placement = _placement(student, start=date(2026, 9, 1), end=date(2027, 1, 31))
    journal = Journal(placement_id=placement.id, week_start=date(2026, 9, 7), content="第二周的周志内容。")
    db.session.add(journal)
    db.session.commit()
    login_as(UserFactory(organization=CohortFactory().school))
    assert client.post(f"/students/journals/{journal.id}/review", data={"comment": "越权批阅"}).status_code == 404
    assert client.get(f"/students/placements/{placement.id}").status_code == 404


@pytest.mark.parametrize(
    ("days_in", "length_days", "required", "expected"),
    [
        (0, 84, 12, 0),  # the first day: nothing due
        (6, 84, 12, 0),  # within the first week
        (7, 84, 12, 1),  # a week of twelve: one due
        (42, 84, 12, 6),  # half-way: half
        (84, 84, 12, 12),  # the end: all
        (200, 84, 12, 12),  # after the end: all, no more
        (14, 168, 12, 1),  # 24 weeks for 12 journals: one every two weeks
        (14, None, 12, 2),  # no end date: one a week
        (100, None, 12, 12),  # ... up to the required count
        (50, 84, 0, 0),  # a school that requires none
    ],
)
def test_journals_due_by_a_day(db, days_in, length_days, required, expected):
    start = date(2027, 3, 1)
    placement = Placement(start_date=start, end_date=start + timedelta(days=length_days) if length_days else None)
    assert services.expected_by(placement, required, start + timedelta(days=days_in)) == expected


def test_the_school_sets_the_minimum_and_sees_who_is_behind(client, login_as, school, db):
    _cohort, student, classmate, teacher, _account = school
    today = local_today()
    behind = _placement(student, start=today - timedelta(days=42), end=today + timedelta(days=42))
    on_time = _placement(classmate, start=today - timedelta(days=42), end=today + timedelta(days=42))
    for n in range(6):
        db.session.add(Journal(placement_id=on_time.id, week_start=services.monday(on_time.start_date)
                               + timedelta(weeks=n), content="按时提交的周志。"))  # fmt: skip
    db.session.commit()
    login_as(teacher)
    client.post("/students/minimum", data={"min_count": "12"})
    assert services.min_journals(student.school_id) == 12
    board = services.journal_board(student.school_id, today)
    assert [(p.id, pr.behind) for p, pr in board] == [(behind.id, True), (on_time.id, False)]
    page = client.get("/students/", headers=EN).get_data(as_text=True)
    assert page.index(student.name) < page.index(classmate.name), "those behind first"
    client.post("/students/minimum", data={"min_count": "4"})
    assert not services.progress(on_time, today).behind
    assert services.progress(on_time, today).required == 4


def test_the_final_report_is_submitted_and_reviewed(client, login_as, school, db):
    _cohort, student, _classmate, teacher, account = school
    placement = _placement(student, start=date(2026, 9, 1), end=date(2027, 1, 31), status=PlacementStatus.COMPLETED)
    login_as(account)
    text = "实习总结：" + "在企业导师指导下完成了数控车床的日常操作与保养。" * 3
    client.post(f"/me/placements/{placement.id}/report", data={"content": text})
    report = services.report_of(placement.id)
    assert report is not None
    assert report.content == text
    login_as(teacher)
    client.post(f"/students/reports/{report.id}/review", data={"comment": "总结完整，评为良好。"})
    db.session.refresh(report)
    assert report.is_reviewed
    assert report.review_comment == "总结完整，评为良好。"
    login_as(account)
    client.post(f"/me/placements/{placement.id}/report", data={"content": text + "补充"})
    db.session.refresh(report)
    assert report.content == text, "a reviewed report stays as reviewed"


# ---------------------------------------------------------------------------------------------- evaluation


def test_evaluation_waits_for_the_end_of_the_placement(client, login_as, school, db):
    _cohort, student, *_rest, account = school
    today = local_today()
    early = _placement(student, start=today - timedelta(days=10), end=today + timedelta(days=90))
    login_as(account)
    client.post(f"/me/placements/{early.id}/evaluation", data={"enterprise_score": "4", "post_score": "5"})
    assert db.session.scalar(sa.select(sa.func.count(Evaluation.id))) == 0
    early.end_date = today + timedelta(days=20)
    db.session.commit()
    client.post(f"/me/placements/{early.id}/evaluation", data={"enterprise_score": "4", "post_score": "5"})
    client.post(f"/me/placements/{early.id}/evaluation", data={"enterprise_score": "1", "post_score": "1"})
    (evaluation,) = db.session.scalars(sa.select(Evaluation)).all()
    assert (evaluation.enterprise_score, evaluation.post_score) == (4, 5), "one evaluation per placement"


def test_enterprises_see_only_aggregates_of_enough_answers_and_the_secretariat_per_enterprise(client, login_as, db):
    enterprise = OrganizationFactory(name="德州华锐数控")
    hr = UserFactory(organization=enterprise)
    secretariat = OrganizationFactory(name="联盟秘书处")
    alliance = AllianceFactory(secretariat=secretariat)
    MembershipFactory(alliance=alliance, organization=enterprise)
    clerk = UserFactory(organization=secretariat, role=Role.SECRETARIAT)
    students = [StudentFactory() for _ in range(3)]
    plan = PlanFactory(enterprise=enterprise)
    placements = [_placement(s, start=date(2026, 3, 1), end=date(2026, 8, 31), status=PlacementStatus.COMPLETED,
                             plan=plan) for s in students]  # fmt: skip
    scores = [(5, 4, "师傅很耐心"), (3, 4, ""), (4, 1, "岗位太单调")]
    for placement, (e, p, comment) in zip(placements[:2], scores, strict=False):
        db.session.add(Evaluation(placement_id=placement.id, enterprise_id=enterprise.id, enterprise_score=e,
                                  post_score=p, comment=comment))  # fmt: skip
    db.session.commit()
    login_as(hr)
    page = client.get("/students/evaluations", headers=EN).get_data(as_text=True)
    assert "Fewer than 3" in page
    assert "师傅很耐心" not in page
    e, p, comment = scores[2]
    db.session.add(Evaluation(placement_id=placements[2].id, enterprise_id=enterprise.id, enterprise_score=e,
                              post_score=p, comment=comment))  # fmt: skip
    db.session.commit()
    page = client.get("/students/evaluations", headers=EN).get_data(as_text=True)
    assert "4.0" in page
    assert "3.0" in page
    assert "师傅很耐心" not in page
    assert students[0].name not in page
    login_as(clerk)
    page = client.get(f"/students/alliances/{alliance.id}/evaluations", headers=EN).get_data(as_text=True)
    assert "德州华锐数控" in page
    assert "师傅很耐心" in page
    assert students[0].name not in page
    login_as(UserFactory(organization=OrganizationFactory(), role=Role.SECRETARIAT))
    assert client.get(f"/students/alliances/{alliance.id}/evaluations").status_code == 404
