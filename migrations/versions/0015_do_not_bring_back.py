"""Erased people who must not come back through an import: keyed hashes only

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-02 19:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'do_not_bring_back',
        sa.Column('owner_id', sa.Uuid(), nullable=False),
        sa.Column('key_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['owner_id'], ['user_account.id'],
            name=op.f('fk_do_not_bring_back_owner_id_user_account'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('owner_id', 'key_hash', name=op.f('pk_do_not_bring_back')),
    )


def downgrade() -> None:
    op.drop_table('do_not_bring_back')
