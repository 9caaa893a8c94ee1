"""Demo history, so that the reports have something to say: two graduated cohorts (2025, 2026) with their
internships and jobs in past half-year plans, members' recorded activity through 2026, and the 衡水 alliance's
allocation runs (a superseded proposal and a confirmed run, for the priority audit and the members' nominations).

Graduated students did not consent to share (they are out of every ranking); most of their placements fit their
major, a share left early, and one school in five reports nothing for months.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from marketplace.alliances.models import IN_FORCE_STATUSES, Alliance, Membership
from marketplace.audit.models import AuditEvent
from marketplace.auth.models import Role, User
from marketplace.cohorts.models import Cohort, Gender, Student
from marketplace.demo.market import LEVEL_OF_SCHOOL, POSTS, _name, offerings
from marketplace.extensions import db
from marketplace.orgs.models import Organization, OrgKind
from marketplace.pipeline.models import Placement, PlacementStatus
from marketplace.plans.models import HiringPlan, Opening, OpeningKind, PlanStatus, ShiftPattern
from marketplace.reference.models import Major, MajorLevel, Occupation

GRADUATED = (2025, 2026)
PER_SCHOOL = 40
# (year, half, first day): the internship half-year before graduation, then the graduation half-year's jobs
PAST_HALVES = ((2024, 2, date(2024, 9, 1)), (2025, 1, date(2025, 3, 1)), (2025, 2, date(2025, 9, 1)),
               (2026, 1, date(2026, 3, 1)))  # fmt: skip
ACTIONS = ("cohort_import", "plan_published", "nomination", "placement_recorded", "practice_request")


def _plans(rng, alliances_of, majors, occupations) -> dict[tuple[int, int], list[Opening]]:
    openings: dict[tuple[int, int], list[Opening]] = {}
    for enterprise_id, alliances in alliances_of.items():
        enterprise = db.session.get(Organization, enterprise_id)
        if enterprise.kind is not OrgKind.ENTERPRISE:
            continue
        for year, half, start in PAST_HALVES:
            published = datetime.combine(start - timedelta(days=30), time(9), tzinfo=UTC)
            products, needs = offerings(enterprise.name)
            plan = HiringPlan(enterprise=enterprise, year=year, half=half, status=PlanStatus.PUBLISHED,
                              published_at=published, core_products=products, technical_needs=needs)  # fmt: skip
            plan.alliances = alliances
            for _ in range(rng.randint(2, 4)):
                title, code, words, _cert = rng.choice(POSTS)
                kind = OpeningKind.POST_INTERNSHIP if start.month == 9 else OpeningKind.EMPLOYMENT
                wage = rng.randrange(3500, 7501, 500)
                opening = Opening(
                    kind=kind, title=title, occupation=occupations.get(code), city=enterprise.city,
                    headcount=rng.randint(4, 12), pay_min=wage * 4 // 5, pay_max=wage, post_wage=wage,
                    start_date=start, end_date=start.replace(month=start.month + 3, day=28),
                    shift_pattern=ShiftPattern.DAY, staff_in_post=rng.randint(60, 200), skills="识图、" + title,
                )  # fmt: skip
                opening.majors = [m for m in majors if any(w in m.name for w in words)][:4]
                plan.openings.append(opening)
            db.session.add(plan)
            openings.setdefault((year, half), []).extend(plan.openings)
    return openings


def _placements(rng, students: list[Student], openings: list[Opening], start_cap: date) -> None:
    """Place most students, preferring openings that asked for their major, without overfilling."""
    for student in students:
        if rng.random() < 0.12:
            continue  # not placed (yet): the rate is not 100%
        fitting = [o for o in openings if student.major in o.majors and o.filled < o.headcount]
        pool = fitting if fitting and rng.random() < 0.8 else [o for o in openings if o.filled < o.headcount]
        if not pool:
            continue
        opening = rng.choice(pool)
        opening.filled += 1
        left = rng.random() < 0.12
        end = opening.start_date + timedelta(days=rng.randint(20, 150)) if left else None
        done = opening.end_date < start_cap and not left
        status = PlacementStatus.LEFT_EARLY if left else PlacementStatus.COMPLETED if done else PlacementStatus.ONGOING
        db.session.add(Placement(
            opening=opening, student=student, kind=opening.kind, start_date=opening.start_date,
            end_date=end or (opening.end_date if done else None), pay=opening.pay_min,
            status=status, arrived_on=opening.start_date,
        ))  # fmt: skip


def _activity(rng) -> None:
    """Members' recorded actions through 2026: most report monthly, a few fall silent for months."""
    members = db.session.scalars(
        sa.select(Organization).where(
            Organization.id.in_(sa.select(Membership.organization_id).where(Membership.status.in_(IN_FORCE_STATUSES)))
        )
    ).all()
    for org in members:
        silent_from = date(2026, rng.randint(3, 9), 1) if rng.random() < 0.2 else date(2027, 1, 1)
        day = date(2026, 1, 3)
        while day < min(silent_from, date(2026, 11, 15)):
            at = datetime.combine(day, time(10), tzinfo=UTC)
            db.session.add(AuditEvent(at=at, organization_id=org.id, action=rng.choice(ACTIONS), object_type="none",
                                      details={"demo": True}))  # fmt: skip
            day += timedelta(days=rng.randint(5, 30))


