"""URL fetches against a hostile server on loopback: stacked encodings, a gzip bomb, trickled
headers, redirects that each trickle, and a DNS server that answers differently the second time."""

import contextlib
import gzip
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from app.events.importing import fetching
from app.events.importing.fetching import FetchFailed, fetch_document

Handler = Callable[[socket.socket, str], None]


class HostileServer:
    """A raw TCP server on 127.0.0.1 that answers each request with `handler(conn, path)`."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.paths: list[str] = []
        self.closed = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.closed:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            path = data.split(b" ", 2)[1].decode()
            self.paths.append(path)
            with contextlib.suppress(OSError):
                self.handler(conn, path)

    def close(self) -> None:
        self.closed = True
        self.listener.close()


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], HostileServer]]:
    servers: list[HostileServer] = []

    def start(handler: Handler) -> HostileServer:
        servers.append(HostileServer(handler))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


CALENDAR = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


def answer(conn: socket.socket, body: bytes, headers: dict[str, str]) -> None:
    head = "HTTP/1.1 200 OK\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    conn.sendall(head.encode() + b"Connection: close\r\n\r\n" + body)


def test_one_gzip_encoding_is_decoded(serve: Any) -> None:
    server = serve(
        lambda conn, _path: answer(
            conn,
            gzip.compress(CALENDAR),
            {"Content-Encoding": "gzip", "Content-Type": "text/calendar"},
        )
    )
    assert fetch_document(f"{server.url}/", allow_private=True).content == CALENDAR


def test_stacked_encodings_are_refused(serve: Any) -> None:
    body = gzip.compress(gzip.compress(CALENDAR))
    server = serve(lambda conn, _path: answer(conn, body, {"Content-Encoding": "gzip, gzip"}))
    with pytest.raises(FetchFailed):
        fetch_document(f"{server.url}/", allow_private=True)


def _bomb(megabytes: int) -> bytes:
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    return b"".join(squeeze.compress(block) for _ in range(megabytes)) + squeeze.flush()


def test_gzip_bomb_is_stopped_at_the_cap_without_growing(serve: Any) -> None:
    bomb = _bomb(300)  # 300 MB of zeros in about 300 KB
    assert len(bomb) < 2_000_000
    server = serve(lambda conn, _path: answer(conn, bomb, {"Content-Encoding": "gzip"}))
    tracemalloc.start()
    try:
        with pytest.raises(FetchFailed) as failure:
            fetch_document(f"{server.url}/", allow_private=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert failure.value.code == "too_large"
    assert peak < 16_000_000, peak


def trickle(text: bytes, every: float) -> Handler:
    def handler(conn: socket.socket, _path: str) -> None:
        for byte in text:
            conn.sendall(bytes([byte]))
            time.sleep(every)

    return handler


def test_trickled_headers_hit_one_deadline(serve: Any) -> None:
    head = b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 200 + b"\r\n\r\n"
    server = serve(trickle(head, 0.05))  # 10 s of headers, each byte well within a read timeout
    started = time.monotonic()
    with pytest.raises(FetchFailed) as failure:
        fetch_document(f"{server.url}/", allow_private=True, timeout=1.0)
    assert failure.value.code == "timeout"
    assert time.monotonic() - started < 2.5


def test_redirects_that_each_trickle_share_the_deadline(serve: Any) -> None:
    def handler(conn: socket.socket, path: str) -> None:
        hop = int(path.strip("/") or 0)
        head = f"HTTP/1.1 302 Found\r\nLocation: /{hop + 1}\r\nX: {'a' * 10}\r\n\r\n".encode()
        trickle(head, 0.015)(conn, path)  # about 0.7 s a hop

    server = serve(handler)
    started = time.monotonic()
    with pytest.raises(FetchFailed) as failure:
        fetch_document(f"{server.url}/0", allow_private=True, timeout=1.5, max_redirects=5)
    assert failure.value.code == "timeout"
    assert time.monotonic() - started < 3.0
    assert len(server.paths) <= 3


def test_dns_rebinding_connects_to_the_checked_address(
    serve: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name resolves to a 'public' address (127.0.0.1 stands for it here), then to a private
    one (127.0.0.2). The fetch must connect where it checked, and never ask again."""
    server = serve(lambda conn, _path: answer(conn, CALENDAR, {"Content-Type": "text/calendar"}))
    answers = iter(["127.0.0.1", "127.0.0.2", "127.0.0.2", "127.0.0.2"])
    asked: list[str] = []

    def rebinding(host: str) -> list[Any]:
        asked.append(host)
        import ipaddress

        return [ipaddress.ip_address(next(answers))]

    real_forbidden = fetching._is_forbidden_ip
    monkeypatch.setattr(
        fetching, "_is_forbidden_ip", lambda a: str(a) != "127.0.0.1" and real_forbidden(a)
    )
    monkeypatch.setattr(fetching, "resolver", rebinding)
    connected: list[str] = []
    real_connect = socket.create_connection

    def spy(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        connected.append(address[0])
        if address[0] != "127.0.0.1":
            raise AssertionError(f"connected to {address[0]}, not the checked address")
        return real_connect(address, *args, **kwargs)

    real_getaddrinfo = socket.getaddrinfo

    def no_second_lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.test":
            raise AssertionError("resolved the name again to connect")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", spy)
    monkeypatch.setattr(socket, "getaddrinfo", no_second_lookup)
    document = fetch_document(f"http://rebind.test:{server.port}/", allow_private=False)
    assert document.content == CALENDAR
    assert asked == ["rebind.test"]
    assert connected == ["127.0.0.1"]


def test_redirect_to_a_rebound_name_is_checked_again(
    serve: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def handler(conn: socket.socket, path: str) -> None:
        conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: http://inside.test/\r\n\r\n")

    server = serve(handler)
    import ipaddress

    monkeypatch.setattr(
        fetching,
        "resolver",
        lambda host: [ipaddress.ip_address("127.0.0.1" if host == "outside.test" else "10.0.0.1")],
    )
    real_forbidden = fetching._is_forbidden_ip
    monkeypatch.setattr(
        fetching, "_is_forbidden_ip", lambda a: str(a) != "127.0.0.1" and real_forbidden(a)
    )
    with pytest.raises(FetchFailed) as failure:
        fetch_document(f"http://outside.test:{server.port}/", allow_private=False)
    assert failure.value.code == "forbidden_address"


@pytest.mark.parametrize("url", ["http://xn--ls8h/", "http://xn--/", "http://a..b/"])
def test_invalid_idna_host_is_a_bad_url(url: str) -> None:
    with pytest.raises(FetchFailed) as failure:
        fetch_document(url, allow_private=False)
    assert failure.value.code in {"bad_url", "unreachable"}


def test_invalid_idna_host_through_the_api_is_a_422(alice: Any) -> None:
    response = alice.post("/api/v1/events/import", json={"url": "http://xn--ls8h/"})
    assert response.status_code == 422, response.text
