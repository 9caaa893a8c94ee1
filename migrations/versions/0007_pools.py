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

OPEN_EXPERT = sa.text("status IN ('pending', 'appointed')")
CURRENT_SEAT = sa.text('left_on IS NULL')
SINGLE_SEAT = sa.text("left_on IS NULL AND role IN ('chair', 'secretary_general')")


def upgrade():
    op.create_table('experts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alliance_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('title_level', sa.Enum('senior', 'associate_senior', 'intermediate', 'junior', 'none', name='expert_title_level', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=False),
    sa.Column('specialty', sa.String(length=64), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('route', sa.Enum('application', 'recommendation', name='expert_route', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('consent_on', sa.Date(), nullable=True),
    sa.Column('consent_method', sa.Enum('written', 'electronic', 'in_person', name='expert_consent_method', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('consent_recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('consent_recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.Enum('pending', 'appointed', 'rejected', 'resigned', name='expert_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('term_no', sa.Integer(), nullable=False),
    sa.Column('appointed_from', sa.Date(), nullable=True),
    sa.Column('appointed_until', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=False),
    sa.CheckConstraint("route <> 'recommendation' OR (consent_on IS NOT NULL AND consent_method IS NOT NULL)", name=op.f('ck_experts_recommendation_has_consent')),
    sa.CheckConstraint("status <> 'appointed' OR (appointed_from IS NOT NULL AND appointed_until IS NOT NULL)", name=op.f('ck_experts_appointment_has_term')),
    sa.CheckConstraint('appointed_until IS NULL OR appointed_until >= appointed_from', name=op.f('ck_experts_term_dates_ordered')),
    sa.CheckConstraint('birth_year BETWEEN 1900 AND 2100', name=op.f('ck_experts_birth_year_plausible')),
    sa.ForeignKeyConstraint(['alliance_id'], ['alliances.id'], name=op.f('fk_experts_alliance_id_alliances')),
    sa.ForeignKeyConstraint(['consent_recorded_by_id'], ['users.id'], name=op.f('fk_experts_consent_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_experts_decided_by_id_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_experts_organization_id_organizations')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_experts_submitted_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_experts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experts'))
    )
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_experts_alliance_id'), ['alliance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_experts_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('uq_experts_open_per_unit', ['alliance_id', 'organization_id', 'name'], unique=True,
                              postgresql_where=OPEN_EXPERT, sqlite_where=OPEN_EXPERT)

    op.create_table('expert_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('term_no', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_expert_terms_dates_ordered')),
    sa.CheckConstraint('term_no > 0', name=op.f('ck_expert_terms_term_no_positive')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_expert_terms_decided_by_id_users')),
    sa.ForeignKeyConstraint(['expert_id'], ['experts.id'], name=op.f('fk_expert_terms_expert_id_experts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expert_terms')),
    sa.UniqueConstraint('expert_id', 'term_no', name='uq_expert_terms_expert_term_no')
    )
    with op.batch_alter_table('expert_terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expert_terms_expert_id'), ['expert_id'], unique=False)

    op.create_table('specialty_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alliance_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('specialty', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['alliance_id'], ['alliances.id'], name=op.f('fk_specialty_groups_alliance_id_alliances')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_specialty_groups_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_specialty_groups')),
    sa.UniqueConstraint('alliance_id', 'name', name='uq_specialty_groups_alliance_name')
    )
    with op.batch_alter_table('specialty_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_specialty_groups_alliance_id'), ['alliance_id'], unique=False)

    op.create_table('group_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('person_name', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('chair', 'vice_chair', 'secretary_general', 'deputy_secretary_general', 'member', name='group_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('left_on IS NULL OR left_on >= joined_on', name=op.f('ck_group_members_dates_ordered')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_group_members_created_by_id_users')),
    sa.ForeignKeyConstraint(['group_id'], ['specialty_groups.id'], name=op.f('fk_group_members_group_id_specialty_groups')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_group_members_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_members'))
    )
    with op.batch_alter_table('group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_members_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_members_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('uq_group_members_current_person', ['group_id', 'organization_id', 'person_name'],
                              unique=True, postgresql_where=CURRENT_SEAT, sqlite_where=CURRENT_SEAT)
        batch_op.create_index('uq_group_members_single_seat', ['group_id', 'role'], unique=True,
                              postgresql_where=SINGLE_SEAT, sqlite_where=SINGLE_SEAT)


def downgrade():
    with op.batch_alter_table('group_members', schema=None) as batch_op:
        batch_op.drop_index('uq_group_members_single_seat', postgresql_where=SINGLE_SEAT, sqlite_where=SINGLE_SEAT)
        batch_op.drop_index('uq_group_members_current_person', postgresql_where=CURRENT_SEAT, sqlite_where=CURRENT_SEAT)
        batch_op.drop_index(batch_op.f('ix_group_members_organization_id'))
        batch_op.drop_index(batch_op.f('ix_group_members_group_id'))

    op.drop_table('group_members')
    with op.batch_alter_table('specialty_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_specialty_groups_alliance_id'))

    op.drop_table('specialty_groups')
    with op.batch_alter_table('expert_terms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expert_terms_expert_id'))

    op.drop_table('expert_terms')
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.drop_index('uq_experts_open_per_unit', postgresql_where=OPEN_EXPERT, sqlite_where=OPEN_EXPERT)
        batch_op.drop_index(batch_op.f('ix_experts_organization_id'))
        batch_op.drop_index(batch_op.f('ix_experts_alliance_id'))

    op.drop_table('experts')
