"""The API's authentication: bearer tokens, the session cookie, 401s and token management."""

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.helpers import create_user, sign_in


def test_me_answers_with_a_token(alice: TestClient) -> None:
    response = alice.get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "alice@example.org"
    assert body["display_name"] == "Alice Martin"
    assert body["timezone"] == "Europe/Paris"
    assert "password_hash" not in body


def test_me_is_401_without_credentials(client: TestClient) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


def test_me_is_401_with_an_unknown_or_malformed_token(client: TestClient) -> None:
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer gf_nope"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_a_revoked_token_stops_working_at_once(alice: TestClient) -> None:
    created = alice.post("/api/v1/tokens", json={"name": "laptop"})
    assert created.status_code == 201
    secret, token_id = created.json()["token"], created.json()["id"]
    assert secret.startswith("gf_") and len(secret) > 40
    headers = {"Authorization": f"Bearer {secret}"}
    assert alice.get("/api/v1/me", headers=headers).status_code == 200
    listed = alice.get("/api/v1/tokens").json()
    assert {"laptop", "tests"} <= {token["name"] for token in listed}
    assert all("token" not in token for token in listed)
    assert alice.delete(f"/api/v1/tokens/{token_id}").status_code == 204
    assert alice.get("/api/v1/me", headers=headers).status_code == 401


def test_token_records_its_last_use(alice: TestClient) -> None:
    alice.get("/api/v1/me")
    tokens = alice.get("/api/v1/tokens").json()
    assert tokens[0]["last_used_at"] is not None


def test_the_session_cookie_authenticates_the_api(app: FastAPI, client: TestClient) -> None:
    create_user(app, "carol@example.org")
    assert sign_in(client, "carol@example.org").status_code == 303
    assert client.get("/api/v1/me").json()["email"] == "carol@example.org"


def test_profile_update_validates_time_zone_and_language(alice: TestClient) -> None:
    bad = alice.patch("/api/v1/me", json={"timezone": "Mars/Olympus"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "timezone"
    assert alice.patch("/api/v1/me", json={"locale": "de"}).json()["field"] == "locale"
    good = alice.patch("/api/v1/me", json={"timezone": "America/New_York", "locale": "en"})
    assert good.status_code == 200
    assert good.json()["timezone"] == "America/New_York"
    assert good.json()["locale"] == "en"


def test_api_errors_speak_the_users_language(alice: TestClient) -> None:
    alice.patch("/api/v1/me", json={"locale": "fr"})
    assert (
        alice.patch("/api/v1/me", json={"timezone": "Nowhere"}).json()["detail"]
        == "Fuseau horaire inconnu."
    )
    alice.patch("/api/v1/me", json={"locale": "en"})
    assert (
        alice.patch("/api/v1/me", json={"timezone": "Nowhere"}).json()["detail"]
        == "Unknown time zone."
    )


def test_malformed_json_is_a_422_naming_the_problem(alice: TestClient) -> None:
    response = alice.patch(
        "/api/v1/me", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"] == "invalid"
