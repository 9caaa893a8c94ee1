"""Beyond one machine, tried on this one: 4 gunicorn web workers and 2 huey consumers against one PostgreSQL and one
Redis run the demo's allocation.

    .venv/bin/python scripts/cluster_demo.py        # PG_ADMIN_URL, REDIS_URL and PORT override the defaults

It creates a fresh PostgreSQL database, loads the demo into it, starts the consumers and gunicorn exactly as separate
machines would (the same environment variables; nothing shared but the database, Redis and the upload directory),
logs in as 衡水技工联盟's secretariat, POSTs an allocation, polls the job's progress until it ends, prints the result
and which consumer ran it, then stops everything and drops the database.
"""

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import redis
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
PORT = int(os.environ.get("PORT", "8765"))
SECRETARIAT, PASSWORD = "mishu.hs@demo.xqt.cn", "Demo-2027-xqt"


class Browser:
    """Just enough of a browser: cookies kept by name (Secure ones too: this is plain HTTP on 127.0.0.1), no redirects
    followed, the CSRF token read from each form."""

    def __init__(self, base: str):
        self.base, self.cookies = base, {}

    def request(self, path: str, form: dict | None = None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data=data)  # noqa: S310  (our own server)
        request.add_header("Accept-Language", "zh-CN")
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = _NO_REDIRECTS.open(request, timeout=120)
        except urllib.error.HTTPError as error:  # 3xx: urllib reports them as errors without a redirect handler
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        return response.status, response.headers.get("Location", ""), response.read().decode()

    def csrf(self, path: str) -> str:
        page = self.request(path)[2]
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]


class _Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_NO_REDIRECTS = urllib.request.build_opener(_Stay)


def expect(condition: bool, failure: str) -> None:
    if not condition:
        raise SystemExit(failure)


def step(text: str) -> None:
    print(f"== {text}", flush=True)


def main() -> int:
    name = f"xqt_cluster_{secrets.token_hex(4)}"
    database_url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    work = Path(tempfile.mkdtemp(prefix="xqt-cluster-"))
    queue_name = f"xqt-cluster-{secrets.token_hex(4)}"
    env = os.environ | {
        "XQT_ENV": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_hex(32),
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "JOBS_URL": REDIS_URL,
        "JOBS_QUEUE": queue_name,
        "COHORT_IMPORT_DIR": str(work / "shared-uploads"),  # on real machines: a shared (NFS) directory
        "XQT_INSTANCE_DIR": str(work / "instance"),
        "PYTHONPATH": str(ROOT),
    }
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    processes: list[tuple[str, subprocess.Popen]] = []
    try:
        step(f"fresh database {name}, demo data (takes a minute or two)")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        flask = [str(BIN / "flask"), "--app", "wsgi"]
        for command in (["db", "upgrade"], ["reference", "load"], ["demo", "load"]):
            subprocess.run([*flask, *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603

        step("2 huey consumers and gunicorn with 4 web workers")
        for n in (1, 2):
            log = open(work / f"consumer-{n}.log", "w")  # noqa: SIM115  (closed with the process)
            consumer = [str(BIN / "huey_consumer"), "marketplace.jobs.worker.huey", "--workers", "2"]
            processes.append((f"consumer-{n}", subprocess.Popen(consumer, cwd=ROOT, env=env, stdout=log,  # noqa: S603
                                                                 stderr=subprocess.STDOUT)))  # fmt: skip
        web = [str(BIN / "gunicorn"), "-w", "4", "-b", f"127.0.0.1:{PORT}", "--timeout", "120", "wsgi:app"]
        web_log = open(work / "gunicorn.log", "w")  # noqa: SIM115
        processes.append(("gunicorn", subprocess.Popen(web, cwd=ROOT, env=env, stdout=web_log,  # noqa: S603
                                                       stderr=subprocess.STDOUT)))  # fmt: skip
        browser = Browser(f"http://127.0.0.1:{PORT}")
        for _ in range(120):
            try:
                browser.request("/auth/login")
                break
            except OSError:
                time.sleep(0.5)

        step(f"log in as {SECRETARIAT}")
        status, location, _ = browser.request(
            "/auth/login",
            {"csrf_token": browser.csrf("/auth/login"), "identifier": SECRETARIAT, "password": PASSWORD},
        )
        expect(status == 302, f"login answered {status}")
        engine = sa.create_engine(database_url)
        with engine.connect() as conn:
            alliance_id = conn.scalar(sa.text(
                "SELECT a.id FROM alliances a JOIN users u ON u.organization_id = a.secretariat_org_id "
                "WHERE u.email = :email ORDER BY a.id LIMIT 1"
            ), {"email": SECRETARIAT})  # fmt: skip

        step(f"POST the allocation of alliance {alliance_id}")
        page = f"/alliances/{alliance_id}/allocations"
        started = time.perf_counter()
        status, location, _ = browser.request(
            page, {"csrf_token": browser.csrf(page), "choices": "15", "scope": "members"}
        )
        answered_ms = (time.perf_counter() - started) * 1000
        expect(status == 302 and "/jobs/" in location, f"the POST answered {status} {location}")
        job_path = urllib.parse.urlparse(location).path
        print(f"answered in {answered_ms:.0f} ms with {job_path}")

        seen = None
        for _ in range(600):
            state = json.loads(browser.request(job_path + "/progress")[2])
            now = (state["status_label"], state["stage_label"], state["done"], state["total"])
            if now != seen:
                print(f"  {time.perf_counter() - started:6.2f} s  {now[0]} · {now[1]} {now[2]}/{now[3] or '-'}")
                seen = now
            if not state["active"]:
                break
            time.sleep(0.1)
        print(json.dumps(state, ensure_ascii=False, indent=2))
        if state["status"] != "done":
            return 1
        run_id = int(state["result_url"].rsplit("/", 1)[1])
        with engine.connect() as conn:
            summary = conn.scalar(sa.text("SELECT summary FROM allocation_runs WHERE id = :id"), {"id": run_id})
            seats = conn.scalar(sa.text("SELECT count(*) FROM allocation_seats WHERE run_id = :id"), {"id": run_id})
        engine.dispose()
        print(f"run {run_id}: {summary['students']} graduates, {summary['openings']} openings, {summary['placed']} "
              f"placed, {seats} seats stored, {summary['decided_by_priority']} decided by priority")  # fmt: skip
        status, _, _ = browser.request(state["result_url"])
        print(f"GET {state['result_url']} → {status}")
        for who, _ in processes[:2]:
            ran = (work / f"{who}.log").read_text().count("Executing marketplace.allocations.jobs.allocate")
            print(f"{who} ran {ran} allocation job(s)")
        return 0
    finally:
        step("stop everything")
        for who, process in processes:
            process.send_signal(signal.SIGINT if who.startswith("consumer") else signal.SIGTERM)
        for _, process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for key in redis.Redis.from_url(REDIS_URL).scan_iter(f"huey.*{queue_name}*"):
            redis.Redis.from_url(REDIS_URL).delete(key)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
        print(f"logs kept in {work}")


if __name__ == "__main__":
    sys.exit(main())
