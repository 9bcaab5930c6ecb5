"""The feed's time zones read the same in ical.js (Thunderbird's parser), in icalendar and in our
own importer: every month from 2020 to 2035 and around every change of offset, in three zones
of both hemispheres."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from app.calendar.ical import FeedItem, build_calendar
from app.events.importing import parse_ics
from tests.calendar.icaljs import parse_with_icaljs

ZONES = ("Europe/Paris", "America/New_York", "Australia/Sydney")
MODIFIED = datetime(2026, 1, 1, tzinfo=UTC)


def item(zone: str, start: datetime) -> FeedItem:
    local = start.astimezone(ZoneInfo(zone))
    return FeedItem(
        uid=f"{zone}/{local.isoformat()}",
        summary="Salon",
        start=local,
        end=local + timedelta(hours=1),
        timezone=zone,
        modified=MODIFIED,
    )


def monthly(zone: str) -> list[FeedItem]:
    """Noon local on the 1st and the 15th of every month, 2020 to 2035."""
    return [
        item(zone, datetime(year, month, day, 12, tzinfo=ZoneInfo(zone)))
        for year in range(2020, 2036)
        for month in range(1, 13)
        for day in (1, 15)
    ]


def around_changes(zone: str) -> list[FeedItem]:
    """Every half hour from three hours before to three hours after each change, 2020 to 2035."""
    tz = ZoneInfo(zone)
    items: list[FeedItem] = []
    moment = datetime(2020, 1, 1, tzinfo=UTC)
    offset = moment.astimezone(tz).utcoffset()
    while moment.year < 2036:
        moment += timedelta(hours=1)
        if moment.astimezone(tz).utcoffset() != offset:
            offset = moment.astimezone(tz).utcoffset()
            items += [item(zone, moment + timedelta(minutes=30 * k)) for k in range(-6, 7)]
    assert len(items) == 16 * 2 * 13
    return items


def end(feed_item: FeedItem) -> datetime:
    assert isinstance(feed_item.end, datetime)
    return feed_item.end


def utc_text(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("zone", ZONES)
def test_icaljs_reads_our_times_in_every_month_and_around_every_change(zone: str) -> None:
    items = monthly(zone) + around_changes(zone)
    body = build_calendar(name="Zones", items=items)
    seen = {event["uid"]: event for event in parse_with_icaljs(body)["events"]}
    wrong = [
        (i.uid, utc_text(i.start), seen[i.uid]["start"], seen[i.uid]["end"])  # type: ignore[arg-type]
        for i in items
        if (seen[i.uid]["start"], seen[i.uid]["end"]) != (utc_text(i.start), utc_text(end(i)))
    ]
    assert wrong == []
    # The same in icalendar (RFC 5545) and through our own importer.
    calendar = icalendar.Calendar.from_ical(body)
    # (As UTC text: Python never finds a time of the repeated hour equal to one in another zone.)
    ours = {i.uid: utc_text(i.start) for i in items}
    theirs = {str(e["UID"]): utc_text(e["DTSTART"].dt) for e in calendar.walk("VEVENT")}
    assert theirs == ours
    imported = parse_ics(body, default_timezone="UTC", now=datetime(2026, 1, 1, tzinfo=UTC))
    assert {e.source_uid: utc_text(e.starts_at) for e in imported.events} == ours
    # Each observance is given by its DTSTART alone: no RDATE for ical.js to read instead.
    assert b"RDATE" not in body and b"RRULE" not in body


def test_times_in_the_repeated_hour_are_written_in_utc() -> None:
    # 02:30 happens twice in Paris on 25 October 2026: CEST first, then CET.
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    items = [item("Europe/Paris", first), item("Europe/Paris", first + timedelta(hours=1))]
    body = build_calendar(name="Zones", items=items)
    assert b"DTSTART:20261025T003000Z" in body and b"DTSTART:20261025T013000Z" in body
    # A minute before, 01:59 CEST happens once: written in Paris time.
    body = build_calendar(name="Zones", items=[item("Europe/Paris", first - timedelta(minutes=31))])
    assert b"DTSTART;TZID=Europe/Paris:20261025T015900" in body
