"""A distinct marker in every private field (notes, hooks, needs, unpublished card fields, the
network profile, private events, a public event's own notes): no public page, feed, vCard or QR
holds any of them."""

import uuid

import pytest
from fastapi.testclient import TestClient

from tests.card.helpers import leave
from tests.helpers import Clock

pytestmark = pytest.mark.db


def _marker(name: str) -> str:
    return f"zq{name.replace('_', '')}marker"


def test_no_public_output_holds_a_private_marker(
    clock: Clock, alice: TestClient, client: TestClient
) -> None:
    markers: list[str] = []

    def mark(name: str) -> str:
        markers.append(_marker(name))
        return _marker(name)

    alice.patch("/api/v1/me", json={"display_name": mark("display_name")})
    alice.patch("/api/v1/network/profile", json={
        name: mark(name) for name in ("who_i_help", "trigger_keyword", "referral_offer")
    } | {"specialty": "Graphiste pour artisans"})  # fmt: skip
    card = {name: mark(name) for name in ("company", "role", "phone", "city")}
    card |= {"email": f"{mark('email')}@example.org", "url": f"https://{mark('url')}.example"}
    answer = alice.patch("/api/v1/card", json={
        "enabled": True, "slug": "public-card", "published": ["specialty", "photo"], **card})  # fmt: skip
    assert answer.status_code == 200, answer.text
    person = str(uuid.uuid4())
    alice.put(f"/api/v1/contacts/{person}", json={
        "full_name": mark("contact_name"), "hook": mark("hook"), "needs": mark("needs"),
        "notes": mark("notes"), "company": mark("contact_company")})  # fmt: skip
    public = alice.post("/api/v1/events", json={
        "name": "Salon public", "starts_at": "2027-04-01T09:00:00+02:00", "public": True,
        "notes": mark("event_notes"), "description": mark("event_description"),
        "venue": mark("venue"), "address": mark("address")}).json()  # fmt: skip
    private = alice.post("/api/v1/events", json={
        "name": mark("private_event"), "starts_at": "2027-04-02T09:00:00+02:00",
        "city": mark("private_city")}).json()  # fmt: skip
    alice.put(f"/api/v1/gives/{uuid.uuid4()}", json={
        "contact_id": person, "kind": "resource", "title": mark("give"), "details": mark("give_details")})  # fmt: skip
    met = alice.put(f"/api/v1/contacts/{person}", json={"event_id": private["id"]})
    assert met.status_code == 200, met.text

    outputs = {}
    for path in ("/c/public-card", "/c/public-card?lang=en", "/c/public-card.vcf",
                 "/c/public-card/qr.svg", "/c/public-card/events", "/c/public-card/events.ics",
                 f"/c/public-card?event={private['id']}", f"/c/public-card/qr.svg?event={private['id']}",
                 f"/c/public-card?event={public['id']}"):  # fmt: skip
        answer = client.get(path)
        assert answer.status_code == 200, path
        outputs[path] = answer.text
    assert "Graphiste pour artisans" in outputs["/c/public-card"]
    assert "Salon public" in outputs["/c/public-card/events"]
    assert client.get("/c/public-card/photo").status_code == 404  # published, but none added
    receipt = leave(client, clock, "public-card", {"full_name": "Léa", "email": "lea@example.org"},
                    event=private["id"]).headers["location"]  # fmt: skip
    outputs["receipt"] = client.get(receipt).text
    for path, text in outputs.items():
        found = [marker for marker in markers if marker in text.lower()]
        assert found == [], f"{path} shows {found}"
