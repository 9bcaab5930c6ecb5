"""The events API: CRUD, time zones, filters, series, want-to-meet, and import through the API."""

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.clock import now
from app.events.importing import messages
from app.events.importing import service as imports
from app.web.i18n import use_locale
from tests.events.test_importing import FAILING_FILES, HTML_FILES, ICS_FILES, NOW
from tests.helpers import FILE_TYPES, LocalSite
from tests.shared_data import shared_testdata

# "Now", "upcoming" and "past" on a fixed instant, not on the day the tests run.
pytestmark = pytest.mark.usefixtures("clock")


def iso(days: int, hour: int = 9, zone: str = "+01:00") -> str:
    day = (now() + timedelta(days=days)).date()
    return f"{day.isoformat()}T{hour:02d}:00:00{zone}"


def make(client: TestClient, **fields: object) -> dict:
    body = {
        "name": "Salon des Entrepreneurs",
        "kind": "salon",
        "starts_at": iso(30),
        "timezone": "Europe/Paris",
    } | fields
    response = client.post("/api/v1/events", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_read_update_delete(alice: TestClient) -> None:
    event = make(alice, city="Paris", status="going", notes="stand B12")
    assert event["status"] == "going" and event["notes"] == "stand B12"
    assert alice.get(f"/api/v1/events/{event['id']}").json()["city"] == "Paris"
    changed = alice.patch(
        f"/api/v1/events/{event['id']}", json={"city": "Lyon", "status": "interested"}
    ).json()
    assert (
        changed["city"] == "Lyon"
        and changed["status"] == "interested"
        and changed["name"] == event["name"]
    )
    assert alice.delete(f"/api/v1/events/{event['id']}").status_code == 204
    assert alice.get(f"/api/v1/events/{event['id']}").status_code == 404


def test_times_keep_the_instant_and_answer_in_the_events_zone(alice: TestClient) -> None:
    winter = make(alice, starts_at="2027-01-14T08:00:00Z", ends_at="2027-01-14T17:00:00Z")
    assert winter["starts_at"] == "2027-01-14T09:00:00+01:00"
    summer = make(alice, starts_at="2027-07-14T09:00:00", timezone="Europe/Paris")
    assert summer["starts_at"] == "2027-07-14T09:00:00+02:00"
    new_york = make(alice, starts_at="2027-03-02T18:30:00", timezone="America/New_York")
    assert new_york["starts_at"] == "2027-03-02T18:30:00-05:00"


def test_all_day_multi_day_salon_spans_whole_days(alice: TestClient) -> None:
    salon = make(
        alice,
        all_day=True,
        starts_at="2027-03-10T15:00:00+01:00",
        ends_at="2027-03-13T00:00:00+01:00",
    )
    assert salon["starts_at"] == "2027-03-10T00:00:00+01:00"
    assert salon["ends_at"] == "2027-03-13T00:00:00+01:00"


def test_validation_names_the_field(alice: TestClient) -> None:
    cases = [
        ({"name": ""}, "name"),
        ({"kind": "party"}, "kind"),
        ({"timezone": "Paris"}, "timezone"),
        ({"starts_at": iso(3), "ends_at": iso(2)}, "ends_at"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"starts_at": "tomorrow"}, "starts_at"),
    ]
    for fields, field in cases:
        body = {"name": "X", "starts_at": iso(3), "timezone": "Europe/Paris"} | fields
        response = alice.post("/api/v1/events", json=body)
        assert response.status_code == 422, fields
        assert response.json()["field"] == field, response.json()


def test_client_chosen_id_is_kept_and_not_reused(alice: TestClient) -> None:
    chosen = "2b1f4a0e-5d2c-4b8e-9a57-0c6f1d3e9b11"
    assert make(alice, id=chosen)["id"] == chosen
    again = alice.post("/api/v1/events", json={"id": chosen, "name": "X", "starts_at": iso(3)})
    assert again.status_code == 409


