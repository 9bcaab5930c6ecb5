"""The private feed names the people of gives only when asked (off by default)

Revision ID: 0016_feed_names
Revises: 0015
Create Date: 2026-12-03 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016_feed_names'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing feeds keep what they include (gives or not); their gives name nobody until the
    # owner turns this on: privacy by default, for feeds already subscribed to as well.
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('name_people', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.drop_column('name_people')
