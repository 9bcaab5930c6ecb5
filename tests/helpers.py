"""Helpers shared by the tests: users, signed-in clients, HTML queried by CSS selector, a fixed
clock, a local web site and the isolation check."""

import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import httpx
from bs4 import BeautifulSoup, Tag
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app import clock as app_clock
from app.accounts import service as accounts

PASSWORD = "correct horse battery staple"
# What the HTML helpers read: a response, its text, or a page (or element) already parsed.
Markup = httpx.Response | str | Tag


# A Wednesday, late morning in Paris: far from midnight and from a week's or a month's edge.
FROZEN_AT = datetime(2027, 3, 10, 10, 30, tzinfo=UTC)


class Clock:
    """The app's clock, fixed for one test; `set` moves it, `now` reads it."""

    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack

    def now(self) -> datetime:
        return app_clock.now()

    def set(self, at: datetime) -> None:
        self._stack.enter_context(app_clock.frozen(at))


def create_user(app: FastAPI, email: str, name: str = "", locale: str = "fr") -> None:
    with Session(app.state.engine) as session:
        accounts.create_user(
            session, email=email, password=PASSWORD, display_name=name, locale=locale
        )
        session.commit()


def create_user_with_token(app: FastAPI, email: str, name: str = "") -> Iterator[TestClient]:
    """A user and a client that authenticates with a personal access token."""
    create_user(app, email, name)
    with Session(app.state.engine) as session:
        user = accounts.user_by_email(session, email=email)
        _token, secret = accounts.create_token(session, user=user, name="tests")
        session.commit()
    with TestClient(app, headers={"Authorization": f"Bearer {secret}"}) as client:
        yield client


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    """Sign in through the real form, as a browser would."""
    return client.post(
        "/signin", data={"email": email, "password": password}, follow_redirects=False
    )


def parse(source: Markup) -> Tag:
    """A page parsed once, to query with CSS selectors (attributes stay plain strings)."""
    if isinstance(source, Tag):
        return source
    text = source if isinstance(source, str) else source.text
    return BeautifulSoup(text, "html.parser", multi_valued_attributes=None)


def select_all(source: Markup, css: str) -> list[Tag]:
    """Every element that matches the selector, in page order."""
    return list(parse(source).select(css))


def one(source: Markup, css: str) -> Tag:
    """The one element that matches the selector; fails if there are none or several."""
    found = select_all(source, css)
    assert len(found) == 1, f"expected one {css!r}, found {len(found)}: {found}"
    return found[0]


def _text(element: Tag) -> str:
    return " ".join(element.get_text(" ").split())


def texts_of(source: Markup, css: str) -> list[str]:
    """The text of each matching element, whitespace collapsed."""
    return [_text(element) for element in select_all(source, css)]


def text_of(source: Markup, css: str) -> str:
    """The text of the one element that matches, whitespace collapsed."""
    return _text(one(source, css))


def selected(source: Markup, select_id: str) -> str | None:
    """What a <select> sends: the value (or, without one, the text) of its selected option."""
    option = parse(source).select_one(f"select#{select_id} option[selected]")
    if option is None:
        return None
    value = option.get("value")
    return _text(option) if value is None else str(value)


class SiteRequest(BaseHTTPRequestHandler):
    """One request to a LocalSite: answered from its pages, else by its raw handler."""

    site: "LocalSite"

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        """Answer with a status, headers and a body."""
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        site = self.site
        site.requested.append(self.path)
        path = urlsplit(self.path).path
        if path in site.pages:
            body, content_type = site.pages[path]
            self.send(200, body, {"Content-Type": content_type, "Content-Length": str(len(body))})
        elif site.handler is not None:
            site.handler(self)
        else:
            self.send(404, b"not found", {"Content-Length": "9"})


# What a plain web server says a file is, by its extension.
FILE_TYPES = {".ics": "text/calendar", ".html": "text/html"}


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore: some tests cut connections (too large, timeout) on purpose."""


class LocalSite:
    """A web site on a free 127.0.0.1 port, standing for a remote one: pages added by path and
    a raw handler for the rest; it notes every path requested."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[bytes, str]] = {}
        self.handler: Callable[[SiteRequest], None] | None = None
        self.requested: list[str] = []
        request = type("Request", (SiteRequest,), {"site": self})
        self._server = _QuietServer(("127.0.0.1", 0), request)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def add(
        self, path: str, body: bytes, content_type: str = "text/calendar; charset=utf-8"
    ) -> str:
        """Serve `body` at `path`; its full URL."""
        self.pages[path] = (body, content_type)
        return self.url + path

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def assert_isolated(
    owner: TestClient, intruder: TestClient, requests: list[tuple[str, str, Any]]
) -> None:
    """The owner reaches each object; the intruder gets 404 (never 403) and none of its data."""
    for method, url, body in requests:
        kwargs = {"json": body} if body is not None else {}
        seen = intruder.request(method, url, **kwargs)
        assert seen.status_code == 404, (
            f"{method} {url} answered {seen.status_code} to another user"
        )
        if seen.headers.get("content-type", "").startswith("application/json"):
            assert seen.json().get("error") == "not_found", f"{method} {url}: {seen.text}"
    for method, url, _body in requests:
        if method == "GET":
            assert owner.get(url).status_code == 200, f"the owner cannot read {url}"
