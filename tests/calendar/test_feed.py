"""The private feed: what it holds, read back by icalendar and by ical.js, its token and its caching."""

import gzip
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import icalendar
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.calendar import ical
from app.calendar.models import CalendarFeed
from app.events.models import Event
from tests.calendar.icaljs import parse_with_icaljs

LONG = (
    "Journée de rencontres entre indépendants, consultants et fondateurs : "
    "ateliers « donner d’abord », café-croissants à 8 h 30, déjeuner à la cantine. " * 6
).strip()

EVENTS: list[dict[str, Any]] = [
    {
        "name": "Meetup Paris hiver",
        "starts_at": "2027-01-14T19:00:00",
        "ends_at": "2027-01-14T21:30:00",
        "timezone": "Europe/Paris",
        "status": "going",
        "venue": "La Cantine",
        "city": "Paris",
    },
    {
        "name": "Conférence d’été",
        "starts_at": "2027-07-08T09:00:00",
        "ends_at": "2027-07-08T18:00:00",
        "timezone": "Europe/Paris",
        "status": "interested",
    },
    {
        "name": "Nuit du changement d’heure",
        "starts_at": "2027-03-27T22:00:00",
        "ends_at": "2027-03-28T10:00:00",
        "timezone": "Europe/Paris",
        "status": "going",
    },
    {
        "name": "Journée portes ouvertes",
        "starts_at": "2027-02-03T00:00:00",
        "ends_at": "2027-02-04T00:00:00",
        "all_day": True,
        "timezone": "Europe/Paris",
        "status": "going",
    },
    {
        "name": "Salon des Entrepreneurs",
        "kind": "salon",
        "starts_at": "2027-10-05T00:00:00",
        "ends_at": "2027-10-08T00:00:00",
        "all_day": True,
        "timezone": "Europe/Paris",
        "status": "going",
        "venue": "Palais des Congrès",
        "address": "2 place de la Porte Maillot",
        "city": "Paris",
        "country": "France",
    },
    {
        "name": "Web Summit NYC",
        "starts_at": "2027-11-03T09:30:00",
        "ends_at": "2027-11-03T17:00:00",
        "timezone": "America/New_York",
        "status": "going",
        "city": "New York",
        "url": "https://example.org/nyc",
    },
    {
        "name": "Rencontre éphémère à Orléans — « Cœur & Âme »",
        "starts_at": "2027-05-20T08:30:00",
        "ends_at": "2027-05-20T12:00:00",
        "timezone": "Europe/Paris",
        "status": "interested",
        "description": LONG,
        "notes": "Secret : parler à Zoé du projet.",
    },
]


def _create_events(alice: TestClient) -> list[str]:
    ids = []
    for body in EVENTS:
        answer = alice.post("/api/v1/events", json=body)
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
    return ids


def _feed_path(client: TestClient) -> str:
    answer = client.get("/api/v1/calendar")
    assert answer.status_code == 200, answer.text
    return urlsplit(answer.json()["url"]).path


def _stored(db: Session) -> dict[str, Event]:
    db.expire_all()
    return {f"event-{event.id}@givefirst": event for event in db.exec(select(Event))}


def _expected(event: Event) -> tuple[str, str | None]:
    """What a client must show: UTC instants for timed events, local dates for all-day ones."""
    if event.all_day:
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(event.timezone)
        assert event.ends_at is not None
        return (
            event.starts_at.astimezone(zone).date().isoformat(),
            event.ends_at.astimezone(zone).date().isoformat(),
        )
    end = event.ends_at.astimezone(UTC).isoformat() if event.ends_at else None
    return event.starts_at.astimezone(UTC).isoformat(), end


def _normalize(value: str | None) -> str | None:
    if value is None or len(value) == 10:
        return value
    return datetime.fromisoformat(value).astimezone(UTC).isoformat()


