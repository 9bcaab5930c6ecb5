"""My card and what visitors leave on it

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 19:12:31.296556
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('card',
    sa.Column('company', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('city', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('published', sa.JSON(), nullable=False),
    sa.Column('indexable', sa.Boolean(), nullable=False),
    sa.Column('photo_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('photo', sa.LargeBinary(), nullable=True),
    sa.Column('kiosk_pin_hash', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_card_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_card')),
    sa.UniqueConstraint('slug', name=op.f('uq_card_slug'))
    )
    op.create_table('card_submission',
    sa.Column('full_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('company', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('needs', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('client_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=True),
    sa.Column('consents', sa.JSON(), nullable=False),
    sa.Column('consent_text', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('consent_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('consented_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('contact_id', sa.Uuid(), nullable=True),
    sa.Column('created_contact', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_card_submission_contact_id_contact'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_card_submission_event_id_event'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_card_submission_owner_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_submission')),
    sa.UniqueConstraint('owner_id', 'client_key', name='uq_card_submission_owner_id_client_key')
    )
    with op.batch_alter_table('card_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_submission_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_card_submission_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_card_submission_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_card_submission_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('card_submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_card_submission_status'))
        batch_op.drop_index(batch_op.f('ix_card_submission_owner_id'))
        batch_op.drop_index(batch_op.f('ix_card_submission_event_id'))
        batch_op.drop_index(batch_op.f('ix_card_submission_contact_id'))

    op.drop_table('card_submission')
    op.drop_table('card')
