"""Real-browser tests: the real server in a subprocess on a free port, driven by Chromium.

Chromium comes from the system (Debian's package); Playwright's own browser downloads are not used.
Without a Chromium the tests skip with one clear line, except under CI=true, where that fails.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

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

    def cli(self, *args: str, input_text: str = "") -> str:
        result = subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            env=self.env,
            input=input_text.encode(),
            capture_output=True,
            check=True,
        )
        return result.stdout.decode()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    env = {
        **os.environ,
        "GIVEFIRST_DATA_DIR": str(tmp_path / "data"),
        "GIVEFIRST_ALLOW_SIGNUP": "true",
        "GIVEFIRST_ALLOW_PRIVATE_URLS": "true",
    }
    env.pop("GIVEFIRST_DATABASE_URL", None)
    (tmp_path / "data").mkdir()
    server = LiveServer(url=f"http://127.0.0.1:{_free_port()}", data_dir=tmp_path / "data", env=env)
    server.start()
    yield server
    server.stop()
