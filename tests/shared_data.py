"""Access to the real-world files in ../shared/testdata, which are never copied into the project.

A user's clone has no ../shared: tests that need it skip with a clear reason, except under
CI=true, where a missing corpus is a failure.
"""

import os
from pathlib import Path

import pytest

SHARED_TESTDATA = Path(
    os.environ.get(
        "GIVEFIRST_SHARED_TESTDATA", Path(__file__).resolve().parents[2] / "shared" / "testdata"
    )
)


def shared_testdata(subdir: str = "") -> Path:
    """The shared test-data folder (or a sub-folder), or skip (fail under CI) when it is absent."""
    path = SHARED_TESTDATA / subdir
    if not path.is_dir():
        message = (
            f"shared test data not found at {path}: these tests read real files from ../shared/testdata "
            "beside the project (set GIVEFIRST_SHARED_TESTDATA to point elsewhere)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path
