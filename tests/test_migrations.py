"""The Alembic chain builds the schema from empty, and its head equals the models exactly."""

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from marketplace import create_app
from marketplace.config import TestConfig
from marketplace.extensions import db
from tests.conftest import PG_ADMIN_URL


@pytest.fixture
def empty_database_url(request, tmp_path):
    if request.config.getoption("--db") == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"xqt_mig_{uuid.uuid4().hex[:10]}"  # unique across xdist workers and concurrent runs
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _diff(app) -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_from_empty_matches_the_models(empty_database_url):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        assert sa.inspect(db.engine).get_table_names() == []
        upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {t.name for t in db.metadata.sorted_tables} <= tables
        assert _diff(app) == []
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert _diff(app) == []
        db.engine.dispose()


def test_notifications_keep_their_text_through_the_move_to_kinds(empty_database_url):
    """0008: old rows become the legacy kind `text`; downgrade gives legacy rows their text and path back."""
    before, after = "b7d1f2e3c4a5", "c8e2a3f4d5b6"
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision=before)
        with db.engine.begin() as conn:
            conn.execute(
                sa.text("INSERT INTO regions (id, code, name, level) VALUES (1, '130000', '河北省', 'province')")
            )
            conn.execute(sa.text(
                "INSERT INTO organizations (id, name, kind, credit_code, province_id, city_id, contact_name,"
                " contact_phone, contact_email, address, created_at) VALUES (1, '某校', 'school', '123456789012345678',"
                " 1, 1, '', '', '', '', CURRENT_TIMESTAMP)"
            ))  # fmt: skip
            conn.execute(sa.text(
                "INSERT INTO notifications (organization_id, message, link, key, created_at) VALUES"
                " (1, '推荐：张三 → 数控车工', '/nominations/7', NULL, CURRENT_TIMESTAMP),"
                " (1, '年度考核自评', '', 'assessment-due:1', CURRENT_TIMESTAMP)"
            ))  # fmt: skip
        upgrade(revision=after)
        notes = sa.Table("notifications", sa.MetaData(), autoload_with=db.engine)
        with db.engine.connect() as conn:
            rows = conn.execute(sa.select(notes.c.kind, notes.c.params, notes.c.endpoint, notes.c.target,
                                          notes.c.key).order_by(notes.c.id)).all()  # fmt: skip
        assert [tuple(r) for r in rows] == [
            ("text", {"message": "推荐：张三 → 数控车工", "link": "/nominations/7"}, None, {}, None),
            ("text", {"message": "年度考核自评"}, None, {}, "assessment-due:1"),
        ]
        with db.engine.begin() as conn:
            conn.execute(notes.insert().values(organization_id=1, kind="report_due", params={"days": 40},
                                               endpoint="submissions.submit", target={"alliance_id": 1},
                                               created_at=sa.func.now()))  # fmt: skip
        downgrade(revision=before)
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT message, link, key FROM notifications ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [
            ("推荐：张三 → 数控车工", "/nominations/7", None),
            ("年度考核自评", "", "assessment-due:1"),
            ("report_due: days=40", "", None),
        ]
        db.engine.dispose()


