"""clips: an item version's kind (a question with options, or a hazard-perception clip scored
by clicks) and the clips an applicant watched in practice, with clicks and score.

Revision ID: c432f1b27b3c
Revises: c235e8353d0a
Create Date: 2026-12-08 00:14:48.058954
"""

import sqlalchemy as sa
from alembic import op

import ujisim.core.db

revision = "c432f1b27b3c"
down_revision = "c235e8353d0a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "qb_practice_clip",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("item_version_id", sa.Integer(), nullable=False),
        sa.Column("viewing", sa.String(length=26), nullable=False),
        sa.Column("vehicle_class", sa.String(length=1), nullable=False),
        sa.Column("clicks_json", sa.Text(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("max_score", sa.Integer(), nullable=False),
        sa.Column("pattern", sa.String(length=16), nullable=True),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("answered_at", ujisim.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_version_id"],
            ["qb_item_version.id"],
            name=op.f("fk_qb_practice_clip_item_version_id_qb_item_version"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_qb_practice_clip_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qb_practice_clip")),
        sa.UniqueConstraint("user_id", "viewing", name=op.f("uq_qb_practice_clip_user_id_viewing")),
    )
    with op.batch_alter_table("qb_practice_clip", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qb_practice_clip_item_version_id"), ["item_version_id"], unique=False
        )
        batch_op.create_index("ix_qb_practice_clip_user_topic", ["user_id", "topic"], unique=False)

    with op.batch_alter_table("qb_item_version", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=8), server_default="choice", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("qb_item_version", schema=None) as batch_op:
        batch_op.drop_column("kind")

    with op.batch_alter_table("qb_practice_clip", schema=None) as batch_op:
        batch_op.drop_index("ix_qb_practice_clip_user_topic")
        batch_op.drop_index(batch_op.f("ix_qb_practice_clip_item_version_id"))

    op.drop_table("qb_practice_clip")
