"""renewal card copies: one row per printed copy of a licence card, with the serial printed on
it and signed into its QR; at most one valid copy per licence (a partial unique index). Cards
printed before this revision carry no serial and verify by their licence, as before.

Revision ID: 7aa2d2f19f0c
Revises: 3568b36180e7
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

import ujisim.core.db

revision = "7aa2d2f19f0c"
down_revision = "3568b36180e7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "renewal_card_copy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=16), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=False),
        sa.Column("print_job_id", sa.Integer(), nullable=True),
        sa.Column("claim_no", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", ujisim.core.db.UTCDateTime(), nullable=False),
        sa.Column("ended_at", ujisim.core.db.UTCDateTime(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status in ('valid', 'superseded', 'void')",
            name=op.f("ck_renewal_card_copy_card_copy_status"),
        ),
        sa.ForeignKeyConstraint(
            ["licence_id"],
            ["renewal_licence.id"],
            name=op.f("fk_renewal_card_copy_licence_id_renewal_licence"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["print_job_id"],
            ["print_job.id"],
            name=op.f("fk_renewal_card_copy_print_job_id_print_job"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_renewal_card_copy")),
        sa.UniqueConstraint(
            "print_job_id", "claim_no", name=op.f("uq_renewal_card_copy_print_job_id_claim_no")
        ),
        sa.UniqueConstraint("serial", name=op.f("uq_renewal_card_copy_serial")),
    )
    with op.batch_alter_table("renewal_card_copy", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_renewal_card_copy_licence_id"), ["licence_id"], unique=False
        )
        batch_op.create_index(
            "uq_renewal_card_copy_valid",
            ["licence_id"],
            unique=True,
            sqlite_where=sa.text("status = 'valid'"),
            postgresql_where=sa.text("status = 'valid'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("renewal_card_copy", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_renewal_card_copy_valid",
            sqlite_where=sa.text("status = 'valid'"),
            postgresql_where=sa.text("status = 'valid'"),
        )
        batch_op.drop_index(batch_op.f("ix_renewal_card_copy_licence_id"))

    op.drop_table("renewal_card_copy")
