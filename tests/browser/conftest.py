"""Browser fixtures: the real app served on a free localhost port over the run's test database, loaded with the demo,
and Chromium (Debian's package, driven by Playwright) in zh-CN at 1366×900.

The tests skip, never fail, where Playwright or Chromium is missing (`why_no_browser`). Playwright's own browser
download (`playwright install`) is never used: it needs the internet. Set XQT_CHROMIUM to use another binary.

Data: the suite's autouse `db` fixture deletes every row after each test, which would take the demo away from the
server between two walks. This package replaces it: the demo is loaded once per module (`demo`) and deleted after
the module, so the server and each walk see committed data and the next module starts from reference data again.
"""

import logging
import os
import re
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from marketplace.extensions import db as _db
from marketplace.extensions import limiter
from tests.conftest import _clean

CHROMIUM = os.environ.get("XQT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORT = {"width": 1366, "height": 900}
DEMO_PASSWORD = "Demo-2027-xqt"  # marketplace/demo/data.py, README.md
STEP_TIMEOUT_MS = 15_000
CJK = re.compile(r"[\u4e00-\u9fff]")


def why_no_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[dev]')"
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)) and not shutil.which(CHROMIUM):
        return f"no Chromium at {CHROMIUM} (Debian: apt-get install -y chromium fonts-noto-cjk; or set XQT_CHROMIUM)"
    return None


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: a walk through the live app in Chromium (skipped without it)")


@pytest.fixture(scope="module")
def demo(app, demo_copy):
    """The demo data, committed, for the whole module (loaded once per process, then copied back: DemoCopy);
    afterwards the database holds reference data only again."""
    with app.app_context():
        _db.session.remove()
        _clean(_db.engine)  # whatever an earlier module left behind
        limiter.reset()
    demo_copy.load()
    yield
    with app.app_context():
        _db.session.remove()
        _clean(_db.engine)
        limiter.reset()


@pytest.fixture(autouse=True)
def db(demo, app):
    """Replaces the suite's autouse `db` fixture (which deletes every row after each test): see the module doc."""
    with app.app_context():
        yield _db
        _db.session.remove()


class _QuietHandler(WSGIRequestHandler):
    """No request log lines: a failing walk shows its own record of what went wrong."""

    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture(scope="module")
def live_server(app, demo):
    """The app served by Werkzeug in a background thread on 127.0.0.1 and a free port, CSRF on as in production
    (the real forms carry their tokens). Yields the base URL."""
    saved = {key: app.config.get(key) for key in ("WTF_CSRF_ENABLED", "SERVER_NAME")}
    app.config["WTF_CSRF_ENABLED"] = True
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="xqt-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.config.update(saved)


@pytest.fixture(scope="module")
def browser():
    reason = why_no_browser()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@dataclass
class Tab:
    """A page in its own browser context, with a record of what went wrong on it: server errors (5xx on any
    request), pages that answered 4xx, console errors and uncaught script errors."""

    page: object
    base_url: str
    problems: list[str] = field(default_factory=list)

    def watch(self):
        page = self.page

        def on_response(response):
            is_document = response.request.resource_type == "document"
            if response.status >= 500 or (is_document and response.status >= 400):
                self.problems.append(f"HTTP {response.status} {response.request.method} {response.url}")

        def on_console(message):
            if message.type != "error":
                return
            # Chromium asks for /favicon.ico by itself; the product has none (404). Not a page of the walk.
            if (message.location or {}).get("url", "").endswith("/favicon.ico"):
                return
            self.problems.append(f"console error on {page.url}: {message.text}")

        page.on("response", on_response)
        page.on("console", on_console)
        page.on("pageerror", lambda error: self.problems.append(f"script error on {page.url}: {error}"))
        return self

    def assert_clean(self):
        """No 500, no refused page, no console or script error so far in this walk."""
        if self.problems:
            pytest.fail("the walk met problems:\n" + "\n".join(self.problems))


@pytest.fixture
def tab(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport=VIEWPORT, base_url=live_server)
    context.set_default_timeout(STEP_TIMEOUT_MS)
    tab = Tab(page=context.new_page(), base_url=live_server).watch()
    yield tab
    context.close()


@pytest.fixture
def login(tab):
    """Log in through the real login form (labels as a user reads them) and land on the home page."""
    from playwright.sync_api import expect

    def log_in(identifier: str, password: str = DEMO_PASSWORD):
        page = tab.page
        page.goto("/auth/login")
        form = page.locator("main form")
        form.get_by_label("邮箱或手机号").fill(identifier)
        form.get_by_label("密码", exact=True).fill(password)
        form.get_by_role("button", name="登录").click()
        expect(page.get_by_role("button", name="退出登录", include_hidden=True)).to_be_attached()
        tab.assert_clean()
        return page

    return log_in
