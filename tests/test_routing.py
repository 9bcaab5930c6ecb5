"""The routers are included most requested first (app/main.py), so their order is not the
order of their paths: every route must still be the one its own path reaches, whatever router
it is in and whatever comes before it."""

import re
from typing import Any

from fastapi import FastAPI
from starlette.routing import BaseRoute, Match

SAMPLE_ID = "0b7e6f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"


def _leaves(routes: list[BaseRoute]) -> list[Any]:
    found: list[Any] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            found += _leaves(inner.routes)
        elif getattr(route, "methods", None):
            found.append(route)
    return found


def _resolve(routes: list[BaseRoute], scope: dict[str, Any]) -> Any:
    """The route the app picks for a request, as Starlette does: the first full match."""
    for route in routes:
        match, _ = route.matches(dict(scope))
        if match == Match.FULL:
            inner = getattr(route, "original_router", None)
            return _resolve(inner.routes, scope) if inner is not None else route
    return None


def _sample(path: str) -> str:
    path = re.sub(r"\{[^}:]+:path\}", "a/b.txt", path)
    return re.sub(r"\{[^}]+\}", SAMPLE_ID, path)


def test_every_route_is_reached_by_its_own_path(app: FastAPI) -> None:
    leaves = _leaves(app.router.routes)
    assert len(leaves) > 150
    for route in leaves:
        for method in route.methods:
            path = _sample(route.path)
            scope = {"type": "http", "method": method, "path": path, "root_path": "",
                     "headers": [], "query_string": b"", "app": app}  # fmt: skip
            reached = _resolve(app.router.routes, scope)
            assert reached is route, f"{method} {path} reaches {getattr(reached, 'path', None)}"


def test_the_hot_paths_are_matched_among_the_first_routes(app: FastAPI) -> None:
    """Today, a capture and the people list are found within the first 40 routes."""
    leaves = _leaves(app.router.routes)
    order = [(route.path, method) for route in leaves for method in sorted(route.methods)]
    for path, method in (("/", "GET"), ("/api/v1/contacts/{contact_id}", "PUT"),
                         ("/api/v1/contacts", "GET"), ("/healthz", "GET")):  # fmt: skip
        assert order.index((path, method)) < 40, (path, method)
