"""Helpers shared by the tests: users, signed-in clients, HTML parsing and the isolation check."""

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts import service as accounts

PASSWORD = "correct horse battery staple"


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


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text.append(data.strip())


class Page:
    """A parsed HTML page: find elements by tag and attributes, read its visible text."""

    def __init__(self, html: str) -> None:
        collector = _Collector()
        collector.feed(html)
        self.elements = collector.elements
        self.text = " ".join(collector.text)

    def find_all(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            found
            for name, found in self.elements
            if name == tag
            and all(found.get(key.rstrip("_")) == value for key, value in attrs.items())
        ]

    def find(self, tag: str, **attrs: str) -> dict[str, str | None] | None:
        matches = self.find_all(tag, **attrs)
        return matches[0] if matches else None


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
