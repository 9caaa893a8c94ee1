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
    op.create_table('info_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alliance_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('news', 'results', 'data', name='info_report_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('period_month', sa.Date(), nullable=True),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("title <> ''", name=op.f('ck_info_reports_title_not_empty')),
    sa.ForeignKeyConstraint(['alliance_id'], ['alliances.id'], name=op.f('fk_info_reports_alliance_id_alliances')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_info_reports_organization_id_organizations')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_info_reports_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_info_reports'))
    )
    with op.batch_alter_table('info_reports', schema=None) as batch_op:
        batch_op.create_index('ix_info_reports_alliance_org_day', ['alliance_id', 'organization_id', 'submitted_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_info_reports_organization_id'), ['organization_id'], unique=False)

    op.create_table('assessment_cycles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alliance_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('standard', sa.Text(), nullable=False),
    sa.Column('grades', sa.JSON(), nullable=False),
    sa.Column('self_due', sa.Date(), nullable=False),
    sa.Column('review_due', sa.Date(), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('review_due >= self_due', name=op.f('ck_assessment_cycles_deadlines_ordered')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_assessment_cycles_year_range')),
    sa.ForeignKeyConstraint(['alliance_id'], ['alliances.id'], name=op.f('fk_assessment_cycles_alliance_id_alliances')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_assessment_cycles_opened_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_cycles')),
    sa.UniqueConstraint('alliance_id', 'year', name='uq_assessment_cycles_alliance_year')
    )
    with op.batch_alter_table('assessment_cycles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_cycles_alliance_id'), ['alliance_id'], unique=False)

    op.create_table('assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('evidence_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('self_grade', sa.String(length=16), nullable=True),
    sa.Column('self_summary', sa.Text(), nullable=False),
    sa.Column('self_submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('self_submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('final_grade', sa.String(length=16), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('rectify_by', sa.Date(), nullable=True),
    sa.CheckConstraint('reviewed_at IS NULL OR final_grade IS NOT NULL', name=op.f('ck_assessments_final_grade_given')),
    sa.CheckConstraint('self_submitted_at IS NULL OR self_grade IS NOT NULL', name=op.f('ck_assessments_self_grade_given')),
    sa.ForeignKeyConstraint(['cycle_id'], ['assessment_cycles.id'], name=op.f('fk_assessments_cycle_id_assessment_cycles')),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_assessments_membership_id_memberships')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_assessments_organization_id_organizations')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_assessments_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['self_submitted_by_id'], ['users.id'], name=op.f('fk_assessments_self_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments')),
    sa.UniqueConstraint('cycle_id', 'organization_id', name='uq_assessments_cycle_org')
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_membership_id'), ['membership_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_organization_id'), ['organization_id'], unique=False)


def downgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_organization_id'))
        batch_op.drop_index(batch_op.f('ix_assessments_membership_id'))
        batch_op.drop_index(batch_op.f('ix_assessments_cycle_id'))
    op.drop_table('assessments')

    with op.batch_alter_table('assessment_cycles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_cycles_alliance_id'))
    op.drop_table('assessment_cycles')

    with op.batch_alter_table('info_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_info_reports_organization_id'))
        batch_op.drop_index('ix_info_reports_alliance_org_day')
    op.drop_table('info_reports')
