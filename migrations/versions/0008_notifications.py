"""notifications as data: kind, parameters and link target instead of a ready-made text and path

Existing rows keep their text and path as the legacy kind 'text' (params: message, link). Downgrade restores the
text and path of legacy rows exactly; rows of other kinds get their kind and parameters as text and no link (their
words live in the app's catalogue, which a revision does not import).

Revision ID: c8e2a3f4d5b6
Revises: b7d1f2e3c4a5
Create Date: 2026-11-24 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c8e2a3f4d5b6'
down_revision = 'b7d1f2e3c4a5'
branch_labels = None
depends_on = None

LEGACY = 'text'

old = sa.table('notifications', sa.column('id', sa.Integer), sa.column('message', sa.String),
               sa.column('link', sa.String))
new = sa.table('notifications', sa.column('id', sa.Integer), sa.column('kind', sa.String),
               sa.column('params', sa.JSON), sa.column('target', sa.JSON))


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('endpoint', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('target', sa.JSON(), nullable=True))

    bind = op.get_bind()
    for id_, message, link in bind.execute(sa.select(old.c.id, old.c.message, old.c.link)).all():
        params = {'message': message, 'link': link} if link else {'message': message}
        bind.execute(new.update().where(new.c.id == id_).values(kind=LEGACY, params=params, target={}))

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column('params', existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column('target', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('message')
        batch_op.drop_column('link')


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('link', sa.String(length=255), nullable=True))

    bind = op.get_bind()
    for id_, kind, params in bind.execute(sa.select(new.c.id, new.c.kind, new.c.params)).all():
        params = params or {}
        if kind == LEGACY:
            message, link = str(params.get('message', '')), str(params.get('link', ''))
        else:
            message = kind + ': ' + '; '.join(f'{name}={value}' for name, value in sorted(params.items()))
            link = ''
        bind.execute(old.update().where(old.c.id == id_).values(message=message[:255], link=link[:255]))

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.alter_column('message', existing_type=sa.String(length=255), nullable=False)
        batch_op.alter_column('link', existing_type=sa.String(length=255), nullable=False)
        batch_op.drop_column('target')
        batch_op.drop_column('endpoint')
        batch_op.drop_column('params')
        batch_op.drop_column('kind')
