"""exam: item statistics

Revision ID: 9e63a4cbd8f2
Revises: 8d52f3bac7e1
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa
import ujisim.core.db


revision = '9e63a4cbd8f2'
down_revision = '8d52f3bac7e1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('exam_form_stat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('blueprint_id', sa.Integer(), nullable=False),
    sa.Column('vehicle_class', sa.String(length=1), nullable=False),
    sa.Column('k', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('sum_t', sa.BigInteger(), nullable=False),
    sa.Column('sum_tt', sa.BigInteger(), nullable=False),
    sa.Column('position_sums_json', sa.Text(), nullable=False),
    sa.Column('histogram_json', sa.Text(), nullable=False),
    sa.Column('mean', sa.Double(), nullable=True),
    sa.Column('sd', sa.Double(), nullable=True),
    sa.Column('alpha', sa.Double(), nullable=True),
    sa.Column('sem', sa.Double(), nullable=True),
    sa.Column('computed_at', ujisim.core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['blueprint_id'], ['exam_blueprint.id'], name=op.f('fk_exam_form_stat_blueprint_id_exam_blueprint'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_form_stat')),
    sa.UniqueConstraint('blueprint_id', name=op.f('uq_exam_form_stat_blueprint_id'))
    )
    op.create_table('exam_item_stat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('item_version_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=8), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('sum_x', sa.BigInteger(), nullable=False),
    sa.Column('sum_y', sa.BigInteger(), nullable=False),
    sa.Column('sum_xy', sa.BigInteger(), nullable=False),
    sa.Column('sum_yy', sa.BigInteger(), nullable=False),
    sa.Column('choices_json', sa.Text(), nullable=False),
    sa.Column('omitted', sa.Integer(), nullable=False),
    sa.Column('facility', sa.Double(), nullable=True),
    sa.Column('discrimination', sa.Double(), nullable=True),
    sa.Column('efficiency', sa.Double(), nullable=True),
    sa.Column('exposure', sa.Integer(), nullable=False),
    sa.Column('flags_json', sa.Text(), nullable=False),
    sa.Column('computed_at', ujisim.core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['qb_item.id'], name=op.f('fk_exam_item_stat_item_id_qb_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_version_id'], ['qb_item_version.id'], name=op.f('fk_exam_item_stat_item_version_id_qb_item_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_item_stat')),
    sa.UniqueConstraint('item_version_id', 'scope', name=op.f('uq_exam_item_stat_item_version_id_scope'))
    )
    with op.batch_alter_table('exam_item_stat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_item_stat_item_id'), ['item_id'], unique=False)

    op.create_table('exam_stats_inclusion',
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('grade_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['exam_attempt.id'], name=op.f('fk_exam_stats_inclusion_attempt_id_exam_attempt'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('attempt_id', name=op.f('pk_exam_stats_inclusion'))
    )


def downgrade() -> None:
    op.drop_table('exam_stats_inclusion')
    with op.batch_alter_table('exam_item_stat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_item_stat_item_id'))

    op.drop_table('exam_item_stat')
    op.drop_table('exam_form_stat')
