"""Database helpers shared by the feature packages: enum columns, timestamps, SQLite pragmas."""

import contextvars
import enum
import operator
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_column(enum_cls: type[enum.Enum], name: str, **kwargs) -> sa.Enum:
    """A portable enum: a VARCHAR holding the member's value, with a CHECK constraint in the database."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
        **kwargs,
    )


def ids_in(column, ids) -> sa.ColumnElement[bool]:
    """`column IN (...)` over integer ids, written into the SQL as numbers: a page's lists of a few hundred ids
    otherwise cost a bound parameter each (with PostgreSQL's casts, and a statement too long for psycopg's cache to
    keep it parsed), three times the query's own time. Only integers pass: anything else is a TypeError."""
    numbers = [operator.index(i) for i in ids]
    return column.in_(sa.bindparam(None, numbers, type_=sa.Integer, expanding=True, literal_execute=True))


class UTCDateTime(sa.TypeDecorator):
    """Timezone-aware datetimes on both databases (SQLite stores naive values; we store UTC)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


@sa.event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection, connection_record):
    """SQLite: foreign keys on, and let SQLAlchemy (not pysqlite) decide when transactions begin. PostgreSQL: no JIT."""
    module = type(dbapi_connection).__module__
    if module.startswith("psycopg"):
        # JIT compilation costs PostgreSQL over a second per report query (measured at 200,000 graduates) and saves
        # nothing on queries of this size; the report aggregates sort ~100,000 graduates, which spill to disk at the
        # default 4 MB. Set for the session, committed so that a pool rollback keeps it.
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
            cursor.execute("SET work_mem = '32MB'")
        dbapi_connection.commit()
        return
    if not module.startswith("sqlite3"):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_reading: contextvars.ContextVar[bool | None] = contextvars.ContextVar("reading", default=None)


@contextmanager
def reading_only() -> Iterator[None]:
    """Transactions begun inside only read: on SQLite they take no write lock (for code outside GET requests)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


@contextmanager
def writing() -> Iterator[None]:
    """Transactions begun inside write, even in a GET request (an export that logs itself): BEGIN IMMEDIATE."""
    token = _reading.set(False)
    try:
        yield
    finally:
        _reading.reset(token)


def _only_reading() -> bool:
    chosen = _reading.get()
    if chosen is not None:
        return chosen
    return has_request_context() and request.method in READING_METHODS


@sa.event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """SQLite: writers take the write lock at BEGIN (IMMEDIATE), so concurrent writers queue instead of failing
    mid-way; readers (GET/HEAD/OPTIONS requests, `reading_only`) begin deferred and never hold it, so a slow page or
    upload does not make every other tenant wait. A reading transaction must not write: on SQLite its upgrade to a
    writer fails at once ("database is locked") when another writer holds the lock."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN" if _only_reading() else "BEGIN IMMEDIATE")


class days_between(FunctionElement):  # noqa: N801  (reads as an SQL function)
    """`later - earlier` in whole days, for DATE values, on PostgreSQL and SQLite."""

    type = sa.Integer()
    name = "days_between"
    inherit_cache = True


@compiles(days_between)
def _days_between_postgresql(element, compiler, **kw):
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"({later} - {earlier})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