def test_upcoming_and_past_lists(alice: TestClient) -> None:
    make(alice, name="Later", starts_at=iso(60))
    make(alice, name="Sooner", starts_at=iso(5))
    make(alice, name="Last year", starts_at=iso(-300))
    ongoing = make(alice, name="On now", starts_at=iso(-1), ends_at=iso(1), status="going")
    upcoming = [e["name"] for e in alice.get("/api/v1/events").json()]
    assert upcoming == ["On now", "Sooner", "Later"]
    assert [e["name"] for e in alice.get("/api/v1/events?when=past").json()] == ["Last year"]
    assert len(alice.get("/api/v1/events?when=all").json()) == 4
    assert alice.get(f"/api/v1/events/{ongoing['id']}").json()["status"] == "going"
    assert alice.get("/api/v1/events?when=soon").status_code == 422


def test_filters_and_accent_insensitive_search(alice: TestClient) -> None:
    make(alice, name="Salon Créer", city="Orléans", kind="salon", status="going")
    make(alice, name="Meetup Python", city="Lyon", kind="meetup")
    assert [e["name"] for e in alice.get("/api/v1/events?q=orleans").json()] == ["Salon Créer"]
    assert [e["name"] for e in alice.get("/api/v1/events?q=CREER").json()] == ["Salon Créer"]
    assert [e["name"] for e in alice.get("/api/v1/events?kind=meetup").json()] == ["Meetup Python"]
    assert [e["name"] for e in alice.get("/api/v1/events?status=going").json()] == ["Salon Créer"]


def test_going_becomes_attended_once_ended_and_a_correction_sticks(alice: TestClient) -> None:
    ended = make(alice, name="Done", starts_at=iso(-3), ends_at=iso(-2), status="going")
    kept = make(alice, name="Skipped it", starts_at=iso(-3), ends_at=iso(-2), status="interested")
    alice.get("/api/v1/events?when=past")
    assert alice.get(f"/api/v1/events/{ended['id']}").json()["status"] == "attended"
    assert alice.get(f"/api/v1/events/{kept['id']}").json()["status"] == "interested"
    alice.patch(f"/api/v1/events/{ended['id']}", json={"status": "going"})
    alice.get("/api/v1/events?when=past")
    assert alice.get(f"/api/v1/events/{ended['id']}").json()["status"] == "going"


def test_earlier_editions_by_name_or_link(app: FastAPI, alice: TestClient) -> None:
    from sqlmodel import Session

    from app.accounts import service as accounts
    from app.events import service as events

    make(alice, name="VivaTech 2025", starts_at="2025-06-11T09:00:00+02:00")
    make(
        alice,
        name="Web conference",
        url="https://example.org/confweb/2024/",
        starts_at="2024-05-01T09:00:00+02:00",
    )
    make(alice, name="Unrelated 2025", starts_at="2025-06-11T09:00:00+02:00")
    current = make(
        alice,
        name="Vivatech 2026",
        url="https://example.org/confweb/2026",
        starts_at="2026-06-17T09:00:00+02:00",
    )
    with Session(app.state.engine) as session:
        owner = accounts.user_by_email(session, email="alice@example.org")
        event = events.get_event(session, owner=owner, event_id=uuid.UUID(current["id"]))
        names = [e.name for e in events.earlier_editions(session, owner=owner, event=event)]
    assert names == ["VivaTech 2025", "Web conference"]


def test_want_to_meet_list(alice: TestClient) -> None:
    event = make(alice)
    url = f"/api/v1/events/{event['id']}/want-to-meet"
    added = alice.post(url, json={"name": "Hélène Roux", "why": "runs the incubator"}).json()
    assert alice.post(url, json={"name": "  "}).json()["field"] == "name"
    assert [w["name"] for w in alice.get(url).json()] == ["Hélène Roux"]
    assert alice.delete(f"{url}/{added['id']}").status_code == 204
    assert alice.get(url).json() == []


ICS_FEED = """BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Givefirst tests//EN\r\nX-WR-CALNAME:Salons 2027\r\n{events}END:VCALENDAR\r\n"""
VEVENT = "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=Europe/Paris:{start}\r\nDTEND;TZID=Europe/Paris:{end}\r\nSUMMARY:{name}\r\nLOCATION:Paris\r\n{extra}END:VEVENT\r\n"


