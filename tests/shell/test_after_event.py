"""Today after a salon: an event over in the last three days with people not followed up is the
first thing on Today; an event that is over offers following up, not "going" or capture, as its
main action, on its page and in the list of events."""

import pytest
from fastapi.testclient import TestClient

from tests.gives.test_api import event, person
from tests.helpers import one, parse, select_all, texts_of

pytestmark = pytest.mark.usefixtures("clock")


def _first_section(html: str) -> str:
    main = parse(html).select_one("main")
    assert main is not None
    first = main.find("section")
    assert first is not None
    return " ".join(first.get_text(" ").split())


def test_people_to_follow_up_after_a_salon_come_first_on_today(zoe: TestClient) -> None:
    salon = event(zoe, ends_days_ago=1, name="Salon Pro")
    lea = person(zoe, "Léa Martin", event_id=salon["id"])
    person(zoe, "Marc Petit", event_id=salon["id"])
    person(zoe, "Inès Roy", event_id=salon["id"])
    older = event(zoe, ends_days_ago=5, name="Forum Ancien")
    person(zoe, "Sam Vidal", event_id=older["id"])
    zoe.post(f"/api/v1/events/{salon['id']}/follow-up/{lea}/sent", json={})
    html = zoe.get("/").text
    assert _first_section(html).startswith("2 personnes à relancer après « Salon Pro »")
    start = one(html, f"section[data-after-event='{salon['id']}'] a")
    assert start["href"] == f"/events/{salon['id']}/follow-up"
    # Older events stay in the usual list, not first.
    assert not select_all(html, f"section[data-after-event='{older['id']}']")
    assert "Forum Ancien" in texts_of(html, "section[aria-labelledby=follow-title] a")
    # The generic capture is no longer the big main action.
    assert not select_all(html, "main > a.big-capture[href='/capture']")


def test_one_person_left_and_nothing_once_everyone_is_followed_up(ann: TestClient) -> None:
    salon = event(ann, ends_days_ago=0.5, name="Tech Forum")
    lea = person(ann, "Lea Martin", event_id=salon["id"])
    marc = person(ann, "Marc Petit", event_id=salon["id"])
    ann.post(f"/api/v1/events/{salon['id']}/follow-up/{lea}/sent", json={})
    assert _first_section(ann.get("/").text).startswith("1 person to follow up from Tech Forum")
    ann.post(f"/api/v1/events/{salon['id']}/follow-up/{marc}/sent", json={})
    html = ann.get("/").text
    assert not select_all(html, "section[data-after-event]")
    assert select_all(html, "main > a.big-capture[href='/capture']")


def test_an_event_over_offers_the_follow_up_not_going_or_capture(zoe: TestClient) -> None:
    over = event(zoe, ends_days_ago=1, name="Salon Pro")
    person(zoe, "Léa Martin", event_id=over["id"])
    html = zoe.get(f"/events/{over['id']}").text
    statuses = texts_of(html, "form.segmented button")
    assert "J’y vais" not in statuses and "Ça m’intéresse" not in statuses
    assert statuses == ["J’y étais", "Je n’y étais pas"]
    main = one(html, "[data-main-action]")
    assert main["href"] == f"/events/{over['id']}/follow-up"
    assert main.get_text(strip=True) == "Relancer les personnes rencontrées"
    assert not select_all(html, "a.big-capture[href^='/capture']")
    # An event to come keeps going and capture.
    coming = event(zoe, ends_days_ago=-3, name="Salon Futur")
    html = zoe.get(f"/events/{coming['id']}").text
    assert "J’y vais" in texts_of(html, "form.segmented button")
    assert one(html, "[data-main-action]")["href"] == f"/capture?event_id={coming['id']}"
    # The list of past events does not say "going" of an event that is over.
    past = zoe.get("/events", params={"when": "past"}).text
    assert "J’y vais" not in texts_of(past, ".badge")
