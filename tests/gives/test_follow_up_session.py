"""The follow-up session of an event: one person at a time with a message that names the event
and what was talked about; "sent" (a form without JavaScript, the API with it) marks the give done,
logs the message and moves on to the next person; a replay changes nothing."""

import uuid

import pytest
from fastapi.testclient import TestClient

from tests.gives.test_api import event, person, put_give
from tests.helpers import assert_isolated, one, parse, select_all

pytestmark = pytest.mark.usefixtures("clock")


def _visible_cards(html: str) -> list[str]:
    return [
        card["data-person-id"]
        for card in select_all(html, "[data-session-person]")
        if not card.has_attr("hidden")
    ]


def test_the_session_shows_the_first_person_with_a_message_naming_event_and_hook(
    zoe: TestClient,
) -> None:
    met = event(zoe, ends_days_ago=0.5, name="Salon des Entrepreneurs")
    lea = person(zoe, "Léa Martin", event_id=met["id"], hook="son projet de SaaS",
                 needs="un développeur Python", email="lea@example.org")  # fmt: skip
    marc = person(zoe, "Marc Petit", event_id=met["id"])
    html = zoe.get(f"/events/{met['id']}/follow-up").text
    assert _visible_cards(html) == [lea]
    text = one(html, f"#msg-{lea}").get_text()
    assert text.startswith("Bonjour Léa,")
    assert "Salon des Entrepreneurs" in text and "son projet de SaaS" in text
    assert "un développeur Python" in text
    assert "vous" in text and " tu " not in text and "·" not in text
    mailto = one(html, f"#send-{lea} a[data-send=email]")["href"]
    assert mailto.startswith("mailto:lea@example.org?subject=")
    assert one(html, f"#send-{lea} a[data-send=linkedin]")["href"].startswith(
        "https://www.linkedin.com/search/results/people/?keywords=L%C3%A9a%20Martin"
    )
    # Without JavaScript, one form posts "sent"; the copy and share buttons wait for scripts.
    form = one(html, f"#send-{lea} form")
    assert form["action"] == f"/events/{met['id']}/follow-up/{lea}/sent"
    assert one(html, f"#send-{lea} [data-send=copy]").has_attr("hidden")
    # Another person is one link away.
    html = zoe.get(f"/events/{met['id']}/follow-up", params={"person": marc}).text
    assert _visible_cards(html) == [marc]
    assert one(html, f"#msg-{marc}").get_text().startswith("Bonjour Marc,")


def test_sent_without_javascript_marks_done_logs_and_shows_the_next_person(
    zoe: TestClient,
) -> None:
    met = event(zoe, ends_days_ago=0.5)
    lea = person(zoe, "Léa Martin", event_id=met["id"], needs="Un article sur la CSRD")
    marc = person(zoe, "Marc Petit", event_id=met["id"])
    response = zoe.post(
        f"/events/{met['id']}/follow-up/{lea}/sent", data={"channel": "email"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == f"/events/{met['id']}/follow-up?person={marc}#session"
    done = zoe.get("/api/v1/gives", params={"contact_id": lea}).json()
    assert [(g["status"], g["event_id"], g["kind"]) for g in done] == [
        ("done", met["id"], "resource")
    ]
    talks = zoe.get(f"/api/v1/contacts/{lea}/interactions").json()
    assert [t["kind"] for t in talks] == ["message"]
    assert "e-mail" in talks[0]["note"]
    html = zoe.get(response.headers["location"]).text
    assert _visible_cards(html) == [marc]
    assert one(html, "h2#progress-title").get_text(strip=True).endswith("1 sur 2")
    # The last one: the session says everyone is followed up.
    response = zoe.post(f"/events/{met['id']}/follow-up/{marc}/sent", follow_redirects=False)
    assert response.headers["location"] == f"/events/{met['id']}/follow-up#session"
    html = zoe.get(response.headers["location"]).text
    assert _visible_cards(html) == []
    assert not one(html, "[data-session-done]").has_attr("hidden")


def test_sent_through_the_api_marks_the_planned_give_once(zoe: TestClient) -> None:
    met = event(zoe, ends_days_ago=0.5)
    lea = person(zoe, "Léa Martin", event_id=met["id"])
    planned = put_give(zoe, contact_id=lea, event_id=met["id"], kind="resource",
                       title="Le guide CSRD", details="https://example.org/guide")  # fmt: skip
    html = zoe.get(f"/events/{met['id']}/follow-up").text
    assert "https://example.org/guide" in one(html, f"#msg-{lea}").get_text()
    url = f"/api/v1/events/{met['id']}/follow-up/{lea}/sent"
    for _ in range(2):  # a replay from the outbox
        answer = zoe.post(url, json={"channel": "copy", "contact_id": lea})
        assert answer.status_code == 200, answer.text
        assert answer.json()["id"] == planned["id"]
        assert answer.json()["status"] == "done"
    assert [g["id"] for g in zoe.get("/api/v1/gives", params={"contact_id": lea}).json()] == [
        planned["id"]
    ]
    assert len(zoe.get(f"/api/v1/contacts/{lea}/interactions").json()) == 1
    listing = zoe.get(f"/api/v1/events/{met['id']}/follow-up").json()
    assert (listing["followed_up"], listing["total"]) == (1, 1)


def test_an_introduction_suggestion_is_sent_as_a_hello(zoe: TestClient) -> None:
    met = event(zoe, ends_days_ago=0.5)
    lea = person(zoe, "Léa Martin", event_id=met["id"], needs="Cherche un développeur Python")
    answer = zoe.post(f"/api/v1/events/{met['id']}/follow-up/{lea}/sent", json={})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["kind"], answer.json()["status"]) == ("check_in", "done")


def test_sent_refuses_someone_not_met_there_and_another_user(
    zoe: TestClient, alice: TestClient, bob: TestClient
) -> None:
    met = event(alice, ends_days_ago=0.5)
    lea = person(alice, "Léa Martin", event_id=met["id"])
    elsewhere = person(alice, "Marc Petit")
    assert (
        alice.post(f"/api/v1/events/{met['id']}/follow-up/{elsewhere}/sent", json={}).status_code
        == 404
    )
    assert (
        alice.post(f"/api/v1/events/{met['id']}/follow-up/{uuid.uuid4()}/sent", json={}).status_code
        == 404
    )
    assert_isolated(alice, bob, [
        ("POST", f"/api/v1/events/{met['id']}/follow-up/{lea}/sent", {"channel": "copy"}),
        ("GET", f"/api/v1/events/{met['id']}/follow-up", None),
    ])  # fmt: skip
    assert alice.get("/api/v1/gives").json() == []
    assert zoe.get(f"/events/{met['id']}/follow-up").status_code == 404
    assert zoe.post(f"/events/{met['id']}/follow-up/{lea}/sent").status_code == 404


def test_the_session_in_english(ann: TestClient) -> None:
    met = event(ann, ends_days_ago=0.5, name="Tech Forum")
    lea = person(ann, "Lea Martin", event_id=met["id"], hook="her SaaS project")
    html = ann.get(f"/events/{met['id']}/follow-up").text
    text = one(html, f"#msg-{lea}").get_text()
    assert text.startswith(
        "Hello Lea,\n\nThank you for our talk about her SaaS project at Tech Forum."
    )
    assert (
        parse(html).select_one(f"#send-{lea} button[data-send=other]").get_text() == "Mark as sent"
    )
