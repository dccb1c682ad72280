"""verification codes: the short code printed beside a certificate's or a licence card's QR,
typed at /verify instead of scanning; each stands for the signed token of one QR.

Revision ID: c235e8353d0a
Revises: 5e7c0a91d2b4
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

import ujisim.core.db

revision = "c235e8353d0a"
down_revision = "5e7c0a91d2b4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verification_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("token", sa.String(length=400), nullable=False),
        sa.Column("doc_type", sa.String(length=16), nullable=False),
        sa.Column("document_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", ujisim.core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_code")),
        sa.UniqueConstraint("code", name=op.f("uq_verification_code_code")),
        sa.UniqueConstraint("token", name=op.f("uq_verification_code_token")),
    )
    with op.batch_alter_table("verification_code", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verification_code_document_id"), ["document_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("verification_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verification_code_document_id"))
    op.drop_table("verification_code")
