"""the student as a user: student accounts (no organisation, linked to one student record), their invitations,
answers to offers, weekly journals, final reports, evaluations, correction requests, the school's minimum journal
count, and the guardian named on a consent

Revision ID: b3d4e5f6a7c8
Revises: a2c3d4e5f6b7
Create Date: 2026-12-02 14:35:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3d4e5f6a7c8'
down_revision = 'a2c3d4e5f6b7'
branch_labels = None
depends_on = None

ROLES = ('org_admin', 'org_staff', 'secretariat', 'platform_admin')
OLD_HAS_LOGIN = 'email IS NOT NULL OR mobile IS NOT NULL'
NEW_HAS_LOGIN = 'email IS NOT NULL OR mobile IS NOT NULL OR student_id IS NOT NULL'
STAFF_OR_STUDENT = (
    "(role = 'student' AND student_id IS NOT NULL AND organization_id IS NULL)"
    " OR (role <> 'student' AND student_id IS NULL AND organization_id IS NOT NULL)"
)


def _quoted(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


def upgrade():
    op.create_table('correction_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('open', 'corrected', 'refused', name='correction_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_correction_requests_resolved_by_id_users')),
    sa.ForeignKeyConstraint(['school_id'], ['organizations.id'], name=op.f('fk_correction_requests_school_id_organizations')),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], name=op.f('fk_correction_requests_student_id_students'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_correction_requests'))
    )
    with op.batch_alter_table('correction_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_correction_requests_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_correction_requests_student_id'), ['student_id'], unique=False)

    op.create_table('journal_requirements',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('min_count', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('min_count BETWEEN 0 AND 60', name=op.f('ck_journal_requirements_min_count_range')),
    sa.ForeignKeyConstraint(['school_id'], ['organizations.id'], name=op.f('fk_journal_requirements_school_id_organizations')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_journal_requirements_updated_by_id_users')),
    sa.PrimaryKeyConstraint('school_id', name=op.f('pk_journal_requirements'))
    )
    op.create_table('student_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_student_invitations_created_by_id_users')),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], name=op.f('fk_student_invitations_student_id_students'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_student_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_student_invitations_token_hash'))
    )
    with op.batch_alter_table('student_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_student_invitations_student_id'), ['student_id'], unique=False)

    op.create_table('offer_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nomination_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('accepted', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['nomination_id'], ['nominations.id'], name=op.f('fk_offer_answers_nomination_id_nominations')),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], name=op.f('fk_offer_answers_student_id_students')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offer_answers'))
    )
    with op.batch_alter_table('offer_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offer_answers_nomination_id'), ['nomination_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offer_answers_student_id'), ['student_id'], unique=False)

    op.create_table('evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_score', sa.SmallInteger(), nullable=False),
    sa.Column('post_score', sa.SmallInteger(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('enterprise_score BETWEEN 1 AND 5', name=op.f('ck_evaluations_enterprise_score_range')),
    sa.CheckConstraint('post_score BETWEEN 1 AND 5', name=op.f('ck_evaluations_post_score_range')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['organizations.id'], name=op.f('fk_evaluations_enterprise_id_organizations')),
    sa.ForeignKeyConstraint(['placement_id'], ['placements.id'], name=op.f('fk_evaluations_placement_id_placements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluations')),
    sa.UniqueConstraint('placement_id', name=op.f('uq_evaluations_placement_id'))
    )
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluations_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('final_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('review_comment', sa.Text(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['placement_id'], ['placements.id'], name=op.f('fk_final_reports_placement_id_placements')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_final_reports_reviewed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_final_reports')),
    sa.UniqueConstraint('placement_id', name=op.f('uq_final_reports_placement_id'))
    )
    op.create_table('journals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('review_comment', sa.Text(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['placement_id'], ['placements.id'], name=op.f('fk_journals_placement_id_placements')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_journals_reviewed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journals')),
    sa.UniqueConstraint('placement_id', 'week_start', name='uq_journals_placement_week')
    )
    with op.batch_alter_table('journals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journals_placement_id'), ['placement_id'], unique=False)

    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('guardian_name', sa.String(length=64), nullable=False, server_default=''))
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.alter_column('guardian_name', server_default=None)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('student_id', sa.Integer(), nullable=True))
        batch_op.alter_column('organization_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_users_student_id'), ['student_id'])
        batch_op.create_foreign_key(batch_op.f('fk_users_student_id_students'), 'students', ['student_id'], ['id'])
        batch_op.drop_constraint(batch_op.f('ck_users_user_role'), type_='check')
        batch_op.create_check_constraint('user_role', f"role IN ({_quoted(ROLES + ('student',))})")
        batch_op.drop_constraint(batch_op.f('ck_users_has_login'), type_='check')
        batch_op.create_check_constraint('has_login', NEW_HAS_LOGIN)
        batch_op.create_check_constraint('staff_or_student', STAFF_OR_STUDENT)



def downgrade():
    op.execute(sa.text("DELETE FROM users WHERE role = 'student'"))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_staff_or_student'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_users_has_login'), type_='check')
        batch_op.create_check_constraint('has_login', OLD_HAS_LOGIN)
        batch_op.drop_constraint(batch_op.f('ck_users_user_role'), type_='check')
        batch_op.create_check_constraint('user_role', f"role IN ({_quoted(ROLES)})")
        batch_op.drop_constraint(batch_op.f('fk_users_student_id_students'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_users_student_id'), type_='unique')
        batch_op.alter_column('organization_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('student_id')

    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.drop_column('guardian_name')

    with op.batch_alter_table('journals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journals_placement_id'))

    op.drop_table('journals')
    op.drop_table('final_reports')
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluations_enterprise_id'))

    op.drop_table('evaluations')
    with op.batch_alter_table('offer_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offer_answers_student_id'))
        batch_op.drop_index(batch_op.f('ix_offer_answers_nomination_id'))

    op.drop_table('offer_answers')
    with op.batch_alter_table('student_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_student_invitations_student_id'))

    op.drop_table('student_invitations')
    op.drop_table('journal_requirements')
    with op.batch_alter_table('correction_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_correction_requests_student_id'))
        batch_op.drop_index(batch_op.f('ix_correction_requests_school_id'))

    op.drop_table('correction_requests')
