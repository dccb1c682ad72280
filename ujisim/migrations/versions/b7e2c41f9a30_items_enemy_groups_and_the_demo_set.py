"""question bank: enemy groups of items, and the demo set

Revision ID: b7e2c41f9a30
Revises: df3e07807c01
Create Date: 2026-12-07
"""

from alembic import op
import sqlalchemy as sa


revision = 'b7e2c41f9a30'
down_revision = 'df3e07807c01'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('qb_item_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enemy_group', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('demo', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('qb_item_version', schema=None) as batch_op:
        batch_op.drop_column('demo')
        batch_op.drop_column('enemy_group')
