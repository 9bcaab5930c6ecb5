"""Deep or strange JSON: a clear 422, never a 500."""

import uuid

import pytest
from fastapi.testclient import TestClient

DEPTH = 100_000


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_deeply_nested_json_is_a_422(alice: TestClient, opening: str) -> None:
    closing = "]" if opening == "[" else "}"
    body = opening * DEPTH + "1" + closing * DEPTH
    for method, url in [
        ("PUT", f"/api/v1/contacts/{uuid.uuid4()}"),
        ("POST", "/api/v1/events"),
        ("POST", "/api/v1/events/import"),
    ]:
        response = alice.request(
            method, url, content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422, (url, response.status_code, response.text[:200])
        assert response.json()["error"] == "invalid"


def test_nested_value_inside_a_field_is_a_422(alice: TestClient) -> None:
    body = '{"full_name": ' + "[" * DEPTH + "]" * DEPTH + "}"
    response = alice.put(
        f"/api/v1/contacts/{uuid.uuid4()}",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text[:200]
