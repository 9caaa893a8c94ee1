"""Issue 14's speed figures at the seed's full size, through the app, on SQLite and on PostgreSQL.

The market (BENCH_SCALE shrinks every count; the cohort keeps 500 students until the scale makes it smaller):

- one alliance of 2,200 members in force since 2024-01-01: 200 schools and 2,000 enterprises, with an association as
  its secretariat. 200 further schools are not members: the alliance's member schools hold exactly half of the
  100,000 graduates (the issue's "50,000 member graduates"), so the seed keeps the alliance at 2,200 members by adding
  non-member schools rather than by making half of 200 schools members;
- 100,000 graduates of 2027, one cohort per school: the 50,000 at member schools all consent to share (the allocation
  reads exactly 50,000), the first member school's cohort has the 500 students of the cohort page; the 50,000 at
  the other schools consent 6 in 7 (their students are in the tables, invisible to the enterprises);
- 20,000 openings of 5 places (two kinds, spread over 60 cities and the level-4 occupations, half asking for a
  major), in two published plans per enterprise, every plan published to the alliance;
- one user per organisation (e-mail u<org id>@bench.example.cn, password BENCH_PASSWORD).

Seeding takes minutes, so the seeded database is cached, keyed by SEED_VERSION, the migrations' head and the counts:
SQLite as instance/bench-cache/scale-<key>.db (copied to a temporary file for each run), PostgreSQL as the template
database xqt_bench_scale_<key> (ANALYZEd once, cloned with CREATE DATABASE … TEMPLATE for each run and dropped
afterwards). Each run mutates only its copy (an opening edited, allocation runs stored).

Every figure is printed as `figure: NAME[DB] = VALUE UNIT`, DB being sqlite or postgresql; a VALUE written `>N` is
a lower bound: the step was stopped at its time budget (BENCH_BUDGET_S, default 120 s):

- page_opening_ranking_p95_ms, page_student_openings_p95_ms: one untimed request on an opening (a student) outside
  the sample, then 20 requests over 20 openings of 20 enterprises (20 consenting member students, spread over the
  member schools), each through the Flask test client logged in as a user of the owning organisation; the p95
  (statistics.quantiles, n=20, inclusive). Where the samples' total passes the budget the sampling stops (after at
  least 3) and a line before the figure says how many were taken;
- page_cohort_matches_s: /cohorts/<id>/matches of the 500-student cohort, median of 3;
- ranking_refresh_ms: an opening's ranking viewed once, its skills changed through its edit form
  (POST /openings/<id>/edit), then the time of the next GET /openings/<id>/ranking;
- worker_prewarm_s: a queue consumer's start, encoding the rows of every consenting student and open opening
  (`rowcache.store.prewarm`, its startup hook; gunicorn's master does the same before forking);
- allocation_job_s: in a consumer so started, the whole alliance's allocation (members, 15 choices: read, rank,
  allocate, store, commit) by
  `marketplace.allocations.services.run`, or by the queue's task function where `marketplace.jobs` offers one (a
  huey task whose name says "allocat", called with `call_local` and the arguments its signature names);
- allocation_post_ms: POST /alliances/<id>/allocations (choices=15, scope=members) as the secretariat; with every
  `*IMMEDIATE*` setting of the configuration False (the queue not immediate), so that only the POST's own work is
  timed. Both allocation steps run in a forked child held to the budget and to 8 GiB of address space: today's
  allocation reads every (enterprise, student) pair that may see each other, 10^8 at full size;
- mixed_load_rps, mixed_load_p95_ms, mixed_load_errors (PostgreSQL only): `gunicorn -w 4 wsgi:app` in production
  configuration on 127.0.0.1, logged in through the login form, CLIENTS client processes for at most LOAD_SECONDS
  driving home, plan list, cohort list, an opening's candidates and a student's openings in equal shares, each
  request drawn at random over the SAMPLES sampled openings (students) and their organisations' users; errors are
  non-2xx answers and exceptions (a request still running at the deadline is not counted, but reported).

BENCH_DB=sqlite|postgresql|both (default both), BENCH_SCALE (default 1), BENCH_SAMPLES (default 20), BENCH_BUDGET_S
(default 120), BENCH_STEPS (default pages,cohort,refresh,allocation,mixed), BENCH_PG_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432), BENCH_KEEP=1 keeps each run's database.

Run time, seeds cached: a few minutes once the pages meet their goals. A page sample is never cut short, and each
page figure takes at least 4 requests, so on a product far from the goals a run takes far longer than the budget
suggests: on the 2026-12-02 main at full size (20–70 s of CPU per ranking page) SQLite's steps took 44 minutes on 2
cores shared with other work (load average 7–14); from the CPU they used, about 15 minutes on an idle machine.
"""

