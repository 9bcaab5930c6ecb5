"""Every schema.org syntax extruct reads gives the same event: JSON-LD, microdata and RDFa
(with a vocabulary or a prefix), nested places and addresses, times in <time datetime>."""

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from app.events.importing import ImportedEvent, parse_document, parse_event_page
from tests.shared_data import shared_testdata

BASE = "https://salon.example/agenda/"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

JSON_LD = {
    "@context": "https://schema.org", "@type": "BusinessEvent", "name": "Salon des créateurs",
    "url": "/agenda/salon-2027", "startDate": "2027-03-12T09:30:00+01:00",
    "endDate": "2027-03-12T18:00:00+01:00",
    "location": {"@type": "Place", "name": "Palais des congrès", "address": {
        "@type": "PostalAddress", "streetAddress": "2 place de la Porte Maillot",
        "postalCode": "75017", "addressLocality": "Paris", "addressCountry": "FR"}},
}  # fmt: skip

MICRODATA = """
<div itemscope itemtype="https://schema.org/BusinessEvent">
  <a itemprop="url" href="/agenda/salon-2027"><span itemprop="name">Salon des créateurs</span></a>
  <time itemprop="startDate" datetime="2027-03-12T09:30:00+01:00">12 mars, 9 h 30</time>
  <meta itemprop="endDate" content="2027-03-12T18:00:00+01:00">
  <div itemprop="location" itemscope itemtype="https://schema.org/Place">
    <span itemprop="name">Palais des congrès</span>
    <div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">
      <span itemprop="streetAddress">2 place de la Porte Maillot</span>
      <span itemprop="postalCode">75017</span> <span itemprop="addressLocality">Paris</span>
      <span itemprop="addressCountry">FR</span>
    </div>
  </div>
</div>"""

RDFA_VOCAB = """
<div vocab="https://schema.org/" typeof="BusinessEvent">
  <a property="url" href="/agenda/salon-2027"><span property="name">Salon des créateurs</span></a>
  <time property="startDate" datetime="2027-03-12T09:30:00+01:00">12 mars, 9 h 30</time>
  <meta property="endDate" content="2027-03-12T18:00:00+01:00">
  <div property="location" typeof="Place">
    <span property="name">Palais des congrès</span>
    <div property="address" typeof="PostalAddress">
      <span property="streetAddress">2 place de la Porte Maillot</span>
      <span property="postalCode">75017</span> <span property="addressLocality">Paris</span>
      <span property="addressCountry">FR</span>
    </div>
  </div>
</div>"""

# RDFa 1.1 with a prefix instead of a vocabulary, and the old http:// schema.org IRI.
RDFA_PREFIX = """
<div prefix="s: http://schema.org/" typeof="s:BusinessEvent">
  <a property="s:url" href="/agenda/salon-2027"><span property="s:name">Salon des créateurs</span></a>
  <span property="s:startDate" content="2027-03-12T09:30:00+01:00">12 mars, 9 h 30</span>
  <span property="s:endDate" content="2027-03-12T18:00:00+01:00">18 h</span>
  <div property="s:location" typeof="s:Place">
    <span property="s:name">Palais des congrès</span>
    <div property="s:address" typeof="s:PostalAddress">
      <span property="s:streetAddress">2 place de la Porte Maillot</span>
      <span property="s:postalCode">75017</span> <span property="s:addressLocality">Paris</span>
      <span property="s:addressCountry">FR</span>
    </div>
  </div>
</div>"""


def page(body: str) -> bytes:
    return f"<!DOCTYPE html><html><head><title>Agenda</title></head><body>{body}</body></html>".encode()


def summary(event: ImportedEvent) -> dict[str, Any]:
    return {
        "name": event.name,
        "start": event.starts_at.astimezone(UTC),
        "end": event.ends_at and event.ends_at.astimezone(UTC),
        "zone": event.timezone,
        "venue": event.venue,
        "address": event.address,
        "city": event.city,
        "country": event.country,
        "url": event.url,
        "kind": event.kind,
    }


