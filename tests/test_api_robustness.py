"""Property-based: whatever a client sends to any API operation, the answer is never a server
error. Schemathesis generates requests from our own OpenAPI document (valid and invalid bodies,
odd strings, huge numbers, NUL bytes…) and sends them in-process, signed in, on SQLite and
PostgreSQL."""

import uuid
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from sqlalchemy.exc import DataError
from sqlmodel import Session

from app.accounts import service as accounts
from tests.helpers import create_user

EXAMPLES = 25  # per operation and per backend
PARTS = 4  # the operations are shared among this many tests, so that parallel workers share them


@pytest.fixture
def token(app: FastAPI) -> Iterator[str]:
    create_user(app, "fuzz@example.org", "Fuzz")
    with Session(app.state.engine) as session:
        user = accounts.user_by_email(session, email="fuzz@example.org")
        _token, secret = accounts.create_token(session, user=user, name="fuzz")
        session.commit()
    yield secret


@pytest.mark.parametrize("part", range(PARTS))
def test_no_request_gets_a_server_error(app: FastAPI, token: str, part: int) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    for operation in operations[part::PARTS]:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def send(case: schemathesis.Case) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} → {response.status_code}\n"
                f"{case.as_curl_command()}\n{response.text[:500]}"
            )

        send()


def test_nul_characters_are_dropped_on_both_backends(alice: TestClient) -> None:
    """PostgreSQL refuses NUL in text (a 500 found by the test above); SQLite would keep it.
    Both now store the text without it."""
    person = str(uuid.uuid4())
    answer = alice.put(
        f"/api/v1/contacts/{person}",
        json={"full_name": "Hé\x00lène Dupont", "tags": ["vé\x00lo"], "hook": "\x00"},
    )
    assert answer.status_code in (200, 201), answer.text
    stored = alice.get(f"/api/v1/contacts/{person}").json()
    assert stored["full_name"] == "Hélène Dupont"
    found = alice.get("/api/v1/contacts", params={"q": "helene\x00"}).json()["items"]
    assert [p["id"] for p in found] == [person]


def test_a_value_the_database_refuses_is_a_422_in_the_users_language(
    app: FastAPI, alice: TestClient
) -> None:
    def refused() -> None:
        raise DataError("UPDATE …", {}, Exception("integer out of range"))

    app.add_api_route("/api/v1/refused-for-the-test", refused, methods=["POST"])
    answer = alice.post("/api/v1/refused-for-the-test", headers={"Accept-Language": "fr"})
    assert answer.status_code == 422
    assert answer.json() == {
        "error": "invalid",
        "detail": "Une valeur envoyée ne peut pas être enregistrée. Vérifiez ce que vous avez saisi.",
    }
