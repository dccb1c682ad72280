"""items in two languages and the exam language of an attempt

An item version keeps the English of its stem, options and explanation (translations_json,
{"en": {...}}; none for versions written before). An attempt records the language the candidate
chose for the questions at the start; earlier attempts were all in Bahasa Indonesia.

Revision ID: b7e4c2a91d30
Revises: 381dbd5187f9
Create Date: 2026-12-08 10:12:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = 'b7e4c2a91d30'
down_revision = '381dbd5187f9'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('qb_item_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translations_json', sa.Text(), nullable=True))
    with op.batch_alter_table('exam_attempt', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('language', sa.String(length=2), nullable=False, server_default='id')
        )


def downgrade() -> None:
    with op.batch_alter_table('exam_attempt', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('qb_item_version', schema=None) as batch_op:
        batch_op.drop_column('translations_json')
