"""the ranking change log: which students and openings changed, so that each worker refreshes only their engine rows

Revision ID: c4e5f6a7b8d9
Revises: b3d4e5f6a7c8
Create Date: 2026-12-02 15:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e5f6a7b8d9'
down_revision = 'b3d4e5f6a7c8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'ranking_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entity', sa.String(length=16), nullable=False),
        sa.Column('entity_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ranking_changes')),
    )
    with op.batch_alter_table('ranking_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ranking_changes_at'), ['at'], unique=False)


def downgrade():
    with op.batch_alter_table('ranking_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ranking_changes_at'))
    op.drop_table('ranking_changes')
