"""Where I'll be: upcoming public events only, read back by extruct (JSON-LD and h-event) and by
ical.js (the public feed, with the right UTC times), each with its "let's meet" form."""

from typing import Any

import extruct
import pytest
from fastapi.testclient import TestClient

from tests.calendar.icaljs import parse_with_icaljs
from tests.card.helpers import leave, turn_on
from tests.helpers import Clock, select_all, text_of

pytestmark = pytest.mark.db


def _event(owner: TestClient, **fields: Any) -> dict[str, Any]:
    body = {"starts_at": "2027-03-20T09:00:00+01:00", "ends_at": "2027-03-21T18:00:00+01:00",
            "timezone": "Europe/Paris", **fields}  # fmt: skip
    answer = owner.post("/api/v1/events", json=body)
    assert answer.status_code == 201, answer.text
    event: dict[str, Any] = answer.json()
    return event


@pytest.fixture
def events(clock: Clock, alice: TestClient) -> dict[str, dict[str, Any]]:
    turn_on(alice, ["full_name"])
    return {
        "public": _event(alice, name="Salon des Artisans", city="Lyon", public=True,
                         url="https://salon-artisans.example/2027", venue="Hall 3 secret",
                         notes="note privée", description="description privée"),
        "summer": _event(alice, name="Rencontres d’été", city="Nantes", public=True,
                         starts_at="2027-06-15T14:00:00+02:00", ends_at="2027-06-15T19:00:00+02:00"),
        "private": _event(alice, name="Dîner privé", city="Paris"),
        "past": _event(alice, name="Salon passé", public=True, starts_at="2027-02-01T09:00:00+01:00",
                       ends_at="2027-02-01T18:00:00+01:00"),
    }  # fmt: skip


def test_the_public_page_lists_upcoming_public_events_only(
    events: dict[str, dict[str, Any]], client: TestClient
) -> None:
    page = client.get("/c/alice-martin/events", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    names = [text_of(item, ".p-name") for item in select_all(page, ".h-event")]
    assert names == ["Salon des Artisans", "Rencontres d’été"]
    for hidden in (
        "Dîner privé",
        "Salon passé",
        "Hall 3 secret",
        "note privée",
        "description privée",
    ):
        assert hidden not in page.text
    meet = select_all(page, ".h-event a.button")[0]
    assert (
        meet["href"] == f"http://testserver/c/alice-martin?event={events['public']['id']}#details"
    )
    assert "I’ll be there too" in meet.get_text()


def test_extruct_reads_the_events_as_schema_org_and_h_event(
    events: dict[str, dict[str, Any]], client: TestClient
) -> None:
    page = client.get("/c/alice-martin/events")
    data = extruct.extract(page.text, base_url="http://testserver/c/alice-martin/events",
                           syntaxes=["json-ld", "microformat"])  # fmt: skip
    [ld] = data["json-ld"][:1]
    assert ld["@type"] == "Event" and ld["name"] == "Salon des Artisans"
    assert ld["startDate"] == "2027-03-20T09:00:00+01:00"
    assert ld["endDate"] == "2027-03-21T18:00:00+01:00"
    assert ld["location"]["address"]["addressLocality"] == "Lyon"
    assert ld["url"] == "https://salon-artisans.example/2027"
    assert [item["name"] for item in data["json-ld"]] == ["Salon des Artisans", "Rencontres d’été"]
    h_events = [item for item in data["microformat"] if "h-event" in item["type"]]
    assert [item["properties"]["name"][0] for item in h_events] == [
        "Salon des Artisans",
        "Rencontres d’été",
    ]
    assert h_events[0]["properties"]["start"][0].startswith("2027-03-20T09:00:00")
    assert h_events[0]["properties"]["location"] == ["Lyon"]


def test_the_public_feed_reads_in_ical_js_with_utc_times(
    events: dict[str, dict[str, Any]], client: TestClient
) -> None:
    answer = client.get("/c/alice-martin/events.ics")
    assert answer.headers["content-type"].startswith("text/calendar")
    for hidden in (b"Hall 3", "note privée".encode(), "Dîner".encode(), "passé".encode()):
        assert hidden not in answer.content
    parsed = parse_with_icaljs(answer.content)
    by_name = {event["summary"]: event for event in parsed["events"]}
    assert set(by_name) == {"Salon des Artisans", "Rencontres d’été"}
    assert by_name["Salon des Artisans"]["start"] == "2027-03-20T08:00:00Z"
    assert by_name["Salon des Artisans"]["end"] == "2027-03-21T17:00:00Z"
    assert by_name["Rencontres d’été"]["start"] == "2027-06-15T12:00:00Z"
    assert by_name["Salon des Artisans"]["location"] == "Lyon"
    assert by_name["Salon des Artisans"]["description"] is None
    assert "Alice Martin" in parsed["name"]


def test_the_public_feed_is_not_the_private_feed(
    events: dict[str, dict[str, Any]], alice: TestClient, client: TestClient
) -> None:
    private = client.get(
        alice.get("/api/v1/calendar").json()["url"].replace("http://testserver", "")
    )
    assert "Dîner privé" in private.text
    assert "Dîner privé" not in client.get("/c/alice-martin/events.ics").text


def test_lets_meet_tags_the_details_with_that_event(
    events: dict[str, dict[str, Any]], alice: TestClient, client: TestClient, clock: Clock
) -> None:
    public = events["public"]["id"]
    sent = leave(
        client, clock, "alice-martin", {"full_name": "Léa", "phone": "0612345678"}, event=public
    )
    assert sent.status_code == 303
    [item] = alice.get("/api/v1/card/inbox").json()
    assert item["event_id"] == public


def test_a_private_events_name_never_shows_on_the_card(
    events: dict[str, dict[str, Any]], client: TestClient
) -> None:
    page = client.get(f"/c/alice-martin?event={events['private']['id']}")
    assert page.status_code == 200 and "Dîner privé" not in page.text
    assert client.get("/c/alice-martin?event=not-an-id").status_code == 200
