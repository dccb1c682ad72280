"""audit: checkpoint of the last full verification

One row: up to which record the last full walk of the chain verified, and what it found
(signed). The audit explorer verifies only the records after it (core/audit.py).

Revision ID: d8a57baaff40
Revises: 6f6f67758345
Create Date: 2026-12-03 09:17:34.439609
"""

from alembic import op
import sqlalchemy as sa
import ujisim.core.db


revision = 'd8a57baaff40'
down_revision = '6f6f67758345'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_checkpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('checked_at', ujisim.core.db.UTCDateTime(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('broken_at', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=255), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('signature', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoint'))
    )


def downgrade() -> None:
    op.drop_table('audit_checkpoint')
