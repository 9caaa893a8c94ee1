"""reports (issue 16): annual quality reports kept with their PDF and DOCX, the annual-report job kind and stages,
and the enterprise's core products and technical needs on its half-year plan (for the 市域产教联合体 lists)

Revision ID: f7a8b9c0d1e2
Revises: e6f7a8b9c0d1
Create Date: 2026-12-02 19:20:00

"""
import sqlalchemy as sa
from alembic import op

import marketplace.db

revision = 'f7a8b9c0d1e2'
down_revision = 'e6f7a8b9c0d1'
branch_labels = None
depends_on = None

KINDS = ('allocation', 'cohort_import')
STAGES = ('waiting', 'reading', 'building', 'ranking', 'allocating', 'storing', 'importing', 'finished')
STATUSES = ('queued', 'running', 'done', 'failed')
NEW_KINDS = KINDS + ('annual_report',)
NEW_STAGES = STAGES[:-1] + ('collecting', 'rendering', 'finished')


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _job_checks(kinds, stages):
    """The jobs table's CHECKs on kind and stage. SQLite cannot alter a constraint: batch mode rebuilds the table
    (nothing refers to jobs), and the rebuilt table gets all three CHECKs, which reflection does not carry over."""
    if op.get_context().dialect.name == 'sqlite':
        with op.batch_alter_table('jobs', recreate='always') as batch_op:
            batch_op.create_check_constraint('job_kind', _in('kind', kinds))
            batch_op.create_check_constraint('job_stage', _in('stage', stages))
            batch_op.create_check_constraint('job_status', _in('status', STATUSES))
        return
    for name, column, values in (('ck_jobs_job_kind', 'kind', kinds), ('ck_jobs_job_stage', 'stage', stages)):
        op.drop_constraint(op.f(name), 'jobs', type_='check')
        op.create_check_constraint(op.f(name), 'jobs', _in(column, values))


def upgrade():
    with op.batch_alter_table('hiring_plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('core_products', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('technical_needs', sa.Text(), nullable=False, server_default=''))
    # The server default stays: dropping it would rebuild hiring_plans on SQLite, which its openings refer to.

    op.create_table('annual_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alliance_id', sa.Integer(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('docx', sa.LargeBinary(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', marketplace.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('(alliance_id IS NULL) <> (school_id IS NULL)', name=op.f('ck_annual_reports_one_scope')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_annual_reports_year_range')),
    sa.ForeignKeyConstraint(['alliance_id'], ['alliances.id'], name=op.f('fk_annual_reports_alliance_id_alliances')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_annual_reports_created_by_id_users')),
    sa.ForeignKeyConstraint(['school_id'], ['organizations.id'], name=op.f('fk_annual_reports_school_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_reports'))
    )
    with op.batch_alter_table('annual_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annual_reports_alliance_id'), ['alliance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_annual_reports_school_id'), ['school_id'], unique=False)

    _job_checks(NEW_KINDS, NEW_STAGES)


def downgrade():
    op.execute(sa.text("DELETE FROM jobs WHERE kind = 'annual_report'"))
    op.execute(sa.text("UPDATE jobs SET stage = 'finished' WHERE stage IN ('collecting', 'rendering')"))
    _job_checks(KINDS, STAGES)
    with op.batch_alter_table('annual_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annual_reports_school_id'))
        batch_op.drop_index(batch_op.f('ix_annual_reports_alliance_id'))
    op.drop_table('annual_reports')
    with op.batch_alter_table('hiring_plans', schema=None) as batch_op:
        batch_op.drop_column('technical_needs')
        batch_op.drop_column('core_products')
