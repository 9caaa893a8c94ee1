"""report exports on the queue (issue 14): the report-export job kind and its stage, and the files jobs write

Revision ID: a8b9c0d1e2f3
Revises: f7a8b9c0d1e2
Create Date: 2026-12-03 03:00:00

"""
import sqlalchemy as sa
from alembic import op

import marketplace.db

revision = 'a8b9c0d1e2f3'
down_revision = 'f7a8b9c0d1e2'
branch_labels = None
depends_on = None

KINDS = ('allocation', 'cohort_import', 'annual_report')
STAGES = ('waiting', 'reading', 'building', 'ranking', 'allocating', 'storing', 'importing', 'collecting',
          'rendering', 'finished')
STATUSES = ('queued', 'running', 'done', 'failed')
NEW_KINDS = KINDS + ('report_export',)
NEW_STAGES = STAGES[:-1] + ('exporting', 'finished')


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _job_checks(kinds, stages):
    """As in 0017: SQLite rebuilds the table with all three CHECKs; PostgreSQL replaces the two that change."""
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
    _job_checks(NEW_KINDS, NEW_STAGES)
    op.create_table('job_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('fallback_name', sa.String(length=200), nullable=False),
    sa.Column('mimetype', sa.String(length=100), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', marketplace.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_job_files_job_id_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_files')),
    sa.UniqueConstraint('job_id', name=op.f('uq_job_files_job_id'))
    )


def downgrade():
    op.drop_table('job_files')
    op.execute(sa.text("DELETE FROM jobs WHERE kind = 'report_export'"))
    op.execute(sa.text("UPDATE jobs SET stage = 'finished' WHERE stage = 'exporting'"))
    _job_checks(KINDS, STAGES)