def feed(*events: tuple[str, str, str, str]) -> bytes:
    body = "".join(
        VEVENT.format(uid=uid, name=name, start=start, end=start[:9] + "180000", extra=extra)
        for uid, name, start, extra in events
    )
    return ICS_FEED.format(events=body).encode()


def upload(client: TestClient, data: bytes, *, dry_run: bool = False, name: str = "salons.ics"):
    files = {"file": (name, data, "text/calendar")}
    return client.post(
        "/api/v1/events/import", files=files, data={"dry_run": "true" if dry_run else "false"}
    )


def test_import_file_previews_then_saves_and_reimport_never_duplicates(alice: TestClient) -> None:
    data = feed(
        ("a@t", "Salon A", "20270310T090000", ""), ("b@t", "Salon B", "20270410T090000", "")
    )
    preview = upload(alice, data, dry_run=True).json()
    assert preview["dry_run"] and len(preview["events"]) == 2 and preview["created"] == 0
    assert alice.get("/api/v1/events?when=all").json() == []
    first = upload(alice, data).json()
    assert (first["created"], first["updated"]) == (2, 0)
    saved = {e["name"]: e for e in alice.get("/api/v1/events?when=all").json()}
    alice.patch(
        f"/api/v1/events/{saved['Salon A']['id']}", json={"status": "going", "notes": "meet Léa"}
    )
    changed = feed(
        ("a@t", "Salon A (new hall)", "20270310T100000", ""),
        ("b@t", "Salon B", "20270410T090000", ""),
    )
    second = upload(alice, changed).json()
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 1, 1)
    after = {e["name"]: e for e in alice.get("/api/v1/events?when=all").json()}
    assert len(after) == 2
    updated = after["Salon A (new hall)"]
    assert updated["starts_at"] == "2027-03-10T10:00:00+01:00"
    assert (updated["status"], updated["notes"]) == ("going", "meet Léa")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "not_calendar"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\n", "broken"),
        (b"\x89PNG\r\n\x1a\n\x00\x00garbage", "not_calendar"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "no_events"),
        (b"BEGIN:VCALENDAR\r\n" + b"X" * 2_100_000, "too_large"),
    ],
)
def test_bad_files_get_a_clear_message_and_change_nothing(
    alice: TestClient, data: bytes, reason: str
) -> None:
    alice.patch("/api/v1/me", json={"locale": "en"})
    response = upload(alice, data)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "file"
    with use_locale("en"):
        assert response.json()["detail"] == str(messages.FAILURES[reason])
    assert alice.get("/api/v1/events?when=all").json() == []


def test_import_body_must_name_a_url_or_a_file(alice: TestClient) -> None:
    assert alice.post("/api/v1/events/import", json={}).status_code == 422
    assert (
        alice.post(
            "/api/v1/events/import", content=b"nope", headers={"Content-Type": "application/json"}
        ).status_code
        == 422
    )
    no_file = alice.post("/api/v1/events/import", files={"other": ("x", b"x")})
    assert no_file.status_code == 422 and no_file.json()["field"] == "file"


