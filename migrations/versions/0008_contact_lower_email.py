"""People found by e-mail ignoring case in one index seek

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 23:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        'ix_contact_owner_id_lower_email', 'contact', ['owner_id', sa.text('lower(email)')]
    )


def downgrade() -> None:
    op.drop_index('ix_contact_owner_id_lower_email', table_name='contact')
