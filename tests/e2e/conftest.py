"""Real-browser tests: the real server in a subprocess on a free port, driven by Chromium.

One server serves the whole session and each test signs in as its own new user in its own browser
context, so tests stay apart without paying a server start each; a test that stops the server or
changes its settings takes `own_server`, a server of its own.

Chromium comes from the system (Debian's package); Playwright's own browser downloads are not used.
Without a Chromium the tests skip with one clear line, except under CI=true, where that fails.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from app.accounts import service as accounts
from app.db import make_engine

T = TypeVar("T")
PASSWORD = "correct horse battery staple"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


E2E = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A browser test that fails runs once more before it counts, as Playwright's own runner
    retries on CI: on a two-core machine running two workers, Chromium and live servers, a step
    now and then waits past its timeout. A rerun shows in the summary ("rerun"), so a flaky test
    stays visible; a test broken for real fails twice."""
    for item in items:
        if E2E in item.path.parents:
            item.add_marker(pytest.mark.flaky(reruns=1, reruns_delay=1))


def chromium_path() -> str | None:
    found = os.environ.get("GIVEFIRST_CHROMIUM") or next(
        (path for path in CHROMIUM_CANDIDATES if Path(path).exists()), None
    )
    return found or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    path = chromium_path()
    if path is None:
        message = "no Chromium found: install it (Debian: apt-get install chromium) to run the browser tests"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_ARGS}


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 360, "height": 740}, "locale": "fr-FR"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LiveServer:
    url: str
    data_dir: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        port = self.url.rsplit(":", 1)[1]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", port],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.data_dir / "server.log", "ab"),  # noqa: SIM115 - kept open with the process
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(
            f"the server did not start: {(self.data_dir / 'server.log').read_text()}"
        )

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def _session(self) -> Session:
        # The server's own database, written from here as `givefirst users create` would: a
        # command-line process per user would cost a second each (the CLI has its own tests).
        engine = make_engine(f"sqlite:///{(self.data_dir / 'givefirst.db').resolve()}")
        return Session(engine)

    def new_user(self, name: str, *, locale: str = "fr") -> str:
        """Create an account no other test uses (with PASSWORD); its e-mail."""
        email = f"{name}-{uuid.uuid4().hex[:10]}@example.org"
        with self._session() as session:
            accounts.create_user(session, email=email, password=PASSWORD, locale=locale)
            session.commit()
        return email

    def api(self, email: str) -> httpx.Client:
        """An API client with a new personal access token of this user."""
        with self._session() as session:
            user = accounts.user_by_email(session, email=email)
            _token, secret = accounts.create_token(session, user=user, name="tests")
            session.commit()
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {secret}"})


def _server(data_dir: Path) -> LiveServer:
    env = {
        **os.environ,
        "GIVEFIRST_DATA_DIR": str(data_dir),
        "GIVEFIRST_ALLOW_SIGNUP": "true",
        "GIVEFIRST_ALLOW_PRIVATE_URLS": "true",
    }
    env.pop("GIVEFIRST_DATABASE_URL", None)
    data_dir.mkdir()
    return LiveServer(url=f"http://127.0.0.1:{_free_port()}", data_dir=data_dir, env=env)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The server every browser test shares; never stop it or change its settings."""
    server = _server(tmp_path_factory.mktemp("live") / "data")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server for one test alone, which may stop, restart or reconfigure it."""
    server = _server(tmp_path / "data")
    server.start()
    yield server
    server.stop()


def sign_in(live_server: LiveServer, page: Page, name: str) -> str:
    """Sign a new user in through the form, landing on the home page; their e-mail."""
    email = live_server.new_user(name)
    page.goto(f"{live_server.url}/signin")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    expect(page.locator("h1")).to_have_text("Bonjour")
    return email


def eventually(check: Callable[[], T], what: str, timeout: float = 15.0) -> T:
    """Poll `check()` until it returns something truthy, and return it (the outbox sends in the
    background); fail, saying what was awaited and what was last seen, when it never does."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"after {timeout:g} s, still not {what}: last saw {found!r}")
        time.sleep(0.2)