import hashlib
import importlib
import inspect
import multiprocessing
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from datetime import date
from http.client import HTTPConnection, HTTPException
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from argon2 import PasswordHasher

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import seeding  # noqa: E402  (benchmarks/seeding.py, beside this script)

from marketplace import create_app  # noqa: E402
from marketplace.alliances.models import Alliance, Membership, MembershipStatus  # noqa: E402
from marketplace.auth.models import Role, User  # noqa: E402
from marketplace.certificates import format_certificates  # noqa: E402
from marketplace.cohorts.models import Cohort, Student  # noqa: E402
from marketplace.config import Config, TestConfig  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.orgs.models import Organization  # noqa: E402
from marketplace.plans.models import HiringPlan, Opening, opening_majors, plan_alliances  # noqa: E402

SEED_VERSION = "2"  # change when the seed below changes: the caches are keyed by it
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
MEMBER_SCHOOLS, OTHER_SCHOOLS = max(2, round(200 * SCALE)), max(1, round(200 * SCALE))
ENTERPRISES = max(20, round(2_000 * SCALE))
GRADUATES, OPENINGS = max(100, round(100_000 * SCALE)), max(40, round(20_000 * SCALE))
COHORT = min(500, GRADUATES // 2 // MEMBER_SCHOOLS * 4)
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "20"))
BUDGET_S = float(os.environ.get("BENCH_BUDGET_S", "120"))
MEMORY_LIMIT = 8 << 30  # a bounded step's address space: today's allocation would hold 10^8 visible pairs in a set
CHOICES = 15
CLIENTS, WORKERS, LOAD_SECONDS = 8, 4, 60
# Which steps run: pages, cohort, refresh, allocation, and PostgreSQL's mixed load ("mixed").
STEPS = set(os.environ.get("BENCH_STEPS", "pages,cohort,refresh,allocation,mixed").split(","))
BENCH_PASSWORD = "Bench-2027-xqt"  # noqa: S105  (the seeded users' password on a scratch database)
PG_URL = sa.make_url(os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432"))
CACHE_DIR = ROOT / "instance" / "bench-cache"
SKILLS = ("识图、CAD", "数控编程、车削", "焊接、钳工", "PLC、电气装配", "汽车检测、维修", "办公软件、客户服务")


def figure(name: str, db_name: str, value: float, unit: str, *, stopped: bool = False) -> None:
    """One figure line; a value the budget cut short is a lower bound, written with a leading '>'."""
    print(f"figure: {name}[{db_name}] = {'>' if stopped else ''}{value:.1f} {unit}", flush=True)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18] if len(samples) > 1 else samples[0]


# ------------------------------------------------------------------------------------------------------- seed
def seed_key() -> str:
    alembic = AlembicConfig()
    alembic.set_main_option("script_location", str(ROOT / "migrations"))
    # Every revision with its parent: a head keeps its id when revisions are re-chained beneath it.
    heads = ",".join(f"{r.revision}<{r.down_revision}" for r in ScriptDirectory.from_config(alembic).walk_revisions())
    counts = (MEMBER_SCHOOLS, OTHER_SCHOOLS, ENTERPRISES, GRADUATES, OPENINGS, COHORT)
    return f"v{SEED_VERSION}_" + hashlib.sha256(f"{heads}|{counts}".encode()).hexdigest()[:10]


