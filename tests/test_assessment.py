"""The annual assessment (年度考核, 德州实施办法 art. 11–13): evidence, deadlines in Beijing time, failing grades,
removal after consecutive failures, reminders, and who may do what."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from marketplace.alliances.models import MembershipStatus
from marketplace.audit.models import AuditEvent
from marketplace.auth.models import Role
from marketplace.governance.models import Attendance, AttendanceStatus, Body, Meeting, Motion, MotionKind
from marketplace.notifications.models import Notification
from marketplace.orgs.models import OrgKind
from marketplace.pipeline.models import Placement, PlacementStatus
from marketplace.plans.models import OpeningKind, PlanStatus
from marketplace.practice.models import PracticeStatus
from marketplace.submissions import services
from marketplace.submissions.models import Assessment, AssessmentCycle, InfoReport, ReportKind
from marketplace.submissions.services import ReportingError
from marketplace.timeutil import ALLIANCE_TZ
from tests.factories import (
    AllianceFactory,
    CohortFactory,
    MembershipFactory,
    OrganizationFactory,
    PracticeBaseFactory,
    PracticeRequestFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
)
from tests.pipeline_factories import OpeningFactory, PlanFactory, StudentFactory

FAIL = "不合格"
OPENED = date(2026, 11, 21)


def shanghai(*args) -> datetime:
    return datetime(*args, tzinfo=ALLIANCE_TZ)


@pytest.fixture
def world(db):
    secretariat = SchoolFactory()
    alliance = AllianceFactory(secretariat=secretariat, reporting_interval_days=30, removal_after_failed_years=2)
    clerk = UserFactory(organization=secretariat, role=Role.SECRETARIAT)
    enterprise = MembershipFactory(alliance=alliance, organization=OrganizationFactory(kind=OrgKind.ENTERPRISE))
    school = MembershipFactory(alliance=alliance, organization=SchoolFactory())
    return alliance, clerk, enterprise, school


def open_year(alliance, clerk, year: int, today: date | None = None) -> AssessmentCycle:
    cycle = services.open_cycle(alliance, year=year, standard="德州职教联盟年度工作考核标准：报送信息、参加会议。",
                                actor=clerk, today=today or date(year, 11, 21))  # fmt: skip
    services.db.session.commit()
    return cycle


def of(cycle: AssessmentCycle, membership) -> Assessment:
    return next(a for a in cycle.assessments if a.organization_id == membership.organization_id)


# --- evidence ----------------------------------------------------------------------------------------------------


def test_evidence_counts_the_year_for_this_alliance_only(world, db):
    alliance, clerk, ent, sch = world
    elsewhere = AllianceFactory()
    e, s = ent.organization, sch.organization
    plan = PlanFactory(enterprise=e, year=2026, half=2, status=PlanStatus.PUBLISHED)
    plan.alliances = [alliance]
    shared_elsewhere = PlanFactory(enterprise=e, year=2026, half=1)
    shared_elsewhere.alliances = [elsewhere]
    for year, half, status in ((2025, 2, PlanStatus.PUBLISHED), (2027, 1, PlanStatus.DRAFT)):
        PlanFactory(enterprise=e, year=year, half=half, status=status).alliances = [alliance]
    job = OpeningFactory(plan=plan, headcount=3, kind=OpeningKind.EMPLOYMENT)
    OpeningFactory(plan=plan, headcount=5, kind=OpeningKind.POST_INTERNSHIP)
    internship = OpeningFactory(plan=shared_elsewhere, kind=OpeningKind.POST_INTERNSHIP)
    cohort = CohortFactory(school=s)
    for opening, kind, start in ((job, OpeningKind.EMPLOYMENT, date(2026, 7, 1)),
                                 (internship, OpeningKind.POST_INTERNSHIP, date(2026, 3, 1)),
                                 (job, OpeningKind.EMPLOYMENT, date(2025, 12, 31))):  # fmt: skip
        student = StudentFactory(cohort=cohort)
        db.session.add(Placement(opening=opening, student=student, kind=kind, start_date=start, pay=4000,
                                 status=PlacementStatus.COMPLETED))  # fmt: skip
    base = PracticeBaseFactory(enterprise=e)
    teacher = TeacherFactory(school=s)
    PracticeRequestFactory(teacher=teacher, base=base, status=PracticeStatus.ACCEPTED)
    PracticeRequestFactory(teacher=teacher, base=base, status=PracticeStatus.REQUESTED)
    PracticeRequestFactory(teacher=teacher, base=base, status=PracticeStatus.COMPLETED, start_date=date(2025, 7, 1),
                           end_date=date(2025, 8, 29))  # fmt: skip
    for day in (date(2026, 3, 2), date(2026, 3, 20), date(2026, 9, 1), date(2025, 12, 30)):
        db.session.add(InfoReport(alliance_id=alliance.id, organization_id=s.id, kind=ReportKind.DATA, title="数据",
                                  submitted_on=day))  # fmt: skip
    db.session.add(InfoReport(alliance_id=elsewhere.id, organization_id=s.id, kind=ReportKind.NEWS, title="别处",
                              submitted_on=date(2026, 5, 5)))  # fmt: skip
    taken = datetime(2026, 6, 1, tzinfo=UTC)
    for held_on, statuses, attendance_taken_at, where in (
        (date(2026, 3, 1), {e: AttendanceStatus.PRESENT, s: AttendanceStatus.ABSENT}, taken, alliance),
        (date(2026, 5, 1), {e: AttendanceStatus.EXCUSED, s: AttendanceStatus.PRESENT}, taken, alliance),
        (date(2026, 12, 1), {e: AttendanceStatus.ABSENT, s: AttendanceStatus.ABSENT}, None, alliance),  # not yet taken
        (date(2026, 4, 1), {e: AttendanceStatus.ABSENT, s: AttendanceStatus.ABSENT}, taken, elsewhere),
    ):
        meeting = Meeting(alliance=where, body=Body.COUNCIL, title="理事会", held_on=held_on,
                          attendance_taken_at=attendance_taken_at)  # fmt: skip
        meeting.attendance = [Attendance(organization=org, status=st) for org, st in statuses.items()]
        db.session.add(meeting)
    db.session.commit()

    cycle = open_year(alliance, clerk, 2026, today=OPENED)

    expected = {
        e.id: dict(plans_published=1, openings_headcount=8, interns_hosted=1, graduates_hosted=1, students_placed=0,
                   teachers_hosted=1, teachers_sent=0, reports_submitted=0, months_reported=0, meetings_attended=1,
                   meetings_excused=1, meetings_absent=0),
        s.id: dict(plans_published=0, openings_headcount=0, interns_hosted=0, graduates_hosted=0, students_placed=2,
                   teachers_hosted=0, teachers_sent=1, reports_submitted=3, months_reported=2, meetings_attended=1,
                   meetings_excused=0, meetings_absent=1),
    }  # fmt: skip
    for a in cycle.assessments:
        if a.organization_id in expected:
            assert a.evidence == {"year": 2026, "as_of": "2026-11-21", **expected[a.organization_id]}
    assert {a.organization_id for a in cycle.assessments} == {e.id, s.id}


def test_only_members_in_force_are_assessed_and_a_year_opens_once(world, db):
    alliance, clerk, ent, sch = world
    sch.status, sch.effective_until = MembershipStatus.WITHDRAWN, date(2026, 6, 30)
    joining = MembershipFactory(alliance=alliance, effective_from=date(2026, 12, 1))  # approved for a later date
    db.session.commit()
    cycle = open_year(alliance, clerk, 2026, today=OPENED)
    assert {a.organization_id for a in cycle.assessments} == {ent.organization_id}
    assert joining.organization_id not in {a.organization_id for a in cycle.assessments}
    with pytest.raises(ReportingError):
        services.open_cycle(alliance, year=2026, standard="再次开启", actor=clerk, today=OPENED)
    with pytest.raises(ReportingError):  # the 2025 review deadline has passed
        services.open_cycle(alliance, year=2025, standard="补开上年考核", actor=clerk, today=OPENED)


def test_evidence_is_recounted_until_the_member_submits(world, db):
    alliance, clerk, ent, sch = world
    cycle = open_year(alliance, clerk, 2026, today=OPENED)
    mine, theirs = of(cycle, sch), of(cycle, ent)
    services.self_assess(mine, grade="较好", summary="全年按月报送信息。", actor=None, now=shanghai(2026, 11, 22, 9))
    for org in (sch.organization, ent.organization):
        db.session.add(InfoReport(alliance_id=alliance.id, organization_id=org.id, kind=ReportKind.NEWS,
                                  title="补报", submitted_on=date(2026, 11, 23)))  # fmt: skip
    assert services.refresh_evidence(cycle, date(2026, 11, 24)) == 1
    assert mine.evidence["reports_submitted"] == 0
    assert theirs.evidence["reports_submitted"] == 1


# --- deadlines, in Beijing time ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "accepted"),
    [
        (shanghai(2026, 12, 10, 23, 59), True),
        (shanghai(2026, 12, 11, 0, 0), False),
        (datetime(2026, 12, 10, 15, 59, tzinfo=UTC), True),  # 23:59 in Beijing
        (datetime(2026, 12, 10, 16, 0, tzinfo=UTC), False),  # already 12-11 in Beijing
    ],
    ids=["12-10 23:59", "12-11 00:00", "UTC 15:59", "UTC 16:00"],
)
def test_self_assessment_deadline_is_the_end_of_12_10_in_beijing(world, db, now, accepted):
    alliance, clerk, ent, _ = world
    a = of(open_year(alliance, clerk, 2026, today=OPENED), ent)
    if accepted:
        services.self_assess(a, grade="合格", summary="完成年度工作。", actor=None, now=now)
        assert (a.self_grade, a.self_submitted_at) == ("合格", now)
    else:
        with pytest.raises(ReportingError, match="2026-12-10"):
            services.self_assess(a, grade="合格", summary="完成年度工作。", actor=None, now=now)
        assert a.self_grade is None


@pytest.mark.parametrize(
    ("now", "accepted"),
    [(shanghai(2026, 12, 30, 23, 59), True), (shanghai(2026, 12, 31, 0, 0), False)],
    ids=["12-30 23:59", "12-31 00:00"],
)
def test_review_deadline_is_the_end_of_12_30_and_needs_no_self_assessment(world, db, now, accepted):
    alliance, clerk, ent, _ = world
    a = of(open_year(alliance, clerk, 2026, today=OPENED), ent)
    if accepted:
        services.review(a, grade="合格", comment="", actor=clerk, now=now)
        assert (a.final_grade, a.self_grade) == ("合格", None)
    else:
        with pytest.raises(ReportingError, match="2026-12-30"):
            services.review(a, grade="合格", comment="", actor=clerk, now=now)
        assert a.final_grade is None


def test_a_review_is_final_and_closes_the_self_assessment(world, db):
    alliance, clerk, ent, _ = world
    a = of(open_year(alliance, clerk, 2026, today=OPENED), ent)
    services.review(a, grade="优秀", comment="", actor=clerk, now=shanghai(2026, 12, 1, 10))
    with pytest.raises(ReportingError):
        services.review(a, grade="合格", comment="", actor=clerk, now=shanghai(2026, 12, 2, 10))
    with pytest.raises(ReportingError):
        services.self_assess(a, grade="优秀", summary="自评", actor=None, now=shanghai(2026, 12, 2, 10))
    with pytest.raises(ReportingError):
        services.review(of(a.cycle, world[3]), grade="满分", comment="", actor=clerk, now=shanghai(2026, 12, 2, 10))


# --- failing grades and removal ----------------------------------------------------------------------------------


def grade_history(alliance, clerk, membership, grades: dict[int, str]) -> None:
    for year, grade in sorted(grades.items()):
        cycle = open_year(alliance, clerk, year)
        services.review(of(cycle, membership), grade=grade, comment="整改要求", actor=clerk,
                        now=shanghai(year, 12, 20, 10))  # fmt: skip
        services.db.session.commit()


def removals() -> list[Motion]:
    return list(services.db.session.scalars(sa.select(Motion).where(Motion.kind == MotionKind.REMOVE)))


def test_one_failing_year_is_notified_with_a_rectification_deadline_and_no_motion(world, db):
    alliance, clerk, ent, _ = world
    a = of(open_year(alliance, clerk, 2026, today=OPENED), ent)
    motion = services.review(a, grade=FAIL, comment="全年未报送信息", actor=clerk, now=shanghai(2026, 12, 20, 10))
    db.session.commit()
    assert motion is None
    assert a.rectify_by == date(2026, 12, 20) + timedelta(days=90)
    note = db.session.scalar(sa.select(Notification).where(Notification.organization_id == ent.organization_id))
    assert note.key == f"assessment-failed:{a.id}"
    assert "2027-03-20" in note.message
    assert removals() == []
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "assessment_reviewed"))
    assert event.details["rectify_by"] == "2027-03-20"


@pytest.mark.parametrize(
    ("rule", "history", "tabled"),
    [
        (2, {2025: FAIL, 2026: FAIL}, True),
        (2, {2025: "合格", 2026: FAIL}, False),
        (2, {2024: FAIL, 2026: FAIL}, False),  # no 2025 cycle: not consecutive
        (2, {2025: FAIL, 2026: "合格"}, False),
        (None, {2025: FAIL, 2026: FAIL}, False),  # an alliance without the rule
        (3, {2025: FAIL, 2026: FAIL}, False),
        (3, {2024: FAIL, 2025: FAIL, 2026: FAIL}, True),
    ],
    ids=["德州 two in a row", "pass then fail", "gap year", "fail then pass", "no rule", "three needed, two",
         "three in a row"],
)  # fmt: skip
def test_removal_is_tabled_after_the_charters_consecutive_failures(world, db, rule, history, tabled):
    alliance, clerk, ent, _ = world
    alliance.removal_after_failed_years = rule
    db.session.commit()
    grade_history(alliance, clerk, ent, history)
    motions = removals()
    assert bool(motions) is tabled
    if tabled:
        (motion,) = motions
        assert (motion.membership_id, motion.origin, motion.alliance_id) == (ent.id, "assessment", alliance.id)
        assert ent.organization.name in motion.title


def test_reminders_in_the_week_before_the_self_assessment_deadline(world, db):
    alliance, clerk, ent, sch = world
    cycle = open_year(alliance, clerk, 2026, today=OPENED)
    services.self_assess(of(cycle, sch), grade="合格", summary="已自评", actor=None, now=shanghai(2026, 11, 25, 9))
    assert services.remind_self_assessment(alliance, date(2026, 12, 2)) == []  # eight days before
    sent = services.remind_self_assessment(alliance, date(2026, 12, 3))
    assert ent.organization_id in {a.organization_id for a in sent}
    assert sch.organization_id not in {a.organization_id for a in sent}
    assert services.remind_self_assessment(alliance, date(2026, 12, 9)) == []  # once per cycle
    assert services.remind_self_assessment(alliance, date(2026, 12, 11)) == []  # too late to remind


# --- through the app ---------------------------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """Set the views' clock: the day the pages think it is, and the instant a form is posted."""

    def set_to(now: datetime):
        monkeypatch.setattr("marketplace.submissions.views.local_today", lambda: now.astimezone(ALLIANCE_TZ).date())
        monkeypatch.setattr("marketplace.submissions.views.utcnow", lambda: now.astimezone(UTC))

    return set_to


