"""the heart loop: who put a nomination forward, superseded allocation runs, a placement's end reason, and the
alliance's matching floors (minimum remaining period, fit floor)

Existing nominations get their source from what is known: the seats of confirmed runs name theirs (allocation,
with the run), invitations are the enterprise's, the rest the school's.

Revision ID: e1a2b3c4d5f6
Revises: d9f3b4a5c6e7
Create Date: 2026-12-02 12:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1a2b3c4d5f6'
down_revision = 'd9f3b4a5c6e7'
branch_labels = None
depends_on = None

nominations = sa.table('nominations', sa.column('id', sa.Integer), sa.column('status', sa.String),
                       sa.column('source', sa.String), sa.column('allocation_run_id', sa.Integer))
seats = sa.table('allocation_seats', sa.column('run_id', sa.Integer), sa.column('nomination_id', sa.Integer))


def upgrade():
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.Enum('school', 'enterprise', 'allocation', name='nomination_source', native_enum=False, create_constraint=True, length=32), nullable=False, server_default='school'))
        batch_op.add_column(sa.Column('allocation_run_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_nominations_allocation_run_id'), ['allocation_run_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_nominations_allocation_run_id_allocation_runs'), 'allocation_runs', ['allocation_run_id'], ['id'])
    op.execute(nominations.update().where(nominations.c.status == 'invited').values(source='enterprise'))
    run_of = sa.select(seats.c.run_id).where(seats.c.nomination_id == nominations.c.id).limit(1).scalar_subquery()
    op.execute(
        nominations.update()
        .where(sa.exists(sa.select(seats.c.run_id).where(seats.c.nomination_id == nominations.c.id)))
        .values(source='allocation', allocation_run_id=run_of)
    )
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.alter_column('source', server_default=None)

    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('end_reason', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.alter_column('end_reason', server_default=None)

    with op.batch_alter_table('allocation_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('superseded_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_allocation_runs_superseded_by_id_allocation_runs'), 'allocation_runs', ['superseded_by_id'], ['id'])

    with op.batch_alter_table('alliances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_remaining_days', sa.Integer(), nullable=False, server_default='30'))
        batch_op.add_column(sa.Column('fit_floor', sa.Float(), nullable=False, server_default='0.4'))


def downgrade():
    with op.batch_alter_table('alliances', schema=None) as batch_op:
        batch_op.drop_column('fit_floor')
        batch_op.drop_column('min_remaining_days')

    with op.batch_alter_table('allocation_runs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_allocation_runs_superseded_by_id_allocation_runs'), type_='foreignkey')
        batch_op.drop_column('superseded_by_id')

    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.drop_column('end_reason')

    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_nominations_allocation_run_id_allocation_runs'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_nominations_allocation_run_id'))
        batch_op.drop_column('allocation_run_id')
        batch_op.drop_constraint(batch_op.f('ck_nominations_nomination_source'), type_='check')
        batch_op.drop_column('source')
