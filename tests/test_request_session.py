"""A request never holds a database connection while it waits for a thread (or anything else):
every connection is given back within the same hop to a worker thread that took it."""

import inspect
import itertools
import threading
import uuid
from typing import Any

import anyio.to_thread
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import event, text

from app.db import SessionDep, committing_router, get_session, make_engine
from tests.test_routing import _leaves

pytestmark = pytest.mark.db


def test_each_connection_is_given_back_in_the_hop_that_took_it(
    app: FastAPI, alice: TestClient, zoe: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every call that FastAPI and Starlette make on a worker thread (a "hop") gets a number; the
    # event loop itself is hop 0. A connection taken in one hop and given back in another was
    # held while the request waited for a free thread.
    hops = itertools.count(1)
    local = threading.local()
    run_sync = anyio.to_thread.run_sync

    async def numbered(function: Any, *args: Any, **kwargs: Any) -> Any:
        hop = next(hops)

        def call() -> Any:
            local.hop = hop
            try:
                return function(*args)
            finally:
                local.hop = 0

        return await run_sync(call, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", numbered)
    taken: dict[int, int] = {}
    crossings: list[str] = []
    uses = 0

    def checkout(_dbapi: Any, record: Any, _proxy: Any) -> None:
        nonlocal uses
        uses += 1
        taken[id(record)] = getattr(local, "hop", 0)

    def checkin(_dbapi: Any, record: Any) -> None:
        hop = taken.pop(id(record), None)
        if hop is not None and hop != getattr(local, "hop", 0):
            crossings.append(current)

    engine = app.state.engine
    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)
    try:
        person = str(uuid.uuid4())
        for current, call in [
            ("capture", lambda: alice.put(f"/api/v1/contacts/{person}", json={"full_name": "Léa"})),
            ("replay", lambda: alice.put(f"/api/v1/contacts/{person}", json={"full_name": "Léa"})),
            ("search", lambda: alice.get("/api/v1/contacts?q=lea")),
            ("give", lambda: alice.put(f"/api/v1/gives/{uuid.uuid4()}",
                                       json={"contact_id": person, "kind": "resource"})),
            ("today", lambda: zoe.get("/")),
            ("people page", lambda: zoe.get("/people")),
            ("capture form", lambda: zoe.post("/capture", data={"full_name": "Paul"},
                                              follow_redirects=False)),
            ("refused form", lambda: zoe.post("/events", data={"name": ""})),
        ]:  # fmt: skip
            assert call().status_code < 500, current
    finally:
        event.remove(engine, "checkout", checkout)
        event.remove(engine, "checkin", checkin)
    assert uses >= 8
    assert crossings == [], f"connections held across a thread hop by: {crossings}"


def test_a_sync_route_s_session_lives_and_ends_on_its_own_thread(app: FastAPI) -> None:
    # FastAPI resolves no session for a sync route (it would open it on the event loop and
    # close it there after the route's thread returned): the route opens its own.
    sync_routes = [
        route
        for route in _leaves(app.router.routes)
        if isinstance(route, APIRoute) and not inspect.iscoroutinefunction(route.endpoint)
    ]
    with_session = [route for route in sync_routes if hasattr(route.endpoint, "__wrapped__")]
    assert len(with_session) > 50
    for route in with_session:
        resolved = {dependency.call for dependency in route.dependant.dependencies}
        assert get_session not in resolved, route.path


def test_a_route_commits_what_it_returns_and_rolls_back_what_it_raised(tmp_path: Any) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'routes.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (body TEXT)"))
    threads: list[int] = []

    # As a module with `from __future__ import annotations` would declare it.
    def write(session: "SessionDep", body: "str") -> "dict[str, str]":
        threads.append(threading.get_ident())
        session.execute(text("INSERT INTO note VALUES (:body)"), {"body": body})
        if body == "refused":
            raise ValueError("refused")
        return {"body": body}

    api = FastAPI()
    api.state.engine = engine
    router = committing_router()
    router.post("/notes")(write)
    api.include_router(router)
    client = TestClient(api, raise_server_exceptions=False)
    assert client.post("/notes?body=kept").json() == {"body": "kept"}
    assert client.post("/notes?body=refused").status_code == 500
    with engine.connect() as connection:
        assert connection.execute(text("SELECT body FROM note")).scalars().all() == ["kept"]
    assert threading.get_ident() not in threads  # on a worker thread, not the event loop
    assert engine.pool.checkedout() == 0  # closed, the connection given back
    engine.dispose()