def test_feed_times_agree_with_the_database_in_icalendar_and_icaljs(
    alice: TestClient, client: TestClient, db: Session
) -> None:
    _create_events(alice)
    body = client.get(_feed_path(alice)).content
    stored = _stored(db)

    # icalendar (Python)
    parsed = icalendar.Calendar.from_ical(body)
    assert parsed.get_missing_tzids() == set()
    vevents = {str(vevent["uid"]): vevent for vevent in parsed.walk("VEVENT")}
    assert set(vevents) == set(stored)
    for uid, event in stored.items():
        vevent = vevents[uid]
        start, end = vevent.decoded("dtstart"), vevent.decoded("dtend")
        if event.all_day:
            assert not isinstance(start, datetime)
            assert (start.isoformat(), end.isoformat()) == _expected(event)
        else:
            assert (
                start.tzinfo is not None and str(vevent["dtstart"].params["TZID"]) == event.timezone
            )
            assert (
                start.astimezone(UTC).isoformat(),
                end.astimezone(UTC).isoformat(),
            ) == _expected(event)
        assert str(vevent["summary"]) == event.name
        assert int(vevent["sequence"]) == event.sequence

    # ical.js (Thunderbird)
    seen = parse_with_icaljs(body)
    assert seen["name"] == "Givefirst – Alice Martin"
    by_uid = {item["uid"]: item for item in seen["events"]}
    assert set(by_uid) == set(stored)
    for uid, event in stored.items():
        item = by_uid[uid]
        assert (_normalize(item["start"]), _normalize(item["end"])) == _expected(event), event.name
        assert item["all_day"] is event.all_day
        assert item["summary"] == event.name
        if not event.all_day:
            assert item["zone"] == event.timezone
    accents = next(item for item in seen["events"] if item["summary"].startswith("Rencontre"))
    assert accents["description"] == LONG
    assert "Secret" not in body.decode()
    assert max(len(line) for line in body.split(b"\r\n")) <= 75


def test_feed_holds_going_and_interested_not_skipped_and_marks_cancelled(
    alice: TestClient, client: TestClient, db: Session
) -> None:
    ids = _create_events(alice)
    skipped = alice.post(
        "/api/v1/events",
        json={
            "name": "Pas pour moi",
            "starts_at": "2027-04-01T10:00:00+02:00",
            "status": "skipped",
        },
    ).json()
    cancelled = db.get(Event, uuid.UUID(ids[1]))
    assert cancelled is not None
    cancelled.cancelled = True
    db.add(cancelled)
    db.commit()
    parsed = icalendar.Calendar.from_ical(client.get(_feed_path(alice)).content)
    statuses = {str(event["uid"]): str(event["status"]) for event in parsed.walk("VEVENT")}
    assert f"event-{skipped['id']}@givefirst" not in statuses
    assert statuses[f"event-{ids[1]}@givefirst"] == "CANCELLED"
    assert statuses[f"event-{ids[0]}@givefirst"] == "CONFIRMED"
    assert not any("ATTENDEE" in event for event in parsed.walk("VEVENT"))


def test_feed_has_its_name_refresh_interval_and_stable_uids(
    alice: TestClient, client: TestClient
) -> None:
    ids = _create_events(alice)
    path = _feed_path(alice)
    first = client.get(path)
    assert first.headers["content-type"] == "text/calendar; charset=utf-8"
    text = first.text
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text
    assert "X-PUBLISHED-TTL:PT1H" in text
    assert "X-WR-CALNAME:Givefirst – Alice Martin" in text
    assert "\r\nNAME:Givefirst – Alice Martin" in text
    assert f"UID:event-{ids[0]}@givefirst" in text
    alice.patch(f"/api/v1/events/{ids[0]}", json={"name": "Meetup renommé"})
    again = icalendar.Calendar.from_ical(client.get(path).content)
    renamed = next(e for e in again.walk("VEVENT") if str(e["uid"]) == f"event-{ids[0]}@givefirst")
    assert str(renamed["summary"]) == "Meetup renommé"
    assert int(renamed["sequence"]) == 1
    assert renamed.decoded("last-modified") >= renamed.decoded("created")


def test_private_notes_only_when_the_user_opts_in(alice: TestClient, client: TestClient) -> None:
    _create_events(alice)
    path = _feed_path(alice)
    assert "Secret" not in client.get(path).text
    assert alice.patch("/api/v1/calendar", json={"include_notes": True}).json()["include_notes"]
    descriptions = [
        str(event.get("description", ""))
        for event in icalendar.Calendar.from_ical(client.get(path).content).walk("VEVENT")
    ]
    assert any(text.endswith("Secret : parler à Zoé du projet.") for text in descriptions)


