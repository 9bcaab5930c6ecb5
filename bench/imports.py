"""Benchmark of people imports (issue #16): a 10,000-row LinkedIn CSV and a 10,000-card vCard,
parsed, previewed and imported into an account that already holds 1,000 of those people.

A script, not a test: `python bench/imports.py [--rows 10000]` (SQLite in a temporary directory).
Prints seconds per stage and milliseconds per row.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

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


def run(rows: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        migrate(url)
        engine = make_engine(url)
        with Session(engine) as session:
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
                previewed_at = time.perf_counter()
                exchange.apply(session, owner=user, parsed=parsed, dry_run=False, on_match="merge")
                session.commit()
                done = time.perf_counter()
                total = done - start
                print(
                    f"{label}: {rows} rows, {len(data) / 1e6:.1f} MB — parse {parsed_at - start:.2f} s, "
                    f"preview {previewed_at - parsed_at:.2f} s, import {done - previewed_at:.2f} s, "
                    f"total {total:.2f} s ({total / rows * 1000:.2f} ms a row)"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    run(parser.parse_args().rows)


if __name__ == "__main__":
    main()
