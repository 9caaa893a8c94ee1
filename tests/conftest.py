"""Fixtures: an app migrated once per run on SQLite or PostgreSQL, a clean database per test, logins."""

import contextvars
import functools
import os
import shutil
import sqlite3
import tempfile
import uuid
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from marketplace import create_app
from marketplace.config import TestConfig
from marketplace.extensions import db as _db
from marketplace.extensions import limiter
from marketplace.rowcache import store

PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REFERENCE_TABLES = {"regions", "occupations", "majors", "alembic_version"}
# Tables whose migration seeds default rows that every test needs: only the other rows are deleted.
SEEDED_ROWS_KEPT = {"destination_codes": lambda table: table.c.alliance_id.is_not(None)}


def pytest_addoption(parser):
    parser.addoption("--db", choices=("sqlite", "postgresql"), default="sqlite", help="database to test against")


def pytest_report_header(config):
    return f"database: {config.getoption('--db')}"


# The slowest modules, slowest first (seconds of one SQLite run on one core). They run first, so that under
# pytest-xdist (`make test`: whole modules to a worker, in this order) the workers share them out and the small
# modules fill in at the end, instead of one worker walking the demo alone while the other waits.
SLOW_FIRST = (
    "tests/test_fuzz.py",  # 180: every route, six roles, hostile input
    "tests/test_zh_sweep.py",  # 95: every page of the demo as each role
    "tests/test_config_and_demo.py",  # 45: loads the demo twice
    "tests/test_access_table.py",  # 40
    "tests/test_permissions.py",  # 38
    "tests/test_governance_demo.py",  # 35: loads the demo
    "tests/browser/test_journeys.py",  # 30: loads the demo
    "tests/browser/test_student_journey.py",  # 29: loads the demo
    "tests/test_practice_access.py",  # 29
    "tests/test_ranking_rows.py",  # 24
    "tests/engine/test_ranking.py",  # 18
    "tests/test_governance_flows.py",  # 18
)