def seed(rng: random.Random) -> None:
    """Bulk-insert the market described in the module docstring (Core executemany)."""
    cities, majors, occupations = seeding.reference()
    orgs = seeding.Organisations(rng, cities)
    schools_n = MEMBER_SCHOOLS + OTHER_SCHOOLS
    db.session.execute(sa.insert(Organization), [orgs.row("association", 0)]
                       + [orgs.row("school", n) for n in range(schools_n)]
                       + [orgs.row("enterprise", n) for n in range(ENTERPRISES)])  # fmt: skip
    secretariat, *schools = seeding.ids_of(Organization.id, Organization.kind != "enterprise")
    enterprises = seeding.ids_of(Organization.id, Organization.kind == "enterprise")
    alliance = Alliance(name="规模基准联盟", short_name="规模基准", secretariat_org_id=secretariat,
                        priority_tolerance=0.02)  # fmt: skip
    db.session.add(alliance)
    db.session.flush()
    members = schools[:MEMBER_SCHOOLS] + enterprises
    db.session.execute(sa.insert(Membership), [
        {"organization_id": o, "alliance_id": alliance.id, "status": MembershipStatus.ACTIVE,
         "effective_from": date(2024, 1, 1)} for o in members
    ])  # fmt: skip
    db.session.execute(sa.insert(Cohort), [{"school_id": s, "graduation_year": 2027} for s in schools])
    cohort_of = dict(db.session.execute(sa.select(Cohort.school_id, Cohort.id)).all())
    half = GRADUATES // 2
    sizes = seeding.shares(half, MEMBER_SCHOOLS, COHORT) + seeding.shares(GRADUATES - half, OTHER_SCHOOLS)
    students, n = [], 0
    for member, (school, size) in enumerate(zip(schools, sizes, strict=True)):
        for _ in range(size):
            major = majors[(n * 7) % len(majors)]
            students.append({
                "school_id": school, "cohort_id": cohort_of[school], "student_no": f"G{n:07d}", "name": f"学生{n}",
                "gender": "female" if n % 2 else "male", "birth_date": date(2008, 1 + n % 12, 1 + n % 28),
                "enrolled_on": date(2024, 9, 1), "major_id": major.id, "level": major.level.value,
                "skills": SKILLS[n % len(SKILLS)], "grade_score": 60 + n % 40, "wanted_kinds": [], "phone": "",
                "id_number": "", "consent_to_share": member < MEMBER_SCHOOLS or n % 7 != 0,
            })  # fmt: skip
            n += 1
    seeding.insert_chunked(Student, students)
    db.session.execute(sa.insert(HiringPlan), [
        {"enterprise_id": e, "year": 2027, "half": h, "status": "published", "labour_standards": ""}
        for e in enterprises for h in (1, 2)
    ])  # fmt: skip
    plan_ids = seeding.ids_of(HiringPlan.id)
    db.session.execute(sa.insert(plan_alliances), [{"plan_id": p, "alliance_id": alliance.id} for p in plan_ids])
    seeding.insert_chunked(Opening, [
        {"plan_id": plan_ids[i % len(plan_ids)], "kind": "post_internship" if i % 3 == 0 else "employment",
         "title": f"岗位{i}", "occupation_id": occupations[(i * 13) % len(occupations)],
         "skills": SKILLS[(i * 5) % len(SKILLS)], "description": "", "city_id": cities[(i * 7) % len(cities)].id,
         "headcount": 5, "filled": 0, "pay_min": 4000 + 100 * (i % 20), "pay_max": 6000 + 100 * (i % 20),
         "post_wage": 5000 + 100 * (i % 20), "start_date": date(2027, 3, 1), "end_date": date(2027, 8, 31),
         "shift_pattern": "day", "requires_overtime": False, "staff_in_post": 200, "restricted_venue": False,
         "via_paid_agent": False}
        for i in range(OPENINGS)
    ])  # fmt: skip
    opening_ids = seeding.ids_of(Opening.id)
    seeding.insert_chunked(opening_majors, [
        {"opening_id": o, "major_id": majors[(i * 3) % len(majors)].id}
        for i, o in enumerate(opening_ids) if i % 2 == 0
    ])  # fmt: skip
    hasher = PasswordHasher(time_cost=Config.ARGON2_TIME_COST, memory_cost=Config.ARGON2_MEMORY_COST,
                            parallelism=Config.ARGON2_PARALLELISM)  # fmt: skip
    password_hash = hasher.hash(BENCH_PASSWORD)  # production's parameters: logging in rehashes nothing
    db.session.execute(sa.insert(User), [
        {"email": f"u{o}@bench.example.cn", "name": f"用户{o}", "password_hash": password_hash, "organization_id": o,
         "role": Role.SECRETARIAT if o == secretariat else Role.ORG_ADMIN}
        for o in [secretariat, *schools, *enterprises]
    ])  # fmt: skip
    db.session.commit()


def bench_app(url: str):
    """The app in test configuration on `url`, but as production runs: the task queue not immediate, and the
    engine's rows kept between requests (the tests build them afresh each time)."""
    queue = {k: False for k in dir(TestConfig) if k.isupper() and "IMMEDIATE" in k}
    return create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, RANKING_ROWS_KEPT=True, **queue)


def seed_into(url: str) -> float:
    app = bench_app(url)
    with app.app_context():
        seeding.migrate_with_reference()
        started = time.perf_counter()
        seed(random.Random(2027))  # noqa: S311
        elapsed = time.perf_counter() - started
        db.engine.dispose()
    return elapsed


