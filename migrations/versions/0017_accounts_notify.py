"""On PostgreSQL, a change to accounts, tokens or sessions is announced to every process

Each app process keeps who was signed in for a second (app/accounts/recent.py) and listens on
this channel, so that a token revoked or a session ended in one process stops working in the
others at once, not a second later. SQLite has no such channel: there, the second stands.

Revision ID: 0017_accounts_notify
Revises: 0016_feed_names
Create Date: 2026-12-04 20:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0017_accounts_notify'
down_revision: str | None = '0016_feed_names'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('user_account', 'access_token', 'auth_session')
CHANNEL = 'givefirst_accounts'  # app.accounts.recent.CHANNEL


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    # NOTIFY is delivered when the transaction commits, and not at all if it rolls back.
    op.execute(f"""
        CREATE FUNCTION givefirst_accounts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
            RETURN NULL;
        END $$
    """)
    for table in TABLES:
        op.execute(
            f'CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
            f'ON {table} FOR EACH STATEMENT EXECUTE FUNCTION givefirst_accounts_changed()'
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in TABLES:
        op.execute(f'DROP TRIGGER IF EXISTS {table}_changed ON {table}')
    op.execute('DROP FUNCTION IF EXISTS givefirst_accounts_changed()')
