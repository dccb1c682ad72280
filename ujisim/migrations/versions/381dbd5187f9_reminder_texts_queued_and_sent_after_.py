"""reminder texts queued and sent after the commit

A reminder row now carries its status (queued -> sent | failed), the text the job hands to the
channel after the run commits, the attempts and the time of the next one. Existing rows were
sent when made. A downgrade drops the texts still queued (they were never sent).

Revision ID: 381dbd5187f9
Revises: e1ab86d9766b
Create Date: 2026-12-07 19:46:02.001683
"""

from alembic import op
import sqlalchemy as sa
import ujisim.core.db


revision = '381dbd5187f9'
down_revision = 'e1ab86d9766b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('renewal_reminder', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=12), nullable=False, server_default='sent'))
        batch_op.add_column(sa.Column('text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('next_try_at', ujisim.core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('failure', sa.Text(), nullable=True))
        batch_op.alter_column('sent_at',
               existing_type=ujisim.core.db.UTCDateTime(),
               nullable=True)
        batch_op.create_index('ix_renewal_reminder_status_next_try_at', ['status', 'next_try_at'], unique=False)

    with op.batch_alter_table('renewal_reminder', schema=None) as batch_op:
        batch_op.alter_column('status', server_default=None)
        batch_op.alter_column('attempts', server_default=None)



def downgrade() -> None:
    op.execute("DELETE FROM renewal_reminder WHERE sent_at IS NULL")
    with op.batch_alter_table('renewal_reminder', schema=None) as batch_op:
        batch_op.drop_index('ix_renewal_reminder_status_next_try_at')
        batch_op.alter_column('sent_at',
               existing_type=ujisim.core.db.UTCDateTime(),
               nullable=False)
        batch_op.drop_column('failure')
        batch_op.drop_column('next_try_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('text')
        batch_op.drop_column('status')