EXPECTED = {
    "name": "Salon des créateurs",
    "start": datetime(2027, 3, 12, 8, 30, tzinfo=UTC),
    "end": datetime(2027, 3, 12, 17, 0, tzinfo=UTC),
    "zone": "Europe/Paris",
    "venue": "Palais des congrès",
    "address": "2 place de la Porte Maillot, 75017 Paris, FR",
    "city": "Paris",
    "country": "FR",
    "url": "https://salon.example/agenda/salon-2027",
    "kind": "salon",
}


@pytest.mark.parametrize(
    "body",
    [
        f'<script type="application/ld+json">{json.dumps(JSON_LD)}</script>',
        MICRODATA,
        RDFA_VOCAB,
        RDFA_PREFIX,
    ],
    ids=["json-ld", "microdata", "rdfa-vocab", "rdfa-prefix"],
)
def test_each_syntax_gives_the_same_event(body: str) -> None:
    # The reader is in New York: the offset and the address say Paris.
    result = parse_document(
        page(body),
        content_type="text/html; charset=utf-8",
        base_url=BASE,
        default_timezone="America/New_York",
        now=NOW,
    )
    assert [summary(e) for e in result.events] == [EXPECTED]
    assert result.skipped == []


def test_one_event_in_two_syntaxes_is_imported_once() -> None:
    body = f'<script type="application/ld+json">{json.dumps(JSON_LD)}</script>{RDFA_VOCAB}'
    result = parse_event_page(page(body), base_url=BASE, default_timezone="Europe/Paris")
    assert [summary(e) for e in result.events] == [EXPECTED]
    assert [s.reason for s in result.skipped] == ["duplicate"]


def test_rdfa_events_listed_in_a_band_page_with_date_only_starts() -> None:
    # A band's page lists its shows as `event`s of the MusicGroup: each show is an event, the
    # band is not; a date without a time is an all-day event in the reader's zone.
    body = """
    <div vocab="https://schema.org/" typeof="MusicGroup">
      <h1 property="name">Les Ondes</h1>
      <div property="event" typeof="MusicEvent">
        <a property="url" href="/shows/lyon"><span property="name">Les Ondes à Lyon</span></a>
        <span property="location">Le Transbordeur, Villeurbanne, France</span>
        <meta property="startDate" content="2027-05-20">
      </div>
      <div property="event" typeof="MusicEvent">
        <a property="url" href="/shows/lille"><span property="name">Les Ondes à Lille</span></a>
        <span property="location" typeof="Place"><span property="name">L'Aéronef</span>
          <span property="address">168 avenue Willy Brandt, Lille</span></span>
        <meta property="startDate" content="2027-05-23">
        <div property="subEvent" typeof="Event"><span property="name">Première partie</span>
          <meta property="startDate" content="2027-05-23T19:00:00+02:00"></div>
      </div>
    </div>"""
    result = parse_event_page(page(body), base_url=BASE, default_timezone="Europe/Paris")
    shows = sorted(result.events, key=lambda e: e.starts_at)
    assert [(e.name, e.starts_at.isoformat(), e.all_day, e.url, e.venue) for e in shows] == [
        ("Les Ondes à Lyon", "2027-05-20T00:00:00+02:00", True, "https://salon.example/shows/lyon",
         "Le Transbordeur"),
        ("Les Ondes à Lille", "2027-05-23T00:00:00+02:00", True,
         "https://salon.example/shows/lille", "L'Aéronef"),
    ]  # fmt: skip
    assert shows[1].address == "168 avenue Willy Brandt, Lille"


def test_rdfa_without_schema_org_events_is_no_event() -> None:
    body = '<div vocab="http://xmlns.com/foaf/0.1/" typeof="Person"><span property="name">A</span></div>'
    with pytest.raises(Exception) as failure:
        parse_event_page(page(body), base_url=BASE, default_timezone="Europe/Paris")
    assert getattr(failure.value, "code", None) == "no_events"


def test_the_real_json_ld_and_microdata_twins_give_the_same_event() -> None:
    # schema.org's example eg-0012, published in both syntaxes (shared test data).
    folder = shared_testdata("events-html")
    twins = [
        parse_event_page(
            (folder / name).read_bytes(), base_url=BASE, default_timezone="America/New_York"
        ).events
        for name in ("sdo-eg-0012-event-jsonld.html", "sdo-eg-0012-event-microdata.html")
    ]
    jsonld, microdata = ([summary(e) for e in events] for events in twins)
    assert len(jsonld) == 1 and jsonld == microdata
