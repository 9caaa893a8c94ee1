"""the internship law's gates (issue 15): opening flags for the 2021 prohibitions, a placement's recorded arrival,
the tripartite agreement's versions, the guardian's consent, liability insurance, monthly pay and attendance

Post internships that had already begun by their dates keep having begun: their arrival is their start date.

Revision ID: a2c3d4e5f6b7
Revises: f1b2c3d4e5a6
Create Date: 2026-12-02 15:20:00

"""
from datetime import date

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a2c3d4e5f6b7'
down_revision = 'f1b2c3d4e5a6'
branch_labels = None
depends_on = None

FLAGS = ('labour_dispatch', 'heavy_labour', 'high_risk', 'holiday_work', 'minors_forbidden_work',
         'women_forbidden_work')
placements = sa.table('placements', sa.column('kind', sa.String), sa.column('start_date', sa.Date),
                      sa.column('arrived_on', sa.Date))


def upgrade():
    with op.batch_alter_table('openings', schema=None) as batch_op:
        for flag in FLAGS:
            batch_op.add_column(sa.Column(flag, sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('openings', schema=None) as batch_op:
        for flag in FLAGS:
            batch_op.alter_column(flag, server_default=None)

    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('arrived_on', sa.Date(), nullable=True))
    op.execute(
        placements.update()
        .where(placements.c.kind == 'post_internship', placements.c.start_date <= date.today())
        .values(arrived_on=placements.c.start_date)
    )

    op.create_table('internship_agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('post', sa.Text(), nullable=False),
    sa.Column('place', sa.Text(), nullable=False),
    sa.Column('period', sa.Text(), nullable=False),
    sa.Column('hours', sa.Text(), nullable=False),
    sa.Column('pay', sa.Text(), nullable=False),
    sa.Column('insurance', sa.Text(), nullable=False),
    sa.Column('safety', sa.Text(), nullable=False),
    sa.Column('responsibilities', sa.Text(), nullable=False),
    sa.Column('termination', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('school_signed_on', sa.Date(), nullable=True),
    sa.Column('school_signed_by_id', sa.Integer(), nullable=True),
    sa.Column('enterprise_signed_on', sa.Date(), nullable=True),
    sa.Column('enterprise_signed_by_id', sa.Integer(), nullable=True),
    sa.Column('no_fees_confirmed', sa.Boolean(), nullable=False),
    sa.Column('student_signed_on', sa.Date(), nullable=True),
    sa.Column('student_signer', sa.String(length=64), nullable=False),
    sa.Column('student_recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_internship_agreements_created_by_id_users')),
    sa.ForeignKeyConstraint(['enterprise_signed_by_id'], ['users.id'], name=op.f('fk_internship_agreements_enterprise_signed_by_id_users')),
    sa.ForeignKeyConstraint(['placement_id'], ['placements.id'], name=op.f('fk_internship_agreements_placement_id_placements')),
    sa.ForeignKeyConstraint(['school_signed_by_id'], ['users.id'], name=op.f('fk_internship_agreements_school_signed_by_id_users')),
    sa.ForeignKeyConstraint(['student_recorded_by_id'], ['users.id'], name=op.f('fk_internship_agreements_student_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_internship_agreements')),
    sa.UniqueConstraint('placement_id', 'version', name='uq_internship_agreements_version')
    )
    with op.batch_alter_table('internship_agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_internship_agreements_placement_id'), ['placement_id'], unique=False)

    op.create_table('guardian_consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('guardian_name', sa.String(length=64), nullable=False),
    sa.Column('relation', sa.String(length=32), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['placement_id'], ['placements.id'], name=op.f('fk_guardian_consents_placement_id_placements')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_guardian_consents_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guardian_consents')),
    sa.UniqueConstraint('placement_id', name=op.f('uq_guardian_consents_placement_id'))
    )

    op.create_table('internship_insurance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('insurer', sa.String(length=128), nullable=False),
    sa.Column('policy_no', sa.String(length=64), nullable=False),
    sa.Column('covers_from', sa.Date(), nullable=False),
    sa.Column('covers_to', sa.Date(), nullable=False),
    sa.Column('payer', sa.Enum('school', 'enterprise', name='insurance_payer', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('covers_to >= covers_from', name=op.f('ck_internship_insurance_cover_ordered')),
    sa.ForeignKeyConstraint(['placement_id'], ['placements.id'], name=op.f('fk_internship_insurance_placement_id_placements')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_internship_insurance_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_internship_insurance'))
    )
    with op.batch_alter_table('internship_insurance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_internship_insurance_placement_id'), ['placement_id'], unique=False)

    op.create_table('pay_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('method', sa.Enum('transfer', 'cash', name='pay_method', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_pay_records_amount_nonnegative')),
    sa.ForeignKeyConstraint(['placement_id'], ['placements.id'], name=op.f('fk_pay_records_placement_id_placements')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_pay_records_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pay_records')),
    sa.UniqueConstraint('placement_id', 'month', name='uq_pay_records_month')
    )
    with op.batch_alter_table('pay_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pay_records_placement_id'), ['placement_id'], unique=False)

    op.create_table('attendance_months',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('present', sa.Integer(), nullable=False),
    sa.Column('absent', sa.Integer(), nullable=False),
    sa.Column('on_leave', sa.Integer(), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('present + absent + on_leave <= 31', name=op.f('ck_attendance_months_days_within_month')),
    sa.CheckConstraint('present >= 0 AND absent >= 0 AND on_leave >= 0', name=op.f('ck_attendance_months_days_nonnegative')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_attendance_months_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['placement_id'], ['placements.id'], name=op.f('fk_attendance_months_placement_id_placements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_months')),
    sa.UniqueConstraint('placement_id', 'month', name='uq_attendance_months_month')
    )
    with op.batch_alter_table('attendance_months', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_months_placement_id'), ['placement_id'], unique=False)


def downgrade():
    for table in ('attendance_months', 'pay_records', 'internship_insurance', 'internship_agreements'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_placement_id'))
        op.drop_table(table)
    op.drop_table('guardian_consents')
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.drop_column('arrived_on')
    with op.batch_alter_table('openings', schema=None) as batch_op:
        for flag in reversed(FLAGS):
            batch_op.drop_column(flag)