def test_etag_and_last_modified_answer_304_until_something_changes(
    alice: TestClient, client: TestClient
) -> None:
    ids = _create_events(alice)
    path = _feed_path(alice)
    first = client.get(path)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    # Deleting an event changes the content: both validators move.
    alice.delete(f"/api/v1/events/{ids[0]}")
    after = client.get(path, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["etag"] != etag
    stale = client.get(
        path,
        headers={
            "If-Modified-Since": (datetime.now(UTC) - timedelta(days=1)).strftime(
                "%a, %d %b %Y %H:%M:%S GMT"
            )
        },
    )
    assert stale.status_code == 200


def _raw(client: TestClient, path: str, encoding: str) -> tuple[dict[str, str], bytes]:
    """The response's headers and its bytes as sent, not decoded."""
    with client.stream("GET", path, headers={"Accept-Encoding": encoding}) as response:
        assert response.status_code == 200
        return dict(response.headers), b"".join(response.iter_raw())


def test_an_unchanged_feed_is_neither_built_nor_compressed_again(
    alice: TestClient, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.calendar import service

    ids = _create_events(alice)
    path = _feed_path(alice)
    plain_headers, plain = _raw(client, path, "identity")
    assert "content-encoding" not in plain_headers
    assert "Accept-Encoding" in plain_headers["vary"]

    def no_build(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the feed was built again")

    monkeypatch.setattr(service, "render_feed", no_build)
    monkeypatch.setattr(service.gzip, "compress", no_build)
    etag = plain_headers["etag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    gzip_headers, compressed = _raw(client, path, "gzip")
    assert gzip_headers["content-encoding"] == "gzip" and gzip_headers["etag"] == etag
    assert gzip_headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(compressed) == plain
    assert client.get(path).content == plain
    # Another process has built nothing yet: the stored version still answers the 304.
    service.forget_built_feeds()
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    monkeypatch.undo()

    # An edit changes the version, so the file is built again: new body, new validators.
    alice.patch(f"/api/v1/events/{ids[0]}", json={"name": "Meetup renommé"})
    after = client.get(path, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag
    assert after.content != plain and b"SUMMARY:Meetup renomm" in after.content
    assert client.get(path, headers={"If-None-Match": after.headers["etag"]}).status_code == 304


def test_the_url_can_be_asked_again_and_rotating_kills_the_old_one(
    alice: TestClient, client: TestClient, db: Session
) -> None:
    _create_events(alice)
    path = _feed_path(alice)
    assert _feed_path(alice) == path
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    assert len(token) >= 43  # 256 bits in base64url
    stored = db.exec(select(CalendarFeed)).one()
    assert token not in stored.token_hash and token not in stored.salt
    rotated = alice.post("/api/v1/calendar/rotate")
    assert rotated.status_code == 200
    new_path = urlsplit(rotated.json()["url"]).path
    assert new_path != path
    assert client.get(path).status_code == 404
    assert client.get(new_path).status_code == 200
    assert _feed_path(alice) == new_path


def test_one_users_token_never_shows_anothers_events(
    alice: TestClient, bob: TestClient, client: TestClient
) -> None:
    _create_events(alice)
    bob.post("/api/v1/events", json={"name": "Bob only", "starts_at": "2027-06-01T10:00:00+02:00"})
    bob_feed = client.get(_feed_path(bob)).text
    assert "Bob only" in bob_feed
    assert not any(body["name"] in bob_feed for body in EVENTS)
    assert "Bob only" not in client.get(_feed_path(alice)).text
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    assert client.get("/api/v1/calendar").status_code == 401


def test_event_file_downloads_and_does_not_clash_with_the_event_route(
    alice: TestClient, bob: TestClient
) -> None:
    ids = _create_events(alice)
    answer = alice.get(f"/api/v1/events/{ids[4]}.ics")
    assert answer.status_code == 200
    assert (
        answer.headers["content-disposition"]
        == 'attachment; filename="Salon-des-Entrepreneurs.ics"'
    )
    parsed = icalendar.Calendar.from_ical(answer.content)
    (vevent,) = parsed.walk("VEVENT")
    assert vevent.decoded("dtstart") == date(2027, 10, 5)
    assert vevent.decoded("dtend") == date(2027, 10, 8)
    assert "Palais des Congrès" in str(vevent["location"])
    assert alice.get(f"/api/v1/events/{ids[4]}").json()["name"] == "Salon des Entrepreneurs"
    assert bob.get(f"/api/v1/events/{ids[4]}.ics").status_code == 404
    assert alice.get("/api/v1/events/nothing.ics").status_code == 422


def test_event_page_links_to_the_file_and_to_google_calendar(
    app: FastAPI, client: TestClient
) -> None:
    from tests.helpers import create_user, one, parse, select_all, sign_in

    create_user(app, "zoe@example.org", "Zoé")
    sign_in(client, "zoe@example.org")
    event = client.post(
        "/api/v1/events",
        json={
            "name": "Web Summit NYC",
            "starts_at": "2027-11-03T09:30:00",
            "ends_at": "2027-11-03T17:00:00",
            "timezone": "America/New_York",
            "city": "New York",
        },
    ).json()
    page = parse(client.get(f"/events/{event['id']}").text)
    download = one(page, f"a[href='/api/v1/events/{event['id']}.ics']")
    assert download.has_attr("download")
    google = next(
        link["href"]
        for link in select_all(page, "a")
        if (link.get("href") or "").startswith("https://calendar.google.com/")
    )
    assert google is not None
    assert "dates=20271103T133000Z%2F20271103T210000Z" in google
    assert "ctz=America%2FNew_York" in google
    assert "text=Web+Summit+NYC" in google


def test_gives_plug_in_as_all_day_items_with_a_morning_alarm() -> None:
    item = ical.all_day_item(
        uid="give-1@givefirst",
        summary="Présenter Léa à Marc",
        day=date(2027, 3, 29),
        modified=datetime(2027, 3, 1, 12, tzinfo=UTC),
        timezone="Europe/Paris",
        description="Ils cherchent tous deux un associé.",
    )
    body = ical.build_calendar(name="Test", items=[item])
    parsed = icalendar.Calendar.from_ical(body)
    (vevent,) = parsed.walk("VEVENT")
    assert vevent.decoded("dtstart") == date(2027, 3, 29)
    assert vevent.decoded("dtend") == date(2027, 3, 30)
    (alarm,) = vevent.walk("VALARM")
    assert str(alarm["action"]) == "DISPLAY"
    assert alarm.decoded("trigger") == timedelta(hours=8)
    assert alarm["trigger"].params["RELATED"] == "START"
    assert parsed.walk("VTIMEZONE") == []
    seen = parse_with_icaljs(body)
    assert seen["events"][0]["start"] == "2027-03-29"
    assert seen["events"][0]["all_day"] is True


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York", "Asia/Kolkata", "UTC"])
def test_built_files_have_every_zone_they_use(zone: str) -> None:
    from zoneinfo import ZoneInfo

    start = datetime(2027, 3, 28, 1, 30, tzinfo=ZoneInfo(zone))
    item = ical.FeedItem(
        uid="x@givefirst",
        summary="x",
        start=start,
        end=start + timedelta(hours=3),
        timezone=zone,
        modified=datetime(2027, 1, 1, tzinfo=UTC),
    )
    parsed = icalendar.Calendar.from_ical(ical.build_calendar(name="x", items=[item]))
    assert parsed.get_missing_tzids() == set()
    (vevent,) = parsed.walk("VEVENT")
    assert vevent.decoded("dtend") - vevent.decoded("dtstart") == timedelta(hours=3)
    assert vevent.decoded("dtstart").astimezone(UTC) == start.astimezone(UTC)


def test_interested_events_are_tentative_until_going(alice: TestClient, client: TestClient) -> None:
    maybe = alice.post(
        "/api/v1/events",
        json={
            "name": "Peut-être",
            "starts_at": "2027-05-01T10:00:00+02:00",
            "status": "interested",
        },
    ).json()
    sure = alice.post(
        "/api/v1/events",
        json={"name": "Sûr", "starts_at": "2027-05-02T10:00:00+02:00", "status": "going"},
    ).json()

    def statuses() -> dict[str, str]:
        parsed = icalendar.Calendar.from_ical(client.get(_feed_path(alice)).content)
        return {str(event["uid"]): str(event["status"]) for event in parsed.walk("VEVENT")}

    first = statuses()
    assert first[f"event-{maybe['id']}@givefirst"] == "TENTATIVE"
    assert first[f"event-{sure['id']}@givefirst"] == "CONFIRMED"
    assert alice.patch(f"/api/v1/events/{maybe['id']}", json={"status": "going"}).status_code == 200
    assert statuses()[f"event-{maybe['id']}@givefirst"] == "CONFIRMED"
