"""Tu or vous: per person, and the user's default for prepared messages

Revision ID: 0013
Revises: 0008
Create Date: 2026-12-02 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0013'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('address_as', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True)
        )
    with op.batch_alter_table('network_profile', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'address_as',
                sqlmodel.sql.sqltypes.AutoString(length=4),
                nullable=False,
                server_default='vous',
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('network_profile', schema=None) as batch_op:
        batch_op.drop_column('address_as')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_column('address_as')
