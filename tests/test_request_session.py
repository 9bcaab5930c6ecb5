"""A request never holds a database connection while it waits for a thread (or anything else):
every connection is given back within the same hop to a worker thread that took it."""

import itertools
import threading
import uuid
from typing import Any

import anyio.to_thread
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event

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