def test_open_self_assess_and_fail_twice_through_the_app(world, client, login_as, db, clock):
    alliance, clerk, ent, _ = world
    grade_history(alliance, clerk, ent, {2025: FAIL})
    clock(shanghai(2026, 11, 21, 10))
    login_as(clerk)
    response = client.post(f"/alliances/{alliance.id}/assessments",
                           data={"year": "2026", "standard": "2026年度考核标准：每月报送信息，按时参会。"})  # fmt: skip
    assert response.status_code == 302
    cycle = db.session.scalar(sa.select(AssessmentCycle).where(AssessmentCycle.year == 2026))
    a = of(cycle, ent)
    assert "2026" in client.get(f"/alliances/{alliance.id}/assessments/2026").get_data(as_text=True)

    member = UserFactory(organization=ent.organization, role=Role.ORG_STAFF)
    login_as(member)
    assert "2026年度考核标准" in client.get(f"/assessments/{a.id}").get_data(as_text=True)
    clock(shanghai(2026, 12, 11, 0, 0))
    late = client.post(f"/assessments/{a.id}/self", data={"grade": "合格", "summary": "本年度完成联盟各项工作。"},
                       headers={"Accept-Language": "en"})  # fmt: skip
    assert late.status_code == 409
    assert "2026-12-10" in late.get_data(as_text=True)
    clock(shanghai(2026, 12, 10, 23, 59))
    ok = client.post(f"/assessments/{a.id}/self", data={"grade": "合格", "summary": "本年度完成联盟各项工作。"})
    assert ok.status_code == 302
    db.session.refresh(a)
    assert a.self_grade == "合格"
    assert client.post(f"/assessments/{a.id}/review", data={"grade": "优秀", "comment": ""}).status_code == 403

    login_as(clerk)
    clock(shanghai(2026, 12, 20, 10))
    no_reason = client.post(f"/assessments/{a.id}/review", data={"grade": FAIL, "comment": ""})
    assert no_reason.status_code == 400
    failed = client.post(f"/assessments/{a.id}/review", data={"grade": FAIL, "comment": "信息报送不足，限期整改。"})
    assert failed.status_code == 302
    db.session.refresh(a)
    assert (a.final_grade, a.rectify_by) == (FAIL, date(2027, 3, 20))
    (motion,) = removals()
    assert motion.membership_id == ent.id
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"assessment_cycle_opened", "assessment_self_assessed", "assessment_reviewed", "motion_tabled"} <= actions
    clock(shanghai(2026, 12, 31, 0, 0))
    other = of(cycle, world[3])
    closed = client.post(f"/assessments/{other.id}/review", data={"grade": "合格", "comment": ""},
                         headers={"Accept-Language": "en"})  # fmt: skip
    assert closed.status_code == 409
    assert "2026-12-30" in closed.get_data(as_text=True)


