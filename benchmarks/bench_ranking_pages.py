"""The three ranking pages at alliance scale, printed as `figure:` lines (issue 14, item 1).

Seeds a scratch database with N graduates (default 10,000) and M openings (default 2,000) of 200 schools and 2,000
enterprises, all members in force of one alliance to which every plan is published (as in issue 14's profile), then
times through the test client, logged in, the median of 3 requests of a student's openings, an opening's ranking
and a cohort's best openings. BENCH_SCALE (e.g. 0.1) shrinks every count; BENCH_DATABASE_URL picks PostgreSQL.
"""

import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import seeding  # noqa: E402  (benchmarks/seeding.py, beside this script)

from marketplace import create_app  # noqa: E402
from marketplace.alliances.models import Alliance, Membership, MembershipStatus  # noqa: E402
from marketplace.auth.models import Role, User  # noqa: E402
from marketplace.auth.passwords import hash_password  # noqa: E402
from marketplace.cohorts.models import Cohort, Student  # noqa: E402
from marketplace.config import TestConfig  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.orgs.models import Organization  # noqa: E402
from marketplace.plans.models import HiringPlan, Opening, plan_alliances  # noqa: E402

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
GRADUATES, OPENINGS = max(10, int(10_000 * SCALE)), max(4, int(2_000 * SCALE))
SCHOOLS, ENTERPRISES = max(2, int(200 * SCALE)), max(2, int(2_000 * SCALE))
COHORT = max(5, int(500 * SCALE))  # the first school's cohort: the cohort page's 500 students
REPEAT = 3


def figure(name: str, value: float, unit: str) -> None:
    print(f"figure: {name} = {value:.2f} {unit}", flush=True)


def seed(rng: random.Random) -> dict[str, int]:
    """Bulk-insert the market with Core executemany; returns the ids the timed pages need."""
    cities, majors, occupations = seeding.reference()
    orgs = seeding.Organisations(rng, cities)

    def org(kind: str, n: int) -> dict:
        return orgs.row(kind, n)

    db.session.execute(
        sa.insert(Organization),
        [org("school", n) for n in range(SCHOOLS)] + [org("enterprise", n) for n in range(ENTERPRISES)],
    )
    schools = list(
        db.session.scalars(sa.select(Organization.id).where(Organization.kind == "school").order_by(Organization.id))
    )
    enterprises = list(
        db.session.scalars(
            sa.select(Organization.id).where(Organization.kind == "enterprise").order_by(Organization.id)
        )
    )
    alliance = Alliance(name="基准联盟", short_name="基准", secretariat_org_id=schools[0], priority_tolerance=0.02)
    db.session.add(alliance)
    db.session.flush()
    db.session.execute(sa.insert(Membership), [
        {"organization_id": o, "alliance_id": alliance.id, "status": MembershipStatus.ACTIVE,
         "effective_from": date(2024, 1, 1)}
        for o in schools + enterprises
    ])  # fmt: skip
    db.session.execute(sa.insert(Cohort), [{"school_id": s, "graduation_year": 2027} for s in schools])
    cohort_of = dict(db.session.execute(sa.select(Cohort.school_id, Cohort.id)).all())
    rest = (GRADUATES - COHORT) // (SCHOOLS - 1)
    students = [
        {"school_id": s, "cohort_id": cohort_of[s], "student_no": f"S{i:06d}", "name": f"学生{i}", "gender": "male",
         "birth_date": date(2008, 1, 1), "enrolled_on": date(2024, 9, 1), "major_id": majors[i % len(majors)].id,
         "level": majors[i % len(majors)].level.value, "skills": "识图、CAD", "wanted_kinds": [],
         "phone": "13900000000", "id_number": "", "consent_to_share": i % 7 != 0}
        for n, s in enumerate(schools) for i in range(n * 100_000, n * 100_000 + (COHORT if n == 0 else rest))
    ]  # fmt: skip
    for start in range(0, len(students), 10_000):
        db.session.execute(sa.insert(Student), students[start : start + 10_000])
    db.session.execute(sa.insert(HiringPlan), [
        {"enterprise_id": e, "year": 2027, "half": h, "status": "published", "labour_standards": ""}
        for e in enterprises for h in (1, 2)
    ])  # fmt: skip
    plan_ids = list(db.session.scalars(sa.select(HiringPlan.id).order_by(HiringPlan.id)))
    db.session.execute(sa.insert(plan_alliances), [{"plan_id": p, "alliance_id": alliance.id} for p in plan_ids])
    db.session.execute(sa.insert(Opening), [
        {"plan_id": plan_ids[i % len(plan_ids)], "kind": "employment" if i % 3 else "post_internship",
         "title": f"岗位{i}", "occupation_id": occupations[i % len(occupations)], "skills": "", "description": "",
         "city_id": cities[i % len(cities)].id, "headcount": 5, "filled": 0, "pay_min": 4000, "pay_max": 5000,
         "post_wage": 5000, "start_date": date(2027, 3, 1), "end_date": date(2027, 8, 31), "shift_pattern": "day",
         "requires_overtime": False, "staff_in_post": 50, "restricted_venue": False, "via_paid_agent": False}
        for i in range(OPENINGS)
    ])  # fmt: skip
    opening = db.session.scalar(sa.select(Opening).order_by(Opening.id).limit(1))
    student = db.session.scalar(
        sa.select(Student.id).where(Student.school_id == schools[0], Student.consent_to_share).order_by(Student.id)
    )
    users = {}
    for key, organization_id in (("school", schools[0]), ("enterprise", opening.plan.enterprise_id)):
        user = User(email=f"bench-{key}@example.cn", name=key, password_hash=hash_password(secrets.token_hex(8)),
                    organization_id=organization_id, role=Role.ORG_ADMIN)  # fmt: skip
        db.session.add(user)
        db.session.flush()
        users[key] = user.get_id()
    db.session.commit()
    return {"student": student, "opening": opening.id, "cohort": cohort_of[schools[0]], **users}


def median_seconds(client, url: str) -> float:
    samples = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return statistics.median(samples)


def logged_in(app, user_id: str):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
    return client


def main() -> None:
    rng = random.Random(2027)  # noqa: S311
    size = (
        f"{GRADUATES // 1000}k_{OPENINGS // 1000}k"
        if GRADUATES >= 1000 and OPENINGS >= 1000
        else f"{GRADUATES}_{OPENINGS}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.db")
        os.environ["XQT_INSTANCE_DIR"] = tmp
        app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            seeding.migrate_with_reference()
            started = time.perf_counter()
            ids = seed(rng)
            print(
                f"seeded {GRADUATES} graduates ({SCHOOLS} schools), {OPENINGS} openings ({ENTERPRISES} enterprises), "
                f"one alliance of {SCHOOLS + ENTERPRISES} members, in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
        school, enterprise = logged_in(app, ids["school"]), logged_in(app, ids["enterprise"])
        pages = (
            ("student_openings_page_s", school, f"/students/{ids['student']}/openings"),
            ("opening_ranking_page_s", enterprise, f"/openings/{ids['opening']}/ranking"),
            ("cohort_matches_page_s", school, f"/cohorts/{ids['cohort']}/matches"),
        )
        for name, client, page in pages:
            label = name if size == "10k_2k" else name.replace("_page_s", f"_page_{size}_s")
            figure(label, median_seconds(client, page), "s")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
