"""A two-sided world for the access table: everything "own" has a twin on the "other" side.

Each side is an alliance with its secretariat, a member school and a member enterprise, their users, and one record
of every kind a route takes the id of. The table's URLs point at the "own" records; the "other" side's users are the
outsiders, and their own records make their pages render with data.
"""

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from marketplace.alliances.models import MembershipStatus, Tier
from marketplace.allocations import services as allocations
from marketplace.allocations.models import AllocationRun, AllocationSeat, RunStatus
from marketplace.auth.models import Invitation, Role, User, hash_token
from marketplace.destinations import services as destinations
from marketplace.destinations import snapshots
from marketplace.destinations.models import DestinationCode
from marketplace.extensions import db
from marketplace.governance.models import (
    Attendance,
    AttendanceStatus,
    Body,
    Meeting,
    Motion,
    MotionKind,
    Office,
    OfficerTerm,
)
from marketplace.internships.models import Agreement
from marketplace.internships.services import TERMS
from marketplace.jobs.models import Job, JobFile, JobKind, JobStage, JobStatus
from marketplace.notifications.models import Notification
from marketplace.orgs.models import OrgKind
from marketplace.pipeline.models import Placement
from marketplace.plans.models import OpeningKind
from marketplace.pools.models import Expert, ExpertStatus, GroupMember, GroupRole, Route, SpecialtyGroup, TitleLevel
from marketplace.practice.models import PracticeStatus
from marketplace.reports.models import AnnualReport
from marketplace.students.models import CorrectionRequest, FinalReport, Journal, StudentInvitation
from marketplace.submissions.models import Assessment, AssessmentCycle, InfoReport, ReportKind
from tests.factories import (
    AllianceFactory,
    MembershipFactory,
    OrganizationFactory,
    PracticeBaseFactory,
    PracticeRequestFactory,
    SchoolFactory,
    StudentUserFactory,
    TeacherFactory,
    UserFactory,
)
from tests.governance_world import charter
from tests.pipeline_factories import CohortFactory, NominationFactory, OpeningFactory, PlanFactory, StudentFactory

ASSESSMENT_YEAR = 2026
SIDES = ("own", "other")


@dataclass
class World:
    logins: dict[str, str] = field(default_factory=dict)  # who -> the user's session id (none for anonymous)
    ids: dict[str, int | str] = field(default_factory=dict)  # "plan_own" -> id, "invitation_own" -> token
    user_ids: dict[str, int] = field(default_factory=dict)

    def refresh_logins(self) -> None:
        """Read the session ids again: logging out bumps the user's session version."""
        for who, user_id in self.user_ids.items():
            user = db.session.get(User, user_id)
            user.active = True
            self.logins[who] = user.get_id()
        db.session.commit()


