"""TRACE and other methods a resource does not have: 405 with Allow, in the error schema."""

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize("method", ["TRACE", "FOO", "PUT"])
@pytest.mark.parametrize("path", ["/api/v1/me", "/healthz", "/settings"])
def test_unsupported_methods_answer_405_with_allow(
    alice: TestClient, method: str, path: str
) -> None:
    response = alice.request(method, path)
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]


def test_trace_without_credentials_is_405_too(client: TestClient) -> None:
    response = client.request("TRACE", "/api/v1/me")
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert response.headers["allow"]
