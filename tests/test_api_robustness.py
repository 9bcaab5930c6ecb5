"""Property-based: the API does what its OpenAPI document says. Schemathesis generates requests
from our own document (valid and invalid bodies, odd strings, huge numbers, NUL bytes…), sends
them in-process, signed in with a personal access token, on SQLite and PostgreSQL, and runs every
check this version of Schemathesis has on each answer: never a server error, only declared
statuses, content types and headers, bodies that match their schema (errors included), invalid
data refused, valid data accepted, authentication enforced, and the others (`CHECKS`)."""

import uuid
from collections.abc import Callable, Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import CHECKS as REGISTRY
from schemathesis.checks import load_all_checks
from schemathesis.generation import GenerationMode
from sqlalchemy.exc import DataError
from sqlmodel import Session

from app.accounts import service as accounts
from tests.helpers import create_user

EXAMPLES = 6  # per operation, per kind of data (valid, invalid) and per backend
WORKFLOWS = 20  # stateful scenarios per backend, of up to 8 linked calls each
PARTS = 4  # the operations are shared among this many tests, so that parallel workers share them

load_all_checks()
CHECKS: list[Callable[..., object]] = list(REGISTRY.get_all())
CHECK_NAMES = {check.__name__ for check in CHECKS}

# Where a check is wrong for an operation (not the app): each exclusion says why. Only
# `positive_data_acceptance` is ever left out: it takes any request that matches the schema as
# one the server must accept, and these operations refuse, with a 422 naming the field, values
# that no JSON Schema can tell from good ones.
NOT_FOR: dict[str, dict[str, str]] = {
    "DELETE /api/v1/me": {
        "positive_data_acceptance": "the password must be the account's own: any other is refused",
    },
    "GET /api/v1/contacts": {
        "positive_data_acceptance": "`cursor` is an opaque token the server issued for a page",
    },
    "POST /api/v1/contacts/import": {
        "positive_data_acceptance": "the file must be a readable vCard or CSV, not any bytes",
    },
    "POST /api/v1/import/archive": {
        "positive_data_acceptance": "the file must be one of our archives, not any bytes",
    },
    "POST /api/v1/events/import": {
        "positive_data_acceptance": "the link must answer with an event page or a calendar",
    },
    "POST /api/v1/events": {
        "positive_data_acceptance": "an event ends after it starts (a rule across two fields)",
    },
    "PATCH /api/v1/events/{event_id}": {
        "positive_data_acceptance": "an event ends after it starts (a rule across two fields)",
    },
    "PUT /api/v1/contacts/{contact_id}": {
        "positive_data_acceptance": "a person needs a name or a photo, and `met_through_id` "
        "must be one of the user's own people",
    },
    "PUT /api/v1/gives/{give_id}": {
        "positive_data_acceptance": "a new give needs a title and a person who is one of the "
        "user's own (`contact_id`), which a schema cannot name",
    },
    "PATCH /api/v1/gives/{give_id}": {
        "positive_data_acceptance": "`contact_id` must be one of the user's own people",
    },
    "PATCH /api/v1/card": {
        "positive_data_acceptance": "the card's address, web link, e-mail and phone are checked "
        "by the server's own rules, to answer in the user's language",
    },
    "PUT /api/v1/card/kiosk/{client_id}": {
        "positive_data_acceptance": "a visitor's details are kept only with the follow-up "
        "consent ticked and a way to reach them",
    },
}


@pytest.fixture
def token(app: FastAPI) -> Iterator[str]:
    create_user(app, "fuzz@example.org", "Fuzz")
    with Session(app.state.engine) as session:
        user = accounts.user_by_email(session, email="fuzz@example.org")
        _token, secret = accounts.create_token(session, user=user, name="fuzz")
        session.commit()
    yield secret


def test_every_check_is_run_and_every_exclusion_names_a_real_check() -> None:
    assert {"not_a_server_error", "status_code_conformance", "content_type_conformance",
            "response_headers_conformance", "response_schema_conformance",
            "negative_data_rejection", "positive_data_acceptance", "use_after_free",
            "ensure_resource_availability", "ignored_auth"} <= CHECK_NAMES  # fmt: skip
    for label, excluded in NOT_FOR.items():
        assert set(excluded) <= CHECK_NAMES, label
        assert all(reason.strip() for reason in excluded.values()), label


@pytest.mark.parametrize("part", range(PARTS))
def test_the_api_does_what_its_schema_says(app: FastAPI, token: str, part: int) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    labels = {operation.label for operation in operations}
    assert set(NOT_FOR) <= labels, set(NOT_FOR) - labels
    headers = {"Authorization": f"Bearer {token}"}
    for operation in operations[part::PARTS]:
        excluded = [c for c in CHECKS if c.__name__ in NOT_FOR.get(operation.label, {})]
        modes = [GenerationMode.POSITIVE]
        if operation.body or any(True for _ in operation.iter_parameters()):
            modes.append(GenerationMode.NEGATIVE)  # nothing to get wrong without an input
        for mode in modes:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            def send(case: schemathesis.Case) -> None:
                case.call_and_validate(headers=headers, checks=CHECKS, excluded_checks=excluded)

            send()