def say_seeded(db_name: str, seconds: float) -> None:
    print(f"seeded {db_name} in {seconds:.1f} s: {GRADUATES} graduates ({MEMBER_SCHOOLS} member schools hold "
          f"{GRADUATES // 2}, {OTHER_SCHOOLS} other schools), {OPENINGS} openings of {ENTERPRISES} enterprises, "
          f"one alliance of {MEMBER_SCHOOLS + ENTERPRISES} members", flush=True)  # fmt: skip
    figure("seed_s", db_name, seconds, "s")


@contextmanager
def sqlite_database(tmp: Path):
    """A copy of the cached seeded SQLite file (seeded first if the cache has none)."""
    cached = CACHE_DIR / f"scale-{seed_key()}.db"
    if not cached.exists():
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        building = cached.with_suffix(".building")
        building.unlink(missing_ok=True)
        say_seeded("sqlite", seed_into(f"sqlite:///{building}"))
        building.rename(cached)
    else:
        print(f"sqlite: seeded database from the cache {cached}", flush=True)
    run = tmp / "bench.db"
    shutil.copyfile(cached, run)
    yield f"sqlite:///{run}"


@contextmanager
def postgresql_database():
    """A clone of the template database xqt_bench_scale_<key> (seeded and ANALYZEd first if it does not exist)."""
    template, run = f"xqt_bench_scale_{seed_key()}", f"xqt_bench_scale_run_{os.getpid()}"
    admin = sa.create_engine(PG_URL.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": template})
            if not exists:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{template}_building" WITH (FORCE)')
                conn.exec_driver_sql(f'CREATE DATABASE "{template}_building"')
    except sa.exc.OperationalError as exc:
        sys.exit(f"bench_scale: PostgreSQL is unreachable at {PG_URL.render_as_string()}: {exc.orig}")
    if not exists:
        building = PG_URL.set(database=f"{template}_building")
        seconds = seed_into(building.render_as_string(hide_password=False))
        started = time.perf_counter()
        analyze = sa.create_engine(building, isolation_level="AUTOCOMMIT")
        with analyze.connect() as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")  # what autovacuum would have done by the time users arrive
        analyze.dispose()
        say_seeded("postgresql", seconds + time.perf_counter() - started)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{template}_building" RENAME TO "{template}"')
    else:
        print(f"postgresql: seeded database from the template {template}", flush=True)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{run}" TEMPLATE "{template}"')
    try:
        yield PG_URL.set(database=run).render_as_string(hide_password=False)
    finally:
        if os.environ.get("BENCH_KEEP") != "1":
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)')
        admin.dispose()


