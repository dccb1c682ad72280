"""question bank: review events name the states they moved between (from_state, to_state), like
the other transition logs (one event-row shape, core/workflow.py EventMixin)

Revision ID: e5a9c3f17b20
Revises: b7d41c9e2a55
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "e5a9c3f17b20"
down_revision = "b7d41c9e2a55"
branch_labels = None
depends_on = None

#: what each version move recorded so far went from and to (a retirement moved the item, from a
#: status the row does not say: left empty)
KNOWN = {
    "submitted": ("draft", "in_review"),
    "approved": ("in_review", "active"),
    "returned": ("in_review", "returned"),
    "superseded": ("active", "superseded"),
}


def upgrade() -> None:
    with op.batch_alter_table("qb_review_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("from_state", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("to_state", sa.String(length=16), nullable=True))
    events = sa.table(
        "qb_review_event",
        sa.column("action", sa.String),
        sa.column("from_state", sa.String),
        sa.column("to_state", sa.String),
    )
    for action, (a, b) in KNOWN.items():
        op.execute(
            events.update().where(events.c.action == action).values(from_state=a, to_state=b)
        )
    op.execute(events.update().where(events.c.action == "retired").values(to_state="retired"))


def downgrade() -> None:
    with op.batch_alter_table("qb_review_event", schema=None) as batch_op:
        batch_op.drop_column("to_state")
        batch_op.drop_column("from_state")
