"""Benchmark of people imports (issues #15, #16): a 10,000-row LinkedIn CSV and a 10,000-card
vCard, generated here, parsed, previewed (dry run) and imported into an account that already
holds 1,000 of those people.

A script, not a test: `python bench/imports.py [--rows 10000] [--database-url URL]`. SQLite in a
temporary directory by default; with a PostgreSQL URL, a temporary database is created on that
server, migrated, and dropped at the end. Prints seconds per stage and milliseconds per row.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.accounts import service as accounts
from app.contacts import exchange
from app.db import make_engine, migrate

FIRST = ("Hélène", "Jean", "Zoë", "Søren", "María José", "Łukasz", "Amélie", "John", "Aïcha")
LAST = ("Dupont", "Ñandú", "Müller", "O'Brien", "Nguyễn", "Weiß", "Fontaine", "Smith")


def _name(index: int) -> tuple[str, str]:
    return FIRST[index % len(FIRST)], f"{LAST[index % len(LAST)]}{index}"


def linkedin_csv(rows: int) -> bytes:
    lines = ["Notes:", '"When exporting your connection data..."', "",
             "First Name,Last Name,URL,Email Address,Company,Position,Connected On"]  # fmt: skip
    for index in range(rows):
        first, last = _name(index)
        email = f"p{index}@example.com" if index % 3 == 0 else ""
        lines.append(
            f"{first},{last},https://www.linkedin.com/in/p{index},{email},"
            f'"Company {index % 700}, Inc.",Engineer,23 Nov 2024'
        )
    return ("\n".join(lines) + "\n").encode()


def vcards(rows: int) -> bytes:
    cards = []
    for index in range(rows):
        first, last = _name(index)
        cards.append(
            f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:{last};{first};;;\r\nFN:{first} {last}\r\n"
            f"ORG:Company {index % 700}\r\nEMAIL;TYPE=WORK:v{index}@example.com\r\n"
            f"TEL;TYPE=CELL:+33 6 00 {index:06d}\r\nUID:uid-{index}\r\nEND:VCARD\r\n"
        )
    return "".join(cards).encode()


@contextmanager
def database(url: str | None) -> Iterator[str]:
    """A migrated empty database: a SQLite file, or a database made for the run on PostgreSQL."""
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    name = f"givefirst_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(rows: int, url: str | None) -> None:
    with database(url) as database_url:
        migrate(database_url)
        engine = make_engine(database_url)
        print(f"{engine.dialect.name}, {rows} rows")
        with Session(engine, expire_on_commit=False) as session:
            user = accounts.create_user(
                session,
                email="bench@example.com",
                password="correct horse battery staple",  # noqa: S106
                locale="en",
            )
            session.commit()
            # 1,000 of them already known, so that matching has something to find.
            known = exchange.parse_file(linkedin_csv(1000), filename="seed.csv", locale="en")
            exchange.apply(session, owner=user, parsed=known, dry_run=False, on_match="merge")
            session.commit()
            for label, data, filename in (
                ("LinkedIn CSV", linkedin_csv(rows), "Connections.csv"),
                ("vCard", vcards(rows), "people.vcf"),
            ):
                start = time.perf_counter()
                parsed = exchange.parse_file(data, filename=filename, locale="en")
                parsed_at = time.perf_counter()
                exchange.apply(session, owner=user, parsed=parsed, dry_run=True, on_match="merge")
                session.commit()
                previewed_at = time.perf_counter()
                report = exchange.apply(
                    session, owner=user, parsed=parsed, dry_run=False, on_match="merge"
                )
                session.commit()
                done = time.perf_counter()
                parse, preview, save = (
                    parsed_at - start,
                    previewed_at - parsed_at,
                    done - previewed_at,
                )
                print(
                    f"{label}: {rows} rows, {len(data) / 1e6:.1f} MB, {report.created} created, "
                    f"{report.updated} completed — parse {parse:.2f} s, dry run {preview:.2f} s "
                    f"({preview / rows * 1000:.2f} ms a row), import {save:.2f} s "
                    f"({save / rows * 1000:.2f} ms a row); parse + import {parse + save:.2f} s "
                    f"({(parse + save) / rows * 1000:.2f} ms a row)"
                )
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", help="a PostgreSQL server's URL (default: SQLite)")
    args = parser.parse_args()
    run(args.rows, args.database_url)


if __name__ == "__main__":
    main()
