"""The givefirst command line, run as a user would, on a fresh data directory."""

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app


def givefirst(
    data_dir: Path, *args: str, stdin: str = "", database_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIVEFIRST_DATA_DIR": str(data_dir)}
    env.pop("GIVEFIRST_DATABASE_URL", None)
    if database_url:
        env["GIVEFIRST_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_users_and_tokens_from_the_command_line(tmp_path: Path) -> None:
    assert givefirst(tmp_path, "migrate").returncode == 0
    created = givefirst(
        tmp_path,
        "users",
        "create",
        "Zoe@Example.org",
        "--name",
        "Zoé",
        stdin="a long enough password\n",
    )
    assert created.returncode == 0, created.stderr
    assert "zoe@example.org" in created.stdout
    duplicate = givefirst(
        tmp_path, "users", "create", "zoe@example.org", stdin="a long enough password\n"
    )
    assert duplicate.returncode == 1
    assert "already exists" in duplicate.stderr
    short = givefirst(tmp_path, "users", "create", "yann@example.org", stdin="short\n")
    assert short.returncode == 1 and "10 characters" in short.stderr

    token = givefirst(
        tmp_path, "tokens", "create", "zoe@example.org", "--name", "backup"
    ).stdout.strip()
    assert token.startswith("gf_")
    app = create_app(Settings(data_dir=tmp_path))
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
        assert client.get("/api/v1/me").json()["display_name"] == "Zoé"
        assert client.get("/api/v1/tokens").json()[0]["name"] == "backup"
    app.state.engine.dispose()


def test_tokens_for_an_unknown_user_fail_clearly(tmp_path: Path) -> None:
    result = givefirst(tmp_path, "tokens", "create", "nobody@example.org")
    assert result.returncode == 1
    assert result.stderr.startswith("error:")


def test_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).secret
    assert len(first) >= 48
    assert Settings(data_dir=tmp_path).secret == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_weak_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="32"):
        Settings(secret_key="changeme")


def test_demo_fills_an_account_and_jobs_run(tmp_path: Path) -> None:
    demo = givefirst(tmp_path, "demo")
    assert demo.returncode == 0, demo.stderr
    assert "created demo account" in demo.stdout
    again = givefirst(tmp_path, "demo")
    assert again.returncode == 0 and "created demo account" not in again.stdout
    jobs = givefirst(tmp_path, "jobs", "run")
    assert jobs.returncode == 0, jobs.stderr


def test_serve_applies_migrations_and_serves_signup(tmp_path: Path) -> None:
    import socket
    import time

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "GIVEFIRST_DATA_DIR": str(tmp_path)}
    env.pop("GIVEFIRST_DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/signup", timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert response.status_code == 200
        assert 'name="email"' in response.text
        assert (tmp_path / "givefirst.db").exists()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_jobs_alone_know_every_digest_section_and_feed_source() -> None:
    """`givefirst jobs run` does not build the web app: its wiring still brings the gives to
    digests and feeds."""
    import subprocess
    import sys

    script = (
        "import app.cli; from app.wiring import wiring; w = wiring(); "
        "print(len(w.digest_sections), len(w.calendar_sources))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["3", "2"]
