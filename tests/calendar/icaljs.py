"""Run ical.js (Thunderbird's iCalendar parser) from Node on a calendar file.

ical.js is installed by npm into `.cache/node` (ignored by git) on first use. Without Node or npm
the tests that need it skip with the reason, except under CI=true, where they fail.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "node"
VERSION = "2.2.1"
SCRIPT = Path(__file__).with_name("icaljs_dump.mjs")


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def icaljs_ready() -> Path:
    """The folder holding ical.js and the dump script, installing them when needed."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        _missing("Node.js and npm are needed to check the feed with ical.js (Thunderbird's parser)")
    package = CACHE / "node_modules" / "ical.js" / "package.json"
    if not package.exists() or json.loads(package.read_text())["version"] != VERSION:
        CACHE.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [
                npm or "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(CACHE),
                f"ical.js@{VERSION}",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            _missing(f"npm could not install ical.js: {result.stderr[-500:]}")
    # Copied beside node_modules so that `import ICAL from "ical.js"` resolves.
    shutil.copyfile(SCRIPT, CACHE / SCRIPT.name)
    return CACHE


def parse_with_icaljs(body: bytes) -> dict[str, Any]:
    """The calendar's name and events as ical.js reads them (starts and ends in UTC)."""
    folder = icaljs_ready()
    result = subprocess.run(
        ["node", str(folder / SCRIPT.name)],
        input=body,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed
