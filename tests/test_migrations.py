"""Migrations are the only source of schema: they must agree with the models, on every backend."""

import uuid
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from app.db import alembic_config, metadata


def test_models_and_migrations_agree(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, metadata)
    engine.dispose()
    assert differences == []


def test_existing_feeds_keep_what_they_hold_and_name_nobody(tmp_path: Path) -> None:
    """0016: a feed that held gives still does; its gives name their people only once asked."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0015")
    engine = create_engine(url)
    user_id = uuid.uuid4()
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO user_account (id, email, password_hash, display_name, locale,"
                " timezone, created_at, updated_at) VALUES (:id, 'old@example.org', 'x', 'Old',"
                " 'fr', 'Europe/Paris', :now, :now)"
            ),
            {"id": user_id.hex, "now": now},
        )
        connection.execute(
            text(
                "INSERT INTO calendar_feed (user_id, token_hash, salt, include_gives,"
                " include_notes, digest, digest_failures, content_etag, content_version,"
                " content_changed_at, created_at, updated_at) VALUES (:id, 'h', 's', 1, 0, 0, 0,"
                " '', '', :now, :now, :now)"
            ),
            {"id": user_id.hex, "now": now},
        )
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as connection:
        row = connection.execute(text("SELECT include_gives, name_people FROM calendar_feed")).one()
    engine.dispose()
    assert tuple(row) == (1, 0)
