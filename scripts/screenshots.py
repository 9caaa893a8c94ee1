"""Screenshots of each role's main pages of the demo, at 1366 px (desktop) and 390 px (phone) wide.

    .venv/bin/python scripts/screenshots.py [OUT_DIR]        (default /tmp/xqt-shots; `make screenshots`)

Builds the demo on a scratch SQLite database (XQT_INSTANCE_DIR = a temporary directory: `flask db upgrade`,
`flask demo load`), serves it on a free localhost port, logs in through the login form as each role, and saves
`<role>-<page>-<width>.png` (full page, cut at MAX_HEIGHT px). Pages after the first few are found by following
the links of the pages before them, so the script keeps working as pages change; a page it cannot reach is
reported and skipped. It prints, per page, what a reviewer should look at: HTTP errors, console errors, and
content wider than the phone's screen.

Needs Playwright for Python and Debian's Chromium (`apt-get install -y chromium fonts-noto-cjk`; XQT_CHROMIUM
overrides the path). `playwright install` is never used.
"""

import argparse
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("XQT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DEMO_PASSWORD = "Demo-2027-xqt"  # noqa: S105  (the demo's published password: marketplace/demo/data.py)
WIDTHS = {1366: 900, 390: 844}  # width: viewport height (an iPhone 12–15 is 390 × 844)
MAX_HEIGHT = 4000

STUDENT = "<the demo student's 学号>"  # read from the demo database once it is built (`student_login`)
# role: (login or None, [(page name, a path, or (an earlier page of the role, regex of a link on it[, query]))])
ROLES = {
    "guest": (None, [("home", "/"), ("login", "/auth/login"), ("register", "/auth/register")]),
    "school": (
        "school@demo.xqt.cn",
        [
            ("home", "/"),
            ("cohorts", "/cohorts/"),
            ("cohort", ("cohorts", r"/cohorts/\d+")),
            ("student", ("cohort", r"/cohorts/students/\d+")),
            ("cohort-matches", ("cohort", r"/cohorts/\d+/matches")),
            # a student with a suitable opening: the cohort's first student may have none
            ("cohort-suitable", ("cohort", r"/cohorts/\d+/matches", "?suitable=yes")),
            ("openings", ("cohort-suitable", r"/students/\d+/openings")),
            ("nominations", "/nominations"),
            ("risks", "/risks"),
            ("destinations", "/destinations/"),
            ("destination-rates", "/destinations/rates"),
            ("rubric", "/grading/rubric"),
            ("annual-reports", "/annual-reports"),
        ],
    ),
    "student": (
        STUDENT,
        [
            ("home", "/me/"),
            ("data", "/me/data"),
            ("destination", "/me/destination/"),
            ("placement", ("home", r"/me/placements/\d+")),
            ("agreement", ("placement", r"/me/placements/\d+/agreement")),
        ],
    ),
    "enterprise": (
        "hr@demo.xqt.cn",
        [
            ("home", "/"),
            ("plans", "/plans"),
            ("plan", ("plans", r"/plans/\d+")),
            ("opening", ("plan", r"/openings/\d+")),
            ("ranking", ("opening", r"/openings/\d+/ranking")),
            ("candidates", "/nominations"),
            ("roster", "/roster"),
        ],
    ),
    "secretariat": (
        "mishu.hs@demo.xqt.cn",
        [
            ("home", "/"),
            ("alliances", "/alliances"),
            ("alliance", ("alliances", r"/alliances/\d+")),
            ("allocations", ("alliance", r"/alliances/\d+/allocations")),
            ("run", ("allocations", r"/allocations/\d+")),
            ("governance", ("alliance", r"/alliances/\d+/governance")),
            ("reports", ("alliance", r"/alliances/\d+/reports")),
            ("report", ("reports", r"/alliances/\d+/reports/[a-z_-]+")),
            ("destinations", ("alliance", r"/alliances/\d+/destinations")),
            ("snapshot", ("destinations", r"/alliances/\d+/destinations/snapshots/\d+")),
            ("risks", ("alliance", r"/alliances/\d+/risks")),
            ("annual-reports", ("alliance", r"/alliances/\d+/annual-reports")),
            ("annual-report", ("annual-reports", r"/annual-reports/\d+")),
        ],
    ),
    "admin": (
        "admin@demo.xqt.cn",
        [
            ("home", "/"),
            ("alliances", "/alliances"),
            ("alliance", ("alliances", r"/alliances/\d+")),
            ("charter", ("alliance", r"/alliances/\d+/charter")),
        ],
    ),
}


def build_demo(instance: Path) -> dict[str, str]:
    """A SQLite database with the demo in `instance` (built unless there); returns the environment that points at it."""
    env = dict(os.environ)
    env.update(
        XQT_ENV="development",
        XQT_INSTANCE_DIR=str(instance),
        DATABASE_URL=f"sqlite:///{instance / 'xiaoqitong.db'}",
        FLASK_APP="wsgi",
    )
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    instance.mkdir(parents=True, exist_ok=True)
    if (instance / ".demo-loaded").exists():
        print(f"reusing the demo database in {instance}")
        return env
    for args in (["db", "upgrade"], ["demo", "load"]):
        started = time.perf_counter()
        done = subprocess.run(flask + args, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
        if done.returncode:
            sys.exit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        print(f"flask {' '.join(args)}: {time.perf_counter() - started:.1f} s")
    (instance / ".demo-loaded").touch()
    return env


def student_login(env: dict[str, str]) -> str | None:
    """The 学号 of the demo's student account (the one `flask demo load` prints)."""
    path = env["DATABASE_URL"].removeprefix("sqlite:///")
    with closing(sqlite3.connect(path)) as connection:
        row = connection.execute(
            "SELECT s.student_no FROM users u JOIN students s ON s.id = u.student_id ORDER BY u.id LIMIT 1"
        ).fetchone()
    return row[0] if row else None


def serve(env: dict[str, str]):
    """The app (development configuration, CSRF on) in a background thread; returns (base URL, server)."""
    for key in ("XQT_ENV", "XQT_INSTANCE_DIR", "DATABASE_URL"):
        os.environ[key] = env[key]  # read by marketplace.config when it is imported, just below
    sys.path.insert(0, str(ROOT))
    from werkzeug.serving import WSGIRequestHandler, make_server

    from marketplace import create_app

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):
            pass

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, create_app(), threaded=True, request_handler=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def log_in(page, login: str) -> None:
    page.goto("/auth/login")
    form = page.locator("main form")
    form.get_by_label("邮箱或手机号").fill(login)
    form.get_by_label("密码", exact=True).fill(DEMO_PASSWORD)
    form.get_by_role("button", name="登录").click()
    # Attached, not visible: on a phone the menu with the button is folded.
    page.get_by_role("button", name="退出登录", include_hidden=True).wait_for(state="attached")


def links(page) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href').trim())")
    return [h for h in hrefs if h.startswith("/")]


def shoot(page, path: Path, width: int) -> str | None:
    """Save the page (full length, cut at MAX_HEIGHT); return a note when its content is wider than the screen."""
    size = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    page.screenshot(
        path=path, full_page=True, clip={"x": 0, "y": 0, "width": width, "height": min(size[1], MAX_HEIGHT)}
    )
    if size[0] > width + 1:
        wide = page.evaluate(
            """(w) => [...document.querySelectorAll('main *')]
                 .filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.table-responsive'))
                 .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > w + 1))
                 .slice(0, 3)
                 .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : ''))""",
            width,
        )
        return f"content {size[0]} px wide on a {width} px screen (widest: {', '.join(wide) or '?'})"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_out = "/tmp/xqt-shots"  # noqa: S108  (a place to look at pictures, not a secret)
    parser.add_argument("out", nargs="?", default=default_out, type=Path, help="directory for the PNG files")
    parser.add_argument("--role", action="append", choices=sorted(ROLES), help="only these roles (repeatable)")
    parser.add_argument(
        "--instance", type=Path, help="keep the demo database in this directory and reuse it (default: a scratch one)"
    )
    args = parser.parse_args()
    if not shutil.which(CHROMIUM):
        sys.exit(f"No Chromium at {CHROMIUM}: apt-get install -y chromium fonts-noto-cjk (or set XQT_CHROMIUM).")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sys.exit("Playwright for Python is missing: .venv/bin/pip install -e '.[dev]'")

    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    notes: list[str] = []
    saved = 0
    with tempfile.TemporaryDirectory(prefix="xqt-shots-") as scratch:
        env = build_demo(args.instance or Path(scratch))
        logins = {STUDENT: student_login(env)}
        base_url, server = serve(env)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            for role in args.role or ROLES:
                found: dict[str, str] = {}  # page name -> path, found at the first width, reused at the next
                for width in WIDTHS:
                    saved += shoot_role(browser, base_url, role, width, args.out, found, notes, logins)
            browser.close()
        server.shutdown()
    print(f"{saved} screenshots in {args.out} ({time.perf_counter() - started:.0f} s)")
    for note in notes:
        print("  check:", note)
    return 0


def shoot_role(browser, base_url: str, role: str, width: int, out: Path, found: dict, notes: list,
               logins: dict) -> int:  # fmt: skip
    """Log in as `role` at `width` and save each of its pages; returns how many were saved."""
    login, pages = ROLES[role]
    login = logins.get(login, login)
    phone = width < 1000
    context = browser.new_context(
        base_url=base_url,
        locale="zh-CN",
        viewport={"width": width, "height": WIDTHS[width]},
        is_mobile=phone,
        has_touch=phone,
    )
    page = context.new_page()
    problems: list[str] = []

    def on_console(message):
        if message.type == "error" and not (message.location or {}).get("url", "").endswith("/favicon.ico"):
            problems.append(f"console error on {page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"script error on {page.url}: {error}"))
    if login:
        log_in(page, login)
    seen_links: dict[str, list[str]] = {}
    saved = 0
    for name, target in pages:
        if isinstance(target, str):
            path = target
        elif name in found:
            path = found[name]
        else:
            source, pattern, *query = target
            path = next((h for h in seen_links.get(source, []) if re.fullmatch(pattern, h.split("?", 1)[0])), None)
            if path is not None and query:
                path = path.split("?", 1)[0] + query[0]
        if path is None:
            notes.append(f"{role}-{name}: no link to it found; skipped")
            continue
        found[name] = path
        response = page.goto(path)
        page.wait_for_load_state("networkidle")
        seen_links[name] = links(page)
        if response is None or response.status >= 400:
            notes.append(f"{role}-{name}-{width}: HTTP {response.status if response else '?'} {path}")
        note = shoot(page, out / f"{role}-{name}-{width}.png", width)
        saved += 1
        if note:
            notes.append(f"{role}-{name}-{width} ({path}): {note}")
    notes.extend(f"{role} at {width} px: {p}" for p in dict.fromkeys(problems))
    context.close()
    return saved


if __name__ == "__main__":
    sys.exit(main())
