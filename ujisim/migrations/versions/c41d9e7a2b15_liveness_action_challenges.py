"""proctoring and renewal identity checks: room for the action challenge and its schedule

Revision ID: c41d9e7a2b15
Revises: b7e2c41f9a30
Create Date: 2026-12-07
"""

from alembic import op
import sqlalchemy as sa


revision = 'c41d9e7a2b15'
down_revision = 'b7e2c41f9a30'
branch_labels = None
depends_on = None

TABLES = ('proctor_identity_check', 'renewal_identity_check')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                'challenge_json', existing_type=sa.String(length=32), type_=sa.String(length=255)
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                'challenge_json', existing_type=sa.String(length=255), type_=sa.String(length=32)
            )
