"""information reports (信息报送) and the annual assessment (年度考核)

Revision ID: a6c0e1d2b3f4
Revises: 5daf7d8f19ee
Create Date: 2026-11-21 16:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a6c0e1d2b3f4'
down_revision = '5daf7d8f19ee'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
