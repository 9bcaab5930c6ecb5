"""The people API: idempotent capture, search, pagination, photos, interactions, merge."""

import base64
import io
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import inspect
from sqlmodel import Session

from app.contacts import service as contacts_service
from app.contacts.models import Contact
from tests.helpers import assert_isolated, text_of


def photo_bytes(with_gps: bool = False, size: tuple[int, int] = (1600, 1200)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    exif = Image.Exif()
    if with_gps:
        exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 7.0)}
        exif[0x010F] = "PhoneMaker"
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def data_url(data: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(data).decode()


def new_event(client: TestClient, name: str = "Salon des Entrepreneurs 2027") -> str:
    response = client.post(
        "/api/v1/events", json={"name": name, "starts_at": "2027-02-03T09:00:00+01:00"}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_the_same_capture_sent_twice_at_once_is_one_person_and_no_error(
    alice: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two tabs flushing one outbox can send a capture twice at the same moment: the second
    request looks the id up before the first commits, then meets its row at the INSERT."""
    event_id = new_event(alice)
    person_id = uuid.UUID(str(uuid.uuid4()))
    body = {"full_name": "Hélène Dupont", "hook": "vélos cargo", "event_id": event_id}
    assert alice.put(f"/api/v1/contacts/{person_id}", json=body).status_code == 201
    real_lookup = contacts_service._lookup
    missed: list[bool] = []

    def lookup_before_the_other_commits(session: Session, contact_id: uuid.UUID) -> Any:
        if contact_id == person_id and not missed:
            missed.append(True)
            return None  # what the second request saw while the first was not committed yet
        return real_lookup(session, contact_id)

    monkeypatch.setattr(contacts_service, "_lookup", lookup_before_the_other_commits)
    second = alice.put(f"/api/v1/contacts/{person_id}", json=body)
    assert missed == [True]
    assert second.status_code == 200, second.text
    monkeypatch.undo()
    assert [p["id"] for p in alice.get("/api/v1/contacts").json()["items"]] == [str(person_id)]
    assert len(alice.get(f"/api/v1/contacts/{person_id}").json()["meetings"]) == 1


def test_capture_replayed_put_creates_one_person(alice: TestClient) -> None:
    event_id = new_event(alice)
    person_id = str(uuid.uuid4())
    body = {
        "full_name": "Hélène Dupont",
        "company": "Atelier Lumière",
        "hook": "parlé de vélos cargo",
        "needs": "cherche un expert-comptable",
        "tags": ["artisan", "#Lyon", "artisan"],
        "event_id": event_id,
        "met_at": "2027-02-03T10:15:00+01:00",
    }
    first = alice.put(f"/api/v1/contacts/{person_id}", json=body)
    assert first.status_code == 201, first.text
    second = alice.put(f"/api/v1/contacts/{person_id}", json=body)
    assert second.status_code == 200
    assert second.json()["updated_at"] == first.json()["updated_at"]
    assert first.json()["tags"] == ["artisan", "Lyon"]
    page = alice.get("/api/v1/contacts").json()
    assert [p["id"] for p in page["items"]] == [person_id]
    meetings = alice.get(f"/api/v1/contacts/{person_id}").json()["meetings"]
    assert len(meetings) == 1
    assert meetings[0]["event_id"] == event_id
    assert meetings[0]["met_at"].startswith("2027-02-03T09:15:00")


def test_put_leaves_out_fields_unchanged_and_met_again_adds_a_meeting(alice: TestClient) -> None:
    first_event, second_event = new_event(alice, "Salon A"), new_event(alice, "Salon B")
    person_id = str(uuid.uuid4())
    alice.put(
        f"/api/v1/contacts/{person_id}",
        json={"full_name": "Léa Martin", "company": "Kiosque", "event_id": first_event},
    )
    again = alice.put(f"/api/v1/contacts/{person_id}", json={"event_id": second_event})
    assert again.status_code == 200
    assert again.json()["company"] == "Kiosque"
    assert {m["event_id"] for m in again.json()["meetings"]} == {first_event, second_event}
    met_at_b = alice.get(f"/api/v1/contacts?event_id={second_event}").json()["items"]
    assert [p["full_name"] for p in met_at_b] == ["Léa Martin"]


def test_validation_names_the_field(alice: TestClient) -> None:
    person = f"/api/v1/contacts/{uuid.uuid4()}"
    for body, field in (
        ({"full_name": ""}, "full_name"),
        ({"full_name": "A", "email": "not an email"}, "email"),
        ({"full_name": "A", "url": "javascript:alert(1)"}, "url"),
        ({"full_name": "A", "event_id": str(uuid.uuid4())}, "event_id"),
        ({"full_name": "A" * 201}, "full_name"),
        ({"full_name": "A", "photo": "data:image/jpeg;base64,@@@"}, "photo"),
        ({"full_name": "A", "photo": data_url(b"GIF89a not really")}, "photo"),
    ):
        response = alice.put(person, json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["field"] == field, response.json()
    assert alice.get("/api/v1/contacts").json()["items"] == []


def test_search_ignores_case_and_accents_and_uses_every_field(alice: TestClient) -> None:
    people = {
        "Hélène Dupont": {"company": "Atelier Lumière"},
        "Bruno Petit": {"role": "Directeur financier", "tags": ["Client"]},
        "Chloé Bernard": {"needs": "Cherche une développeuse Python"},
        "Marc Éluard": {"notes": "rencontré au café Œuvre"},
    }
    for name, fields in people.items():
        alice.put(f"/api/v1/contacts/{uuid.uuid4()}", json={"full_name": name, **fields})

    def names(query: str) -> set[str]:
        return {
            p["full_name"]
            for p in alice.get("/api/v1/contacts", params={"q": query}).json()["items"]
        }

    assert names("helene") == {"Hélène Dupont"}
    assert names("HÉLÈNE dup") == {"Hélène Dupont"}
    assert names("lumiere") == {"Hélène Dupont"}
    assert names("financ") == {"Bruno Petit"}
    assert names("client") == {"Bruno Petit"}
    assert names("developpeuse") == {"Chloé Bernard"}
    assert names("oeuvre") == {"Marc Éluard"}
    assert names("eluard") == {"Marc Éluard"}
    assert names("zzz") == set()
    tagged = alice.get("/api/v1/contacts", params={"tag": "client"}).json()["items"]
    assert [p["full_name"] for p in tagged] == ["Bruno Petit"]


def test_list_pages_with_a_cursor_by_name_and_by_last_met(alice: TestClient) -> None:
    for index in range(7):
        alice.put(f"/api/v1/contacts/{uuid.uuid4()}", json={"full_name": f"Personne {index:02d}"})
    for sort in ("name", "recent"):
        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            params = {"sort": sort, "limit": 3, **({"cursor": cursor} if cursor else {})}
            page = alice.get("/api/v1/contacts", params=params).json()
            seen += [p["full_name"] for p in page["items"]]
            pages += 1
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert pages == 3
        assert len(seen) == len(set(seen)) == 7
        expected = sorted(seen)
        assert seen == (expected if sort == "name" else seen)
    assert alice.get("/api/v1/contacts", params={"cursor": "garbage!"}).status_code == 422


def test_photo_is_checked_shrunk_and_stripped_of_its_location(alice: TestClient) -> None:
    person_id = str(uuid.uuid4())
    created = alice.put(
        f"/api/v1/contacts/{person_id}", json={"photo": data_url(photo_bytes(with_gps=True))}
    )
    assert created.status_code == 201, created.text
    assert created.json()["has_photo"] is True
    stored = alice.get(created.json()["photo_url"])
    assert stored.status_code == 200
    assert stored.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(stored.content))
    assert max(image.size) == 1024
    assert 0x8825 not in image.getexif()
    assert b"PhoneMaker" not in stored.content
    # Raw upload too, and a text file pretending to be an image is refused.
    raw = alice.put(f"/api/v1/contacts/{person_id}/photo", content=photo_bytes(size=(300, 200)))
    assert raw.status_code == 204
    huge = alice.put(f"/api/v1/contacts/{person_id}/photo", content=b"\xff" * 8_000_001)
    assert huge.status_code == 422 and huge.json()["field"] == "photo"
    refused = alice.put(f"/api/v1/contacts/{person_id}/photo", content=b"<svg onload=alert(1)>")
    assert refused.status_code == 422
    assert refused.json()["field"] == "photo"


def test_interactions_update_last_interaction(alice: TestClient) -> None:
    person_id = str(uuid.uuid4())
    alice.put(f"/api/v1/contacts/{person_id}", json={"full_name": "Inès Roy"})
    interaction_id = str(uuid.uuid4())
    body = {"id": interaction_id, "kind": "coffee", "happened_at": "2027-01-05T09:00:00+01:00"}
    assert alice.post(f"/api/v1/contacts/{person_id}/interactions", json=body).status_code == 201
    assert alice.post(f"/api/v1/contacts/{person_id}/interactions", json=body).status_code == 201
    listed = alice.get(f"/api/v1/contacts/{person_id}/interactions").json()
    assert [i["kind"] for i in listed] == ["coffee"]
    person = alice.get(f"/api/v1/contacts/{person_id}").json()
    assert person["last_interaction_at"].startswith("2027-01-05T08:00:00")


def test_matches_by_email_and_by_name_with_company(alice: TestClient) -> None:
    known = str(uuid.uuid4())
    alice.put(
        f"/api/v1/contacts/{known}",
        json={
            "full_name": "Hélène Dupont",
            "company": "Atelier Lumière",
            "email": "helene@atelier.fr",
        },
    )
    by_email = alice.get("/api/v1/contacts/matches", params={"email": "HELENE@atelier.fr"}).json()
    assert [(m["id"], m["reason"]) for m in by_email] == [(known, "email")]
    by_name = alice.get(
        "/api/v1/contacts/matches",
        params={"full_name": "helene dupont", "company": "atelier lumiere"},
    ).json()
    assert [m["id"] for m in by_name] == [known]
    other_company = alice.get(
        "/api/v1/contacts/matches", params={"full_name": "Hélène Dupont", "company": "Banque"}
    ).json()
    assert other_company == []


def test_merge_keeps_every_meeting_note_and_tag(alice: TestClient) -> None:
    event_a, event_b = new_event(alice, "Salon A"), new_event(alice, "Salon B")
    keep, other, friend = (str(uuid.uuid4()) for _ in range(3))
    alice.put(
        f"/api/v1/contacts/{keep}",
        json={
            "full_name": "Léa Martin",
            "tags": ["design"],
            "notes": "aime le thé",
            "event_id": event_a,
        },
    )
    alice.put(
        f"/api/v1/contacts/{other}",
        json={
            "full_name": "Lea Martin",
            "email": "lea@example.org",
            "tags": ["Lyon"],
            "notes": "deux enfants",
            "event_id": event_b,
            "photo": data_url(photo_bytes(size=(100, 100))),
        },
    )
    alice.put(f"/api/v1/contacts/{friend}", json={"full_name": "Paul", "met_through_id": other})
    alice.post(f"/api/v1/contacts/{other}/interactions", json={"kind": "call"})
    merged = alice.post(f"/api/v1/contacts/{keep}/merge", json={"other_id": other})
    assert merged.status_code == 200, merged.text
    person = merged.json()["contact"]
    assert person["full_name"] == "Léa Martin"
    assert person["email"] == "lea@example.org"
    assert person["tags"] == ["design", "Lyon"]
    assert "aime le thé" in person["notes"] and "deux enfants" in person["notes"]
    assert person["has_photo"] is True
    assert {m["event_id"] for m in person["meetings"]} == {event_a, event_b}
    assert alice.get(f"/api/v1/contacts/{other}").status_code == 404
    assert alice.get(f"/api/v1/contacts/{friend}").json()["met_through_id"] == keep
    assert [i["kind"] for i in alice.get(f"/api/v1/contacts/{keep}/interactions").json()] == [
        "call"
    ]
    assert len(alice.get("/api/v1/contacts").json()["items"]) == 2


def test_unauthenticated_is_401(client: TestClient) -> None:
    assert client.get("/api/v1/contacts").status_code == 401
    assert (
        client.put(f"/api/v1/contacts/{uuid.uuid4()}", json={"full_name": "x"}).status_code == 401
    )


def test_another_users_id_is_not_found_and_never_overwritten(
    alice: TestClient, bob: TestClient
) -> None:
    person_id = str(uuid.uuid4())
    alice.put(f"/api/v1/contacts/{person_id}", json={"full_name": "Secret Alice"})
    taken = bob.put(f"/api/v1/contacts/{person_id}", json={"full_name": "Bob was here"})
    assert taken.status_code == 404
    assert alice.get(f"/api/v1/contacts/{person_id}").json()["full_name"] == "Secret Alice"
    assert bob.get("/api/v1/contacts", params={"q": "secret"}).json()["items"] == []
    assert bob.get("/api/v1/contacts/matches", params={"full_name": "Secret Alice"}).json() == []
    assert "Secret" not in bob.get("/api/v1/contacts/export.vcf").text
    assert "Secret" not in bob.get("/api/v1/contacts/export.csv").text
    assert_isolated(alice, bob, [("GET", f"/api/v1/contacts/{person_id}", None)])


def test_exports_release_their_database_connection(alice: TestClient, app: FastAPI) -> None:
    """A body streamed after the request's session ended held a PostgreSQL transaction open."""
    for index in range(3):
        alice.put(f"/api/v1/contacts/{uuid.uuid4()}", json={"full_name": f"Personne {index}"})
    for path in ("/api/v1/contacts/export.vcf", "/api/v1/contacts/export.csv"):
        response = alice.get(path)
        assert response.status_code == 200 and "Personne 2" in response.text
        assert app.state.engine.pool.checkedout() == 0, path


def test_a_capture_ticks_off_a_want_to_meet_entry_and_carries_the_reason(
    alice: TestClient, bob: TestClient
) -> None:
    event = new_event(alice)
    wish = alice.post(
        f"/api/v1/events/{event}/want-to-meet",
        json={"name": "Sophie Durand", "why": "cherche des formateurs"},
    ).json()
    capture = alice.get("/capture", params={"event_id": event})
    assert wish["id"] in capture.text, "the capture page keeps the list for offline recognition"
    person = str(uuid.uuid4())
    body = {"full_name": "Sophie Durand", "event_id": event, "want_to_meet_id": wish["id"]}
    assert alice.put(f"/api/v1/contacts/{person}", json=body).status_code == 201
    assert alice.put(f"/api/v1/contacts/{person}", json=body).status_code == 200  # a replay
    stored = alice.get(f"/api/v1/contacts/{person}").json()
    assert stored["notes"] == "cherche des formateurs"
    wishes = alice.get(f"/api/v1/events/{event}/want-to-meet").json()
    assert [w["contact_id"] for w in wishes] == [person]
    assert wish["id"] not in alice.get("/capture", params={"event_id": event}).text, (
        "met: not offered"
    )
    page = alice.get(f"/events/{event}").text
    assert "Rencontre" in text_of(page, "#want-to-meet-section li")
    # Another user's entry cannot be ticked off, nor reached.
    refused = bob.put(
        f"/api/v1/contacts/{uuid.uuid4()}",
        json={"full_name": "Sophie", "want_to_meet_id": wish["id"]},
    )
    assert refused.status_code == 422
    assert refused.json()["field"] == "want_to_meet_id"


def test_a_new_person_is_built_as_the_model_builds_one() -> None:
    # contacts.service.new_contact skips SQLModel's __init__ for speed: it must hold exactly
    # what the model's own constructor gives, whatever field is added to the model later.
    now = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
    person, owner = uuid.uuid4(), uuid.uuid4()
    fast = contacts_service.new_contact(person, owner, now)
    model = Contact(id=person, owner_id=owner, created_at=now, recent_at=now, updated_at=now)
    assert fast.model_dump() == model.model_dump()
    assert inspect(fast).transient
    fast.tags.append("salon")
    assert contacts_service.new_contact(person, owner, now).tags == []  # a list of its own
