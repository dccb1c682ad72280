"""exam: form statistics per item, not per position

KR-20 was computed from per-position facilities, but every paper is drawn and shuffled, so a
position holds no particular item. A form now keeps per-item sums (exam/stats.py). The stored
statistics are derived data and cannot be converted: they are emptied, and the next statistics
run (the "exam.stats" job every 15 minutes, or `flask exam stats`) counts every graded attempt
again.

Revision ID: 6f6f67758345
Revises: 629fe3135ef1
Create Date: 2026-12-03 09:13:26.296215
"""

from alembic import op
import sqlalchemy as sa
import ujisim.core.db


revision = '6f6f67758345'
down_revision = '629fe3135ef1'
branch_labels = None
depends_on = None


def _forget_statistics() -> None:
    # inclusion rows first: with them gone every graded attempt counts as new
    op.execute("DELETE FROM exam_stats_inclusion")
    op.execute("DELETE FROM exam_item_stat")
    op.execute("DELETE FROM exam_form_stat")


def upgrade() -> None:
    _forget_statistics()  # the table is empty, so the new NOT NULL column needs no default
    with op.batch_alter_table('exam_form_stat', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item_sums_json', sa.Text(), nullable=False))
        batch_op.drop_column('position_sums_json')


def downgrade() -> None:
    _forget_statistics()
    with op.batch_alter_table('exam_form_stat', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position_sums_json', sa.TEXT(), nullable=False))
        batch_op.drop_column('item_sums_json')