def build_history(seed: int) -> None:
    rng = random.Random(seed + 7)  # noqa: S311  (demo data, not secrets)
    majors = list(db.session.scalars(sa.select(Major).order_by(Major.level, Major.code)))
    by_level = {level: [m for m in majors if m.level is level] for level in MajorLevel}
    occupations = {o.code: o for o in db.session.scalars(sa.select(Occupation).where(Occupation.level == 4))}
    alliances_of: dict[int, list[Alliance]] = {}
    in_force = sa.select(Membership.organization_id, Alliance).join(Alliance, Alliance.id == Membership.alliance_id)
    for org_id, alliance in db.session.execute(in_force.where(Membership.status.in_(IN_FORCE_STATUSES))):
        alliances_of.setdefault(org_id, []).append(alliance)
    openings = _plans(rng, alliances_of, majors, occupations)
    db.session.flush()
    schools = db.session.scalars(sa.select(Organization).where(Organization.kind == OrgKind.SCHOOL)).all()
    for year in GRADUATED:
        cohort_students = []
        for school in schools:
            cohort = Cohort(school=school, graduation_year=year)
            db.session.add(cohort)
            pool = by_level[LEVEL_OF_SCHOOL[school.school_level]] or majors
            for i in range(PER_SCHOOL):
                major = rng.choice(pool)
                student = Student(
                    school=school, cohort=cohort, student_no=f"{year - 3}{school.id:03d}{i:04d}", name=_name(rng),
                    gender=rng.choice(list(Gender)), birth_date=date(year - 19, rng.randint(1, 12), 1),
                    enrolled_on=date(year - 3, 9, 1), major=major, level=major.level, consent_to_share=False,
                    wanted_kinds=[],
                )  # fmt: skip
                db.session.add(student)
                cohort_students.append(student)
        db.session.flush()
        internships = openings.get((year - 1, 2), [])
        _placements(rng, rng.sample(cohort_students, len(cohort_students) // 2), internships, date(2026, 11, 1))
        _placements(rng, cohort_students, openings.get((year, 1), []), date(2026, 11, 1))
    _activity(rng)
    db.session.flush()


def allocation_run() -> None:
    """Two allocations of the 衡水 alliance, run by its secretariat: one of its members' graduates, then one of every
    school's, which it confirms (its seats become nominations, each school and enterprise is told once, and the
    first proposal is superseded). The priority audit counts the confirmed one."""
    from marketplace.allocations import decisions, services

    clerk = db.session.scalar(sa.select(User).where(User.role == Role.SECRETARIAT).order_by(User.id))
    if clerk is None:
        return
    alliance = db.session.scalar(sa.select(Alliance).where(Alliance.secretariat_org_id == clerk.organization_id))
    if alliance is not None:
        services.run(alliance, actor=clerk, scope="members")
        confirmed = services.run(alliance, actor=clerk, scope="everyone")
        decisions.confirm(confirmed, actor=clerk)
        db.session.flush()
