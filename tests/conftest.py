"""Test fixtures: a database built by the real migrations, on SQLite and (when configured) PostgreSQL.

Every test that uses a database runs on SQLite; with GIVEFIRST_TEST_DATABASE_URL set, it runs again
on PostgreSQL. SQLite tests copy a migrated template file; PostgreSQL tests share one migrated
database that is emptied before each test.
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.config import Settings
from app.db import metadata, migrate
from app.main import create_app
from tests.helpers import FROZEN_AT, Clock, LocalSite, create_user, create_user_with_token, sign_in

PG_URL = os.environ.get("GIVEFIRST_TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


@pytest.fixture
def clock() -> Iterator[Clock]:
    """The app's clock, frozen at FROZEN_AT for the test (the real one comes back after it)."""
    with ExitStack() as stack:
        fixed = Clock(stack)
        fixed.set(FROZEN_AT)
        yield fixed


@pytest.fixture
def local_site() -> Iterator[LocalSite]:
    """A web site on 127.0.0.1 for the app to fetch from (the test settings allow private
    addresses)."""
    site = LocalSite()
    yield site
    site.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "givefirst.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    assert PG_URL
    name = f"givefirst_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    migrate(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "givefirst.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgresql_url")
    engine = create_engine(url)
    tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        secret_key="test-secret-" + "x" * 40,
        allow_signup=True,
        allow_private_urls=True,
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def db(app: FastAPI) -> Iterator[Session]:
    with Session(app.state.engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def alice(app: FastAPI) -> Iterator[TestClient]:
    """A client signed in by token as Alice."""
    yield from create_user_with_token(app, "alice@example.org", "Alice Martin")


@pytest.fixture
def bob(app: FastAPI) -> Iterator[TestClient]:
    """A client signed in by token as Bob, who must never see Alice's data."""
    yield from create_user_with_token(app, "bob@example.org", "Bob Durand")


@pytest.fixture
def zoe(app: FastAPI, client: TestClient) -> TestClient:
    """The client signed in through the form as Zoé, in French, in Paris."""
    create_user(app, "zoe@example.org", "Zoé")
    assert sign_in(client, "zoe@example.org").status_code == 303
    return client


@pytest.fixture
def ann(app: FastAPI, client: TestClient) -> TestClient:
    """The client signed in as Ann, who reads English."""
    create_user(app, "ann@example.org", "Ann", locale="en")
    assert sign_in(client, "ann@example.org").status_code == 303
    return client
