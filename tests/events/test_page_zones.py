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


def test_an_offset_alone_gives_a_real_zone_never_etc_gmt() -> None:
    # No place at all: the offset at that date picks the zone most events are in.
    def bare(start: str) -> str:
        event = {"@context": "https://schema.org", "@type": "Event", "name": "Webinar",
                 "startDate": start}  # fmt: skip
        script = f'<script type="application/ld+json">{json.dumps(event)}</script>'
        result = parse_event_page(script.encode(), base_url="https://x.example/",
                                  default_timezone="Europe/Paris")  # fmt: skip
        return result.events[0].timezone

    assert bare("2026-07-10T18:00:00-07:00") == "America/Los_Angeles"
    assert bare("2026-12-10T18:00:00-08:00") == "America/Los_Angeles"
    assert bare("2026-07-10T18:00:00-04:00") == "America/New_York"
    assert bare("2026-07-10T18:00:00+02:00") == "Europe/Paris"  # the reader's own zone
    assert not bare("2026-07-10T18:00:00-07:00").startswith("Etc/")


def test_a_city_in_microdata_wins_over_the_default_too() -> None:
    html = b"""<div itemscope itemtype="https://schema.org/Event"><span itemprop="name">Expo</span>
      <meta itemprop="startDate" content="2026-07-10T18:00:00">
      <div itemprop="location" itemscope itemtype="https://schema.org/Place">
        <div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">
          <span itemprop="addressLocality">Chicago</span></div></div></div>"""
    assert only(html) == ("America/Chicago", datetime(2026, 7, 10, 23, 0, tzinfo=UTC))
