"""A capture made while a big import runs succeeds (#15): the real server in a subprocess, a
20,000-card import in a thread, captures meanwhile; on SQLite and on PostgreSQL."""

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from app.accounts import service as accounts
from app.db import make_engine

CARDS = 20_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[str]:
    """The app served by uvicorn in its own process, on the test's database."""
    url = f"http://127.0.0.1:{_free_port()}"
    env = {
        **os.environ,
        "GIVEFIRST_DATA_DIR": str(tmp_path),
        "GIVEFIRST_DATABASE_URL": database_url,
        "GIVEFIRST_SECRET_KEY": "test-secret-" + "x" * 40,
    }
    log = (tmp_path / "server.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", url.rsplit(":", 1)[1]],
        env=env, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError((tmp_path / "server.log").read_text())
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _token(database_url: str) -> str:
    engine = make_engine(database_url)
    with Session(engine) as session:
        user = accounts.create_user(
            session, email="ines@example.org", password="correct horse battery staple"
        )
        _token, secret = accounts.create_token(session, user=user, name="tests")
        session.commit()
    engine.dispose()
    return secret


def _cards(count: int) -> bytes:
    return "".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Importée {n}\r\nORG:Société {n % 300}\r\n"
        f"EMAIL:i{n}@example.fr\r\nUID:import-{n}\r\nEND:VCARD\r\n"
        for n in range(count)
    ).encode()


def test_captures_succeed_while_a_big_import_runs(database_url: str, server: str) -> None:
    headers = {"Authorization": f"Bearer {_token(database_url)}"}
    data = _cards(CARDS)
    outcome: dict[str, Any] = {}

    def run_import() -> None:
        with httpx.Client(base_url=server, headers=headers, timeout=600) as client:
            outcome["response"] = client.post(
                "/api/v1/contacts/import",
                files={"file": ("people.vcf", data, "text/vcard")},
                data={"dry_run": "false"},
            )

    importer = threading.Thread(target=run_import)
    statuses: list[int] = []
    slowest = 0.0
    with httpx.Client(base_url=server, headers=headers, timeout=30) as client:
        importer.start()
        time.sleep(0.5)  # the upload is read and the parse begun
        deadline = time.monotonic() + 600
        while importer.is_alive() and time.monotonic() < deadline:
            started = time.monotonic()
            try:
                response = client.put(
                    f"/api/v1/contacts/{uuid.uuid4()}",
                    json={"full_name": f"Rencontrée {len(statuses)}", "hook": "au salon"},
                )
                statuses.append(response.status_code)
            except httpx.HTTPError:
                statuses.append(0)
            slowest = max(slowest, time.monotonic() - started)
            time.sleep(0.1)
        importer.join(timeout=60)
        report = outcome["response"]
        assert report.status_code == 200, report.text
        created = report.json()["created"]
        total = 0
        cursor = ""
        while True:  # every page, to count the people
            page = client.get(f"/api/v1/contacts?limit=200{cursor}").json()
            total += len(page["items"])
            if not page["next_cursor"]:
                break
            cursor = f"&cursor={page['next_cursor']}"
    assert created == CARDS
    assert len(statuses) >= 5, "the import ended before captures could run alongside it"
    assert statuses == [201] * len(statuses), statuses
    assert total == len(statuses) + CARDS
    # A capture waits at most for one batch's commit, not for the whole import.
    assert slowest < 10, slowest