def _side(world: World, side: str) -> None:
    ids = world.ids
    secretariat = SchoolFactory(name=f"{side}秘书处学校")
    alliance = AllianceFactory(name=f"{side}职教联盟", secretariat=secretariat, **charter("hs"))
    school = SchoolFactory(name=f"{side}技工学校")
    enterprise = OrganizationFactory(name=f"{side}机械有限公司", kind=OrgKind.ENTERPRISE)
    since = date(2024, 1, 1)
    MembershipFactory(alliance=alliance, organization=secretariat, tier=Tier.CHAIR, effective_from=since)
    school_membership = MembershipFactory(alliance=alliance, organization=school, tier=Tier.DIRECTOR,
                                          effective_from=since)  # fmt: skip
    MembershipFactory(alliance=alliance, organization=enterprise, tier=Tier.DIRECTOR, effective_from=since)
    school_membership.certificate_no = f"CERT-{side}-0001"
    applicant = MembershipFactory(alliance=alliance, organization=OrganizationFactory(name=f"{side}申请单位"),
                                  status=MembershipStatus.APPLIED, effective_from=None)  # fmt: skip
    clerk = UserFactory(organization=secretariat, role=Role.SECRETARIAT, email=f"clerk-{side}@example.cn")
    school_admin = UserFactory(organization=school, role=Role.ORG_ADMIN, email=f"school-{side}@example.cn")
    hr = UserFactory(organization=enterprise, role=Role.ORG_ADMIN, email=f"hr-{side}@example.cn")
    school_staff = UserFactory(organization=school, role=Role.ORG_STAFF, email=f"staff-{side}@example.cn")
    users = {f"school_{side}": school_admin, f"enterprise_{side}": hr, f"secretariat_{side}": clerk}

    plan = PlanFactory(enterprise=enterprise, year=2027, half=1)
    plan.alliances = [alliance]
    opening = OpeningFactory(plan=plan, kind=OpeningKind.EMPLOYMENT)
    cohort = CohortFactory(school=school)
    student = StudentFactory(cohort=cohort)
    placed = StudentFactory(cohort=cohort)
    nomination = NominationFactory(opening=opening, student=student, created_by_id=school_admin.id)
    placement = Placement(opening=opening, student=placed, kind=opening.kind, start_date=date(2026, 9, 1), pay=5000)
    teacher = TeacherFactory(school=school)
    base = PracticeBaseFactory(enterprise=enterprise)
    request = PracticeRequestFactory(teacher=teacher, base=base, status=PracticeStatus.REQUESTED)

    meeting = Meeting(alliance=alliance, body=Body.COUNCIL, title="理事会", held_on=date(2027, 1, 15),
                      created_by_id=clerk.id)  # fmt: skip
    meeting.attendance = [
        Attendance(organization_id=org.id, status=AttendanceStatus.PRESENT) for org in (secretariat, school, enterprise)
    ]
    motion = Motion(alliance=alliance, meeting=meeting, kind=MotionKind.OTHER, title="年度工作计划",
                    created_by_id=clerk.id)  # fmt: skip
    term = OfficerTerm(alliance=alliance, office=next(iter(Office)), person_name="张理事长",
                       organization_id=secretariat.id, term_no=1, starts_on=date(2024, 1, 1),
                       ends_on=date(2027, 12, 31))  # fmt: skip
    report = InfoReport(alliance_id=alliance.id, organization_id=school.id, kind=ReportKind.NEWS, title="校企合作动态",
                        body="本月接收实习生十二名。", submitted_on=date(2026, 11, 2))  # fmt: skip
    cycle = AssessmentCycle(alliance=alliance, year=ASSESSMENT_YEAR, standard="年度工作考核标准",
                            grades=["优秀", "合格", "不合格"], self_due=date(2026, 12, 10),
                            review_due=date(2026, 12, 31), opened_on=date(2026, 11, 1))  # fmt: skip
    assessment = Assessment(cycle=cycle, membership=school_membership, organization_id=school.id)
    expert = Expert(alliance=alliance, organization_id=school.id, name="李专家", title_level=TitleLevel.SENIOR,
                    birth_year=1975, specialty="数控技术", route=Route.APPLICATION, status=ExpertStatus.PENDING,
                    user_id=school_staff.id, submitted_by_id=school_staff.id)  # fmt: skip
    group = SpecialtyGroup(alliance=alliance, name="数控专业组", specialty="数控技术", created_by_id=clerk.id)
    group.members = [GroupMember(person_name="王组员", organization_id=school.id, role=next(iter(GroupRole)),
                                 joined_on=date(2025, 1, 1))]  # fmt: skip
    token = secrets.token_urlsafe(16)
    invitation = Invitation(organization_id=school.id, email=f"new-{side}@example.cn", token_hash=hash_token(token),
                            invited_by_id=school_admin.id,
                            expires_at=datetime.now(UTC) + timedelta(days=7))  # fmt: skip
    notices = [Notification(organization_id=org.id, kind="text", params={"message": "新的通知"})
               for org in (school, enterprise, secretariat)]  # fmt: skip
    agreement = Agreement(placement=placement, version=1, created_by_id=school_admin.id,
                          **dict.fromkeys(TERMS, "按实习协议示范文本"))  # fmt: skip
    db.session.add_all([placement, meeting, motion, term, report, cycle, assessment, expert, group, invitation,
                        agreement, *notices])  # fmt: skip
    db.session.commit()
    # The placed student's own account, an offer on another opening, a journal, a final report, a correction
    # request and an unused sign-up link of the nominated student.
    student_user = StudentUserFactory(student=placed)
    second = OpeningFactory(plan=plan, kind=OpeningKind.EMPLOYMENT)
    offer = NominationFactory(opening=second, student=placed, created_by_id=school_admin.id)
    journal = Journal(placement_id=placement.id, week_start=date(2026, 9, 7), content="第二周的周志。")
    final_report = FinalReport(placement_id=placement.id, content="实习总结报告。")
    correction = CorrectionRequest(student_id=placed.id, school_id=school.id, text="出生日期有误")
    student_token = secrets.token_urlsafe(16)
    student_invitation = StudentInvitation(student_id=student.id, token_hash=hash_token(student_token),
                                           created_by_id=school_admin.id,
                                           expires_at=datetime.now(UTC) + timedelta(days=7))  # fmt: skip
    db.session.add_all([journal, final_report, correction, student_invitation])
    db.session.commit()
    users[f"student_{side}"] = student_user
    run = allocations.run(alliance, actor=clerk)  # a proposed run with its real summary, as the pages expect
    # A confirmed run whose seat became the nomination: the allocation page links the secretariat to it.
    confirmed = AllocationRun(alliance=alliance, status=RunStatus.CONFIRMED, parameters=run.parameters,
                              snapshot_at=run.snapshot_at, inputs_digest=f"confirmed-{side}", timings=run.timings,
                              summary=run.summary, created_by_id=clerk.id, decided_by_id=clerk.id,
                              decided_at=run.snapshot_at)  # fmt: skip
    confirmed.seats = [AllocationSeat(student=student, opening=opening, fit=0.7, choice=1, nomination_id=nomination.id)]
    db.session.add(confirmed)
    # The background job that computed the proposed run: its page is the secretariat's.
    job = Job(kind=JobKind.ALLOCATION, alliance_id=alliance.id, status=JobStatus.DONE, stage=JobStage.FINISHED,
              result_id=run.id, parameters={"choices": 15, "scope": "members"}, created_by_id=clerk.id)  # fmt: skip
    db.session.add(job)
    # A report the secretariat exported on the queue: the job and the workbook it wrote.
    export = Job(kind=JobKind.REPORT_EXPORT, alliance_id=alliance.id, status=JobStatus.DONE, stage=JobStage.FINISHED,
                 parameters={"report": "outcomes", "args": {}}, created_by_id=clerk.id)  # fmt: skip
    db.session.add(export)
    db.session.flush()
    workbook = JobFile(job_id=export.id, name="报表.xlsx", fallback_name="report.xlsx", mimetype="application/zip",
                       body=b"PK")  # fmt: skip
    db.session.add(workbook)
    # The school's annual quality report (the documents' bytes do not matter to access).
    annual = AnnualReport(school_id=school.id, year=2026, title="年度报告", pdf=b"%PDF-1.4", docx=b"PK",
                          created_by_id=school_admin.id)  # fmt: skip
    db.session.add(annual)
    db.session.commit()
    # The placed student's destination, awaiting the school's audit, and the alliance's snapshot of the cohort.
    destination = destinations.register(
        placed,
        {"code_id": destination_code("11"), "employer_name": enterprise.name, "proof_on_file": True},
        actor=None,
        today=date(2027, 6, 1),
    )
    snapshot = snapshots.take(alliance.id, cohort.graduation_year, date(2027, 9, 1), actor=clerk)
    db.session.commit()  # fmt: skip

    world.logins |= {who: user.get_id() for who, user in users.items()}
    world.user_ids |= {who: user.id for who, user in users.items()}
    ids |= {
        f"alliance_{side}": alliance.id, f"membership_{side}": school_membership.id, f"plan_{side}": plan.id,
        f"opening_{side}": opening.id, f"cohort_{side}": cohort.id, f"student_{side}": student.id,
        f"nomination_{side}": nomination.id, f"placement_{side}": placement.id, f"teacher_{side}": teacher.id,
        f"base_{side}": base.id, f"request_{side}": request.id, f"meeting_{side}": meeting.id,
        f"motion_{side}": motion.id, f"term_{side}": term.id, f"report_{side}": report.id,
        f"assessment_{side}": assessment.id, f"expert_{side}": expert.id, f"group_{side}": group.id,
        f"run_{side}": run.id, f"job_{side}": job.id, f"applicant_{side}": applicant.id, f"school_{side}": school.id,
        f"enterprise_{side}": enterprise.id, f"staff_{side}": school_staff.id, f"invitation_{side}": token,
        f"my_nomination_{side}": offer.id, f"journal_{side}": journal.id, f"final_report_{side}": final_report.id,
        f"correction_{side}": correction.id, f"student_invitation_{side}": student_token,
        f"destination_{side}": destination.version.id, f"snapshot_{side}": snapshot.id,
        f"annual_report_{side}": annual.id, f"job_file_{side}": workbook.id,
    }  # fmt: skip


