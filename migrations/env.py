"""Alembic environment: the URL comes from Givefirst's settings; batch mode on SQLite."""

from alembic import context

from app import models  # noqa: F401 - every table on the metadata
from app.config import Settings
from app.db import make_engine, metadata

config = context.config
url = config.get_main_option("sqlalchemy.url") or Settings().sqlalchemy_url


def run_migrations() -> None:
    """Run migrations on a live connection."""
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
