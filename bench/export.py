"""Benchmark: everyone as a vCard, streamed, at 100,000 people (issue #12).

A script, not a test: `python bench/export.py` (SQLite in a temporary folder), or with
`--database-url postgresql+psycopg://...` (a fresh database next to the one named, dropped at the
end). It fills one account with `--people` realistic people (bench/people.py's generator, one in
a hundred with a photo) by bulk inserts, then downloads `/api/v1/contacts/export.vcf` through the
app and prints the time to the first bytes, the whole time, the cards and the bytes received.

The goal in the issue: 100,000 people under 30 s, streamed without holding a transaction.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.config import Settings
from app.contacts.models import Contact, ContactPhoto
from app.db import make_engine, migrate
from bench.people import create_owner, database, people  # the same realistic people


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (180, 90, 40)).save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server (a fresh database is made)")
    parser.add_argument("--people", type=int, default=100_000)
    args = parser.parse_args()
    from fastapi.testclient import TestClient

    from app.main import create_app

    with (
        tempfile.TemporaryDirectory() as folder,
        database(args.database_url, Path(folder), "export", None) as url,
    ):
        migrate(url)
        engine = make_engine(url)
        owner, secret = create_owner(engine, "export@example.org")
        rng = random.Random(12)
        rows = list(people(rng, args.people, owner.id))
        photo = _photo()
        with_photo = [row["id"] for row in rows[::100]]
        for row in rows[::100]:
            row["photo_type"] = "image/jpeg"
        started = time.perf_counter()
        with engine.begin() as connection:
            for start in range(0, len(rows), 20_000):
                connection.execute(insert(Contact), rows[start : start + 20_000])
            connection.execute(
                insert(ContactPhoto),
                [{"contact_id": i, "owner_id": owner.id, "content_type": "image/jpeg",
                  "data": photo} for i in with_photo],
            )  # fmt: skip
        print(
            f"{args.people:,} people ({len(with_photo):,} with a photo) on "
            f"{engine.dialect.name}, filled in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        app = create_app(Settings(data_dir=folder, database_url=url, secret_key="b-" + "x" * 40))
        with TestClient(app, headers={"Authorization": f"Bearer {secret}"}) as client:
            started = time.perf_counter()
            first = None
            cards = size = 0
            with client.stream("GET", "/api/v1/contacts/export.vcf") as answer:
                for chunk in answer.iter_bytes():
                    first = first or time.perf_counter() - started
                    cards += chunk.count(b"BEGIN:VCARD")
                    size += len(chunk)
            total = time.perf_counter() - started
        print(
            f"vCard export: {cards:,} cards, {size / 1e6:.1f} MB in {total:.1f} s "
            f"({total / max(cards, 1) * 1e6:.0f} µs a card), first bytes after {first or 0:.2f} s "
            "(goal: 100,000 under 30 s)"
        )
        app.state.engine.dispose()
        engine.dispose()


if __name__ == "__main__":
    main()
