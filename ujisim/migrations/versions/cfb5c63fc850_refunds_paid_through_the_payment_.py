"""refunds paid through the payment provider

A refund gets a public id (with its attempt, the idempotency key of the provider request), the
provider's refund id, its failure and its times; provider events name the refund they are about.
Existing refunds get a public id each and stay pending: the job asks the provider for them.

Revision ID: cfb5c63fc850
Revises: e5a9c3f17b20
Create Date: 2026-12-07 18:33:42.162157
"""

from alembic import op
import sqlalchemy as sa
import ujisim.core.db
from ujisim.core.db import new_public_id


revision = 'cfb5c63fc850'
down_revision = 'e5a9c3f17b20'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('renewal_provider_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refund_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_renewal_provider_event_refund_id_renewal_refund'), 'renewal_refund', ['refund_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('renewal_refund', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('public_id', sa.String(length=26), nullable=True))
        batch_op.add_column(sa.Column('attempt', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('provider', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('provider_ref', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('failure', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('requested_at', ujisim.core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('paid_at', ujisim.core.db.UTCDateTime(), nullable=True))

    refund = sa.table('renewal_refund', sa.column('id', sa.Integer), sa.column('public_id', sa.String))
    bind = op.get_bind()
    for (refund_id,) in bind.execute(sa.select(refund.c.id)).all():
        bind.execute(
            refund.update().where(refund.c.id == refund_id).values(public_id=new_public_id())
        )

    with op.batch_alter_table('renewal_refund', schema=None) as batch_op:
        batch_op.alter_column('version', server_default=None)
        batch_op.alter_column('attempt', server_default=None)
        batch_op.alter_column('public_id', existing_type=sa.String(length=26), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_renewal_refund_provider_ref'), ['provider_ref'])
        batch_op.create_unique_constraint(batch_op.f('uq_renewal_refund_public_id'), ['public_id'])


def downgrade() -> None:
    with op.batch_alter_table('renewal_refund', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_renewal_refund_public_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_renewal_refund_provider_ref'), type_='unique')
        batch_op.drop_column('paid_at')
        batch_op.drop_column('requested_at')
        batch_op.drop_column('failure')
        batch_op.drop_column('provider_ref')
        batch_op.drop_column('provider')
        batch_op.drop_column('attempt')
        batch_op.drop_column('public_id')
        batch_op.drop_column('version')

    with op.batch_alter_table('renewal_provider_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_renewal_provider_event_refund_id_renewal_refund'), type_='foreignkey')
        batch_op.drop_column('refund_id')

