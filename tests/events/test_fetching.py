"""Fetching user-given URLs: only public addresses, at every redirect, with size and time caps.

Every request goes to a server on 127.0.0.1 started here; a guard makes any other connection
attempt fail the test, so a broken address check can never send traffic elsewhere.
"""

import ipaddress
import socket
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from app.events.importing import fetching
from app.events.importing.fetching import FetchFailed, fetch_document
from tests.helpers import LocalSite, SiteRequest

CALENDAR = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


def route(request: SiteRequest) -> None:
    """A tiny site whose paths exercise each rule."""
    url = urlsplit(request.path)
    query = parse_qs(url.query)
    if url.path == "/event.ics":
        request.send(200, CALENDAR, {"Content-Type": "text/calendar; charset=utf-8"})
    elif url.path == "/redirect":
        request.send(302, headers={"Location": query["to"][0]})
    elif url.path == "/loop":
        request.send(301, headers={"Location": "/loop"})
    elif url.path.startswith("/chain/"):
        left = int(url.path.rsplit("/", 1)[1])
        target = "/event.ics" if left == 0 else f"/chain/{left - 1}"
        request.send(307, headers={"Location": target})
    elif url.path == "/big":
        # No Content-Length: the body ends when the connection closes.
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        request.end_headers()
        for _ in range(50):
            request.wfile.write(b"x" * 1000)
    elif url.path == "/big-declared":
        request.send(200, b"x" * 5000, {"Content-Length": "5000"})
    elif url.path == "/slow":
        time.sleep(2)
        request.send(200, b"late")
    else:
        request.send(404, b"not found")


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test on any connection attempt to anything but 127.0.0.1."""
    real = socket.create_connection

    def guarded(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        if address[0] != "127.0.0.1":
            raise AssertionError(f"test tried to connect to {address[0]}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)


@pytest.fixture
def site(local_site: LocalSite) -> LocalSite:
    """The local test site, answering by `route`."""
    local_site.handler = route
    return local_site


@pytest.fixture
def local_site_counts_as_public(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Let 127.0.0.1 pass the address check (it stands for a public site); check others for real.

    Returns the hosts that were checked, in order.
    """
    real_check = fetching._checked_address
    checked: list[str] = []

    def check(host: str, allow_private: bool) -> Any:
        checked.append(host)
        return real_check(host, allow_private or host == "127.0.0.1")

    monkeypatch.setattr(fetching, "_checked_address", check)
    return checked


