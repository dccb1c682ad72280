"""renewal: the identity check's reference source (licence photo, population register photo, in
person) and the register photo's face encoding

Revision ID: b7d41c9e2a55
Revises: 4b8e2f6a1d93
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "b7d41c9e2a55"
down_revision = "4b8e2f6a1d93"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("renewal_application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reference_source", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("reference_encoding", sa.Text(), nullable=True))
    # applications already sent to the in-person check rest on it
    op.execute(
        "UPDATE renewal_application SET reference_source = 'in_person' "
        "WHERE identity_status = 'in_person'"
    )


def downgrade() -> None:
    with op.batch_alter_table("renewal_application", schema=None) as batch_op:
        batch_op.drop_column("reference_encoding")
        batch_op.drop_column("reference_source")