def test_link_import_and_feed_refresh_keep_the_users_notes(
    app: FastAPI, alice: TestClient, local_site: LocalSite
) -> None:
    from sqlmodel import Session

    from app.jobs import refresh_feeds

    local_site.add(
        "/salons.ics",
        content_type="text/calendar",
        body=feed(
            ("a@t", "Salon A", "20270310T090000", ""), ("b@t", "Salon B", "20270410T090000", "")
        ),
    )
    response = alice.post(
        "/api/v1/events/import", json={"url": f"{local_site.url}/salons.ics", "subscribe": True}
    )
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 2 and response.json()["feed_id"]
    feeds = alice.get("/api/v1/feeds").json()
    assert feeds[0]["name"] == "Salons 2027"
    saved = {e["name"]: e for e in alice.get("/api/v1/events?when=all").json()}
    alice.patch(
        f"/api/v1/events/{saved['Salon B']['id']}", json={"status": "going", "notes": "bring cards"}
    )
    # The feed changes: A moves, B is removed, C appears.
    local_site.add(
        "/salons.ics",
        content_type="text/calendar",
        body=feed(
            ("a@t", "Salon A", "20270311T090000", ""), ("c@t", "Salon C", "20270510T090000", "")
        ),
    )
    with Session(app.state.engine) as session:
        from sqlmodel import select

        from app.events.models import EventFeed

        for row in session.exec(select(EventFeed)).all():
            row.last_refreshed_at = None
            session.add(row)
        session.commit()
        assert (
            refresh_feeds(session, settings=app.state.settings) == "feeds refreshed: 1, failed: 0"
        )
    after = {e["name"]: e for e in alice.get("/api/v1/events?when=all").json()}
    assert set(after) == {"Salon A", "Salon B", "Salon C"}
    assert after["Salon A"]["starts_at"] == "2027-03-11T09:00:00+01:00"
    assert after["Salon B"]["cancelled"] is True
    assert (after["Salon B"]["status"], after["Salon B"]["notes"]) == ("going", "bring cards")


def test_a_second_host_cannot_claim_a_claimed_feed(
    app: FastAPI, alice: TestClient, local_site: LocalSite
) -> None:
    from sqlmodel import Session

    local_site.add(
        "/f.ics", content_type="text/calendar", body=feed(("a@t", "Salon A", "20270310T090000", ""))
    )
    feed_id = alice.post(
        "/api/v1/events/import", json={"url": f"{local_site.url}/f.ics", "subscribe": True}
    ).json()["feed_id"]
    with Session(app.state.engine) as first, Session(app.state.engine) as second:
        assert imports.claim_feed(first, feed_id=uuid.UUID(feed_id))
        first.commit()
        assert not imports.claim_feed(second, feed_id=uuid.UUID(feed_id))


def test_private_addresses_are_refused_unless_allowed(app: FastAPI, local_site: LocalSite) -> None:
    from app.main import create_app
    from tests.helpers import create_user_with_token

    local_site.add(
        "/f.ics", content_type="text/calendar", body=feed(("a@t", "Salon A", "20270310T090000", ""))
    )
    strict = create_app(app.state.settings.model_copy(update={"allow_private_urls": False}))
    for client in create_user_with_token(strict, "carol@example.org"):
        response = client.post("/api/v1/events/import", json={"url": f"{local_site.url}/f.ics"})
        assert response.status_code == 422
        assert response.json()["field"] == "url"
        assert client.get("/api/v1/events?when=all").json() == []
    strict.state.engine.dispose()


def test_dead_link_is_a_clear_refusal(alice: TestClient, local_site: LocalSite) -> None:
    missing = alice.post("/api/v1/events/import", json={"url": f"{local_site.url}/nothing.ics"})
    assert missing.status_code == 422 and missing.json()["field"] == "url"
    bad = alice.post("/api/v1/events/import", json={"url": "ftp://example.org/x.ics"})
    assert bad.status_code == 422


SHARED = [("ics", *row) for row in ICS_FILES] + [("events-html", *row) for row in HTML_FILES]


@pytest.mark.parametrize(
    ("subdir", "name", "count", "sample", "start"),
    [row[:5] for row in SHARED]
    + [(subdir, name, 0, None, None) for subdir, name, _code in FAILING_FILES],
    ids=[row[1] for row in SHARED] + [row[1] for row in FAILING_FILES],
)
def test_every_shared_file_imports_through_the_api_by_file_and_by_link(
    alice: TestClient, monkeypatch: pytest.MonkeyPatch, local_site: LocalSite,
    subdir: str, name: str, count: int, sample: str | None, start: str | None,
) -> None:  # fmt: skip
    monkeypatch.setattr(imports, "utcnow", lambda: NOW)
    data = (shared_testdata(subdir) / name).read_bytes()
    local_site.add(f"/{name}", data, FILE_TYPES.get(Path(name).suffix, "application/octet-stream"))
    by_file = upload(alice, data, dry_run=True, name=name)
    by_link = alice.post(
        "/api/v1/events/import", json={"url": f"{local_site.url}/{name}", "dry_run": True}
    )
    for response in (by_file, by_link):
        if count == 0:
            assert response.status_code == 422, response.text
            assert response.json()["error"] == "import_refused"
            continue
        assert response.status_code == 200, response.text
        found = response.json()["events"]
        assert len(found) == count
        if sample is not None and start is not None:
            instants = {
                datetime.fromisoformat(e["starts_at"]).astimezone(UTC)
                for e in found
                if e["name"] == sample
            }
            assert datetime.fromisoformat(start).replace(tzinfo=UTC) in instants


