"""The card's public routes answer 404 for a card that is off, unknown or retired; another user's
inbox items and a receipt without its key are not found either."""

import uuid

import pytest
from fastapi.testclient import TestClient

from tests.card.helpers import leave, turn_on
from tests.helpers import Clock

pytestmark = pytest.mark.db
VISITOR = {"full_name": "Léa Dubois", "email": "lea@dubois.fr"}


def test_another_users_card_that_is_off_answers_404_everywhere(
    alice: TestClient, bob: TestClient, client: TestClient
) -> None:
    slug = alice.get("/api/v1/card").json()["slug"]
    for path in ("", ".vcf", "/qr.svg", "/photo", "/events", "/events.ics"):
        assert bob.get(f"/c/{slug}{path}").status_code == 404, path
        assert client.get(f"/c/{slug}{path}").status_code == 404, path
        assert client.get(f"/c/no-such-card{path}").status_code == 404, path
    assert client.post(f"/c/{slug}/details", data=VISITOR).status_code == 404


def test_inbox_items_and_receipts_of_another_user_answer_404(
    alice: TestClient, bob: TestClient, client: TestClient, clock: Clock
) -> None:
    turn_on(alice, ["full_name"])
    receipt = leave(client, clock, "alice-martin", VISITOR).headers["location"].split("?")[0]
    _, _, submission_id, key = receipt.split("/")
    for action in ("accept", "discard"):
        answer = bob.post(f"/api/v1/card/inbox/{submission_id}/{action}")
        assert answer.status_code == 404 and answer.json()["error"] == "not_found"
    assert bob.get("/api/v1/card/inbox").json() == []
    bob_key = leave(client, clock, "alice-martin", {**VISITOR, "email": "b@x.org"}).headers[
        "location"
    ]
    other_key = bob_key.split("?")[0].split("/")[3]
    assert client.get(f"/left/{submission_id}/{other_key}").status_code == 404
    assert client.post(f"/left/{submission_id}/{other_key}/erase").status_code == 404
    assert client.get(f"/left/{uuid.uuid4()}/{key}").status_code == 404
    assert len(alice.get("/api/v1/card/inbox").json()) == 2
    # Turned off, the card's form stores nothing more.
    alice.patch("/api/v1/card", json={"enabled": False})
    assert client.post("/c/alice-martin/details", data=VISITOR).status_code == 404
