"""Marketplace at alliance scale: list-page latency and a 2,000-row import, printed as `figure:` lines.

Seeds 100,000 graduates and 20,000 openings into a fresh database (SQLite under a temporary folder by
default; BENCH_DATABASE_URL=postgresql+psycopg://... for PostgreSQL), then times each main list page
REPEAT times through the WSGI app (in-process, so the figure is server time without network) and the
import of a generated 2,000-row sheet (parse, validate, preview, commit).
"""

import io
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
from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import seeding  # noqa: E402  (benchmarks/seeding.py, beside this script)

from marketplace import create_app  # noqa: E402
from marketplace.auth.models import Role, User  # noqa: E402
from marketplace.auth.passwords import hash_password  # noqa: E402
from marketplace.cohorts import services as cohort_services  # noqa: E402
from marketplace.cohorts.models import Cohort, Student  # noqa: E402
from marketplace.config import TestConfig  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.orgs.models import Organization  # noqa: E402
from marketplace.pipeline.models import Nomination  # noqa: E402
from marketplace.plans.models import HiringPlan, Opening  # noqa: E402
from marketplace.reference.models import Major  # noqa: E402

GRADUATES, OPENINGS, SCHOOLS, ENTERPRISES, NOMINATIONS = 100_000, 20_000, 200, 2_000, 20_000
REPEAT = int(os.environ.get("BENCH_REPEAT", "40"))


def figure(name: str, value: float, unit: str) -> None:
    print(f"figure: {name} = {value:.1f} {unit}", flush=True)


def seed(rng: random.Random) -> tuple[int, int]:
    """Bulk-insert the scale data with Core executemany; returns (a school id, a cohort id)."""
    cities, majors, occupations = seeding.reference()
    orgs = seeding.Organisations(rng, cities)

    def org(kind: str, n: int) -> dict:
        return orgs.row(kind, n, created_at=sa.func.now())

    rows = [org("school", n) for n in range(SCHOOLS)] + [org("enterprise", n) for n in range(ENTERPRISES)]
    for row in rows:
        row.pop("created_at")
    db.session.execute(sa.insert(Organization), rows)
    schools = list(db.session.scalars(sa.select(Organization.id).where(Organization.kind == "school")))
    enterprises = list(db.session.scalars(sa.select(Organization.id).where(Organization.kind == "enterprise")))
    db.session.execute(sa.insert(Cohort), [{"school_id": s, "graduation_year": 2027} for s in schools])
    cohort_of = dict(db.session.execute(sa.select(Cohort.school_id, Cohort.id)).all())
    per_school = GRADUATES // SCHOOLS
    students = [
        {"school_id": s, "cohort_id": cohort_of[s], "student_no": f"S{i:06d}", "name": f"学生{i}", "gender": "male",
         "birth_date": date(2008, 1, 1), "enrolled_on": date(2024, 9, 1), "major_id": majors[i % len(majors)].id,
         "level": majors[i % len(majors)].level.value, "skills": "识图、CAD", "wanted_kinds": [],
         "phone": "13900000000", "id_number": "", "consent_to_share": i % 7 != 0}
        for s in schools for i in range(per_school)
    ]  # fmt: skip
    for start in range(0, len(students), 10_000):
        db.session.execute(sa.insert(Student), students[start : start + 10_000])
    plans = [{"enterprise_id": e, "year": 2027, "half": h, "status": "published", "labour_standards": ""}
             for e in enterprises for h in (1, 2)]  # fmt: skip
    db.session.execute(sa.insert(HiringPlan), plans)
    plan_ids = list(db.session.scalars(sa.select(HiringPlan.id)))
    openings = [
        {"plan_id": plan_ids[i % len(plan_ids)], "kind": "employment" if i % 3 else "post_internship",
         "title": f"岗位{i}", "occupation_id": occupations[i % len(occupations)], "skills": "", "description": "",
         "city_id": cities[i % len(cities)].id, "headcount": 5, "filled": 0, "pay_min": 4000, "pay_max": 5000,
         "post_wage": 5000, "start_date": date(2027, 3, 1), "end_date": date(2027, 8, 31), "shift_pattern": "day",
         "requires_overtime": False, "staff_in_post": 50, "restricted_venue": False, "via_paid_agent": False}
        for i in range(OPENINGS)
    ]  # fmt: skip
    db.session.execute(sa.insert(Opening), openings)
    opening_ids = list(db.session.scalars(sa.select(Opening.id)))
    student_ids = list(db.session.scalars(sa.select(Student.id)))
    nominations = [
        {"opening_id": opening_ids[i % len(opening_ids)], "student_id": student_ids[(i * 5) % len(student_ids)],
         "status": "nominated", "reason": "", "created_by_id": None}
        for i in range(NOMINATIONS)
    ]  # fmt: skip
    db.session.commit()
    return schools[0], cohort_of[schools[0]], nominations