# --------------------------------------------------------------------------------------------- what is timed
def sample(app) -> dict:
    """Openings of distinct enterprises, member students of distinct schools, and the ids of their users."""
    with app.app_context():
        alliance = db.session.scalar(sa.select(Alliance))
        first_of_enterprise = (
            sa.select(sa.func.min(Opening.id).label("id"), HiringPlan.enterprise_id)
            .join(HiringPlan)
            .group_by(HiringPlan.enterprise_id)
            .order_by(HiringPlan.enterprise_id)
        )
        openings = [tuple(row) for row in db.session.execute(first_of_enterprise)]
        picked = openings[:: max(1, len(openings) // (SAMPLES + 2))]  # the last is the one edited, outside the sample
        members = sa.select(Membership.organization_id).where(Membership.alliance_id == alliance.id)
        students = db.session.execute(
            sa.select(Student.id, Student.school_id)
            .where(Student.school_id.in_(members), Student.consent_to_share)
            .order_by(Student.id)
        ).all()
        students = students[:: max(1, len(students) // (SAMPLES + 1))]  # the first is of the 500-student cohort
        cohort = db.session.scalar(
            sa.select(Cohort.id).where(Cohort.school_id == students[0].school_id).order_by(Cohort.id)
        )
        users = dict(db.session.execute(sa.select(User.organization_id, User.id)).all())
        needed = {e for _, e in picked} | {s for _, s in students} | {alliance.secretariat_org_id}
        session_ids = {o: db.session.get(User, users[o]).get_id() for o in needed}
        return {"alliance": alliance.id, "secretariat": alliance.secretariat_org_id, "openings": picked,
                "students": [tuple(s) for s in students], "cohort": cohort, "session_ids": session_ids,
                "users": users}  # fmt: skip


class Clients:
    """One logged-in test client per organisation, made on first use."""

    def __init__(self, app, session_ids: dict[int, str]):
        self.app, self.session_ids, self.clients = app, session_ids, {}

    def __getitem__(self, organization_id: int):
        if organization_id not in self.clients:
            client = self.app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = self.session_ids[organization_id]
                session["_fresh"] = True
            self.clients[organization_id] = client
        return self.clients[organization_id]


CPU_MS: list[float] = []  # this process's CPU per timed request: the app's own work, whatever else the machine runs


def timed(client, method: str, url: str, expect: int = 200, **kwargs) -> float:
    """Milliseconds for one request; any other status stops the benchmark with the start of the answer."""
    started, cpu = time.perf_counter(), time.process_time()
    response = client.open(url, method=method, **kwargs)
    elapsed = (time.perf_counter() - started) * 1000
    CPU_MS.append((time.process_time() - cpu) * 1000)
    if response.status_code != expect:
        sys.exit(f"bench_scale: {method} {url} answered {response.status_code}, not {expect}:\n"
                 f"{response.get_data(as_text=True)[:800]}")  # fmt: skip
    return elapsed


def page_p95(clients: Clients, pairs: list[tuple[int, int]], url: str) -> float:
    """One untimed request on the first pair, then one timed request on each of the next SAMPLES pairs, or as many
    as BUDGET_S allows (at least 3); the p95 in ms of those taken."""
    if len(pairs) < SAMPLES + 1:
        sys.exit(f"bench_scale: only {len(pairs)} records for {url}; {SAMPLES + 1} needed")
    (warm_id, warm_owner), *rest = pairs[: SAMPLES + 1]
    timed(clients[warm_owner], "GET", url.format(warm_id))
    samples, first = [], len(CPU_MS)
    for record_id, owner in rest:
        if len(samples) >= 3 and sum(samples) > BUDGET_S * 1000:
            break
        samples.append(timed(clients[owner], "GET", url.format(record_id)))
    print(f"{url}: {len(samples)} samples, median {statistics.median(samples):.0f} ms, max {max(samples):.0f} ms, "
          f"median CPU of this process {statistics.median(CPU_MS[first:]):.0f} ms"
          + (f" (cut by the {BUDGET_S:.0f} s budget)" if len(samples) < SAMPLES else ""), flush=True)  # fmt: skip
    return p95(samples)


def bounded(app, work, *args) -> tuple[float, bool]:
    """`work(*args)` (returning seconds) in a forked child held to BUDGET_S and MEMORY_LIMIT: (seconds, stopped).
    A step stopped by the budget reports the budget; one that failed (e.g. out of memory) stops the benchmark."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_bounded_child, args=(send, app, work, args))
    started = time.perf_counter()
    child.start()
    if not receive.poll(BUDGET_S):
        child.kill()
        child.join()
        print(f"{work.__name__}: stopped after {time.perf_counter() - started:.0f} s (BENCH_BUDGET_S)", flush=True)
        return BUDGET_S, True
    outcome, value = receive.recv()
    child.join()
    if outcome != "ok":
        sys.exit(f"bench_scale: {work.__name__} failed after {time.perf_counter() - started:.0f} s: {value}")
    return value, False


def _bounded_child(send, app, work, args) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    with app.app_context():
        db.engine.dispose(close=False)  # the parent's pooled connections stay the parent's
    try:
        send.send(("ok", work(*args)))
    except BaseException as exc:  # noqa: BLE001  (the parent reports whatever stopped the step)
        send.send(("failed", repr(exc)))


def edit_form(opening: Opening, skills: str) -> dict:
    """The opening's edit form as the browser posts it, with `skills` changed."""
    form = {"kind": opening.kind.value, "title": opening.title, "occupation_code": opening.occupation.code,
            "majors": [str(m.id) for m in opening.majors], "skills": skills,
            "certificates": format_certificates((c.name, c.min_level) for c in opening.certificates),
            "city": str(opening.city_id), "headcount": str(opening.headcount), "pay_min": str(opening.pay_min),
            "pay_max": str(opening.pay_max), "post_wage": "" if opening.post_wage is None else str(opening.post_wage),
            "start_date": opening.start_date.isoformat(), "end_date": opening.end_date.isoformat(),
            "shift_pattern": opening.shift_pattern.value, "staff_in_post": str(opening.staff_in_post),
            "description": opening.description}  # fmt: skip
    for flag in ("requires_overtime", "restricted_venue", "via_paid_agent"):
        if getattr(opening, flag):
            form[flag] = "y"
    return form


def ranking_refresh_ms(app, clients: Clients, opening_id: int, enterprise: int) -> float:
    url = f"/openings/{opening_id}/ranking"
    client = clients[enterprise]
    timed(client, "GET", url)  # the ranking as it was: whatever a worker keeps is warm
    with app.app_context():
        data = edit_form(db.session.get(Opening, opening_id), "焊接、机器人编程、PLC、三维建模")
    timed(client, "POST", f"/openings/{opening_id}/edit", expect=302, data=data)
    return timed(client, "GET", url)


def allocation_task():
    """The queue's allocation task, where `marketplace.jobs` offers one (any module below it, a huey task whose name
    says allocation), else None: then `services.run` is what the worker would run."""
    try:
        jobs = importlib.import_module("marketplace.jobs")
    except ModuleNotFoundError:
        return None
    modules = [jobs] + [importlib.import_module(f"marketplace.jobs.{m.stem}")
                        for m in Path(jobs.__file__).parent.glob("*.py") if m.stem != "__init__"]  # fmt: skip
    for module in modules:
        for name, task in vars(module).items():
            if "allocat" in name.lower() and hasattr(task, "call_local"):
                return task
    return None


def allocation_job(app, alliance_id: int, secretariat_user: int, job_id: int | None, db_name: str) -> float:
    """The queued job `job_id` run as a consumer runs it (the task's own function, in this process), or without a
    queue `services.run`. A consumer keeps the ranking rows from its start (`store.prewarm`, its startup hook):
    that is done first, from nothing kept, and printed as its own figure, worker_prewarm_s."""
    from marketplace.allocations import services
    from marketplace.rowcache import store

    store.forget()
    started = time.perf_counter()
    with app.app_context():
        store.prewarm()
    figure("worker_prewarm_s", db_name, time.perf_counter() - started, "s")
    task = allocation_task()
    if task is not None and job_id is not None:
        started = time.perf_counter()
        with app.app_context():  # the consumer's app (`jobs.queue.bind`); here the bench's
            task.call_local(job_id)
        elapsed = time.perf_counter() - started
        with app.app_context():
            job = db.session.get(importlib.import_module("marketplace.jobs.models").Job, job_id)
            print(f"allocation: job {job_id} {job.status.value}, run {job.result_id}; stages "
                  f"{job.parameters.get('stages')}", flush=True)  # fmt: skip
        print(f"allocation_job_s timed the queue task {task.name} (call_local) of the POST's job", flush=True)
        return elapsed
    with app.app_context():
        alliance, actor = db.session.get(Alliance, alliance_id), db.session.get(User, secretariat_user)
        known = {"alliance": alliance, "alliance_id": alliance.id, "actor": actor, "actor_id": actor.id,
                 "user": actor, "user_id": actor.id, "choices": CHOICES, "scope": "members"}  # fmt: skip
        if task is not None:
            wanted = inspect.signature(task.func).parameters
            missing = [p for p, v in wanted.items() if p not in known and v.default is inspect.Parameter.empty]
            if missing:
                print(f"note: the queue task {task.name} wants {missing}: timing services.run instead", flush=True)
                task = None
        started = time.perf_counter()
        if task is None:
            run = services.run(alliance, actor=actor, choices=CHOICES)
            how = "services.run"
        else:
            task.call_local(**{p: known[p] for p in wanted if p in known})
            how = f"the queue task {task.name} (call_local)"
        db.session.commit()
        elapsed = time.perf_counter() - started
        if task is None:
            print(f"allocation: {run.summary.get('placed')} placed of {run.summary.get('students')} graduates, "
                  f"{run.summary.get('openings')} openings; timings {run.timings}", flush=True)  # fmt: skip
        db.session.remove()
    print(f"allocation_job_s timed {how}", flush=True)
    return elapsed


def queued_job(app, alliance_id: int) -> int | None:
    """The job the allocation POST queued, where there is a queue."""
    try:
        jobs = importlib.import_module("marketplace.jobs.models")
    except ModuleNotFoundError:
        return None
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.max(jobs.Job.id)).where(jobs.Job.alliance_id == alliance_id))


def allocation_post(client, alliance_id: int) -> float:
    """Seconds for the POST that starts the alliance's allocation (members, 15 choices), as the secretariat."""
    form = {"choices": str(CHOICES), "scope": "members"}
    return timed(client, "POST", f"/alliances/{alliance_id}/allocations", expect=302, data=form) / 1000


def machine_load(when: str) -> None:
    """The load average and the time of a fixed piece of Python work, printed beside the figures: other work on the
    machine, or on the host beneath a VM (which the load average inside does not show), slows every figure. The fixed
    work took 0.10 s on an idle 2-core VM of 2026-12-03."""
    started = time.perf_counter()
    sum(i * i for i in range(3_000_000))
    print(f"load average {when}: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()) + f" ({os.cpu_count()} cores); "
          f"fixed work {time.perf_counter() - started:.2f} s", flush=True)  # fmt: skip


def in_process(db_name: str, url: str) -> dict:
    machine_load(f"before {db_name}")
    app = bench_app(url)
    ids = sample(app)
    clients = Clients(app, ids["session_ids"])
    if "pages" in STEPS:
        pages = (("page_opening_ranking_p95_ms", ids["openings"], "/openings/{}/ranking"),
                 ("page_student_openings_p95_ms", ids["students"], "/students/{}/openings"))  # fmt: skip
        for name, pairs, url in pages:
            figure(name, db_name, page_p95(clients, pairs, url), "ms")
    if "cohort" in STEPS:
        school = ids["students"][0][1]
        cohort = [timed(clients[school], "GET", f"/cohorts/{ids['cohort']}/matches") for _ in range(3)]
        figure("page_cohort_matches_s", db_name, statistics.median(cohort) / 1000, "s")
    if "refresh" in STEPS:
        opening_id, enterprise = ids["openings"][-1]
        figure("ranking_refresh_ms", db_name, ranking_refresh_ms(app, clients, opening_id, enterprise), "ms")
    if "allocation" in STEPS:
        seconds, stopped = bounded(app, allocation_post, clients[ids["secretariat"]], ids["alliance"])
        figure("allocation_post_ms", db_name, seconds * 1000, "ms", stopped=stopped)
        job_id = queued_job(app, ids["alliance"])
        seconds, stopped = bounded(app, allocation_job, app, ids["alliance"], ids["users"][ids["secretariat"]], job_id,
                                   db_name)  # fmt: skip
        figure("allocation_job_s", db_name, seconds, "s", stopped=stopped)
    with app.app_context():
        db.engine.dispose()
    machine_load(f"after {db_name}")
    return ids


# ------------------------------------------------------------------------------------------------ mixed load
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, cookie: str = "", body: str = "", timeout: float = 60):
    """(status, headers, body) of one request on a new connection (gunicorn's sync workers close each one)."""
    conn = HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Cookie": cookie} if cookie else {}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body or None, headers=headers)
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def session_cookie(headers) -> str:
    """The session cookie as a `Cookie` header: production marks it Secure, so it is carried by hand over http."""
    for name, value in headers:
        if name.lower() == "set-cookie" and value.startswith("session="):
            return value.split(";", 1)[0]
    return ""


def log_in(port: int, organization_id: int) -> str:
    from urllib.parse import urlencode

    status, headers, body = request(port, "GET", "/auth/login")
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body)
    if status != 200 or token is None:
        sys.exit(f"bench_scale: GET /auth/login answered {status} without a CSRF token")
    form = urlencode({"csrf_token": token.group(1).decode(), "identifier": f"u{organization_id}@bench.example.cn",
                      "password": BENCH_PASSWORD})  # fmt: skip
    status, headers, _ = request(port, "POST", "/auth/login", session_cookie(headers), form)
    cookie = session_cookie(headers)
    if status != 302 or not cookie:
        sys.exit(f"bench_scale: logging in as u{organization_id} answered {status}")
    return cookie


