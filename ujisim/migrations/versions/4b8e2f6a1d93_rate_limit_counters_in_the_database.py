"""core: rate-limit counters in the database, shared by every worker (no Redis)

Revision ID: 4b8e2f6a1d93
Revises: 9aca144bd293
Create Date: 2026-12-07
"""

from alembic import op
import sqlalchemy as sa
import ujisim.core.db


revision = '4b8e2f6a1d93'
down_revision = '9aca144bd293'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ratelimit_counter',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', ujisim.core.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_ratelimit_counter'))
    )
    with op.batch_alter_table('ratelimit_counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ratelimit_counter_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ratelimit_counter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ratelimit_counter_expires_at'))

    op.drop_table('ratelimit_counter')
