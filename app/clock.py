"""The app's one clock: `now()` is the current instant, unless a test has fixed it with `frozen`."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_fixed: datetime | None = None


def now() -> datetime:
    """The current instant, timezone-aware, in UTC (or the instant a test fixed)."""
    return _fixed if _fixed is not None else datetime.now(UTC)


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Within the block, `now()` answers `at` (aware), so date-bound tests do not depend on the
    day they run; the real clock comes back after it, and a nested block restores the outer one."""
    global _fixed
    if at.tzinfo is None:
        raise ValueError("naive datetime: freeze the clock at an aware instant")
    previous, _fixed = _fixed, at.astimezone(UTC)
    try:
        yield
    finally:
        _fixed = previous
