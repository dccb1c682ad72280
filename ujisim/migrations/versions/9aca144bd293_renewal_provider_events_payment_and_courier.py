"""renewal: one record of provider events, payment and courier, each with its outcome

The payment webhook kept every verified event in renewal_payment_event; the courier webhook
kept only the moves it made, so a refused status (unknown status, illegal move, unknown
shipment) left no trace. renewal_provider_event holds both kinds, says whether each was accepted
and why not, and keeps a malformed verified body too (no event id then). An accepted event id
is unique (a partial index); refused tries of the same id may repeat.

The payment events move over (accepted: paid, already_paid, ignored). A downgrade moves the
payment events back, the last try of each id; courier and malformed events have no place there.

Revision ID: 9aca144bd293
Revises: c41d9e7a2b15
Create Date: 2026-12-08
"""

from alembic import op
import sqlalchemy as sa
import ujisim.core.db


revision = '9aca144bd293'
down_revision = 'c41d9e7a2b15'
branch_labels = None
depends_on = None

ACCEPTED = sa.text("accepted")


def upgrade() -> None:
    op.create_table('renewal_provider_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=True),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Integer(), nullable=True),
    sa.Column('accepted', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('received_at', ujisim.core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['renewal_delivery_order.id'], name=op.f('fk_renewal_provider_event_order_id_renewal_delivery_order'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['payment_id'], ['renewal_payment.id'], name=op.f('fk_renewal_provider_event_payment_id_renewal_payment'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_renewal_provider_event'))
    )
    with op.batch_alter_table('renewal_provider_event', schema=None) as batch_op:
        batch_op.create_index('uq_renewal_provider_event_accepted', ['kind', 'provider', 'event_id'], unique=True, sqlite_where=ACCEPTED, postgresql_where=ACCEPTED)

    op.execute(
        "INSERT INTO renewal_provider_event (kind, provider, event_id, payment_id, order_id,"
        " amount, accepted, outcome, reason, payload, received_at)"
        " SELECT 'payment', provider, event_id, payment_id, NULL, amount,"
        " outcome IN ('paid', 'already_paid', 'ignored'), outcome, '', payload, received_at"
        " FROM renewal_payment_event ORDER BY id"
    )
    op.drop_table('renewal_payment_event')


def downgrade() -> None:
    op.create_table('renewal_payment_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('received_at', ujisim.core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['payment_id'], ['renewal_payment.id'], name=op.f('fk_renewal_payment_event_payment_id_renewal_payment'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_renewal_payment_event')),
    sa.UniqueConstraint('provider', 'event_id', name=op.f('uq_renewal_payment_event_provider_event_id'))
    )
    # one row per event id there: the last try (an accepted one is always the last)
    op.execute(
        "INSERT INTO renewal_payment_event (provider, event_id, payment_id, amount, outcome,"
        " payload, received_at)"
        " SELECT provider, event_id, payment_id, amount, outcome, payload, received_at"
        " FROM renewal_provider_event AS e"
        " WHERE kind = 'payment' AND event_id IS NOT NULL AND id = ("
        "SELECT MAX(id) FROM renewal_provider_event AS l"
        " WHERE l.kind = e.kind AND l.provider = e.provider AND l.event_id = e.event_id)"
        " ORDER BY id"
    )
    with op.batch_alter_table('renewal_provider_event', schema=None) as batch_op:
        batch_op.drop_index('uq_renewal_provider_event_accepted', sqlite_where=ACCEPTED, postgresql_where=ACCEPTED)

    op.drop_table('renewal_provider_event')
