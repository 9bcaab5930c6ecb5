"""Every user sees only their own data: for every route that names an object, another user gets 404.

Each feature adds a case here: a function that creates one of Alice's objects and returns the
requests that reach it. The last test fails when a route with a path parameter has no case.
"""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.helpers import assert_isolated

Requests = list[tuple[str, str, Any]]


def _token_requests(alice: TestClient) -> Requests:
    token_id = alice.post("/api/v1/tokens", json={"name": "alice's"}).json()["id"]
    return [
        ("DELETE", f"/api/v1/tokens/{token_id}", None),
        ("POST", f"/settings/tokens/{token_id}/revoke", None),
    ]


CASES: dict[str, Callable[[TestClient], Requests]] = {
    "access tokens": _token_requests,
}

COVERED_ROUTES = {
    "/api/v1/tokens/{token_id}",
    "/settings/tokens/{token_id}/revoke",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_another_user_gets_404(case: str, alice: TestClient, bob: TestClient) -> None:
    requests = CASES[case](alice)
    assert_isolated(alice, bob, requests)


def test_alices_token_still_works_after_bobs_attempts(alice: TestClient, bob: TestClient) -> None:
    requests = _token_requests(alice)
    assert_isolated(alice, bob, requests)
    assert len(alice.get("/api/v1/tokens").json()) == 2


def test_every_route_with_an_object_id_has_an_isolation_case(app: FastAPI) -> None:
    routes = {
        route.path for route in app.routes if isinstance(route, APIRoute) and "{" in route.path
    }
    assert routes - COVERED_ROUTES == set(), "add an isolation case for these routes"
