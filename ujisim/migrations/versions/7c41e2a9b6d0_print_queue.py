"""certificates: print jobs, station tokens

Revision ID: 7c41e2a9b6d0
Revises: ea309758f058
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa
import ujisim.core.db


revision = '7c41e2a9b6d0'
down_revision = 'ea309758f058'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('print_station',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=26), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('token_hint', sa.String(length=12), nullable=False),
    sa.Column('created_at', ujisim.core.db.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', ujisim.core.db.UTCDateTime(), nullable=True),
    sa.Column('last_used_at', ujisim.core.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_print_station_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_print_station')),
    sa.UniqueConstraint('public_id', name=op.f('uq_print_station_public_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_print_station_token_hash'))
    )
    op.create_table('print_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=26), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('document_key', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('pass_record_id', sa.Integer(), nullable=True),
    sa.Column('card_json', sa.Text(), nullable=True),
    sa.Column('photo_file_id', sa.Integer(), nullable=True),
    sa.Column('signature_file_id', sa.Integer(), nullable=True),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', ujisim.core.db.UTCDateTime(), nullable=False),
    sa.Column('claimed_at', ujisim.core.db.UTCDateTime(), nullable=True),
    sa.Column('lease_expires_at', ujisim.core.db.UTCDateTime(), nullable=True),
    sa.Column('printed_at', ujisim.core.db.UTCDateTime(), nullable=True),
    sa.Column('failed_at', ujisim.core.db.UTCDateTime(), nullable=True),
    sa.Column('fail_reason', sa.Text(), nullable=True),
    sa.Column('claims', sa.Integer(), nullable=False),
    sa.Column('prints', sa.Integer(), nullable=False),
    sa.CheckConstraint("(kind = 'certificate') = (pass_record_id is not null)", name=op.f('ck_print_job_certificate_pass')),
    sa.CheckConstraint("kind in ('certificate', 'card')", name=op.f('ck_print_job_kind')),
    sa.ForeignKeyConstraint(['pass_record_id'], ['exam_pass.id'], name=op.f('fk_print_job_pass_record_id_exam_pass'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['photo_file_id'], ['stored_file.id'], name=op.f('fk_print_job_photo_file_id_stored_file'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['signature_file_id'], ['stored_file.id'], name=op.f('fk_print_job_signature_file_id_stored_file'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['station_id'], ['print_station.id'], name=op.f('fk_print_job_station_id_print_station'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_print_job_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_print_job')),
    sa.UniqueConstraint('document_key', name=op.f('uq_print_job_document_key')),
    sa.UniqueConstraint('pass_record_id', name=op.f('uq_print_job_pass_record_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_print_job_public_id'))
    )
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.create_index('ix_print_job_state_id', ['state', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_print_job_station_id'), ['station_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_print_job_station_id'))
        batch_op.drop_index('ix_print_job_state_id')

    op.drop_table('print_job')
    op.drop_table('print_station')
