"""graduate destinations (毕业去向): code table with a default set, records as versions, deadlines, settings, snapshots

Revision ID: d5f6a7b8c9e0
Revises: c4e5f6a7b8d9
Create Date: 2026-12-02 19:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5f6a7b8c9e0'
down_revision = 'c4e5f6a7b8d9'
branch_labels = None
depends_on = None

GROUPS = ('contract', 'flexible', 'entrepreneur', 'further_study', 'seeking', 'not_seeking')
# The default code set (alliance_id NULL); a secretariat imports its own system's codes over it.
DEFAULT_CODES = [
    ('10', '签就业协议形式就业', 'contract'),
    ('11', '签劳动合同形式就业', 'contract'),
    ('12', '其他录用形式就业', 'contract'),
    ('46', '应征义务兵', 'contract'),
    ('50', '国家基层项目', 'contract'),
    ('51', '地方基层项目', 'contract'),
    ('52', '科研助理、管理助理', 'contract'),
    ('75', '自由职业', 'flexible'),
    ('77', '其他形式灵活就业', 'flexible'),
    ('76', '自主创业', 'entrepreneur'),
    ('80', '升入高职', 'further_study'),
    ('81', '专升本', 'further_study'),
    ('85', '升入本科', 'further_study'),
    ('86', '出国、出境', 'further_study'),
    ('70', '待就业', 'seeking'),
    ('71', '不就业拟升学', 'not_seeking'),
    ('72', '其他暂不就业', 'not_seeking'),
]


def _enum(name, values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade():
    codes = op.create_table(
        'destination_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('alliance_id', sa.Integer(), nullable=True),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('group', _enum('destination_group', GROUPS), nullable=False),
        sa.ForeignKeyConstraint(['alliance_id'], ['alliances.id'], name=op.f('fk_destination_codes_alliance_id_alliances')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_destination_codes')),
        sa.UniqueConstraint('alliance_id', 'code', name='uq_destination_codes_alliance_code'),
    )
    with op.batch_alter_table('destination_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_destination_codes_alliance_id'), ['alliance_id'], unique=False)
    op.bulk_insert(codes, [{'alliance_id': None, 'code': c, 'name': n, 'group': g} for c, n, g in DEFAULT_CODES])

    op.create_table(
        'destination_settings',
        sa.Column('alliance_id', sa.Integer(), nullable=False),
        sa.Column('counted_groups', sa.JSON(), nullable=False),
        sa.Column('employed_groups', sa.JSON(), nullable=False),
        sa.Column('entrepreneur_as_flexible', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['alliance_id'], ['alliances.id'], name=op.f('fk_destination_settings_alliance_id_alliances')),
        sa.PrimaryKeyConstraint('alliance_id', name=op.f('pk_destination_settings')),
    )
    op.create_table(
        'destination_deadlines',
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('graduation_year', sa.Integer(), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['school_id'], ['organizations.id'], name=op.f('fk_destination_deadlines_school_id_organizations')),
        sa.PrimaryKeyConstraint('school_id', 'graduation_year', name=op.f('pk_destination_deadlines')),
    )
    op.create_table(
        'destination_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('student_id', sa.Integer(), nullable=False),
        sa.Column('sequence', sa.SmallInteger(), nullable=False),
        sa.Column('version', sa.SmallInteger(), nullable=False),
        sa.Column('status', _enum('destination_status', ('proposed', 'submitted', 'approved', 'returned')), nullable=False),
        sa.Column('code_id', sa.Integer(), nullable=False),
        sa.Column('employer_name', sa.String(length=128), nullable=False),
        sa.Column('employer_credit_code', sa.String(length=18), nullable=False),
        sa.Column('employer_org_id', sa.Integer(), nullable=True),
        sa.Column('industry', sa.String(length=64), nullable=False),
        sa.Column('ownership', _enum('employer_ownership', ('state', 'private', 'foreign', 'public', 'other')), nullable=True),
        sa.Column('size', _enum('employer_size', ('micro', 'small', 'medium', 'large')), nullable=True),
        sa.Column('province_id', sa.Integer(), nullable=True),
        sa.Column('city_id', sa.Integer(), nullable=True),
        sa.Column('job_title', sa.String(length=128), nullable=False),
        sa.Column('occupation_id', sa.Integer(), nullable=True),
        sa.Column('start_date', sa.Date(), nullable=True),
        sa.Column('monthly_pay', sa.Integer(), nullable=True),
        sa.Column('major_relevant', sa.Boolean(), nullable=False),
        sa.Column('proof_on_file', sa.Boolean(), nullable=False),
        sa.Column('no_proof_reason', sa.Text(), nullable=False),
        sa.Column('review_reason', sa.Text(), nullable=False),
        sa.Column('placement_id', sa.Integer(), nullable=True),
        sa.Column('content_on', sa.Date(), nullable=False),
        sa.Column('recorded_on', sa.Date(), nullable=False),
        sa.Column('late', sa.Boolean(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('monthly_pay IS NULL OR monthly_pay >= 0', name=op.f('ck_destination_records_pay_nonnegative')),
        sa.CheckConstraint('sequence >= 1 AND version >= 1', name=op.f('ck_destination_records_sequence_version_positive')),
        sa.ForeignKeyConstraint(['city_id'], ['regions.id'], name=op.f('fk_destination_records_city_id_regions')),
        sa.ForeignKeyConstraint(['code_id'], ['destination_codes.id'], name=op.f('fk_destination_records_code_id_destination_codes')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_destination_records_created_by_id_users')),
        sa.ForeignKeyConstraint(['employer_org_id'], ['organizations.id'], name=op.f('fk_destination_records_employer_org_id_organizations')),
        sa.ForeignKeyConstraint(['occupation_id'], ['occupations.id'], name=op.f('fk_destination_records_occupation_id_occupations')),
        sa.ForeignKeyConstraint(['placement_id'], ['placements.id'], name=op.f('fk_destination_records_placement_id_placements')),
        sa.ForeignKeyConstraint(['province_id'], ['regions.id'], name=op.f('fk_destination_records_province_id_regions')),
        sa.ForeignKeyConstraint(['student_id'], ['students.id'], name=op.f('fk_destination_records_student_id_students'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_destination_records')),
        sa.UniqueConstraint('student_id', 'sequence', 'version', name='uq_destination_records_version'),
    )
    with op.batch_alter_table('destination_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_destination_records_code_id'), ['code_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_destination_records_employer_org_id'), ['employer_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_destination_records_recorded_on'), ['recorded_on'], unique=False)
        batch_op.create_index('ix_destination_records_student_status', ['student_id', 'status'], unique=False)

    op.create_table(
        'destination_snapshots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('alliance_id', sa.Integer(), nullable=False),
        sa.Column('graduation_year', sa.Integer(), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('settings', sa.JSON(), nullable=False),
        sa.Column('graduates', sa.Integer(), nullable=False),
        sa.Column('taken_by_id', sa.Integer(), nullable=True),
        sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['alliance_id'], ['alliances.id'], name=op.f('fk_destination_snapshots_alliance_id_alliances')),
        sa.ForeignKeyConstraint(['taken_by_id'], ['users.id'], name=op.f('fk_destination_snapshots_taken_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_destination_snapshots')),
        sa.UniqueConstraint('alliance_id', 'graduation_year', 'as_of', name='uq_destination_snapshots'),
    )
    with op.batch_alter_table('destination_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_destination_snapshots_alliance_id'), ['alliance_id'], unique=False)

    op.create_table(
        'destination_snapshot_cells',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('dimension', sa.String(length=16), nullable=False),
        sa.Column('key', sa.String(length=32), nullable=True),
        sa.Column('graduates', sa.Integer(), nullable=False),
        sa.Column('counted', sa.Integer(), nullable=False),
        sa.Column('employed', sa.Integer(), nullable=False),
        sa.Column('relevant', sa.Integer(), nullable=False),
        sa.Column('paid', sa.Integer(), nullable=False),
        sa.Column('pay_total', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['school_id'], ['organizations.id'], name=op.f('fk_destination_snapshot_cells_school_id_organizations')),
        sa.ForeignKeyConstraint(['snapshot_id'], ['destination_snapshots.id'], name=op.f('fk_destination_snapshot_cells_snapshot_id_destination_snapshots'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_destination_snapshot_cells')),
    )
    with op.batch_alter_table('destination_snapshot_cells', schema=None) as batch_op:
        batch_op.create_index('ix_destination_snapshot_cells_snapshot_dimension', ['snapshot_id', 'dimension'], unique=False)


def downgrade():
    op.drop_table('destination_snapshot_cells')
    op.drop_table('destination_snapshots')
    op.drop_table('destination_records')
    op.drop_table('destination_deadlines')
    op.drop_table('destination_settings')
    op.drop_table('destination_codes')
