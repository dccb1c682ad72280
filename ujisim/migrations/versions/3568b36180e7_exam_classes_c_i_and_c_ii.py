"""exam classes C I and C II

A class code is two letters now (C1, C2: exam/classes.py). A downgrade fails while such rows exist.

Revision ID: 3568b36180e7
Revises: cfb5c63fc850
Create Date: 2026-12-07 18:46:34.581024
"""

from alembic import op
import sqlalchemy as sa
import ujisim.core.db


revision = '3568b36180e7'
down_revision = 'cfb5c63fc850'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('exam_attempt', schema=None) as batch_op:
        batch_op.alter_column('vehicle_class',
               existing_type=sa.VARCHAR(length=1),
               type_=sa.String(length=2),
               existing_nullable=False)

    with op.batch_alter_table('exam_blueprint', schema=None) as batch_op:
        batch_op.alter_column('vehicle_class',
               existing_type=sa.VARCHAR(length=1),
               type_=sa.String(length=2),
               existing_nullable=False)

    with op.batch_alter_table('exam_form_stat', schema=None) as batch_op:
        batch_op.alter_column('vehicle_class',
               existing_type=sa.VARCHAR(length=1),
               type_=sa.String(length=2),
               existing_nullable=False)

    with op.batch_alter_table('exam_pass', schema=None) as batch_op:
        batch_op.alter_column('vehicle_class',
               existing_type=sa.VARCHAR(length=1),
               type_=sa.String(length=2),
               existing_nullable=False)



def downgrade() -> None:
    with op.batch_alter_table('exam_pass', schema=None) as batch_op:
        batch_op.alter_column('vehicle_class',
               existing_type=sa.String(length=2),
               type_=sa.VARCHAR(length=1),
               existing_nullable=False)

    with op.batch_alter_table('exam_form_stat', schema=None) as batch_op:
        batch_op.alter_column('vehicle_class',
               existing_type=sa.String(length=2),
               type_=sa.VARCHAR(length=1),
               existing_nullable=False)

    with op.batch_alter_table('exam_blueprint', schema=None) as batch_op:
        batch_op.alter_column('vehicle_class',
               existing_type=sa.String(length=2),
               type_=sa.VARCHAR(length=1),
               existing_nullable=False)

    with op.batch_alter_table('exam_attempt', schema=None) as batch_op:
        batch_op.alter_column('vehicle_class',
               existing_type=sa.String(length=2),
               type_=sa.VARCHAR(length=1),
               existing_nullable=False)

