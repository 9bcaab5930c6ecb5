"""Benchmark: the private calendar feed of an account with 5,000 items (events and gives).

Run with `.venv/bin/python bench/calendar_feed.py [--events 3000] [--gives 2000] [--runs 30]`. The database is a
SQLite file in a temporary folder, built by the real migrations. It prints, in ms:
- builds measured around `render_feed` (the database queries, every item and the whole file):
  the first one (cold: nothing serialized yet), then the median and 95th percentile of the next;
- requests through HTTP (the whole app, middleware included, in a TestClient): the first GET of
  a new process, warm GETs with and without gzip, a 304 revalidation with the ETag, and warm
  gzip GETs from 4 clients at once (under load, on however many cores there are).
"""

import argparse
import logging
import random
import secrets
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlmodel import Session

from app import models  # noqa: F401 - every table
from app.accounts import service as accounts
from app.accounts.models import User
from app.calendar import ical
from app.calendar import service as calendar
from app.calendar.models import CalendarFeed
from app.config import Settings
from app.contacts.models import Contact
from app.db import make_engine, migrate
from app.events.models import Event
from app.events.service import series_link, series_name
from app.gives.models import Give
from app.main import create_app
from app.wiring import wiring

ZONES = ["Europe/Paris", "Europe/Paris", "Europe/Paris", "Europe/London", "America/New_York"]
SECRET = "bench-secret-" + "x" * 40

SOURCES = wiring().calendar_sources


def fill(session: Session, count: int, gives: int) -> tuple[CalendarFeed, str]:
    """An account with `count` events over six years, a few all-day, some long descriptions, and
    `gives` planned gives for 500 people, due over the next two years."""
    user = accounts.create_user(
        session, email="bench@example.org", password=secrets.token_urlsafe(16), display_name="Bench"
    )
    rng = random.Random(6)
    now = datetime.now(UTC)
    base = datetime(2024, 1, 1, tzinfo=UTC)
    for index in range(count):
        zone = ZoneInfo(rng.choice(ZONES))
        day = base + timedelta(days=rng.randrange(6 * 365))
        all_day = index % 10 == 0
        if all_day:
            start = datetime.combine(day.date(), datetime.min.time(), zone)
            end = start + timedelta(days=rng.choice([1, 1, 2, 3]))
        else:
            start = datetime.combine(day.date(), datetime.min.time(), zone) + timedelta(
                hours=rng.randrange(8, 19)
            )
            end = start + timedelta(hours=rng.choice([1, 2, 3, 8]))
        name = f"Salon des indépendants n°{index}"
        session.add(
            Event(
                id=uuid.uuid4(),
                owner_id=user.id,
                name=name,
                kind="salon",
                status=rng.choice(["going", "interested", "attended"]),
                starts_at=start,
                ends_at=end,
                all_day=all_day,
                timezone=zone.key,
                venue="Paris Expo" if index % 2 else None,
                city="Paris",
                country="France",
                url=f"https://salon.example.org/{index}",
                description=(
                    "Conférences, ateliers et rencontres d’affaires. " * rng.choice([0, 1, 4])
                )
                or None,
                series_name=series_name(name),
                series_link=series_link(f"https://salon.example.org/{index}"),
                sequence=rng.randrange(4),
                created_at=now,
                updated_at=now,
            )
        )
    people = [
        Contact(
            id=uuid.uuid4(),
            owner_id=user.id,
            full_name=f"Personne {n}",
            sort_name=f"personne {n}",
            created_at=now,
            updated_at=now,
            recent_at=now,
        )  # fmt: skip
        for n in range(500)
    ]
    session.add_all(people)
    session.flush()
    for index in range(gives):
        session.add(
            Give(
                owner_id=user.id,
                contact_id=people[index % 500].id,
                kind="resource",
                title=f"Envoyer la ressource n°{index}",
                status="planned",
                due_on=(now + timedelta(days=rng.randrange(730))).date(),
                details="Un lien utile." if index % 3 else None,
                created_at=now,
                updated_at=now,
            )  # fmt: skip
        )
    feed, token = calendar.ensure_feed(session, user=user, secret=SECRET)
    session.commit()
    return feed, token


def _ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def _summary(timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):.0f} ms, p95 {p95:.0f} ms"


def through_http(folder: str, url: str, token: str, runs: int) -> list[str]:
    """Time the feed's requests through the whole app, as calendar apps send them."""
    settings = Settings(data_dir=Path(folder), database_url=url, secret_key=SECRET)
    app = create_app(settings)
    path = calendar.feed_path(token)
    gzip_ok = {"Accept-Encoding": "gzip"}
    with TestClient(app) as client:

        def get(headers: dict[str, str], status: int = 200) -> None:
            answer = client.get(path, headers=headers)
            assert answer.status_code == status, answer.status_code

        ical.clear_cache()
        calendar.forget_built_feeds()
        first = _ms(lambda: get(gzip_ok))
        etag = client.get(path, headers=gzip_ok).headers["etag"]
        warm_gzip = [_ms(lambda: get(gzip_ok)) for _ in range(runs)]
        warm_plain = [_ms(lambda: get({"Accept-Encoding": "identity"})) for _ in range(runs)]
        revalidate = [_ms(lambda: get(gzip_ok | {"If-None-Match": etag}, 304)) for _ in range(runs)]
        with ThreadPoolExecutor(4) as pool:
            loaded = list(pool.map(lambda _n: _ms(lambda: get(gzip_ok)), range(4 * runs)))
    app.state.engine.dispose()
    return [
        "  through HTTP:",
        f"    first GET of a new process (built): {first:.0f} ms",
        f"    warm GET, gzip: {_summary(warm_gzip)} (target < 300 ms)",
        f"    warm GET, not compressed: {_summary(warm_plain)}",
        f"    304 revalidation (If-None-Match): {_summary(revalidate)}",
        f"    warm GET, gzip, 4 clients at once: {_summary(loaded)}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--gives", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=30)
    # `make bench BENCH_ARGS=...` passes the people benchmark's options too; this one uses SQLite.
    args, _others = parser.parse_known_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        migrate(url)
        engine = make_engine(url)
        with Session(engine, expire_on_commit=False) as session:
            feed, token = fill(session, args.events, args.gives)
        timings = []
        size = 0
        ical.clear_cache()
        # Run 0: nothing written yet anywhere; run 1: a new process (the items come back from the
        # database); the others: the same process again.
        for run in range(args.runs + 2):
            if run == 1:
                ical.clear_cache()
            with Session(engine, expire_on_commit=False) as session:
                found = session.get(CalendarFeed, feed.user_id)
                assert found is not None
                feed = found
                user = session.get(User, feed.user_id)
                assert user is not None
                version = calendar.feed_version(session, feed=feed, user=user, sources=SOURCES)
                started = time.perf_counter()
                built = calendar.render_feed(
                    session, feed=feed, user=user, sources=SOURCES, version=version
                )
                timings.append((time.perf_counter() - started) * 1000)
                size = len(built.body)
                session.commit()
        engine.dispose()
        http = through_http(folder, url, token, args.runs)
    cold, restart, warm = timings[0], timings[1], timings[2:]
    print(f"calendar feed, {args.events} events and {args.gives} gives, {size / 1e6:.1f} MB")
    print(f"  first build ever (nothing written yet): {cold:.0f} ms")
    print(f"  first build of a new process (items read back from the database): {restart:.0f} ms")
    print(f"  next {len(warm)} builds: {_summary(warm)}")
    print("\n".join(http))


if __name__ == "__main__":
    main()
