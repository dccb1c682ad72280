"""exam clip part: a blueprint's clip count and pass share, the clips drawn for an attempt, each
clip's start, restarts and clicks, and a grade's clip points (existing blueprints keep no clips).

Revision ID: f239af4e9949
Revises: c432f1b27b3c
Create Date: 2026-12-08 00:39:29.292283
"""

from alembic import op
import sqlalchemy as sa
import ujisim.core.db


revision = 'f239af4e9949'
down_revision = 'c432f1b27b3c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('exam_clip_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('started_at', ujisim.core.db.UTCDateTime(), nullable=False),
    sa.Column('restarts', sa.Integer(), nullable=False),
    sa.Column('start_key', sa.String(length=32), nullable=True),
    sa.Column('clicks_json', sa.Text(), nullable=True),
    sa.Column('finished_at', ujisim.core.db.UTCDateTime(), nullable=True),
    sa.Column('zeroed', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['exam_attempt.id'], name=op.f('fk_exam_clip_response_attempt_id_exam_attempt'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_clip_response')),
    sa.UniqueConstraint('attempt_id', 'number', name=op.f('uq_exam_clip_response_attempt_id_number'))
    )
    with op.batch_alter_table('exam_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clips_json', sa.Text(), nullable=True))

    with op.batch_alter_table('exam_blueprint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clip_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('clip_pass_percent', sa.Integer(), server_default='59', nullable=False))

    with op.batch_alter_table('exam_grade', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clip_points', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('clip_max', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('exam_grade', schema=None) as batch_op:
        batch_op.drop_column('clip_max')
        batch_op.drop_column('clip_points')

    with op.batch_alter_table('exam_blueprint', schema=None) as batch_op:
        batch_op.drop_column('clip_pass_percent')
        batch_op.drop_column('clip_count')

    with op.batch_alter_table('exam_attempt', schema=None) as batch_op:
        batch_op.drop_column('clips_json')

    op.drop_table('exam_clip_response')
