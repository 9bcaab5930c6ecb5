"""Fetch a user-given URL safely: public addresses only, with caps on size, time and redirects."""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
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


def _resolve(host: str) -> list[IPAddress]:
    """Every address a host name resolves to (an IP literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
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


def _check_address(host: str, allow_private: bool) -> None:
    """Refuse a host that resolves to any non-public address, unless private ones are allowed."""
    if allow_private:
        return
    addresses = _resolve(host)
    if not addresses or any(_is_forbidden_ip(a) for a in addresses):
        raise FetchFailed("forbidden_address")


def _checked_url(url: str) -> httpx.URL:
    """A parsed http(s) URL with a host and no credentials, or FetchFailed('bad_url')."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError) as error:
        raise FetchFailed("bad_url") from error
    if parsed.scheme not in {"http", "https"} or not parsed.host or parsed.userinfo:
        raise FetchFailed("bad_url")
    return parsed


def fetch_document(
    url: str,
    *,
    allow_private: bool,
    timeout: float = 10.0,
    max_bytes: int = 2_000_000,
    max_redirects: int = 5,
) -> FetchedDocument:
    """GET a URL, following redirects by hand so that every hop's address is checked."""
    deadline = time.monotonic() + timeout
    current = _checked_url(url)
    # trust_env=False: a proxy from the environment would make the address check meaningless.
    with httpx.Client(
        follow_redirects=False,
        timeout=httpx.Timeout(timeout),
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
        trust_env=False,
    ) as client:
        for _hop in range(max_redirects + 1):
            # Resolve-then-connect: httpx resolves the name again when it connects, so a DNS
            # server that answers differently the second time (DNS rebinding) is not stopped
            # here. Pinning the checked address would need a custom transport (and SNI care).
            _check_address(current.host, allow_private)
            location = _get(client, current, deadline, max_bytes)
            if isinstance(location, FetchedDocument):
                return location
            current = _checked_url(urljoin(str(current), location))
    raise FetchFailed("too_many_redirects")


def _get(
    client: httpx.Client, url: httpx.URL, deadline: float, max_bytes: int
) -> FetchedDocument | str:
    """One request: the document, or the Location of a redirect."""
    try:
        with client.stream("GET", url) as response:
            if response.status_code in REDIRECT_STATUSES:
                location: str = response.headers.get("location", "")
                if not location:
                    raise FetchFailed("http_error", response.status_code)
                return location
            if response.status_code >= 400:
                raise FetchFailed("http_error", response.status_code)
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchFailed("too_large")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchFailed("too_large")
                if time.monotonic() > deadline:
                    # A server that drips bytes never trips the per-read timeout.
                    raise FetchFailed("timeout")
                chunks.append(chunk)
            return FetchedDocument(
                content=b"".join(chunks),
                content_type=response.headers.get("content-type"),
                final_url=str(response.url),
            )
    except httpx.TimeoutException as error:
        raise FetchFailed("timeout") from error
    except (httpx.InvalidURL, UnicodeError) as error:
        raise FetchFailed("bad_url") from error
    except (httpx.TransportError, httpx.DecodingError) as error:
        raise FetchFailed("unreachable") from error