def drive(args) -> tuple[list[tuple[str, float, bool]], int, float]:
    """One client process: requests from the mix until the deadline. Returns (page, ms, ok) per finished request,
    the requests cut by the deadline, and the process's CPU seconds."""
    port, deadline, mix, seed_value = args
    rng = random.Random(seed_value)  # noqa: S311
    done, cut = [], 0
    while (left := deadline - time.time()) > 0:
        page, cookie, path = rng.choice(mix)
        started = time.perf_counter()
        try:
            status, _, _ = request(port, "GET", path, cookie, timeout=left)
            ok = 200 <= status < 300
        except TimeoutError:
            cut += 1
            break
        except (OSError, HTTPException):
            ok = False
        done.append((page, (time.perf_counter() - started) * 1000, ok))
    cpu = os.times()
    return done, cut, cpu.user + cpu.system


def mixed_load(db_name: str, url: str, ids: dict) -> None:
    port = free_port()
    env = {**os.environ, "XQT_ENV": "production", "DATABASE_URL": url, "SECRET_KEY": os.urandom(32).hex(),
           "LOGIN_RATE_LIMIT": "100000 per minute", "LOGIN_ACCOUNT_RATE_LIMIT": "100000 per minute",
           "RATELIMIT_STORAGE_URI": "memory://", "XQT_PROXY_COUNT": "0", "PYTHONPATH": str(ROOT)}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        env["XQT_INSTANCE_DIR"] = tmp
        gunicorn = Path(sys.executable).with_name("gunicorn")
        server = subprocess.Popen(  # noqa: S603
            [str(gunicorn), "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
            cwd=ROOT, env=env, start_new_session=True,
        )  # fmt: skip
        try:
            for _ in range(300):
                try:
                    if request(port, "GET", "/auth/login", timeout=5)[0] == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            else:
                sys.exit("bench_scale: gunicorn did not answer in 60 s")
            load(db_name, port, ids, server.pid)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)