@pytest.mark.parametrize("who", ["other member", "other alliance's secretariat", "outsider"])
def test_others_get_404(world, client, login_as, db, who):
    alliance, clerk, ent, sch = world
    cycle = open_year(alliance, clerk, 2026, today=OPENED)
    a = of(cycle, ent)
    if who == "other member":
        user = UserFactory(organization=sch.organization)
    elif who == "other alliance's secretariat":
        user = UserFactory(organization=AllianceFactory().secretariat, role=Role.SECRETARIAT)
    else:
        user = UserFactory(organization=OrganizationFactory())
    login_as(user)
    assert client.get(f"/assessments/{a.id}").status_code == 404
    assert (
        client.post(f"/assessments/{a.id}/self", data={"grade": "优秀", "summary": "冒名自评不应成功。"}).status_code
        == 404
    )
    assert client.post(f"/assessments/{a.id}/review", data={"grade": FAIL, "comment": "越权"}).status_code == 404
    assert client.get(f"/alliances/{alliance.id}/assessments/2026").status_code == 404
    assert (
        client.post(
            f"/alliances/{alliance.id}/assessments", data={"year": "2027", "standard": "越权开启考核周期"}
        ).status_code
        == 404
    )
    expected_cycles = 200 if who == "other member" else 404
    assert client.get(f"/alliances/{alliance.id}/assessments").status_code == expected_cycles
    db.session.refresh(a)
    assert (a.self_grade, a.final_grade) == (None, None)


def test_a_member_sees_its_own_assessments_not_the_cycle(world, client, login_as, db):
    alliance, clerk, ent, sch = world
    cycle = open_year(alliance, clerk, 2026, today=OPENED)
    login_as(UserFactory(organization=ent.organization))
    page = client.get(f"/alliances/{alliance.id}/assessments").get_data(as_text=True)
    assert f"/assessments/{of(cycle, ent).id}" in page
    assert f"/assessments/{of(cycle, sch).id}" not in page
    assert client.get(f"/alliances/{alliance.id}/assessments/2026").status_code == 404
