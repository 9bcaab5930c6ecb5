"""Benchmark: export and restore of an account with 10,000 people, each with a photo.

Run with `.venv/bin/python bench/portability.py [--people 10000] [--photos 10000]`. The database
is a SQLite file in a temporary folder built by the real migrations (or PostgreSQL with
`--database-url`). It prints the archive's size, the time and the peak memory (the peak
resident size of the process) of an export to a file and of a restore into an empty account.
"""

import argparse
import logging
import resource
import sys
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import models  # noqa: F401 - every table
from app.accounts import service as accounts
from app.config import Settings
from app.db import migrate
from app.main import create_app
from app.portability import service
from app.portability.archive import open_archive
from tests.portability.large import fill_large


def measured(label: str, run: object) -> float:
    """Time a step; its peak memory is the process's peak resident size once it has run (the
    steps run in order, each peak above the one before), tracemalloc would slow it down."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    assert callable(run)
    run()
    elapsed = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label}: {elapsed:.1f} s, peak RSS {rss:.0f} MB (before the step: {before:.0f} MB)")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--photos", type=int, default=10_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    work = Path(tempfile.mkdtemp(prefix="givefirst-bench-"))
    url = args.database_url or f"sqlite:///{work / 'givefirst.db'}"
    migrate(url)
    app = create_app(Settings(data_dir=work, database_url=url, secret_key="b" * 40))
    engine = app.state.engine
    started = time.perf_counter()
    user_id = fill_large(engine, email="bench@example.org", people=args.people, photos=args.photos)
    print(
        f"{args.people} people, {args.photos} photos written in {time.perf_counter() - started:.1f} s"
    )
    archive = work / "export.zip"

    def export() -> None:
        service.build_export(
            engine, user_id=user_id, path=archive, sources=app.state.wiring.calendar_sources
        )

    measured("export", export)
    print(f"archive: {archive.stat().st_size / 1e6:.1f} MB")
    with Session(engine) as session:
        service.delete_account(
            session, user=accounts.user_by_email(session, email="bench@example.org")
        )
        accounts.create_user(session, email="restored@example.org", password="x" * 12)
        session.commit()

    def restore() -> None:
        with Session(engine, expire_on_commit=False) as session, open_archive(archive) as extracted:
            user = accounts.user_by_email(session, email="restored@example.org")
            report = service.restore(
                session, user=user, extracted=extracted, mode="restore", dry_run=False,
                secret="b" * 40,
            )  # fmt: skip
            session.commit()
        assert report.counts["contact"].new == args.people, report.counts["contact"]

    measured("restore (check, unpack, write)", restore)
    engine.dispose()


if __name__ == "__main__":
    main()
