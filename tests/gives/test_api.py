"""The gives API: due-date defaults, idempotent PUT, statuses, introductions with double opt-in,
cadence reset, the follow-up list, suggestions, and no field about what a contact owes."""

import re
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from app.clock import now
from tests.helpers import assert_isolated

# Due dates count in days from now: on a fixed instant, never across a midnight mid-test.
pytestmark = pytest.mark.usefixtures("clock")


def person(client: TestClient, name: str, **fields: object) -> str:
    person_id = str(uuid.uuid4())
    response = client.put(f"/api/v1/contacts/{person_id}", json={"full_name": name, **fields})
    assert response.status_code == 201, response.text
    return person_id


def event(client: TestClient, *, ends_days_ago: float = 1, name: str = "Salon Pro") -> dict:
    end = now() - timedelta(days=ends_days_ago)
    response = client.post(
        "/api/v1/events",
        json={"name": name, "starts_at": (end - timedelta(hours=8)).isoformat(),
              "ends_at": end.isoformat(), "timezone": "Europe/Paris", "status": "going"},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    return dict(response.json())


def put_give(client: TestClient, **body: object) -> dict:
    response = client.put(f"/api/v1/gives/{uuid.uuid4()}", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def paris_today() -> date:
    return now().astimezone(ZoneInfo("Europe/Paris")).date()


@pytest.mark.parametrize(
    ("kind", "days"),
    [("introduction", 2), ("resource", 1), ("recommendation", 3), ("invitation", 7),
     ("help", 2), ("congratulation", 0), ("check_in", 14)],
)  # fmt: skip
def test_due_date_defaults_per_kind_after_the_event(
    alice: TestClient, kind: str, days: int
) -> None:
    met = event(alice, ends_days_ago=-3)  # ends in three days
    lea, marc = person(alice, "Léa"), person(alice, "Marc")
    extra = {"other_contact_id": marc} if kind == "introduction" else {}
    give = put_give(alice, contact_id=lea, event_id=met["id"], kind=kind, **extra)
    end = date.fromisoformat(met["ends_at"][:10])
    # The kind's default, but never past the day the 72 hours after the event run out.
    ends_at = datetime.fromisoformat(met["ends_at"])
    last_day = (ends_at + timedelta(hours=72)).astimezone(ZoneInfo("Europe/Paris")).date()
    assert give["due_on"] == min(end + timedelta(days=days), last_day).isoformat()
    assert give["due_on"] <= last_day.isoformat()
    assert give["status"] == "planned"
    assert give["title"]  # a title in the user's language when none is given


def test_a_due_date_is_never_in_the_past(alice: TestClient) -> None:
    old = event(alice, ends_days_ago=30)
    give = put_give(alice, contact_id=person(alice, "Léa"), event_id=old["id"], kind="resource")
    assert give["due_on"] == paris_today().isoformat()
    idea = put_give(alice, contact_id=person(alice, "Marc"), kind="resource", status="idea")
    assert idea["due_on"] is None


def test_replayed_put_changes_nothing_and_done_sets_done_at(alice: TestClient) -> None:
    lea = person(alice, "Léa")
    give_id = str(uuid.uuid4())
    body = {"contact_id": lea, "kind": "resource", "title": "L’article sur la CSRD"}
    first = alice.put(f"/api/v1/gives/{give_id}", json=body)
    second = alice.put(f"/api/v1/gives/{give_id}", json=body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["updated_at"] == first.json()["updated_at"]
    assert len(alice.get("/api/v1/gives").json()) == 1
    done = alice.patch(f"/api/v1/gives/{give_id}", json={"status": "done"}).json()
    assert done["done_at"] is not None
    again = alice.patch(f"/api/v1/gives/{give_id}", json={"status": "planned"}).json()
    assert again["done_at"] is None


def test_validation_names_the_field(alice: TestClient, bob: TestClient) -> None:
    lea = person(alice, "Léa")
    bobs = person(bob, "Bob's friend")
    for body, field in (
        ({"kind": "resource"}, "contact_id"),
        ({"contact_id": bobs}, "contact_id"),
        ({"contact_id": lea, "kind": "introduction"}, "other_contact_id"),
        ({"contact_id": lea, "kind": "introduction", "other_contact_id": lea}, "other_contact_id"),
        ({"contact_id": lea, "kind": "bribe"}, "kind"),
        ({"contact_id": lea, "event_id": str(uuid.uuid4())}, "event_id"),
        ({"contact_id": lea, "title": "x" * 201}, "title"),
    ):
        response = alice.put(f"/api/v1/gives/{uuid.uuid4()}", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["field"] == field
    assert alice.get("/api/v1/gives").json() == []


def test_introduction_states_with_double_opt_in(alice: TestClient) -> None:
    from app.gives.models import IntroState  # noqa: F401 - the states tested below

    lea, marc = person(alice, "Léa"), person(alice, "Marc")
    give = put_give(alice, contact_id=lea, other_contact_id=marc, kind="introduction",
                    intro_why="Léa cherche un développeur, Marc en est un")  # fmt: skip
    assert give["intro_state"] == "draft"
    path = f"/api/v1/gives/{give['id']}"
    asked = alice.patch(
        path,
        json={"intro_state": "asked", "due_on": (paris_today() + timedelta(days=3)).isoformat()},
    ).json()
    assert asked["intro_state"] == "asked" and asked["status"] == "planned"
    accepted = alice.patch(path, json={"intro_state": "accepted"}).json()
    assert accepted["intro_state"] == "accepted"
    introduced = alice.patch(path, json={"intro_state": "introduced", "status": "done"}).json()
    assert introduced["status"] == "done"
    # It counts as a give for both people: both were touched.
    for who in (lea, marc):
        assert alice.get(f"/api/v1/contacts/{who}").json()["last_interaction_at"] is not None
    assert [g["id"] for g in alice.get("/api/v1/gives", params={"contact_id": marc}).json()] == [
        give["id"]
    ]


def test_cadence_reset_by_meeting_interaction_and_done_give(alice: TestClient) -> None:
    alice.patch(
        "/api/v1/network/profile", json={"event_cadence_days": 30, "tag_cadences": {"client": 7}}
    )
    old = event(alice, ends_days_ago=60)
    lea = person(
        alice,
        "Léa",
        event_id=old["id"],
        met_at=(now() - timedelta(days=60)).isoformat(),
    )
    due = alice.get(f"/api/v1/contacts/{lea}").json()["touch_due_on"]
    assert date.fromisoformat(due) < paris_today()  # losing touch
    # A logged interaction resets it.
    alice.post(f"/api/v1/contacts/{lea}/interactions", json={"kind": "call"})
    assert date.fromisoformat(
        alice.get(f"/api/v1/contacts/{lea}").json()["touch_due_on"]
    ) >= paris_today() + timedelta(days=29)
    # A tag's default wins over the event default; a person's own cadence over both.
    alice.patch(f"/api/v1/contacts/{lea}", json={"tags": ["client"]})
    assert date.fromisoformat(
        alice.get(f"/api/v1/contacts/{lea}").json()["touch_due_on"]
    ) <= paris_today() + timedelta(days=7)
    alice.patch(f"/api/v1/contacts/{lea}", json={"cadence_days": 0})
    assert alice.get(f"/api/v1/contacts/{lea}").json()["touch_due_on"] is None
    # A done give resets it; a new meeting too.
    marc = person(
        alice,
        "Marc",
        cadence_days=10,
        met_at=(now() - timedelta(days=40)).isoformat(),
        event_id=old["id"],
    )
    assert (
        date.fromisoformat(alice.get(f"/api/v1/contacts/{marc}").json()["touch_due_on"])
        < paris_today()
    )
    put_give(alice, contact_id=marc, kind="check_in", status="done")
    assert date.fromisoformat(
        alice.get(f"/api/v1/contacts/{marc}").json()["touch_due_on"]
    ) >= paris_today() + timedelta(days=9)
    ines = person(
        alice,
        "Inès",
        cadence_days=10,
        met_at=(now() - timedelta(days=40)).isoformat(),
        event_id=old["id"],
    )
    fresh = event(alice, ends_days_ago=0, name="Meetup")
    alice.put(f"/api/v1/contacts/{ines}", json={"event_id": fresh["id"]})
    assert date.fromisoformat(
        alice.get(f"/api/v1/contacts/{ines}").json()["touch_due_on"]
    ) >= paris_today() + timedelta(days=9)


def test_follow_up_list_progress_and_suggestions(alice: TestClient) -> None:
    met = event(alice, ends_days_ago=1)
    lea = person(alice, "Léa Martin", event_id=met["id"], needs="Cherche un développeur Python")
    marc = person(alice, "Marc Petit", event_id=met["id"], needs="Un bon article sur la CSRD")
    ines = person(alice, "Inès Roy", event_id=met["id"], hook="vient de lancer son studio")
    person(alice, "Not met here")
    listing = alice.get(f"/api/v1/events/{met['id']}/follow-up").json()
    assert (listing["followed_up"], listing["total"]) == (0, 3)
    assert listing["deadline"] > listing["ends_at"]
    suggestions = {p["full_name"]: p["suggestion"]["kind"] for p in listing["people"]}
    assert suggestions == {
        "Léa Martin": "introduction",
        "Marc Petit": "resource",
        "Inès Roy": "congratulation",
    }
    put_give(alice, contact_id=marc, event_id=met["id"], kind="resource", status="done")
    put_give(alice, contact_id=lea, event_id=met["id"], kind="introduction", other_contact_id=ines)
    listing = alice.get(f"/api/v1/events/{met['id']}/follow-up").json()
    assert (listing["followed_up"], listing["total"]) == (1, 3)
    by_name = {p["full_name"]: p for p in listing["people"]}
    assert by_name["Marc Petit"]["followed_up"] is True
    assert [g["kind"] for g in by_name["Léa Martin"]["gives"]] == ["introduction"]
    assert by_name["Léa Martin"]["suggestion"] is None  # a give is planned: no more suggestion


def test_no_response_carries_what_a_contact_owes(alice: TestClient) -> None:
    schema = alice.get("/openapi.json").json()
    fields: set[str] = set()
    for component in schema["components"]["schemas"].values():
        fields.update(component.get("properties", {}))
    owed = re.compile(
        r"(?<![a-z])(owes?|owed|owing)(?![a-z])|debt|score|gave_back|given_back|in_return|balance|karma|reciproc"
    )
    assert {f for f in fields if owed.search(f)} == set()
    lea = person(alice, "Léa")
    alice.post(
        f"/api/v1/contacts/{lea}/referrals", json={"whom": "Atelier Bois", "note": "merci !"}
    )
    for url in ("/api/v1/gives", f"/api/v1/contacts/{lea}", f"/api/v1/contacts/{lea}/referrals"):
        assert not owed.search(alice.get(url).text.lower().replace("\\u", ""))


def test_referrals_and_profile(alice: TestClient) -> None:
    lea = person(alice, "Léa")
    first = alice.post(
        f"/api/v1/contacts/{lea}/referrals",
        json={"whom": "Atelier Bois", "received_on": "2026-10-02"},
    )
    assert first.status_code == 201
    assert [r["whom"] for r in alice.get(f"/api/v1/contacts/{lea}/referrals").json()] == [
        "Atelier Bois"
    ]
    profile = alice.patch(
        "/api/v1/network/profile",
        json={"specialty": "Comptabilité pour artisans", "trigger_keyword": "bilan"},
    ).json()
    assert profile["specialty"] == "Comptabilité pour artisans"
    assert alice.get("/api/v1/network/profile").json()["trigger_keyword"] == "bilan"


def test_merge_keeps_gives(alice: TestClient) -> None:
    keep, other, third = (
        person(alice, "Léa Martin"),
        person(alice, "Lea Martin"),
        person(alice, "Marc"),
    )
    give = put_give(alice, contact_id=other, kind="resource")
    intro = put_give(alice, contact_id=third, other_contact_id=other, kind="introduction")
    alice.post(f"/api/v1/contacts/{keep}/merge", json={"other_id": other})
    assert alice.get(f"/api/v1/gives/{give['id']}").json()["contact_id"] == keep
    assert alice.get(f"/api/v1/gives/{intro['id']}").json()["other_contact_id"] == keep


def test_isolation_of_gives(alice: TestClient, bob: TestClient) -> None:
    lea = person(alice, "Léa")
    give = put_give(alice, contact_id=lea, kind="resource")
    met = event(alice)
    assert_isolated(alice, bob, [
        ("GET", f"/api/v1/gives/{give['id']}", None),
        ("PATCH", f"/api/v1/gives/{give['id']}", {"title": "x"}),
        ("PUT", f"/api/v1/gives/{give['id']}", {"title": "x"}),
        ("GET", f"/api/v1/events/{met['id']}/follow-up", None),
        ("GET", f"/api/v1/contacts/{lea}/referrals", None),
        ("POST", f"/api/v1/contacts/{lea}/referrals", {"whom": "x"}),
        ("DELETE", f"/api/v1/gives/{give['id']}", None),
    ])  # fmt: skip
    assert bob.get("/api/v1/gives").json() == []