def test_today_shows_the_event_on_now_with_its_capture_button(
    app: FastAPI, client: TestClient
) -> None:
    from tests.helpers import create_user, parse, select_all, sign_in, text_of

    create_user(app, "zoe@example.org")
    sign_in(client, "zoe@example.org")
    empty = parse(client.get("/").text)
    assert not select_all(empty, "section[data-current-event='']")
    later = client.post(
        "/api/v1/events", json={"name": "Later One", "starts_at": iso(20), "status": "going"}
    ).json()
    # Nothing on now: the next event comes first, its page kept for the venue.
    html = client.get("/").text
    assert select_all(html, "a.big-capture[href='/capture'] + section[aria-labelledby=next-title]")
    assert select_all(html, f"section[data-next-event='{later['id']}']")
    assert select_all(html, f"a[href='/events/{later['id']}'][data-keep-offline]")
    current = client.post(
        "/api/v1/events",
        json={"name": "Salon On Now", "starts_at": iso(-1), "ends_at": iso(1), "status": "going"},
    ).json()
    client.post(
        "/api/v1/events", json={"name": "Next One", "starts_at": iso(10), "status": "interested"}
    )
    page = parse(client.get("/").text)
    assert select_all(page, f"a[href='/capture?event_id={current['id']}']")
    assert "Salon On Now" in text_of(page, "section[data-current-event]")
    assert "Next One" in text_of(page, "section[aria-labelledby=next-title]")


def test_dates_out_of_range_are_refused_not_crashed(alice: TestClient) -> None:
    for body in (
        {"name": "X", "starts_at": "0001-01-01T00:00:00+14:00"},
        {"name": "X", "starts_at": "9999-12-31", "all_day": True},
    ):
        response = alice.post("/api/v1/events", json=body)
        assert response.status_code == 422, body
        assert response.json()["field"] == "starts_at"


def test_changing_the_zone_of_an_all_day_event_keeps_its_days(alice: TestClient) -> None:
    event = make(alice, all_day=True, starts_at="2027-06-10", ends_at="2027-06-11T00:00:00+02:00")
    moved = alice.patch(
        f"/api/v1/events/{event['id']}", json={"timezone": "America/New_York"}
    ).json()
    assert moved["starts_at"] == "2027-06-10T00:00:00-04:00"
    assert moved["ends_at"] == "2027-06-11T00:00:00-04:00"


def test_another_users_id_is_404_even_on_create(alice: TestClient, bob: TestClient) -> None:
    chosen = make(alice)["id"]
    response = bob.post("/api/v1/events", json={"id": chosen, "name": "X", "starts_at": iso(3)})
    assert response.status_code == 404


def test_imported_links_must_be_web_links_and_events_without_uid_or_link_are_not_doubled(
    alice: TestClient,
) -> None:
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART:20270310T090000Z\r\n"
        b"SUMMARY:No uid\r\nURL:javascript:alert(1)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert upload(alice, data).json()["created"] == 1
    again = upload(alice, data).json()
    assert (again["created"], again["unchanged"]) == (0, 1)
    stored = alice.get("/api/v1/events?when=all").json()
    assert len(stored) == 1 and stored[0]["url"] is None


def test_import_messages_speak_the_users_language(alice: TestClient) -> None:
    alice.patch("/api/v1/me", json={"locale": "en"})
    data = feed(("a@t", "", "20270310T090000", ""))
    data = data.replace(b"SUMMARY:\r\n", b"")
    upload(alice, data)
    assert alice.get("/api/v1/events?when=all").json()[0]["name"] == "Untitled event"
