"""givefirst backup: a consistent copy of a running SQLite instance (the online backup API)
with its secret key, taken while captures are written, that restores a working instance."""

import sqlite3
import threading
import uuid
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts import service as accounts
from app.calendar import service as calendar
from app.cli import main as cli_main
from app.config import Settings
from app.main import create_app
from app.portability import backup
from tests.helpers import sign_in


def test_a_backup_taken_while_captures_are_written_restores_a_working_instance(
    app: FastAPI, alice: TestClient, settings: Settings, tmp_path: Path
) -> None:
    if not settings.sqlalchemy_url.startswith("sqlite"):
        pytest.skip("givefirst backup copies SQLite; PostgreSQL is backed up with pg_dump")
    with Session(app.state.engine) as session:
        user = accounts.user_by_email(session, email="alice@example.org")
        _feed, token = calendar.ensure_feed(session, user=user, secret=settings.secret)
        session.commit()
    acknowledged: list[str] = []
    started = threading.Event()
    stop = threading.Event()

    def capture() -> None:
        for index in range(400):
            if stop.is_set():
                break
            person = str(uuid.uuid4())
            body = {"full_name": f"Capture {index}", "hook": "met at the stand", "photo": None}
            response = alice.put(f"/api/v1/contacts/{person}", json=body)
            assert response.status_code in {200, 201}, response.text
            acknowledged.append(person)
            if index == 30:
                started.set()

    writer = threading.Thread(target=capture)
    writer.start()
    assert started.wait(60)
    before = set(acknowledged)
    target = tmp_path / "backup.tar.gz"
    summary = backup.backup(settings, target, pages=4)
    at_return = set(acknowledged)
    stop.set()
    writer.join(60)
    assert summary["database_bytes"] > 0

    restored_dir = tmp_path / "restored"
    backup.restore_backup(target, restored_dir)
    with sqlite3.connect(restored_dir / "givefirst.db") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        ids = {str(uuid.UUID(row[0])) if len(row[0]) == 36 else str(uuid.UUID(hex=row[0]))
               for row in copy.execute("SELECT id FROM contact")}  # fmt: skip
    copy.close()
    assert before <= ids <= at_return
    assert (restored_dir / "secret_key").read_text() == settings.secret

    # The restored instance works: the same secret (the calendar link still opens), sign-in,
    # and every capture is there.
    restored = create_app(Settings(data_dir=restored_dir, allow_signup=False))
    try:
        with TestClient(restored) as client:
            assert client.get(calendar.feed_path(token)).status_code == 200
            assert sign_in(client, "alice@example.org").status_code == 303
            listed: set[str] = set()
            cursor = None
            while True:
                params = {"limit": 100} | ({"cursor": cursor} if cursor else {})
                page = client.get("/api/v1/contacts", params=params).json()
                listed |= {p["id"] for p in page["items"]}
                if not (cursor := page["next_cursor"]):
                    break
            assert listed == ids
    finally:
        restored.state.engine.dispose()


def test_the_backup_command_refuses_postgresql_and_writes_a_sqlite_backup(
    app: FastAPI, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIVEFIRST_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("GIVEFIRST_DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("GIVEFIRST_SECRET_KEY", settings.secret)
    target = tmp_path / "b.tar.gz"
    code = cli_main(["backup", str(target)])
    if settings.sqlalchemy_url.startswith("sqlite"):
        assert code == 0 and target.exists()
    else:
        assert code == 1 and not target.exists()
