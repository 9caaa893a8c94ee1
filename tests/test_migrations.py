"""The Alembic chain builds the schema from empty, and its head equals the models exactly."""

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
    name = f"xqt_mig_{tmp_path.name[-8:].replace('-', '_')}".lower()
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
            conn.execute(sa.text("INSERT INTO regions (id, code, name, level) VALUES"
                                 " (1, '130000', '河北省', 'province')"))
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
                                               endpoint="reporting.submit", target={"alliance_id": 1},
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