def as_utc(value: datetime) -> datetime:
    """SQLite hands datetimes back naive (the app stores UTC), PostgreSQL aware."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def test_declined_requests_move_to_their_enterprises_declines_and_back(empty_database_url):
    """0009: a declined request whose enterprise the audit log names becomes that enterprise's decline and reopens;
    one with no such event stays declined. Downgrade closes again every open request some enterprise declined."""
    before, after = "c8e2a3f4d5b6", "d9f3b4a5c6e7"
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision=before)
        with db.engine.begin() as conn:
            conn.execute(
                sa.text("INSERT INTO regions (id, code, name, level) VALUES (1, '130000', '河北省', 'province')")
            )
            conn.execute(sa.text(
                "INSERT INTO organizations (id, name, kind, credit_code, province_id, city_id, staff_count,"
                " contact_name, contact_phone, contact_email, address, created_at) VALUES"
                " (1, '某校', 'school', '123456789012345678', 1, 1, NULL, '', '', '', '', CURRENT_TIMESTAMP),"
                " (2, '某企业', 'enterprise', '223456789012345678', 1, 1, 100, '', '', '', '', CURRENT_TIMESTAMP)"
            ))  # fmt: skip
            conn.execute(sa.text(
                "INSERT INTO users (id, email, name, password_hash, organization_id, role, active, session_version,"
                " created_at) VALUES (1, 's@example.cn', '校', 'x', 1, 'org_staff', TRUE, 1, CURRENT_TIMESTAMP),"
                " (2, 'e@example.cn', '企', 'x', 2, 'org_staff', TRUE, 1, CURRENT_TIMESTAMP)"
            ))  # fmt: skip
            conn.execute(sa.text("INSERT INTO teachers (id, school_id, staff_no, name, specialty) VALUES"
                                 " (1, 1, 'T1', '张老师', '数控')"))  # fmt: skip
            # 1: declined by the enterprise's user; 2: declined, no event; 3: declined, the event's actor is no
            # enterprise's; 4: open.
            conn.execute(sa.text(
                "INSERT INTO practice_requests (id, teacher_id, specialty, start_date, end_date, days, status,"
                " created_at) VALUES"
                + ", ".join(f" ({i}, 1, '数控', '2026-07-01', '2026-07-31', 20, '{s}', CURRENT_TIMESTAMP)"
                            for i, s in ((1, "declined"), (2, "declined"), (3, "declined"), (4, "requested")))
            ))  # fmt: skip
            conn.execute(sa.text(
                "INSERT INTO audit_events (at, actor_id, organization_id, action, object_type, object_id, ip, details)"
                " VALUES ('2026-05-01 08:00:00+00:00', 2, 2, 'practice_declined', 'practice_requests', 1, '',"
                " '{\"reason\": \"名额已满\"}'),"
                " ('2026-05-02 08:00:00+00:00', 1, 1, 'practice_declined', 'practice_requests', 3, '',"
                " '{\"reason\": \"学校自己拒绝\"}')"
            ))  # fmt: skip
        upgrade(revision=after)
        requests = sa.Table("practice_requests", sa.MetaData(), autoload_with=db.engine)
        declines = sa.Table("practice_declines", sa.MetaData(), autoload_with=db.engine)
        events = sa.Table("audit_events", sa.MetaData(), autoload_with=db.engine)

        def statuses(conn) -> list[tuple[int, str]]:
            return [tuple(r) for r in conn.execute(sa.select(requests.c.id, requests.c.status).order_by("id"))]

        with db.engine.connect() as conn:
            assert statuses(conn) == [(1, "requested"), (2, "declined"), (3, "declined"), (4, "requested")]
            rows = conn.execute(sa.select(declines.c.request_id, declines.c.enterprise_id, declines.c.reason,
                                          declines.c.declined_by_id, declines.c.declined_at)).all()  # fmt: skip
            first_event_at = conn.scalar(sa.select(events.c.at).order_by(events.c.id).limit(1))
        [(*decline, declined_at)] = rows
        assert tuple(decline) == (1, 2, "名额已满", 2)
        assert as_utc(declined_at) == as_utc(first_event_at) == datetime(2026, 5, 1, 8, tzinfo=UTC)
        with db.engine.begin() as conn:  # under the new rule the enterprise declines the open request too
            conn.execute(declines.insert().values(request_id=4, enterprise_id=2, reason="仍然满员", declined_by_id=2,
                                                  declined_at=sa.func.now()))  # fmt: skip
        downgrade(revision=before)
        assert "practice_declines" not in sa.inspect(db.engine).get_table_names()
        with db.engine.connect() as conn:
            assert statuses(conn) == [(1, "declined"), (2, "declined"), (3, "declined"), (4, "declined")]
        db.engine.dispose()
