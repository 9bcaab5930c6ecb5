"""A time zone from what the page says: a city naming a zone wins over the default; an offset
alone gives a real zone (US west coast: America/Los_Angeles, never Etc/GMT+7)."""

import json
from datetime import UTC, datetime

from app.events.importing import parse_event_page


def page(start: str, locality: str, country: str) -> bytes:
    event = {
        "@context": "https://schema.org", "@type": "Event", "name": "Trade show", "startDate": start,
        "location": {"@type": "Place", "name": "Hall A", "address": {
            "@type": "PostalAddress", "addressLocality": locality, "addressCountry": country}},
    }  # fmt: skip
    script = f'<script type="application/ld+json">{json.dumps(event)}</script>'
    return f"<html><head>{script}</head><body></body></html>".encode()


def only(data: bytes) -> tuple[str, datetime]:
    result = parse_event_page(
        data, base_url="https://example.org/", default_timezone="Europe/Paris"
    )
    (event,) = result.events
    return event.timezone, event.starts_at


def test_a_city_naming_a_zone_wins_over_the_default() -> None:
    assert only(page("2026-07-10T18:00:00", "Denver", "US")) == (
        "America/Denver",
        datetime(2026, 7, 11, 0, 0, tzinfo=UTC),
    )
    assert only(page("2026-01-10T09:00:00-06:00", "Chicago", ""))[0] == "America/Chicago"


def test_us_west_coast_offset_is_los_angeles() -> None:
    zone, start = only(page("2026-07-10T18:00:00-07:00", "San Francisco", "US"))
    assert zone == "America/Los_Angeles"
    assert start == datetime(2026, 7, 11, 1, 0, tzinfo=UTC)
    assert only(page("2026-12-10T18:00:00-08:00", "Palo Alto", ""))[0] == "America/Los_Angeles"
