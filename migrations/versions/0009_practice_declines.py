"""practice declines: an enterprise's decline is its own answer, and the request stays open for the others

Until now a decline set the request's status to 'declined', closing it for every enterprise. Upgrade moves each such
request whose declining enterprise the audit log names (the `practice_declined` event's organisation, else its
actor's) into practice_declines and reopens it ('requested'), as if it had been declined under the new rule. A
declined request with no such event, or whose event names no enterprise, keeps the status 'declined' (its reason, if
any, is still read from the audit log).

Downgrade closes again ('declined') every open request that some enterprise declined: the old schema can say no
more. The reasons stay in the audit log, where the old code reads them.

Revision ID: d9f3b4a5c6e7
Revises: c8e2a3f4d5b6
Create Date: 2026-11-26 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd9f3b4a5c6e7'
down_revision = 'c8e2a3f4d5b6'
branch_labels = None
depends_on = None

REASON_LENGTH = 500

requests = sa.table('practice_requests', sa.column('id', sa.Integer), sa.column('status', sa.String))
events = sa.table('audit_events', sa.column('id', sa.Integer), sa.column('at', sa.DateTime(timezone=True)),
                  sa.column('actor_id', sa.Integer), sa.column('organization_id', sa.Integer),
                  sa.column('action', sa.String), sa.column('object_type', sa.String),
                  sa.column('object_id', sa.Integer), sa.column('details', sa.JSON))
users = sa.table('users', sa.column('id', sa.Integer), sa.column('organization_id', sa.Integer))
organizations = sa.table('organizations', sa.column('id', sa.Integer), sa.column('kind', sa.String))
declines = sa.table('practice_declines', sa.column('request_id', sa.Integer), sa.column('enterprise_id', sa.Integer),
                    sa.column('reason', sa.String), sa.column('declined_at', sa.DateTime(timezone=True)),
                    sa.column('declined_by_id', sa.Integer))


def upgrade():
    op.create_table('practice_declines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('declined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('declined_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['declined_by_id'], ['users.id'], name=op.f('fk_practice_declines_declined_by_id_users')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['organizations.id'],
                            name=op.f('fk_practice_declines_enterprise_id_organizations')),
    sa.ForeignKeyConstraint(['request_id'], ['practice_requests.id'],
                            name=op.f('fk_practice_declines_request_id_practice_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_declines')),
    sa.UniqueConstraint('request_id', 'enterprise_id', name='uq_practice_declines_request_enterprise')
    )
    with op.batch_alter_table('practice_declines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_declines_enterprise_id'), ['enterprise_id'], unique=False)

    bind = op.get_bind()
    enterprises = set(bind.scalars(sa.select(organizations.c.id).where(organizations.c.kind == 'enterprise')))
    declined = sa.select(requests.c.id).where(requests.c.status == 'declined')
    events_of_declined = (
        sa.select(events.c.object_id, events.c.at, events.c.actor_id, events.c.organization_id,
                  users.c.organization_id, events.c.details)
        .outerjoin(users, users.c.id == events.c.actor_id)
        .where(events.c.action == 'practice_declined', events.c.object_type == 'practice_requests',
               events.c.object_id.in_(declined))
        .order_by(events.c.at, events.c.id)
    )
    found = {}  # a request's last decline event wins, as the old pages showed it
    for request_id, at, actor_id, event_org, actor_org, details in bind.execute(events_of_declined).all():
        enterprise_id = next((org for org in (event_org, actor_org) if org in enterprises), None)
        if enterprise_id is not None:
            reason = str((details or {}).get('reason', ''))[:REASON_LENGTH]
            found[request_id] = dict(request_id=request_id, enterprise_id=enterprise_id, reason=reason,
                                     declined_at=at, declined_by_id=actor_id)
    for row in found.values():
        bind.execute(declines.insert().values(**row))
        bind.execute(requests.update().where(requests.c.id == row['request_id']).values(status='requested'))


def downgrade():
    bind = op.get_bind()
    declined = sa.select(declines.c.request_id)
    bind.execute(requests.update().where(requests.c.status == 'requested', requests.c.id.in_(declined))
                 .values(status='declined'))

    with op.batch_alter_table('practice_declines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_declines_enterprise_id'))

    op.drop_table('practice_declines')