def destination_code(code: str) -> int:
    return db.session.scalar(sa.select(DestinationCode.id).where(DestinationCode.alliance_id.is_(None),
                                                                 DestinationCode.code == code))  # fmt: skip


def build_world() -> World:
    world = World()
    for side in SIDES:
        _side(world, side)
    admin = UserFactory(organization=OrganizationFactory(kind=OrgKind.INSTITUTE, staff_count=None),
                        role=Role.PLATFORM_ADMIN)  # fmt: skip
    world.logins["platform_admin"] = admin.get_id()
    world.user_ids["platform_admin"] = admin.id
    world.ids["year"] = ASSESSMENT_YEAR
    db.session.commit()  # end the transaction: on SQLite even a read holds the write lock (BEGIN IMMEDIATE)
    return world


def fingerprint(tables: list[sa.Table]) -> dict[str, int]:
    """A hash of every row of each table: a refused request must leave all of them as they were."""
    db.session.commit()
    queries = [sa.select(table).order_by(*table.primary_key.columns) for table in tables]
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":  # one round trip instead of one per table
            sql = ";\n".join(str(q.compile(conn, compile_kwargs={"literal_binds": True})) for q in queries)
            cursor = conn.connection.dbapi_connection.cursor()
            cursor.execute(sql)
            results = []
            while True:
                results.append(cursor.fetchall())
                if not cursor.nextset():
                    break
            cursor.close()
        else:
            results = [conn.execute(q).all() for q in queries]
    return {table.name: hash(tuple(map(repr, rows))) for table, rows in zip(tables, results, strict=True)}
