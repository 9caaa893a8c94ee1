"""The pipeline through the app: put forward → shortlist → offer → acceptance → placement → feedback."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from marketplace.audit.models import AuditEvent
from marketplace.auth.models import Role
from marketplace.notifications.models import Notification
from marketplace.pipeline import services
from marketplace.pipeline.models import (
    Nomination,
    NominationStatus,
    Placement,
    PlacementStatus,
    RuleException,
)
from marketplace.plans import rules
from marketplace.plans.models import OpeningKind
from marketplace.timeutil import local_today
from tests.factories import AllianceFactory, MembershipFactory, SchoolFactory, UserFactory
from tests.pipeline_factories import CohortFactory, NominationFactory, OpeningFactory, StudentFactory
from tests.querycount import count_queries


@pytest.fixture
def parties(db):
    """An opening and a consenting student whose school and the enterprise are fellow members of an alliance."""
    opening = OpeningFactory(kind=OpeningKind.POST_INTERNSHIP, headcount=2)
    cohort = CohortFactory()
    student = StudentFactory(cohort=cohort)
    alliance = AllianceFactory()
    MembershipFactory(alliance=alliance, organization=opening.plan.enterprise)
    MembershipFactory(alliance=alliance, organization=cohort.school)
    school_user = UserFactory(organization=cohort.school, role=Role.ORG_STAFF)
    hr = UserFactory(organization=opening.plan.enterprise, role=Role.ORG_STAFF)
    return opening, student, school_user, hr


def _notified(db, org_id) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Notification).where(Notification.organization_id == org_id)
    )


def test_the_whole_journey(client, login_as, db, parties):
    opening, student, school_user, hr = parties
    login_as(school_user)
    page = client.get(f"/openings/{opening.id}").get_data(as_text=True)
    assert student.name in page
    assert client.post(f"/openings/{opening.id}/put-forward", data={"student_id": student.id}).status_code == 302
    nomination = db.session.scalar(sa.select(Nomination))
    assert nomination.status is NominationStatus.NOMINATED
    assert _notified(db, hr.organization_id) == 1

    login_as(hr)
    for step in ("shortlisted", "offered"):
        client.post(f"/nominations/{nomination.id}", data={"status": step, "reason": ""})
    db.session.refresh(nomination)
    assert nomination.status is NominationStatus.OFFERED
    assert _notified(db, school_user.organization_id) == 2
    assert client.post(f"/nominations/{nomination.id}/accept", data={"start_date": "2027-03-01", "pay": 4500}
                       ).status_code == 403  # fmt: skip

    login_as(school_user)
    started = local_today() - timedelta(days=30)  # the student started a month ago: the placement can complete today
    response = client.post(
        f"/nominations/{nomination.id}/accept", data={"start_date": started.isoformat(), "pay": 4500}
    )
    assert response.status_code == 302
    placement = db.session.scalar(sa.select(Placement))
    assert (placement.student_id, placement.pay, placement.status) == (student.id, 4500, PlacementStatus.ONGOING)
    db.session.refresh(opening)
    assert opening.filled == 1

    client.post(f"/placements/{placement.id}", data={"fb-text": "学生表现良好，按时返校", "fb-submit": "1"})
    placement.arrived_on = started  # a 岗位实习 begins on its arrival, behind the law's gates (test_internships.py)
    db.session.commit()
    login_as(hr)
    closing = {"close-status": "completed", "close-end_date": local_today().isoformat(), "close-submit": "1"}
    client.post(f"/placements/{placement.id}", data=closing)
    db.session.refresh(placement)
    assert (placement.status, placement.end_date, placement.school_feedback) == (
        PlacementStatus.COMPLETED,
        local_today(),
        "学生表现良好，按时返校",
    )
    actions = list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["nomination_created", "nomination_shortlisted", "nomination_offered", "offer_accepted",
                       "placement_feedback", "placement_completed"]  # fmt: skip


def test_rejection_needs_a_reason_and_school_steps_are_the_schools(client, login_as, db, parties):
    opening, student, school_user, hr = parties
    nomination = NominationFactory(opening=opening, student=student, status=NominationStatus.NOMINATED)
    login_as(hr)
    client.post(f"/nominations/{nomination.id}", data={"status": "rejected", "reason": "", "confirmed": "yes"})
    db.session.refresh(nomination)
    assert nomination.status is NominationStatus.NOMINATED
    assert client.post(f"/nominations/{nomination.id}", data={"status": "withdrawn"}).status_code == 403
    client.post(
        f"/nominations/{nomination.id}", data={"status": "rejected", "reason": "专业不对口", "confirmed": "yes"}
    )
    db.session.refresh(nomination)
    assert (nomination.status, nomination.reason) == (NominationStatus.REJECTED, "专业不对口")


def test_strangers_cannot_see_or_act(client, login_as, db, parties):
    opening, student, _, _ = parties
    nomination = NominationFactory(opening=opening, student=student)
    placement_owner = UserFactory(organization=SchoolFactory())
    login_as(placement_owner)
    assert client.get(f"/nominations/{nomination.id}").status_code == 404
    assert client.post(f"/nominations/{nomination.id}/accept", data={"start_date": "2027-03-01", "pay": 1}
                       ).status_code == 404  # fmt: skip
    other_student = StudentFactory(cohort=CohortFactory(school=placement_owner.organization))
    response = client.post(f"/openings/{opening.id}/put-forward", data={"student_id": student.id})
    assert response.status_code == 404  # not one of this school's students: answered as missing
    assert other_student.id != student.id


@pytest.fixture
def english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def test_consent_and_age_rules_block_putting_forward(db, parties, english):
    opening, student, school_user, _ = parties
    student.consent_to_share = False
    with pytest.raises(services.PipelineError, match="consented"):
        services.put_forward(student, opening, actor=school_user, invited=False)
    young = StudentFactory(cohort=student.cohort, birth_date=date(2011, 6, 1))
    with pytest.raises(services.PipelineError) as error:
        services.put_forward(young, opening, actor=school_user, invited=False)
    assert [b.rule for b in error.value.breaches] == [rules.MIN_AGE]
    freshman = StudentFactory(cohort=student.cohort, enrolled_on=date(2026, 9, 1))
    with pytest.raises(services.PipelineError) as error:
        services.put_forward(freshman, opening, actor=school_user, invited=False)
    assert [b.rule for b in error.value.breaches] == [rules.FIRST_YEAR]


def test_ten_percent_rule_blocks_acceptance_until_the_secretariat_waives_it(db, parties, english):
    opening, student, school_user, _ = parties
    opening.plan.enterprise.staff_count = 10  # one intern allowed at 10%
    opening.staff_in_post = 100
    first = NominationFactory(opening=opening, student=student)
    second = NominationFactory(opening=opening, student=StudentFactory(cohort=student.cohort))
    services.accept(first, actor=school_user, start_date=date(2027, 3, 1), pay=4000)
    with pytest.raises(services.PipelineError) as error:
        services.accept(second, actor=school_user, start_date=date(2027, 3, 1), pay=4000)
    assert [b.rule for b in error.value.breaches] == [rules.ENTERPRISE_SHARE]
    clerk = UserFactory(role=Role.SECRETARIAT)
    services.waive(opening, rules.ENTERPRISE_SHARE, actor=clerk, alliance_id=AllianceFactory().id,
                   reason="订单班整建制实习，经理事会同意")  # fmt: skip
    services.accept(second, actor=school_user, start_date=date(2027, 3, 1), pay=4000)
    with pytest.raises(services.PipelineError, match="no exception"):
        services.waive(opening, rules.MIN_AGE, actor=clerk, alliance_id=1, reason="x")


def test_one_ongoing_placement_per_kind(client, login_as, db, parties):
    opening, student, school_user, _ = parties
    other = OpeningFactory(kind=OpeningKind.POST_INTERNSHIP)
    first = NominationFactory(opening=opening, student=student)
    second = NominationFactory(opening=other, student=student)
    login_as(school_user)
    client.post(f"/nominations/{first.id}/accept", data={"start_date": "2027-03-01", "pay": 4000})
    response = client.post(f"/nominations/{second.id}/accept", data={"start_date": "2027-03-01", "pay": 4000},
                           headers={"Accept-Language": "en"})  # fmt: skip
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Placement)) == 1
    db.session.refresh(other)
    assert other.filled == 0  # the place taken by the failed accept was rolled back


def test_roster_shows_only_own_interns_masks_phones_and_exports_safely(client, login_as, db, parties):
    import io

    from openpyxl import load_workbook

    opening, student, school_user, hr = parties
    student.name = "=cmd|' /C calc'!A0"
    services.accept(NominationFactory(opening=opening, student=student), actor=school_user,
                    start_date=date(2027, 3, 1), pay=4000)  # fmt: skip
    elsewhere = StudentFactory(cohort=student.cohort, name="别家实习生")
    services.accept(NominationFactory(student=elsewhere), actor=school_user, start_date=date(2027, 3, 1), pay=4000)
    db.session.commit()
    login_as(hr)
    page = client.get("/roster").get_data(as_text=True)
    assert "139****5678" in page
    assert "13912345678" not in page
    assert "别家实习生" not in page
    response = client.post("/roster/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A2"].value == "'=cmd|' /C calc'!A0"
    assert sheet["K2"].value == "139****5678"
    assert sheet.max_row == 2
    csv_text = client.post("/roster/export.csv").data.decode("utf-8-sig")
    assert "'=cmd" in csv_text
    exports = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)
    ).all()
    assert [e.details["format"] for e in exports] == ["xlsx", "csv"]
    login_as(school_user)
    assert client.get("/roster").status_code == 403


def test_enterprise_invites_only_consenting_students(client, login_as, db, parties):
    opening, student, school_user, hr = parties
    opening.majors = [student.major]
    shy = StudentFactory(cohort=student.cohort, consent_to_share=False, name="未同意学生")
    db.session.commit()
    login_as(hr)
    page = client.get(f"/openings/{opening.id}").get_data(as_text=True)
    assert student.name in page
    assert "未同意学生" not in page
    assert client.post(f"/openings/{opening.id}/invite", data={"student_id": shy.id}).status_code == 404
    assert client.post(f"/openings/{opening.id}/invite", data={"student_id": ""}).status_code == 400
    assert client.post(f"/openings/{opening.id}/invite", data={"student_id": student.id}).status_code == 302
    nomination = db.session.scalar(sa.select(Nomination))
    assert (nomination.status, nomination.student_id) == (NominationStatus.INVITED, student.id)
    assert _notified(db, school_user.organization_id) == 1
    login_as(school_user)
    assert client.post(f"/openings/{opening.id}/invite", data={"student_id": student.id}).status_code == 404


def test_secretariat_records_an_exception_on_the_opening_page(client, login_as, db, parties):
    opening, _, school_user, hr = parties
    secretariat_org = SchoolFactory()
    alliance = AllianceFactory(secretariat=secretariat_org)
    opening.plan.alliances = [alliance]
    clerk = UserFactory(organization=secretariat_org, role=Role.SECRETARIAT)
    db.session.commit()
    data = {"rule": rules.ENTERPRISE_SHARE, "alliance_id": alliance.id, "reason": "整建制订单班，理事会同意"}
    login_as(hr)
    assert client.post(f"/openings/{opening.id}/waive", data=data).status_code == 403
    login_as(clerk)
    assert "record an exception" in client.get(f"/openings/{opening.id}", headers={"Accept-Language": "en"}).text
    assert client.post(f"/openings/{opening.id}/waive", data=data).status_code == 302
    exception = db.session.scalar(sa.select(RuleException))
    assert (exception.rule, exception.granted_by_id, exception.alliance_id) == (rules.ENTERPRISE_SHARE, clerk.id,
                                                                                 alliance.id)  # fmt: skip
    client.post(f"/openings/{opening.id}/waive", data=data)  # a second one is refused by the unique constraint
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RuleException)) == 1


def test_nominations_and_roster_pages_do_not_grow_queries_with_rows(client, login_as, db, parties):
    opening, student, school_user, hr = parties
    opening.headcount = 40
    services.accept(NominationFactory(opening=opening, student=student), actor=school_user,
                    start_date=date(2027, 3, 1), pay=4000)  # fmt: skip
    db.session.commit()
    login_as(hr)
    with count_queries(db.engine) as few_nominations:
        client.get("/nominations")
    with count_queries(db.engine) as few_roster:
        client.get("/roster")
    for _ in range(15):
        other = StudentFactory(cohort=student.cohort)
        services.accept(NominationFactory(opening=opening, student=other), actor=school_user,
                        start_date=date(2027, 3, 1), pay=4000)  # fmt: skip
    db.session.commit()
    with count_queries(db.engine) as many_nominations:
        assert client.get("/nominations").status_code == 200
    with count_queries(db.engine) as many_roster:
        assert client.get("/roster").status_code == 200
    assert len(many_nominations) == len(few_nominations)
    assert len(many_roster) == len(few_roster)