def sheet(rows: int, major: Major) -> bytes:
    book = Workbook()
    ws = book.active
    ws.append(["学号", "姓名", "性别", "出生日期", "入学日期", "专业代码", "层次", "联系电话", "同意共享"])
    level = {"jigong": "技工", "zhongzhi": "中职", "gaozhi": "高职"}[major.level.value]
    for i in range(rows):
        ws.append([f"B{i:06d}", f"导入{i}", "男", "2008-05-01", "2024-09-01", major.code, level, "13912345678", "是"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def timed_pages(client, urls: dict[str, str]) -> dict[str, list[float]]:
    results = {}
    for name, url in urls.items():
        client.get(url)  # warm caches and templates
        samples = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
        results[name] = samples
    return results


def main() -> None:
    rng = random.Random(2027)  # noqa: S311
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.db")
        os.environ["XQT_INSTANCE_DIR"] = tmp
        app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            seeding.migrate_with_reference()
            started = time.perf_counter()
            school_id, cohort_id, nominations = seed(rng)
            print(
                f"seeded {GRADUATES} graduates, {OPENINGS} openings, {NOMINATIONS} nominations "
                f"in {time.perf_counter() - started:.1f} s"
            )
            user = User(email="bench@example.cn", name="bench", password_hash=hash_password(secrets.token_hex(8)),
                        organization_id=school_id, role=Role.ORG_ADMIN)  # fmt: skip
            db.session.add(user)
            db.session.flush()
            for row in nominations:
                row["created_by_id"] = user.id
            db.session.execute(sa.insert(Nomination), nominations)
            db.session.commit()
            major = db.session.scalar(sa.select(Major).order_by(Major.code))
            session_id = user.get_id()
        client = app.test_client()
        with client.session_transaction() as s:
            s["_user_id"] = session_id
        results = timed_pages(client, {
            "openings": "/openings",
            "openings_filtered": "/openings?kind=employment&sort=pay&page=50",
            "nominations": "/nominations",
            "cohort": f"/cohorts/{cohort_id}",
            "cohort_filtered": f"/cohorts/{cohort_id}?page=10",
        })  # fmt: skip
        for name, samples in results.items():
            q = statistics.quantiles(samples, n=20)
            print(f"{name}: p50 {statistics.median(samples):.1f} ms, p95 {q[18]:.1f} ms")
        figure("list_page_p50_ms", max(statistics.median(s) for s in results.values()), "ms")
        figure("list_page_p95_ms", max(statistics.quantiles(s, n=20)[18] for s in results.values()), "ms")
        with app.app_context():
            data = sheet(2000, db.session.get(Major, major.id))
            user = db.session.get(User, user.id)
            started = time.perf_counter()
            preview = cohort_services.preview_upload(data, "cohort.xlsx")
            result = cohort_services.import_students(
                school_id, 2027, preview, mode=cohort_services.ImportMode.GOOD_ROWS, actor=user
            )
            db.session.commit()
            elapsed = time.perf_counter() - started
            if result.saved != 2000:
                raise RuntimeError(f"import saved {result.saved} of 2000 rows: {preview.problems[:5]}")
            figure("import_2000_rows_s", elapsed, "s")
            db.engine.dispose()


if __name__ == "__main__":
    main()
