"""Benchmark of an events import (issue #16): a Google-Calendar-style export of 4,800 events
(about 1.6 MB: timed and all-day events in several zones, weekly and yearly series with moved
instances, attendees, alarms and folded descriptions), parsed and saved into a new account.

A script, not a test: `python bench/events_import.py [--events 4800] [--profile]`
(SQLite in a temporary directory). Prints the size, seconds per stage and the counts;
`--profile` also prints cProfile's top functions by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.accounts import service as accounts
from app.db import make_engine, migrate
from app.events import service as events
from app.events.importing import parse_ics

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ZONES = ("Europe/Paris", "America/New_York", "Europe/London", "Asia/Tokyo")

_VTIMEZONES = {
    "Europe/Paris": ("+0100", "+0200", "CET", "CEST", "-1SU"),
    "America/New_York": ("-0500", "-0400", "EST", "EDT", "2SU"),
    "Europe/London": ("+0000", "+0100", "GMT", "BST", "-1SU"),
}


def _vtimezone(tzid: str) -> str:
    if tzid not in _VTIMEZONES:
        return (
            f"BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\nX-LIC-LOCATION:{tzid}\r\nBEGIN:STANDARD\r\n"
            "TZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\nTZNAME:JST\r\n"
            "DTSTART:19700101T000000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
        )
    standard, daylight, std_name, dst_name, spring = _VTIMEZONES[tzid]
    spring_month, autumn = ("3", "-1SU;BYMONTH=10") if spring == "-1SU" else ("3", "1SU;BYMONTH=11")
    return (
        f"BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\nX-LIC-LOCATION:{tzid}\r\n"
        f"BEGIN:DAYLIGHT\r\nTZOFFSETFROM:{standard}\r\nTZOFFSETTO:{daylight}\r\nTZNAME:{dst_name}\r\n"
        f"DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH={spring_month};BYDAY={spring}\r\n"
        f"END:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:{daylight}\r\nTZOFFSETTO:{standard}\r\n"
        f"TZNAME:{std_name}\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYDAY={autumn}\r\n"
        "END:STANDARD\r\nEND:VTIMEZONE\r\n"
    )


def _fold(line: str) -> str:
    """Fold at 75 octets as Google does (ASCII text here, so characters are octets)."""
    parts = [line[:75]]
    rest = line[75:]
    while rest:
        parts.append(" " + rest[:74])
        rest = rest[74:]
    return "\r\n".join(parts)


def google_export(count: int) -> bytes:
    """A Google Calendar export of `count` VEVENTs, over five years around NOW."""
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:bench@example.com",
        "X-WR-TIMEZONE:Europe/Paris",
    ]
    text = "\r\n".join(lines) + "\r\n" + "".join(_vtimezone(z) for z in ZONES)
    out = [text]
    first = NOW - timedelta(days=4 * 365)
    written = 0
    for index in range(count):
        if written >= count:
            break
        zone = ZONES[index % len(ZONES)]
        start = (first + timedelta(hours=9 * index)).replace(minute=0, second=0)
        stamp = "20261123T120000Z"
        ev = ["BEGIN:VEVENT"]
        if index % 17 == 0:
            day = start.date()
            ev += [
                f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
            ]
        else:
            local = start.replace(tzinfo=None)
            ev += [
                f"DTSTART;TZID={zone}:{local:%Y%m%dT%H%M%S}",
                f"DTEND;TZID={zone}:{local + timedelta(hours=1):%Y%m%dT%H%M%S}",
            ]
        uid = f"{index:06d}k2v9q{index % 97:02d}@google.com"
        if index % 40 == 1:
            ev.append("RRULE:FREQ=WEEKLY;BYDAY=" + ("MO", "TU", "WE", "TH", "FR")[index % 5])
        elif index % 40 == 2:
            ev.append("RRULE:FREQ=YEARLY")
        elif index % 40 == 3:
            ev.append(f"RRULE:FREQ=WEEKLY;UNTIL={start + timedelta(days=60):%Y%m%dT%H%M%SZ}")
        ev += [
            f"DTSTAMP:{stamp}",
            f"UID:{uid}",
            f"LAST-MODIFIED:{start - timedelta(days=2):%Y%m%dT%H%M%SZ}",
        ]
        if index % 2 == 0:
            ev.append(f"CREATED:{start - timedelta(days=30):%Y%m%dT%H%M%SZ}")
        if index % 6 == 0:
            ev.append(
                _fold(
                    "DESCRIPTION:Agenda: review of the quarter\\, next steps\\nJoin: "
                    f"https://meet.google.com/abc-defg-{index:04d}\\nDial-in: +33 1 23 45 67 89"
                )
            )
        if index % 4 == 0:
            ev.append(f"LOCATION:Salle {index % 30}\\, 12 rue de la Paix\\, 75002 Paris\\, France")
        if index % 10 == 0:
            ev.append(
                _fold(
                    "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;"
                    f"CN=person{index}@example.com;X-NUM-GUESTS=0:mailto:person{index}@example.com"
                )
            )
        ev += [
            "SEQUENCE:0",
            "STATUS:CONFIRMED",
            f"SUMMARY:Team sync {index}",
            "TRANSP:OPAQUE",
        ]
        if index % 8 == 0:
            ev += [
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                "DESCRIPTION:This is an event reminder",
                "TRIGGER:-P0DT0H10M0S",
                "END:VALARM",
            ]
        ev.append("END:VEVENT")
        out.append("\r\n".join(ev) + "\r\n")
        written += 1
        if index % 40 == 1 and written < count:
            written += 1
            # A moved instance of the weekly series, two weeks on.
            moved = start + timedelta(days=14)
            local = moved.replace(tzinfo=None)
            out.append(
                "BEGIN:VEVENT\r\n"
                f"DTSTART;TZID={zone}:{local + timedelta(hours=2):%Y%m%dT%H%M%S}\r\n"
                f"DTEND;TZID={zone}:{local + timedelta(hours=3):%Y%m%dT%H%M%S}\r\n"
                f"DTSTAMP:{stamp}\r\nUID:{uid}\r\n"
                f"RECURRENCE-ID;TZID={zone}:{local:%Y%m%dT%H%M%S}\r\n"
                f"SUMMARY:Team sync {index} (moved)\r\nEND:VEVENT\r\n"
            )
    out.append("END:VCALENDAR\r\n")
    return "".join(out).encode()


def run(count: int, profile: bool) -> None:
    data = google_export(count)
    vevents = data.count(b"BEGIN:VEVENT")
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
            profiler = cProfile.Profile() if profile else None
            start, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            result = parse_ics(data, default_timezone="Europe/Paris", now=NOW)
            parsed_at = time.perf_counter()
            summary = events.save_imported(session, owner=user, items=result.events)
            session.commit()
            done, cpu_done = time.perf_counter(), time.process_time()
            if profiler:
                profiler.disable()
            print(
                f"Google-style export: {vevents} VEVENTs, {len(data) / 1e6:.2f} MB; "
                f"{len(result.events)} events ({len(summary.created)} saved), "
                f"{len(result.skipped)} skipped — parse {parsed_at - start:.2f} s, "
                f"save {done - parsed_at:.2f} s, total {done - start:.2f} s "
                f"(CPU {cpu_done - cpu:.2f} s: on a loaded machine the wall clock says more)"
            )
            # Importing the same file again: every event is found and left unchanged.
            again, cpu = time.perf_counter(), time.process_time()
            result = parse_ics(data, default_timezone="Europe/Paris", now=NOW)
            summary = events.save_imported(session, owner=user, items=result.events)
            session.commit()
            print(
                f"Again (all {len(summary.unchanged)} unchanged): "
                f"{time.perf_counter() - again:.2f} s (CPU {time.process_time() - cpu:.2f} s)"
            )
            if profiler:
                stream = io.StringIO()
                pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(35)
                print(stream.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=4800)
    parser.add_argument("--profile", action="store_true")
    arguments = parser.parse_args()
    run(arguments.events, arguments.profile)


if __name__ == "__main__":
    main()