def test_workflows_keep_what_the_schema_promises(app: FastAPI, token: str) -> None:
    """Stateful: sequences of calls linked by the ids they answer (create, read, change, delete),
    the same checks on every step; `use_after_free` and `ensure_resource_availability` only see
    something here (a deleted object read again, a created one not found)."""
    headers = {"Authorization": f"Bearer {token}"}
    workflow = schemathesis.openapi.from_asgi("/openapi.json", app).as_state_machine()
    steps: list[int] = []

    class Workflow(workflow):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, object]:
            return {"headers": headers}

        def validate_response(
            self, response: object, case: schemathesis.Case, *_args: object, **kwargs: object
        ) -> None:
            steps.append(1)
            excluded = [c for c in CHECKS if c.__name__ in NOT_FOR.get(case.operation.label, {})]
            case.validate_response(
                response,  # type: ignore[arg-type]
                checks=CHECKS,
                excluded_checks=excluded,
                headers=headers,
                transport_kwargs=dict(kwargs) or None,
                recorder=self.recorder,
            )

    Workflow.run(
        settings=settings(
            max_examples=WORKFLOWS,
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
    )
    assert len(steps) > WORKFLOWS


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


def test_every_error_is_declared_with_the_one_error_body(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    assert "HTTPValidationError" not in components and "ErrorBody" in components
    error_body = {"$ref": "#/components/schemas/ErrorBody"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            label = f"{method.upper()} {path}"
            assert "401" in responses, label  # every operation needs a user
            if "{" in path:
                assert "404" in responses, label
            if method in ("post", "put", "patch", "delete"):
                assert {"403", "422"} <= set(responses), label
            for status, response in responses.items():
                if status.startswith("4"):
                    assert response["content"]["application/json"]["schema"] == error_body, (
                        label,
                        status,
                    )


def test_conflicts_are_declared_where_they_can_happen(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, method in [
        ("/api/v1/events", "post"),
        ("/api/v1/card", "patch"),
        ("/api/v1/card/inbox/{submission_id}/accept", "post"),
        ("/api/v1/import/archive", "post"),
    ]:
        assert "409" in paths[path][method]["responses"], path


def test_an_unreadable_body_is_a_400_that_says_so_not_our_failure(alice: TestClient) -> None:
    answer = alice.put(
        f"/api/v1/contacts/{uuid.uuid4()}",
        content=b'{"full_name": "\xff\xfe"}',
        headers={"Content-Type": "application/json", "Accept-Language": "fr"},
    )
    assert answer.status_code == 400, answer.text
    assert answer.json() == {
        "error": "bad_request",
        "detail": "Cette requête ne peut pas être lue. Vérifiez ce qui a été envoyé.",
    }


@pytest.mark.parametrize("flag", [1, 0, "true", "yes"])
def test_a_json_flag_is_true_or_false_and_nothing_else(alice: TestClient, flag: object) -> None:
    # What the schema says ("boolean"): pydantic would otherwise take 1, 0, "true" or "yes".
    event = alice.post(
        "/api/v1/events", json={"name": "Salon", "starts_at": "2027-03-10T09:00:00Z"}
    ).json()["id"]
    for method, path, body in [
        ("PUT", f"/api/v1/contacts/{uuid.uuid4()}", {"full_name": "Léa", "knows_what_i_do": flag}),
        ("PATCH", "/api/v1/calendar", {"name_people": flag}),
        ("PATCH", "/api/v1/card", {"enabled": flag}),
        ("POST", "/api/v1/events", {"name": "X", "starts_at": "2027-03-10T09:00:00Z", "all_day": flag}),
        ("PATCH", f"/api/v1/events/{event}", {"public": flag}),
    ]:  # fmt: skip
        answer = alice.request(method, path, json=body)
        assert answer.status_code == 422, (method, path, answer.text)
    assert alice.get("/api/v1/contacts").json()["items"] == []
    assert [e["name"] for e in alice.get("/api/v1/events").json()] == ["Salon"]


@pytest.mark.parametrize("number", [0, 1_780_000_000, 1.5])
def test_a_date_is_iso_text_not_a_unix_time(alice: TestClient, number: float) -> None:
    # Pydantic would read a number as a Unix time: 0 was 1 January 1970.
    person = str(uuid.uuid4())
    assert alice.put(f"/api/v1/contacts/{person}", json={"full_name": "Léa"}).status_code == 201
    give = {"contact_id": person, "kind": "resource", "title": "Un article"}
    for method, path, body in [
        ("GET", f"/api/v1/gives?due_before={number}", None),
        ("PUT", f"/api/v1/contacts/{uuid.uuid4()}", {"full_name": "Paul", "met_at": number}),
        ("POST", "/api/v1/events", {"name": "Salon", "starts_at": number}),
        ("PUT", f"/api/v1/gives/{uuid.uuid4()}", {**give, "due_on": number}),
        ("PUT", f"/api/v1/gives/{uuid.uuid4()}", {**give, "done_at": number}),
        ("POST", f"/api/v1/contacts/{person}/interactions", {"happened_at": number}),
        ("POST", f"/api/v1/contacts/{person}/referrals", {"received_on": number}),
    ]:  # fmt: skip
        answer = alice.request(method, path, json=body)
        assert answer.status_code == 422, (method, path, answer.text)
    # ISO text is what they take.
    assert alice.get("/api/v1/gives?due_before=2027-01-15").status_code == 200
    assert (
        alice.put(
            f"/api/v1/gives/{uuid.uuid4()}", json={**give, "due_on": "2027-01-15"}
        ).status_code
        == 201
    )
    assert (
        alice.post(
            "/api/v1/events", json={"name": "Salon", "starts_at": "2027-03-10T09:00:00+01:00"}
        ).status_code
        == 201
    )
    assert len(alice.get("/api/v1/contacts").json()["items"]) == 1
