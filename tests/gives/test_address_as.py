"""Tu or vous: a choice on each person (API and person page) and a default in the settings;
the prepared messages and the follow-up session follow it."""

import pytest
from fastapi.testclient import TestClient

from tests.gives.test_api import event, person, put_give
from tests.helpers import one, select_all

pytestmark = pytest.mark.usefixtures("clock")


def test_the_api_keeps_the_choice_and_clears_it_to_the_default(alice: TestClient) -> None:
    lea = person(alice, "Léa Martin")
    assert alice.get(f"/api/v1/contacts/{lea}").json()["address_as"] is None
    assert (
        alice.patch(f"/api/v1/contacts/{lea}", json={"address_as": "tu"}).json()["address_as"]
        == "tu"
    )
    assert (
        alice.patch(f"/api/v1/contacts/{lea}", json={"full_name": "Léa M."}).json()["address_as"]
        == "tu"
    )
    assert (
        alice.patch(f"/api/v1/contacts/{lea}", json={"address_as": None}).json()["address_as"]
        is None
    )
    refused = alice.patch(f"/api/v1/contacts/{lea}", json={"address_as": "toi"})
    assert refused.status_code == 422
    assert alice.get("/api/v1/network/profile").json()["address_as"] == "vous"


def test_tu_on_the_person_page_changes_their_messages(zoe: TestClient, bob: TestClient) -> None:
    met = event(zoe, ends_days_ago=0.5, name="Salon Pro")
    lea = person(zoe, "Léa Martin", event_id=met["id"], needs="des mentors")
    give = put_give(zoe, contact_id=lea, kind="help", title="Relire son pitch")
    html = zoe.get(f"/gives/{give['id']}").text
    assert "puis-je vous aider" in one(html, "textarea").get_text()
    page = zoe.get(f"/people/{lea}").text
    checked = [i["value"] for i in select_all(page, "#address-as input[checked]")]
    assert checked == ["default"]
    response = zoe.post(f"/people/{lea}/address-as", data={"address_as": "tu"},
                        follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    page = zoe.get(f"/people/{lea}").text
    assert [i["value"] for i in select_all(page, "#address-as input[checked]")] == ["tu"]
    html = zoe.get(f"/gives/{give['id']}").text
    assert "puis-je t’aider" in one(html, "textarea").get_text()
    session = zoe.get(f"/events/{met['id']}/follow-up").text
    assert "Tu m’as dit ce que tu cherches" in one(session, f"#msg-{lea}").get_text()
    # Back to the settings' default; another user cannot change it.
    zoe.post(f"/people/{lea}/address-as", data={"address_as": "default"})
    assert zoe.get(f"/api/v1/contacts/{lea}").json()["address_as"] is None
    assert bob.post(f"/people/{lea}/address-as", data={"address_as": "tu"}).status_code == 404


def test_the_default_in_settings(zoe: TestClient) -> None:
    lea = person(zoe, "Léa Martin")
    marc = person(zoe, "Marc Petit", address_as="vous")
    settings = zoe.get("/settings").text
    assert [i["value"] for i in select_all(settings, "input[name=address_as][checked]")] == ["vous"]
    response = zoe.post("/settings/network", data={"address_as": "tu", "event_cadence": "90"},
                        follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    assert zoe.get("/api/v1/network/profile").json()["address_as"] == "tu"
    for who, expected in ((lea, "puis-je t’aider"), (marc, "puis-je vous aider")):
        give = put_give(zoe, contact_id=who, kind="help", title="Relire son pitch")
        assert expected in one(zoe.get(f"/gives/{give['id']}").text, "textarea").get_text()
    page = zoe.get(f"/people/{lea}").text
    assert "Comme dans mes réglages («\u00a0tu\u00a0»)" in one(page, "#address-as").get_text()