def fake_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> None:
    """Make name resolution answer from a table (IP literals as usual, other names fail)."""
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass
        else:
            return real(host, port, *args, **kwargs)
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "unknown name")
        return [
            (socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, 0))
            for ip in answers[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def code_of(url: str, **kwargs: Any) -> FetchFailed:
    """The FetchFailed raised by fetching a URL."""
    kwargs.setdefault("allow_private", False)
    with pytest.raises(FetchFailed) as failure:
        fetch_document(url, **kwargs)
    return failure.value


def test_fetches_a_calendar_when_private_addresses_are_allowed(site: LocalSite) -> None:
    document = fetch_document(f"{site.url}/event.ics", allow_private=True)
    assert document.content == CALENDAR
    assert document.content_type == "text/calendar; charset=utf-8"
    assert document.final_url == f"{site.url}/event.ics"


def test_refuses_loopback_without_connecting(site: LocalSite) -> None:
    assert code_of(f"{site.url}/event.ics").code == "forbidden_address"
    assert site.requested == []


def test_refuses_names_that_resolve_to_private_addresses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_dns(
        monkeypatch,
        {
            "intranet.test": ["10.1.2.3"],
            "mixed.test": ["93.184.216.34", "192.168.1.10"],
            "metadata.test": ["169.254.169.254"],
            "mapped.test": ["::ffff:127.0.0.1"],
        },
    )
    for host in ("intranet.test", "mixed.test", "metadata.test", "mapped.test"):
        assert code_of(f"http://{host}/feed.ics").code == "forbidden_address", host
    assert code_of("http://nowhere.test/").code == "unreachable"


def test_redirect_to_a_private_address_is_refused_at_that_hop(
    site: LocalSite, monkeypatch: pytest.MonkeyPatch, local_site_counts_as_public: list[str]
) -> None:
    fake_dns(monkeypatch, {"rebound.test": ["127.0.0.1"]})
    port = urlsplit(site.url).port
    for target in (
        "http://10.0.0.1/admin",
        f"http://[::ffff:127.0.0.1]:{port}/secret",
        f"http://rebound.test:{port}/secret",
    ):
        site.requested.clear()
        failure = code_of(f"{site.url}/redirect?to={target}")
        assert failure.code == "forbidden_address", target
        # The first hop was served; the redirect target was never requested.
        assert [p.split("?")[0] for p in site.requested] == ["/redirect"]
    assert local_site_counts_as_public[-2:] == ["127.0.0.1", "rebound.test"]


def test_redirects_between_allowed_addresses_are_followed(
    site: LocalSite, local_site_counts_as_public: list[str]
) -> None:
    document = fetch_document(f"{site.url}/chain/2", allow_private=False)
    assert document.content == CALENDAR
    assert document.final_url == f"{site.url}/event.ics"
    assert local_site_counts_as_public == ["127.0.0.1"] * 4  # every hop is checked


def test_redirect_limits(site: LocalSite) -> None:
    assert code_of(f"{site.url}/loop", allow_private=True).code == "too_many_redirects"
    assert fetch_document(f"{site.url}/chain/2", allow_private=True, max_redirects=3).content
    failure = code_of(f"{site.url}/chain/3", allow_private=True, max_redirects=3)
    assert failure.code == "too_many_redirects"
    assert code_of(f"{site.url}/redirect?to=ftp://x/", allow_private=True).code == "bad_url"


def test_too_large_bodies_are_cut(site: LocalSite) -> None:
    for path in ("/big", "/big-declared"):
        failure = code_of(f"{site.url}{path}", allow_private=True, max_bytes=1000)
        assert failure.code == "too_large", path
    document = fetch_document(f"{site.url}/big", allow_private=True, max_bytes=60_000)
    assert len(document.content) == 50_000


def test_slow_server_times_out(site: LocalSite) -> None:
    started = time.monotonic()
    assert code_of(f"{site.url}/slow", allow_private=True, timeout=0.5).code == "timeout"
    assert time.monotonic() - started < 1.8


def test_http_errors_carry_the_status(site: LocalSite) -> None:
    failure = code_of(f"{site.url}/missing", allow_private=True)
    assert (failure.code, failure.status) == ("http_error", 404)


def test_closed_port_is_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert code_of(f"http://127.0.0.1:{port}/", allow_private=True).code == "unreachable"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/feed.ics",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "http://",
        "not a url",
        "http://user:secret@example.org/",
        "",
    ],
)
def test_bad_urls_are_refused_before_any_lookup(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dns(monkeypatch, {})
    assert code_of(url).code == "bad_url"


@pytest.mark.parametrize(
    ("address", "forbidden"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("10.0.0.1", True),
        ("172.16.5.4", True),
        ("192.168.0.1", True),
        ("169.254.169.254", True),
        ("100.64.0.1", True),
        ("0.0.0.0", True),
        ("224.0.0.251", True),
        ("255.255.255.255", True),
        ("::1", True),
        ("::", True),
        ("fe80::1", True),
        ("fd00::1", True),
        ("ff02::1", True),
        ("::ffff:10.0.0.1", True),
        ("::ffff:127.0.0.1", True),
        ("2002:7f00:1::1", True),
        ("93.184.216.34", False),
        ("::ffff:93.184.216.34", False),
        ("2606:4700:4700::1111", False),
    ],
)
def test_address_classification(address: str, forbidden: bool) -> None:
    assert fetching._is_forbidden_ip(ipaddress.ip_address(address)) is forbidden
