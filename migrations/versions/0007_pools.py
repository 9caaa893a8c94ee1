"""expert pool, teacher pool, specialty collaboration groups

Revision ID: b7d1f2e3c4a5
Revises: a6c0e1d2b3f4
Create Date: 2026-11-21 16:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d1f2e3c4a5'
down_revision = 'a6c0e1d2b3f4'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
