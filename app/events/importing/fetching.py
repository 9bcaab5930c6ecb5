"""Fetch a user-given URL safely: public addresses only, with caps on size, time and redirects."""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx

USER_AGENT = "Givefirst event import (+https://github.com/givefirst)"
ACCEPT = "text/calendar, text/html;q=0.9, application/xhtml+xml;q=0.9, */*;q=0.5"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

FETCH_CODES = frozenset(
    {
        "bad_url",
        "forbidden_address",
        "unreachable",
        "timeout",
        "too_large",
        "http_error",
        "too_many_redirects",
    }
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass
class FetchedDocument:
    """The body of a fetched URL, its content type and the URL it was finally served from."""

    content: bytes
    content_type: str | None
    final_url: str


class FetchFailed(Exception):
    """A fetch refused or failed; `code` is one of FETCH_CODES, `status` the HTTP status if any."""

    def __init__(self, code: str, status: int | None = None) -> None:
        super().__init__(code if status is None else f"{code} ({status})")
        self.code = code
        self.status = status


def _is_forbidden_ip(address: IPAddress) -> bool:
    """Whether an address is not a public unicast one (loopback, private, link-local...)."""
    if isinstance(address, ipaddress.IPv6Address):
        # ::ffff:127.0.0.1 and 2002:7f00:1::/48 reach IPv4 hosts: judge the IPv4 inside.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return _is_forbidden_ip(embedded)
        if address.teredo is not None:
            return True
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


Resolver = Callable[[str], list[IPAddress]]

# At most this many fetches at once in one process (imports and feed refreshes share it), so a
# crowd of slow sites cannot take every worker thread.
MAX_CONCURRENT_FETCHES = 4
_fetch_slots = threading.BoundedSemaphore(MAX_CONCURRENT_FETCHES)
MAX_HEADER_BYTES = 64_000
READ_SIZE = 16_384


def system_resolve(host: str) -> list[IPAddress]:
    """Every address a host name resolves to, from the system resolver."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise FetchFailed("unreachable") from error
    addresses: list[IPAddress] = []
    for info in infos:
        # Drop an IPv6 scope ("fe80::1%eth0") before parsing.
        text = str(info[4][0]).split("%", 1)[0]
        addresses.append(ipaddress.ip_address(text))
    return addresses


# Tests replace this to simulate a DNS server that answers differently the second time.
resolver: Resolver = system_resolve


def _resolve(host: str) -> list[IPAddress]:
    """Every address a host name resolves to (an IP literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    return resolver(host)


def _checked_address(host: str, allow_private: bool) -> IPAddress:
    """The one address to connect to: every address of the host must be public (unless private
    ones are allowed); the connection then goes to this very address, never resolved again."""
    addresses = _resolve(host)
    if not addresses:
        raise FetchFailed("unreachable")
    if not allow_private and any(_is_forbidden_ip(a) for a in addresses):
        raise FetchFailed("forbidden_address")
    return addresses[0]


def _checked_url(url: str) -> httpx.URL:
    """A parsed http(s) URL with a host and no credentials, or FetchFailed('bad_url')."""
    try:
        parsed = httpx.URL(url.strip())
        host = parsed.host
        # An internationalised name that IDNA refuses (`xn--ls8h`) is a bad link, not a crash.
        if host and not host.startswith("["):
            host.encode("idna").decode("ascii")
    except (httpx.InvalidURL, TypeError, ValueError, UnicodeError) as error:
        raise FetchFailed("bad_url") from error
    if parsed.scheme not in {"http", "https"} or not parsed.host or parsed.userinfo:
        raise FetchFailed("bad_url")
    return parsed


class _Pinned(http.client.HTTPConnection):
    """An HTTP connection to a given address, whatever the host name resolves to now."""

    def __init__(self, host: str, port: int, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((str(self._address), self.port), self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    """The same over TLS; the certificate is checked against the host name (SNI too)."""

    def __init__(self, host: str, port: int, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((str(self._address), self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def fetch_document(
    url: str,
    *,
    allow_private: bool,
    timeout: float = 10.0,
    max_bytes: int = 2_000_000,
    max_redirects: int = 5,
) -> FetchedDocument:
    """GET a URL within one deadline for the whole fetch, redirects included, following
    redirects by hand so that every hop's address is checked and connected to as checked."""
    deadline = time.monotonic() + timeout
    current = _checked_url(url)
    if not _fetch_slots.acquire(timeout=timeout):
        raise FetchFailed("timeout")
    try:
        for _hop in range(max_redirects + 1):
            address = _checked_address(current.host, allow_private)
            location = _get(current, address, deadline, max_bytes)
            if isinstance(location, FetchedDocument):
                return location
            current = _checked_url(urljoin(str(current), location))
    finally:
        _fetch_slots.release()
    raise FetchFailed("too_many_redirects")


def _get(
    url: httpx.URL, address: IPAddress, deadline: float, max_bytes: int
) -> FetchedDocument | str:
    """One request: the document, or the Location of a redirect. A watchdog shuts the socket
    at the deadline, so a server that trickles its headers or body cannot hold the fetch."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchFailed("timeout")
    kind = _PinnedTLS if url.scheme == "https" else _Pinned
    port = url.port or (443 if url.scheme == "https" else 80)
    connection = kind(url.host, port, address, timeout=remaining)
    expired = threading.Event()

    def cut() -> None:
        expired.set()
        sock = connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(remaining, cut)
    watchdog.daemon = True
    watchdog.start()
    try:
        target = url.raw_path.decode("ascii") or "/"
        connection.putrequest("GET", target, skip_accept_encoding=True)
        connection.putheader("User-Agent", USER_AGENT)
        connection.putheader("Accept", ACCEPT)
        connection.putheader("Accept-Encoding", "gzip, deflate")
        connection.putheader("Connection", "close")
        connection.endheaders()
        response = connection.getresponse()
        if expired.is_set():
            # Cut mid-headers: what was parsed is not the whole answer.
            raise FetchFailed("timeout")
        return _read(response, url, deadline, max_bytes)
    except FetchFailed:
        raise
    except (OSError, http.client.HTTPException, ValueError, UnicodeError) as error:
        if expired.is_set() or time.monotonic() >= deadline or isinstance(error, TimeoutError):
            raise FetchFailed("timeout") from error
        raise FetchFailed("unreachable") from error
    finally:
        watchdog.cancel()
        connection.close()


def _decoder(encoding: str) -> Any:
    """A streaming decoder for at most one content coding; stacked codings are refused."""
    codings = [part.strip().lower() for part in encoding.split(",") if part.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return None
    if len(codings) > 1:
        raise FetchFailed("http_error")
    if codings[0] in {"gzip", "x-gzip"}:
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if codings[0] == "deflate":
        return zlib.decompressobj(zlib.MAX_WBITS | 32)
    raise FetchFailed("http_error")


def _read(
    response: http.client.HTTPResponse, url: httpx.URL, deadline: float, max_bytes: int
) -> FetchedDocument | str:
    """The body of a response, its raw bytes decoded at most once, capped as it grows."""
    if response.status in REDIRECT_STATUSES:
        location = response.getheader("location", "")
        if not location:
            raise FetchFailed("http_error", response.status)
        return location
    if response.status >= 400:
        raise FetchFailed("http_error", response.status)
    declared = response.getheader("content-length", "") or ""
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchFailed("too_large")
    decoder = _decoder(response.getheader("content-encoding", "") or "")
    chunks: list[bytes] = []
    size = 0
    raw_size = 0
    while True:
        if time.monotonic() > deadline:
            raise FetchFailed("timeout")
        raw = response.read1(READ_SIZE) if not response.isclosed() else b""
        if not raw:
            break
        raw_size += len(raw)
        if raw_size > max_bytes:
            raise FetchFailed("too_large")
        data = raw
        while data:
            if decoder is None:
                piece, data = data, b""
            else:
                # max_length bounds what one step may produce: a bomb never grows past the cap.
                piece = _decompress(decoder, data, max_bytes - size + 1)
                data = decoder.unconsumed_tail
            size += len(piece)
            if size > max_bytes:
                raise FetchFailed("too_large")
            chunks.append(piece)
            if not piece:
                break
    if decoder is not None:
        tail = _decompress_flush(decoder)
        size += len(tail)
        if size > max_bytes:
            raise FetchFailed("too_large")
        chunks.append(tail)
    return FetchedDocument(
        content=b"".join(chunks),
        content_type=response.getheader("content-type"),
        final_url=str(url),
    )


def _decompress(decoder: Any, data: bytes, limit: int) -> bytes:
    try:
        return bytes(decoder.decompress(data, max(limit, 1)))
    except zlib.error as error:
        raise FetchFailed("unreachable") from error


def _decompress_flush(decoder: Any) -> bytes:
    try:
        return bytes(decoder.flush())
    except zlib.error as error:
        raise FetchFailed("unreachable") from error
