"""Allocations as background jobs: the POST answers at once, the worker reports real stages, one run at a time per
alliance, a failed job stores nothing and says why; in the PostgreSQL run a real huey consumer on Redis runs one."""

import contextvars
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from flask.testing import FlaskClient

from marketplace.allocations import services as allocation_services
from marketplace.allocations.models import AllocationRun, AllocationSeat
from marketplace.auth.models import Role
from marketplace.db import reading_only
from marketplace.jobs import queue
from marketplace.jobs import services as job_services
from marketplace.jobs.models import Job, JobKind, JobStage, JobStatus
from marketplace.notifications.models import Notification
from marketplace.orgs.models import OrgKind
from tests.factories import AllianceFactory, MembershipFactory, OrganizationFactory, SchoolFactory, UserFactory
from tests.pipeline_factories import CohortFactory, OpeningFactory, PlanFactory, StudentFactory

EN, ZH = {"Accept-Language": "en"}, {"Accept-Language": "zh-CN"}
ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("XQT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ALLOCATION_STAGES = ["reading", "building", "ranking", "allocating", "storing"]


@pytest.fixture
def world(db):
    """One alliance: a member school with four students, a member enterprise with an opening of three places, and
    the secretariat's clerk."""
    alliance = AllianceFactory()
    school = SchoolFactory(name="甲职业学校")
    enterprise = OrganizationFactory(kind=OrgKind.ENTERPRISE, staff_count=1000, name="丙机械")
    for org in (school, enterprise):
        MembershipFactory(alliance=alliance, organization=org)
    plan = PlanFactory(enterprise=enterprise)
    plan.alliances = [alliance]
    opening = OpeningFactory(plan=plan, headcount=3)
    cohort = CohortFactory(school=school)
    students = [StudentFactory(cohort=cohort, name=f"甲生{i}", grade_score=70 + i) for i in range(4)]
    opening.majors = [students[0].major]
    for student in students:
        student.major = students[0].major
    clerk = UserFactory(organization=alliance.secretariat, role=Role.SECRETARIAT)
    db.session.commit()
    return alliance, clerk


def _post(client, alliance, **headers):
    return client.post(f"/alliances/{alliance.id}/allocations", data={"choices": 10, "scope": "members"},
                       headers=headers)  # fmt: skip


def _count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_post_queues_a_job_whose_page_follows_it_to_the_stored_run(client, login_as, db, world):
    alliance, clerk = world
    login_as(clerk)
    response = _post(client, alliance)
    job = db.session.scalar(sa.select(Job))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/jobs/{job.id}", "the POST answers with the job's page, not the run"
    run = db.session.scalar(sa.select(AllocationRun))
    assert (job.kind, job.status, job.result_id, job.created_by_id) == (JobKind.ALLOCATION, JobStatus.DONE, run.id,
                                                                        clerk.id)  # fmt: skip
    assert run.summary["placed"] == 3
    assert _count(db, AllocationSeat) == 3
    assert job.parameters["stages"] == ALLOCATION_STAGES, "every stage the run went through, in order"
    assert (job.stage, job.done, job.total) == (JobStage.FINISHED, 3, 3)

    page = client.get(f"/jobs/{job.id}", headers=ZH).get_data(as_text=True)
    assert "已完成" in page
    assert f'href="/allocations/{run.id}"' in page
    assert 'http-equiv="refresh"' not in page, "a finished job's page stops refreshing"
    state = client.get(f"/jobs/{job.id}/progress").get_json()
    assert state | {"stage_label": None, "status_label": None} == {
        "id": job.id, "status": "done", "stage": "finished", "done": 3, "total": 3, "active": False, "reason": "",
        "result_url": f"/allocations/{run.id}", "stage_label": None, "status_label": None,
    }  # fmt: skip
    (ready,) = db.session.scalars(sa.select(Notification).where(Notification.kind == "allocation_ready")).all()
    assert (ready.organization_id, ready.target) == (alliance.secretariat_org_id, {"run_id": run.id})
    listing = client.get(f"/alliances/{alliance.id}/allocations", headers=ZH).get_data(as_text=True)
    assert f'href="/jobs/{job.id}"' in listing


def test_the_page_sees_the_workers_progress_while_its_work_is_uncommitted(app, client, login_as, db, world,
                                                                         monkeypatch):  # fmt: skip
    """While the seats are flushed but not committed, another request reads the job running at "storing" with its
    counts, and no run in the database."""
    alliance, clerk = world
    login_as(clerk)
    seen = []
    report = job_services.Progress.__call__

    def spy(self, stage, done=0, total=None):
        report(self, stage, done, total)
        if stage == "storing" and done:
            # A request of its own, outside the job's app context and session (as the browser's poll would be).
            reader = FlaskClient(app, use_cookies=True)
            reader._cookies = client._cookies
            answer = contextvars.Context().run(FlaskClient.open, reader, f"/jobs/{self.job_id}/progress")
            with app.app_context(), reading_only(), db.engine.connect() as other:
                runs = other.scalar(sa.select(sa.func.count()).select_from(AllocationRun))
            seen.append((answer.get_json(), runs))

    monkeypatch.setattr(job_services.Progress, "__call__", spy)
    _post(client, alliance)
    ((state, runs),) = seen
    assert (state["status"], state["stage"], state["done"], state["total"], state["active"]) == (
        "running", "storing", 3, 3, True,
    )  # fmt: skip
    assert runs == 0, "the run is committed with the job's end, not before"
    assert db.session.scalar(sa.select(Job.status)) is JobStatus.DONE


def test_a_running_jobs_page_refreshes_itself_and_shows_the_stage_in_chinese(client, login_as, db, world):
    alliance, clerk = world
    job = Job(kind=JobKind.ALLOCATION, alliance_id=alliance.id, status=JobStatus.RUNNING, stage=JobStage.RANKING,
              done=0, total=4, created_by_id=clerk.id)  # fmt: skip
    db.session.add(job)
    db.session.commit()
    login_as(clerk)
    page = client.get(f"/jobs/{job.id}", headers=ZH).get_data(as_text=True)
    assert "为每名毕业生排列岗位" in page or "运行中" in page
    assert '<noscript><meta http-equiv="refresh"' in page, "without script the page refreshes itself"
    assert "js/job.js" in page
    assert client.get(f"/jobs/{job.id}/progress").get_json()["active"] is True


def test_a_second_run_is_refused_while_one_waits_and_the_database_refuses_a_race(client, login_as, db, world):
    alliance, clerk = world
    db.session.add(Job(kind=JobKind.ALLOCATION, alliance_id=alliance.id, created_by_id=clerk.id))
    db.session.commit()
    login_as(clerk)
    refused = _post(client, alliance, **EN)
    assert refused.status_code == 200
    assert "already waiting or running for this alliance" in refused.get_data(as_text=True)
    assert "本联盟已有同类运算正在排队或运行" in _post(client, alliance, **ZH).get_data(as_text=True)
    assert _count(db, Job) == 1
    assert _count(db, AllocationRun) == 0
    db.session.add(Job(kind=JobKind.ALLOCATION, alliance_id=alliance.id, status=JobStatus.RUNNING))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()
    # Ended jobs do not count: another alliance's, or this one's once done, let a new run start.
    db.session.execute(sa.update(Job).values(status=JobStatus.DONE))
    db.session.commit()
    assert _post(client, alliance).status_code == 302
    assert _count(db, AllocationRun) == 1


def test_a_job_whose_worker_was_lost_no_longer_blocks_the_alliance(client, login_as, db, world):
    alliance, clerk = world
    lost = Job(kind=JobKind.ALLOCATION, alliance_id=alliance.id, status=JobStatus.RUNNING,
               created_at=datetime.now(UTC) - timedelta(hours=2))  # fmt: skip
    db.session.add(lost)
    db.session.commit()
    login_as(clerk)
    assert _post(client, alliance).status_code == 302
    db.session.refresh(lost)
    assert (lost.status, lost.reason_key) == (JobStatus.FAILED, "worker_lost")
    assert _count(db, AllocationRun) == 1


def test_a_failing_job_stores_nothing_and_says_why(client, login_as, db, world, monkeypatch):
    """The engine fails after the run and its seats were flushed: all of it is rolled back, the job says why."""
    alliance, clerk = world

    def broken(*args, **kwargs):
        raise RuntimeError("the engine broke")

    monkeypatch.setattr(allocation_services, "record", broken)
    login_as(clerk)
    response = _post(client, alliance)
    job = db.session.scalar(sa.select(Job))
    assert response.headers["Location"] == f"/jobs/{job.id}"
    assert (job.status, job.reason_key, job.stage) == (JobStatus.FAILED, "error", JobStage.STORING)
    assert _count(db, AllocationRun) == 0
    assert _count(db, AllocationSeat) == 0, "nothing half-stored"
    page = client.get(f"/jobs/{job.id}", headers=ZH).get_data(as_text=True)
    assert "任务因意外错误中止，未保存任何数据" in page
    assert "unexpected error" in client.get(f"/jobs/{job.id}", headers=EN).get_data(as_text=True)
    (failed,) = db.session.scalars(sa.select(Notification)).all()
    assert (failed.kind, failed.target) == ("allocation_failed", {"job_id": job.id})
    monkeypatch.undo()
    assert _post(client, alliance).status_code == 302, "a failed job does not block the next"
    assert _count(db, AllocationRun) == 1


def test_an_unreachable_queue_fails_the_job_at_once(app, client, login_as, db, world, monkeypatch):
    alliance, clerk = world
    monkeypatch.setitem(app.config, "JOBS_IMMEDIATE", False)
    monkeypatch.setitem(app.config, "JOBS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    login_as(clerk)
    try:
        response = _post(client, alliance)
    finally:
        monkeypatch.undo()
        queue.configure(app)
    job = db.session.scalar(sa.select(Job))
    assert response.headers["Location"] == f"/jobs/{job.id}"
    assert (job.status, job.reason_key) == (JobStatus.FAILED, "queue_unavailable")
    assert "无法连接任务队列" in client.get(f"/jobs/{job.id}", headers=ZH).get_data(as_text=True)


# ------------------------------------------------------------------------------------- a real consumer (PostgreSQL)
@pytest.fixture
def redis_queue(request, app, database_url, tmp_path, monkeypatch):
    """A huey consumer in its own process on Redis, on a queue of its own, against the test's PostgreSQL database;
    the app enqueues to it. Only in the PostgreSQL run: SQLite's one writer is not what consumers on many machines
    share."""
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("the real consumer runs in the PostgreSQL run (--db=postgresql)")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is unreachable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis is unreachable at {REDIS_URL}: {exc}")
    name = f"xqt-test-{uuid.uuid4().hex[:10]}"
    env = os.environ | {"XQT_ENV": "development", "DATABASE_URL": database_url, "JOBS_URL": REDIS_URL,
                        "JOBS_QUEUE": name, "XQT_INSTANCE_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}  # fmt: skip
    consumer = subprocess.Popen(  # noqa: S603  (our own consumer, by absolute path)
        [str(Path(sys.executable).parent / "huey_consumer"), "marketplace.jobs.worker.huey", "-w", "1", "-q"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    monkeypatch.setitem(app.config, "JOBS_IMMEDIATE", False)
    monkeypatch.setitem(app.config, "JOBS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "JOBS_QUEUE", name)
    try:
        yield consumer
    finally:
        consumer.terminate()
        output = consumer.communicate(timeout=30)[0].decode(errors="replace")
        queue.configure(app).storage.flush_all()
        monkeypatch.undo()
        queue.configure(app)
        print(output)


def test_a_real_consumer_on_redis_runs_the_allocation(client, login_as, db, world, redis_queue):
    alliance, clerk = world
    login_as(clerk)
    response = _post(client, alliance)
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    stages = set()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        state = client.get(f"/jobs/{job_id}/progress").get_json()
        stages.add(state["stage"])
        if not state["active"]:
            break
        assert redis_queue.poll() is None, "the consumer stopped"
        time.sleep(0.2)
    assert state["status"] == "done", state
    run = db.session.scalar(sa.select(AllocationRun))
    assert state["result_url"] == f"/allocations/{run.id}"
    assert run.summary["placed"] == 3
    assert _count(db, AllocationSeat) == 3
    assert db.session.get(Job, job_id).parameters["stages"] == ALLOCATION_STAGES


# ------------------------------------------------------------------------------------------ the daily sweep's task
def test_the_governance_sweep_is_a_daily_task_and_still_a_command(app, db):
    from marketplace.governance import jobs as governance_jobs

    assert governance_jobs.daily_sweep.s().validate_datetime(datetime(2026, 3, 1, 17, 30))
    assert not governance_jobs.daily_sweep.s().validate_datetime(datetime(2026, 3, 1, 17, 31))
    AllianceFactory(short_name="甲盟")
    assert governance_jobs.daily_sweep.call_local() == 0, "the task's own body (huey keeps no periodic task's result)"
    output = app.test_cli_runner().invoke(args=["governance", "sweep", "--date", "2026-03-01"]).output
    assert "甲盟: 0 action(s)" in output


# ----------------------------------------------------------------------------------------- a big cohort import
def test_a_big_cohort_import_is_saved_by_a_job_with_counts(app, client, login_as, db, tmp_path, monkeypatch):
    from marketplace.cohorts.models import Student
    from tests.test_cohorts_views import four_hundred_rows_three_bad, upload

    monkeypatch.setitem(app.config, "COHORT_IMPORT_DIR", str(tmp_path))
    monkeypatch.setitem(app.config, "JOBS_IMPORT_ROWS", 100)
    school, other = SchoolFactory(), SchoolFactory()
    staff = UserFactory(organization=school, role=Role.ORG_STAFF)
    login_as(staff)
    preview_url = upload(client, school.id, four_hundred_rows_three_bad()).headers["Location"]
    response = client.post(preview_url, data={"mode": "good"})
    job = db.session.scalar(sa.select(Job))
    assert response.headers["Location"] == f"/jobs/{job.id}"
    assert (job.kind, job.status, job.organization_id) == (JobKind.COHORT_IMPORT, JobStatus.DONE, school.id)
    assert _count(db, Student) == 397
    assert (job.done, job.total, job.parameters["stages"]) == (397, 397, ["importing"])
    assert job.parameters["result"] == {"created": 397, "updated": 0, "skipped": 3}
    page = client.get(f"/jobs/{job.id}", headers=ZH).get_data(as_text=True)
    assert f'href="/cohorts/{job.result_id}"' in page
    assert client.get(preview_url).status_code == 404, "the upload is gone once saved"
    login_as(UserFactory(organization=other, role=Role.ORG_ADMIN))
    assert client.get(f"/jobs/{job.id}").status_code == 404, "another school's job is missing to it"


@pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE, JobStatus.FAILED])
def test_a_jobs_page_and_the_allocations_list_speak_chinese(client, login_as, db, world, status):
    """The demo has no job, so the zh sweep never reaches a job's page: each state of one is swept here."""
    from tests.test_zh_sweep import english_words

    alliance, clerk = world
    job = Job(kind=JobKind.ALLOCATION, alliance_id=alliance.id, status=status, stage=JobStage.RANKING, done=1,
              total=4, created_by_id=clerk.id, reason_key="error" if status is JobStatus.FAILED else None)  # fmt: skip
    db.session.add(job)
    db.session.commit()
    login_as(clerk)
    for url in (f"/jobs/{job.id}", f"/alliances/{alliance.id}/allocations"):
        response = client.get(url, headers=ZH)
        assert response.status_code == 200
        assert english_words(response.get_data(as_text=True))[0] == set(), url
