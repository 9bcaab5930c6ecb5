"""Request bodies are refused before they are read: a per-route limit, and no credentials, no
body, on the API."""

import asyncio
import threading
import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.web.body_guard import DEFAULT_LIMIT, limit_for


def call_raw(
    app: FastAPI,
    method: str,
    path: str,
    headers: list[tuple[bytes, bytes]],
    total: int,
    first: bytes = b"",
) -> tuple[int, int]:
    """Send a request of `total` bytes straight to the ASGI app, in a thread with its own event
    loop; the status answered and how many body bytes the app read."""
    read = 0
    result: dict[str, Any] = {}
    chunk = b"[" * 65536

    async def receive() -> dict[str, Any]:
        nonlocal read
        if read >= total:
            await asyncio.sleep(3600)
        body = first + chunk[len(first) :] if read == 0 else chunk
        read += len(body)
        return {"type": "http.request", "body": body, "more_body": read < total}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            result["status"] = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
        "state": {},
    }

    def run() -> None:
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(asyncio.wait_for(app(scope, receive, send), 30))
        finally:
            loop.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result["status"], read


def test_a_huge_unauthenticated_api_body_is_refused_unread(app: FastAPI) -> None:
    size = 200 * 1024 * 1024
    headers = [(b"content-type", b"application/json"), (b"content-length", str(size).encode())]
    status, read = call_raw(app, "PUT", f"/api/v1/contacts/{uuid.uuid4()}", headers, size)
    assert status == 401
    assert read == 0


def test_a_declared_oversized_body_is_refused_unread(app: FastAPI, alice: TestClient) -> None:
    size = 200 * 1024 * 1024
    token = alice.headers["authorization"].encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(size).encode()),
        (b"authorization", token),
    ]
    status, read = call_raw(app, "PUT", f"/api/v1/contacts/{uuid.uuid4()}", headers, size)
    assert status == 413
    assert read == 0


def test_an_undeclared_oversized_body_stops_at_the_limit(app: FastAPI, alice: TestClient) -> None:
    size = 200 * 1024 * 1024
    token = alice.headers["authorization"].encode()
    for content_type in (b"application/json", b"multipart/form-data; boundary=x"):
        headers = [(b"content-type", content_type), (b"authorization", token)]
        first = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.ics"\r\n\r\n'
        status, read = call_raw(app, "POST", "/api/v1/events/import", headers, size, first)
        assert status == 413, content_type
        assert read <= limit_for("/api/v1/events/import") + 65536


def test_limits_are_per_route() -> None:
    assert limit_for("/api/v1/contacts/x") == DEFAULT_LIMIT
    assert limit_for("/api/v1/contacts/x/photo") > 8_000_000
    assert limit_for("/people/import") > 10_000_000


def test_an_ordinary_body_passes(alice: TestClient) -> None:
    person = alice.put(f"/api/v1/contacts/{uuid.uuid4()}", json={"full_name": "Léa Dubois"})
    assert person.status_code in {200, 201}, person.text
