"""Risk warnings (issue 15): each kind at its threshold's boundary, the school's and the secretariat's pages (the
secretariat reads masked names and only its member schools'), the home page's count, and the daily task that sends
each warning's notification once."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from marketplace.auth.models import Role
from marketplace.grading.models import FinalGrade
from marketplace.internships import gates
from marketplace.internships.models import Agreement, AttendanceMonth, Insurance, InsurancePayer, PayMethod, PayRecord
from marketplace.notifications import catalogue as kinds
from marketplace.notifications.models import Notification
from marketplace.pipeline.models import Placement
from marketplace.plans.models import OpeningKind
from marketplace.risks import queries
from marketplace.risks.kinds import RiskKind
from marketplace.students.models import Journal
from tests.factories import AllianceFactory, MembershipFactory, UserFactory
from tests.pipeline_factories import CohortFactory, OpeningFactory, StudentFactory

EN = {"Accept-Language": "en"}
TODAY = date(2026, 12, 2)
T = queries.Thresholds(
    start_within_days=14, journal_gap_days=14, absent_days=3, ungraded_after_days=30, ungraded_within_days=180
)


@pytest.fixture(autouse=True)
def pinned_day(monkeypatch):
    for module in ("marketplace.risks.views", "marketplace.risks.jobs", "marketplace.main.views"):
        monkeypatch.setattr(f"{module}.local_today", lambda: TODAY)


@pytest.fixture
def school(db):
    cohort = CohortFactory()
    teacher = UserFactory(organization=cohort.school, role=Role.ORG_STAFF)
    return cohort, teacher


def _placement(db, cohort, *, start, end, arrived=None, kind=OpeningKind.POST_INTERNSHIP, birth=date(2004, 1, 1),
               **opening):  # fmt: skip
    opening = OpeningFactory(kind=kind, start_date=start, end_date=end, **opening)
    student = StudentFactory(cohort=cohort, birth_date=birth, name="王小明")
    p = Placement(opening=opening, student=student, kind=kind, start_date=start, end_date=end, pay=4500,
                  arrived_on=arrived)  # fmt: skip
    db.session.add(p)
    db.session.flush()
    return p


def _covered(db, p, user):
    db.session.add(Agreement(placement=p, version=1, created_by_id=user.id, post="岗", place="地", period="期",
                             hours="时", pay="酬", insurance="保", safety="安", responsibilities="责",
                             termination="解", school_signed_on=TODAY, enterprise_signed_on=TODAY,
                             student_signed_on=TODAY, no_fees_confirmed=True, student_signer="本人"))  # fmt: skip
    db.session.add(
        Insurance(
            placement_id=p.id,
            insurer="人保",
            policy_no="P",
            covers_from=p.start_date,
            covers_to=gates.placement_end(p),
            payer=InsurancePayer.SCHOOL,
            recorded_by_id=user.id,
        )
    )


def _kinds(school_id, today=TODAY, t=T, only=None):
    found = sorted((r.kind.value, r.month) for r in queries.of_school(school_id, today, t))
    return [f for f in found if only is None or f[0].startswith(only)]


def test_agreement_and_insurance_warn_from_n_days_before_the_start(db, school):
    cohort, teacher = school
    p = _placement(db, cohort, start=TODAY + timedelta(days=15), end=TODAY + timedelta(days=200))
    assert _kinds(cohort.school_id) == []  # 15 days ahead: not yet
    p.start_date = p.opening.start_date = TODAY + timedelta(days=14)
    assert _kinds(cohort.school_id) == [("agreement", None), ("insurance", None)]
    _covered(db, p, teacher)
    assert _kinds(cohort.school_id) == []
    amendment = Agreement(placement=p, version=2, created_by_id=teacher.id, post="岗", place="地", period="期",
                          hours="时", pay="改", insurance="保", safety="安", responsibilities="责",
                          termination="解")  # fmt: skip
    db.session.add(amendment)
    assert _kinds(cohort.school_id) == [("agreement", None)]  # the latest version is unsigned


def test_two_weeks_without_a_journal_warn_and_thirteen_days_do_not(db, school):
    cohort, teacher = school
    start = TODAY - timedelta(days=60)
    p = _placement(db, cohort, start=start, end=TODAY + timedelta(days=100), kind=OpeningKind.WORK_STUDY)
    db.session.add(Journal(placement_id=p.id, week_start=TODAY - timedelta(days=20), content="一周的周志内容。"))
    assert _kinds(cohort.school_id) == []  # its week ended 13 days ago
    db.session.execute(sa.update(Journal).values(week_start=TODAY - timedelta(days=21)))
    [risk] = queries.of_school(cohort.school_id, TODAY, T)
    assert (risk.kind, risk.since) == (RiskKind.JOURNALS, TODAY)
    p.kind = OpeningKind.POST_INTERNSHIP  # a 岗位实习 not started (no arrival) keeps no journals yet
    _covered(db, p, teacher)
    assert _kinds(cohort.school_id) == []


def test_absent_days_above_the_threshold_warn_per_month(db, school):
    cohort, teacher = school
    start = date(2026, 9, 1)
    p = _placement(db, cohort, start=start, end=date(2027, 6, 30), arrived=start)
    _covered(db, p, teacher)
    for month, absent in ((date(2026, 9, 1), 3), (date(2026, 10, 1), 4)):
        db.session.add(AttendanceMonth(placement_id=p.id, month=month, present=18, absent=absent, on_leave=0,
                                       confirmed_by_id=teacher.id))  # fmt: skip
        db.session.add(PayRecord(placement_id=p.id, month=month, amount=4000, paid_on=month + timedelta(days=20),
                                 method=PayMethod.TRANSFER, recorded_by_id=teacher.id))  # fmt: skip
    # 4 > 3 warns; exactly 3 does not
    assert _kinds(cohort.school_id, only="absences") == [("absences", date(2026, 10, 1))]


def test_pay_warnings_are_those_of_art18_as_the_placement_page_computes_them(db, school):
    cohort, teacher = school
    start = date(2026, 7, 1)
    p = _placement(db, cohort, start=start, end=date(2026, 12, 31), arrived=start, post_wage=5000)
    _covered(db, p, teacher)
    for month, amount, paid_on in (
        (date(2026, 7, 1), 4000, date(2026, 8, 31)),  # last day of the next month
        (date(2026, 8, 1), 4000, date(2026, 10, 1)),  # one day late
        (date(2026, 9, 1), 3999, date(2026, 10, 10)),
    ):  # one yuan below 80%
        db.session.add(PayRecord(placement_id=p.id, month=month, amount=amount, paid_on=paid_on,
                                 method=PayMethod.TRANSFER, recorded_by_id=teacher.id))  # fmt: skip
    db.session.flush()
    found = _kinds(cohort.school_id, only="pay")
    assert found == [("pay_late", date(2026, 8, 1)), ("pay_short", date(2026, 9, 1)),
                     ("pay_unpaid", date(2026, 10, 1))]  # October was due by 11-30  # fmt: skip
    page = {(w.month, w.late, bool(w.short_by), w.unpaid) for w in gates.pay_warnings(p, TODAY)}
    assert page == {(date(2026, 8, 1), True, False, False), (date(2026, 9, 1), False, True, False),
                    (date(2026, 10, 1), True, False, True)}  # the same months, per placement  # fmt: skip
    assert _kinds(cohort.school_id, today=date(2026, 11, 30), only="pay") == found[:2]  # October not yet overdue


def test_a_minor_in_a_post_forbidden_to_minors_warns_until_18(db, school):
    cohort, teacher = school
    start = TODAY - timedelta(days=10)
    p = _placement(db, cohort, start=start, end=TODAY + timedelta(days=100), arrived=start,
                   birth=date(2008, 12, 3), minors_forbidden_work=True)  # fmt: skip
    _covered(db, p, teacher)
    db.session.add(Journal(placement_id=p.id, week_start=TODAY - timedelta(days=2), content="一周的周志内容。"))
    assert _kinds(cohort.school_id) == [("minor_flagged", None)]  # 18 tomorrow
    p.student.birth_date = date(2008, 12, 2)  # 18 today
    assert _kinds(cohort.school_id) == []


def test_an_internship_ended_without_a_grade_warns_after_the_grace_days(db, school):
    cohort, teacher = school
    end = TODAY - timedelta(days=30)
    p = _placement(db, cohort, start=date(2026, 3, 2), end=end, arrived=date(2026, 3, 2))
    _covered(db, p, teacher)
    assert _kinds(cohort.school_id, today=TODAY - timedelta(days=1), only="ungraded") == []  # 29 days after
    assert _kinds(cohort.school_id, only="ungraded") == [("ungraded", None)]
    later = TODAY + timedelta(days=150)  # 180 days after the end: older than the look-back
    assert _kinds(cohort.school_id, today=later - timedelta(days=1), only="ungraded") == [("ungraded", None)]
    assert _kinds(cohort.school_id, today=later, only="ungraded") == []
    db.session.add(FinalGrade(placement_id=p.id, enterprise_score=80, school_score=80, enterprise_weight=50,
                              score=80, closed_by_id=teacher.id))  # fmt: skip
    assert ("ungraded", None) not in _kinds(cohort.school_id)


@pytest.fixture
def alliance_world(db, school):
    cohort, teacher = school
    alliance = AllianceFactory()
    MembershipFactory(alliance=alliance, organization=cohort.school)
    clerk = UserFactory(organization=alliance.secretariat, role=Role.SECRETARIAT)
    p = _placement(db, cohort, start=TODAY + timedelta(days=3), end=TODAY + timedelta(days=180))
    outsider = CohortFactory()
    _placement(db, outsider, start=TODAY + timedelta(days=3), end=TODAY + timedelta(days=180))
    db.session.commit()
    return alliance, clerk, teacher, p


def test_the_school_and_the_secretariat_see_their_warnings_and_the_home_page_counts_them(client, login_as, db,
                                                                                         alliance_world):  # fmt: skip
    alliance, clerk, teacher, p = alliance_world
    login_as(teacher)
    page = client.get("/risks", headers=EN).text
    assert page.count("/internship") == 2
    assert "王小明" in page
    assert "Risk warnings in internships" in client.get("/", headers=EN).text
    login_as(clerk)
    page = client.get(f"/alliances/{alliance.id}/risks", headers=EN).text
    assert page.count("王**") == 2
    assert "王小明" not in page
    assert f"/placements/{p.id}/internship" not in page
    login_as(teacher)
    assert client.get(f"/alliances/{alliance.id}/risks").status_code == 404


def test_the_warnings_page_counts_each_kind_filters_by_it_and_pages(client, login_as, db, school):
    from marketplace.risks.views import PER_PAGE

    cohort, teacher = school
    for _ in range(30):  # each: the agreement and the insurance missing three days before the start
        _placement(db, cohort, start=TODAY + timedelta(days=3), end=TODAY + timedelta(days=180))
    db.session.commit()
    login_as(teacher)
    first = client.get("/risks", headers=EN).text
    assert first.count("/internship") == PER_PAGE == 50
    assert 'All <span class="badge text-bg-light">60</span>' in first
    assert first.count('<span class="badge text-bg-light">30</span>') == 2, "30 agreements, 30 insurances"
    assert client.get("/risks?page=2", headers=EN).text.count("/internship") == 10
    assert client.get("/risks?page=99", headers=EN).text.count("/internship") == 10, "past the end: the last page"
    only = client.get("/risks?kind=insurance", headers=EN).text
    assert only.count("/internship") == 30
    assert "the tripartite agreement is not signed by all three parties" not in only.split("<tbody>")[1]
    assert "the tripartite agreement is not signed by all three parties" in first.split("<tbody>")[1]
    assert client.get("/risks?kind=nonsense", headers=EN).text.count("/internship") == 50, "an unknown kind: all"


def test_the_daily_task_sends_each_warning_once_to_the_school_and_a_count_to_the_secretariat(db, alliance_world):
    from marketplace.risks import jobs

    alliance, _clerk, teacher, p = alliance_world
    school_id, secretariat_id, alliance_id, placement_id = (teacher.organization_id, alliance.secretariat_org_id,
                                                            alliance.id, p.id)  # fmt: skip
    db.session.commit()  # the task's own session writes: the test's holds no transaction meanwhile
    assert jobs.daily_risk_reminders.s().validate_datetime(__import__("datetime").datetime(2026, 12, 1, 23, 0))
    assert jobs.daily_risk_reminders.call_local() == 4  # two per school, the member's and the outsider's
    rows = db.session.scalars(sa.select(Notification).order_by(Notification.id)).all()
    mine = [n for n in rows if n.organization_id == school_id]
    assert sorted(n.params["reason"] for n in mine) == ["agreement", "insurance"]
    assert all(n.kind == kinds.RISK_WARNING.name and n.target == {"placement_id": placement_id} for n in mine)
    [told] = [n for n in rows if n.organization_id == secretariat_id]
    assert (told.kind, told.params["count"], told.target) == (
        kinds.RISKS_IN_ALLIANCE.name,
        2,
        {"alliance_id": alliance_id},
    )
    db.session.commit()
    assert jobs.daily_risk_reminders.call_local() == 0  # the next day: nothing sent again
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == len(rows)
