"""What one request costs the server in CPU, without the network: the ASGI app called in process.

A script, not a test: `python bench/request_cost.py [--requests 2000] [--profile capture]`.
It builds the real app on a fresh SQLite database (or `--database-url postgresql+psycopg://...`,
a fresh database created next to the one named and dropped at the end), fills an account with
2,000 people, then sends `/healthz`, capture `PUT`s, the people list and Today one after another
through the ASGI interface, and prints the CPU time per request (the least of 10 rounds, interleaved) and the ratio
capture / healthz. It is the load test's capture-to-healthz ratio without wrk, threads and the
loopback, so that a change to the request path can be weighed on a noisy machine.
It also times a capture's own work alone ("stored": the route's function on a session of its own,
committed, with no HTTP, FastAPI or thread hop), what a capture costs before FastAPI and uvicorn.
`--only KIND` sends that kind alone, to be sampled by a profiler:
`py-spy record -o out.txt -f raw -- python bench/request_cost.py --only capture --requests 5000`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import _fill

Message = dict[str, Any]
ROUNDS = 10


def _scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    target, _, query = path.partition("?")
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": target, "raw_path": target.encode(),
        "query_string": query.encode(), "root_path": "", "headers": headers,
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }  # fmt: skip


async def _call(app: Any, method: str, path: str, token: str | None, body: bytes = b"") -> int:
    headers = [(b"host", b"127.0.0.1:8000"), (b"accept-encoding", b"gzip")]
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    if body:
        headers += [(b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())]  # fmt: skip
    sent = False
    status = 0

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(_scope(method, path, headers), receive, send)
    return status


def _kinds(token: str) -> dict[str, Callable[[], tuple[str, str, str | None, bytes]]]:
    def capture() -> tuple[str, str, str | None, bytes]:
        body = json.dumps({"full_name": f"Charge {uuid.uuid4().hex[:8]}", "hook": "bench"})
        return "PUT", f"/api/v1/contacts/{uuid.uuid4()}", token, body.encode()

    return {
        "healthz": lambda: ("GET", "/healthz", None, b""),
        "capture": capture,
        "list": lambda: ("GET", "/api/v1/contacts", token, b""),
        "search": lambda: ("GET", "/api/v1/contacts?q=dupont", token, b""),
        "today": lambda: ("GET", "/", token, b""),
    }


async def _measure(app: Any, token: str, requests: int, profile: str | None) -> dict[str, float]:
    kinds = _kinds(token)
    for make in kinds.values():  # warm every path once
        method, path, who, body = make()
        status = await _call(app, method, path, who, body)
        if status >= 400:
            raise RuntimeError(f"{method} {path}: {status}")
    if profile:
        # For a sampling profiler outside (py-spy sees the worker threads, cProfile does not).
        calls = [kinds[profile]() for _ in range(requests)]
        started = time.process_time()
        for call in calls:
            await _call(app, *call)
        return {profile: (time.process_time() - started) / requests * 1000}
    figures: dict[str, list[float]] = {kind: [] for kind in kinds}
    for _round in range(ROUNDS):
        for kind, make in kinds.items():
            count = max(
                1, (requests // 5 if kind in ("today", "list", "search") else requests) // ROUNDS
            )
            calls = [make() for _ in range(count)]
            started = time.process_time()
            for call in calls:
                await _call(app, *call)
            figures[kind].append((time.process_time() - started) / count * 1000)
    # The least of the rounds: on a shared machine, noise (other work, a slower core) only adds.
    return {kind: min(values) for kind, values in figures.items()}


def _stored_alone(app: Any, token: str, requests: int) -> float:
    """A capture's own work without HTTP, FastAPI or a thread hop: the route's function on a
    session of its own, committed and closed, as `app.db.CommittingRoute` runs it."""
    from sqlmodel import Session

    from app.accounts import service as accounts
    from app.contacts import api
    from app.contacts.models import ContactWrite

    engine = app.state.engine
    with Session(engine, expire_on_commit=False) as session:
        user = accounts.user_for_token(session, secret=token)
        session.commit()
    assert user is not None

    def one() -> None:
        session = Session(engine, expire_on_commit=False)
        try:
            body = ContactWrite.model_validate(
                {"full_name": f"Charge {uuid.uuid4().hex[:8]}", "hook": "bench"}
            )
            api.put_contact(session=session, user=user, contact_id=uuid.uuid4(), body=body)
            session.commit()
        finally:
            session.close()

    for _ in range(50):
        one()
    rounds = []
    for _round in range(ROUNDS):
        count = max(1, requests // ROUNDS)
        started = time.process_time()
        for _ in range(count):
            one()
        rounds.append((time.process_time() - started) / count * 1000)
    return min(rounds)


def run(database_url: str | None, requests: int, profile: str | None) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="givefirst-cost-"))
    admin = None
    name = ""
    if database_url:
        name = f"givefirst_cost_{uuid.uuid4().hex[:8]}"
        admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{folder / 'givefirst.db'}"
    token, _feed, _people = _fill(url)
    os.environ.update(GIVEFIRST_DATA_DIR=str(folder), GIVEFIRST_DATABASE_URL=url,
                      GIVEFIRST_SECRET_KEY="cost-" + "s" * 40)  # fmt: skip
    from app.main import create_app

    app = create_app()

    async def main() -> dict[str, float]:
        async with app.router.lifespan_context(app):
            return await _measure(app, token, requests, profile)

    try:
        found = asyncio.run(main())
        if not profile:
            found["stored"] = _stored_alone(app, token, requests)
        return found
    finally:
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server to create a database on")
    parser.add_argument("--requests", type=int, default=1000, help="requests of each kind a round")
    parser.add_argument("--only", choices=sorted(_kinds("")), help="send that kind alone")
    arguments = parser.parse_args()
    found = run(arguments.database_url, arguments.requests, arguments.only)
    if found:
        for kind, ms in found.items():
            print(f"{kind:8} {ms:7.3f} ms of CPU a request")
        if "healthz" in found and "capture" in found:
            print(f"capture / healthz (as rates): {found['healthz'] / found['capture']:.2f}")
        if "stored" in found:
            print("(stored: a capture's own work alone, without HTTP, FastAPI or a thread hop)")