def pytest_collection_modifyitems(config, items):
    """The slow modules first (SLOW_FIRST); every other test keeps its place (the sort is stable)."""
    rank = {path: place for place, path in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


def _create_pg_database() -> tuple[str, sa.Engine]:
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"xqt_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL is unreachable at {PG_ADMIN_URL}: {exc.orig}"
        if os.environ.get("CI") == "true":
            pytest.exit(f"FAIL: the PostgreSQL run is mandatory in CI. {message}", returncode=3)
        pytest.exit(f"SKIPPED the PostgreSQL run (set CI=true to make this an error). {message}", returncode=0)
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", admin


def _memory_backed_dir() -> Path | None:
    """A private folder in /dev/shm where there is one: the suite commits tens of thousands of times and a commit
    to a file on disk waits for fsync (1 ms here, 19 ms while others write): durability a test database does not
    need."""
    shm = Path("/dev/shm")  # noqa: S108  (a private folder in it, made by mkdtemp)
    if shm.is_dir() and os.access(shm, os.W_OK):
        return Path(tempfile.mkdtemp(prefix="xqt-test-", dir=shm))
    return None


@pytest.fixture(scope="session")
def database_url(request, tmp_path_factory):
    """A database of this process's own: under pytest-xdist each worker has one (its own SQLite file, or its own
    PostgreSQL database named by a fresh uuid)."""
    if request.config.getoption("--db") == "sqlite":
        folder = _memory_backed_dir()
        yield f"sqlite:///{(folder or tmp_path_factory.mktemp('db')) / 'test.db'}"
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        return
    url, admin = _create_pg_database()
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    admin.dispose()


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production: no `g`, login or session shared with the test.

    The test's own session ends its transaction first, as a separate process would have (on SQLite an open
    transaction holds the write lock).
    """

    def open(self, *args, **kwargs):
        _db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    os.environ["XQT_INSTANCE_DIR"] = str(tmp_path_factory.mktemp("instance"))
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url)
    app.test_client_class = IsolatedClient
    with app.app_context():
        from flask_migrate import upgrade

        from marketplace.reference import loaders

        upgrade()
        loaders.load_regions(_db.session)
        loaders.load_occupations(_db.session)
        loaders.load_majors(_db.session, loaders.DEMO_MAJORS_CSV.read_text(encoding="utf-8"))
        _db.session.commit()
    yield app
    with app.app_context():
        _db.engine.dispose()


@functools.cache
def _probe(dialect: sa.Dialect) -> str:
    """One query naming the tables that hold a row, compiled once (its only values are our own table names)."""
    tables = [t for t in _db.metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    query = sa.union_all(
        *(
            sa.select(sa.literal(table.name, sa.String())).where(sa.exists(sa.select(1).select_from(table)))
            for table in tables
        )
    )
    return str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def _clean(database: sa.Engine) -> None:
    """Delete every row but the reference data, children first. On PostgreSQL a DELETE of the few rows a test
    leaves costs a tenth of a TRUNCATE of forty tables (0.03 s against 0.33 s per test). One query first finds the
    tables that hold rows (whoever wrote them: the test, a request, a worker process), and only those are emptied:
    most tests write a handful of the fifty tables."""
    tables = [t for t in reversed(_db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    with database.begin() as conn:
        holding = set(conn.exec_driver_sql(_probe(conn.dialect)).scalars())
        for table in tables:
            if table.name in holding:
                kept = SEEDED_ROWS_KEPT.get(table.name)
                conn.execute(table.delete().where(kept(table)) if kept else table.delete())


@pytest.fixture(autouse=True)
def db(app):
    """Each test starts with reference data only, in an app context, with fresh rate limits."""
    with app.app_context():
        limiter.reset()
        yield _db
        _db.session.rollback()
        _db.session.remove()
        _clean(_db.engine)


class DemoCopy:
    """The demo's data for the modules that walk it (zh sweep, governance, browser journeys).

    `flask demo load` takes 15–20 s. The first `load()` in a process runs the command for real and keeps a copy of
    the whole database; the next ones put that copy back, the same bytes (SQLite's backup API, PostgreSQL's
    CREATE DATABASE … TEMPLATE), in a second. test_config_and_demo.py tests the command itself and always runs it.
    """

    def __init__(self, app, url: str):
        self.app, self.url = app, sa.engine.make_url(url)
        self.kept = False

    def load(self) -> None:
        with self.app.app_context():
            if self.kept:
                self._restore()
            else:
                result = self.app.test_cli_runner().invoke(args=["demo", "load"])
                assert result.exit_code == 0, result.output
                assert "Demo data loaded." in result.output, "the database already held the demo"
                self._keep()
                self.kept = True
            limiter.reset()

    def discard(self) -> None:
        if self.kept and self.url.get_backend_name() == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self._copy_name}" WITH (FORCE)')

    @property
    def _copy_name(self) -> str:
        if self.url.get_backend_name() == "postgresql":
            return f"{self.url.database}_demo"
        return f"{self.url.database}.demo"

    def _keep(self) -> None:
        self._disconnect()
        if self.url.get_backend_name() == "postgresql":
            self._admin(f'CREATE DATABASE "{self._copy_name}" TEMPLATE "{self.url.database}"')
        else:
            _sqlite_copy(self.url.database, self._copy_name)

    def _restore(self) -> None:
        self._disconnect()
        if self.url.get_backend_name() == "postgresql":
            self._admin(
                f'DROP DATABASE "{self.url.database}" WITH (FORCE)',
                f'CREATE DATABASE "{self.url.database}" TEMPLATE "{self._copy_name}"',
            )
        else:
            _sqlite_copy(self._copy_name, self.url.database)

    @staticmethod
    def _disconnect() -> None:
        """No connection may be open on a database that is copied or replaced."""
        _db.session.remove()
        _db.engine.dispose()

    @staticmethod
    def _admin(*statements: str) -> None:
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                for statement in statements:
                    conn.exec_driver_sql(statement)
        finally:
            admin.dispose()


def _sqlite_copy(source: str, target: str) -> None:
    with closing(sqlite3.connect(source)) as reading, closing(sqlite3.connect(target)) as writing:
        reading.backup(writing)


@pytest.fixture(scope="session")
def demo_copy(app, database_url):
    copy = DemoCopy(app, database_url)
    yield copy
    copy.discard()


@pytest.fixture
def kept(app):
    """The engine's rows kept between requests, as in production (`rowcache.store`); the tests' default builds them
    afresh for each use."""
    app.config["RANKING_ROWS_KEPT"] = True
    store.forget()
    yield
    app.config["RANKING_ROWS_KEPT"] = False
    store.forget()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login_as(client):
    """Put `user` in the test client's session as Flask-Login would after a successful login."""

    def login(user):
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return client

    return login


@pytest.fixture
def csrf_app(app):
    """The app with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


ROOT = Path(__file__).resolve().parent.parent
