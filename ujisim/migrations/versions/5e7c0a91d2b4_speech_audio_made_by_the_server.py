"""speech audio made by the server

Questions read aloud by espeak-ng for browsers with no voice for the question's language
(core/speech.py): each audio is kept once in private storage, found by the sha256 of what was
spoken.

Revision ID: 5e7c0a91d2b4
Revises: b7e4c2a91d30
Create Date: 2026-12-07 21:30:00
"""

from alembic import op
import sqlalchemy as sa
import ujisim.core.db


revision = '5e7c0a91d2b4'
down_revision = 'b7e4c2a91d30'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('speech_audio',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('created_at', ujisim.core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_speech_audio_file_id_stored_file'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_speech_audio')),
    sa.UniqueConstraint('key', name=op.f('uq_speech_audio_key'))
    )


def downgrade() -> None:
    op.drop_table('speech_audio')