def workers_cpu_s(master: int) -> dict[int, float]:
    """CPU seconds used so far by each of gunicorn's live workers (Linux /proc; none elsewhere)."""
    seconds = {}
    try:
        for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            seconds[int(pid)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    except OSError:
        pass
    return seconds


def load(db_name: str, port: int, ids: dict, master: int) -> None:
    # Every client draws from the whole sample: each worker ranks each of the SAMPLES openings and students at least
    # once (a ranking is remembered per worker, until the rows change), not one opening per client.
    mix = []
    for n in range(1, SAMPLES + 1):
        opening_id, enterprise = ids["openings"][n]
        student_id, school = ids["students"][n]
        company, college = log_in(port, enterprise), log_in(port, school)
        mix += [("home", company, "/"), ("plans", company, "/plans"), ("cohorts", college, f"/cohorts/school/{school}"),
                ("opening_ranking", company, f"/openings/{opening_id}/ranking"),
                ("student_openings", college, f"/students/{student_id}/openings")]  # fmt: skip
    mixes = [mix] * CLIENTS
    machine_load("before the mixed load")
    started, before = time.time(), workers_cpu_s(master)
    deadline = started + LOAD_SECONDS
    with multiprocessing.get_context("fork").Pool(CLIENTS) as pool:
        results = pool.map(drive, [(port, deadline, mix, n) for n, mix in enumerate(mixes)])
    wall = time.time() - started
    machine_load("after the mixed load")  # the host's neighbours come and go: a bracket, not one reading
    finished = [r for done, _, _ in results for r in done]
    cut = sum(c for _, c, _ in results)
    client_cpu = sum(cpu for _, _, cpu in results)
    after = workers_cpu_s(master)  # a worker killed on timeout takes its CPU with it: a lower bound then
    server_cpu = sum(cpu - before.get(pid, 0) for pid, cpu in after.items())
    errors = [r for r in finished if not r[2]]
    by_page = Counter(page for page, _, _ in finished)
    for page in sorted(by_page):
        times = [ms for p, ms, _ in finished if p == page]
        print(f"mixed load {db_name} {page}: {len(times)} requests, p50 {statistics.median(times):.0f} ms, "
              f"p95 {p95(times):.0f} ms, errors {sum(1 for p, _, ok in errors if p == page)}", flush=True)  # fmt: skip
    print(f"mixed load {db_name}: {len(finished)} finished in {wall:.1f} s by {CLIENTS} client processes, {cut} cut "
          f"by the deadline; the clients used {client_cpu:.1f} CPU s ({client_cpu / (wall * os.cpu_count()):.0%} of "
          f"the machine's {os.cpu_count()} cores), gunicorn's workers {server_cpu:.1f} CPU s "
          f"({server_cpu * 1000 / max(len(finished), 1):.1f} ms per request)", flush=True)  # fmt: skip
    figure("mixed_load_rps", db_name, len(finished) / wall, "req/s")
    figure("mixed_load_p95_ms", db_name, p95([ms for _, ms, _ in finished]) if finished else float("nan"), "ms")
    figure("mixed_load_errors", db_name, len(errors), "requests")


def main() -> None:
    started = time.perf_counter()
    chosen = os.environ.get("BENCH_DB", "both")
    if chosen not in ("sqlite", "postgresql", "both"):
        sys.exit("BENCH_DB must be sqlite, postgresql or both")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XQT_INSTANCE_DIR"] = tmp
        if chosen in ("sqlite", "both"):
            with sqlite_database(Path(tmp)) as url:
                in_process("sqlite", url)
        if chosen in ("postgresql", "both"):
            with postgresql_database() as url:
                ids = in_process("postgresql", url)
                if "mixed" in STEPS:
                    mixed_load("postgresql", url, ids)
    print(f"bench_scale: {time.perf_counter() - started:.0f} s in all (BENCH_SCALE={SCALE}, BENCH_DB={chosen})")


if __name__ == "__main__":
    main()
