"""The version of a calendar feed's inputs, so that a revalidation needs no build

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing rows start with no version: their next request builds the feed once and stores it.
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'content_version',
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default='',
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.drop_column('content_version')
