"""One safe-redirect helper for the whole app: every known trick to leave the site is refused."""

import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.text import safe_next
from tests.helpers import PASSWORD, create_user

TRICKS = [
    "//evil.example",
    "//evil.example/path",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0d%0a/evil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "/%255Cevil.example",
    "/%25252F/evil.example",
    "https:evil.example",
    "https://evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,x",
    " //evil.example",
    "\x00//evil.example",
    "/\x00/evil.example",
    "/\x7f/evil.example",
    "/\n/evil.example",
    "evil.example",
    "./evil",
    "/" + "a" * 5000,
]

LOCAL = ["/", "/settings", "/people/1#keeping", "/gives?status=planned&x=%2F", "/people/a%20b"]


@pytest.mark.parametrize("target", TRICKS)
def test_tricks_are_refused(target: str) -> None:
    assert safe_next(target, default="/home") == "/home"


@pytest.mark.parametrize("target", LOCAL)
def test_local_paths_are_kept(target: str) -> None:
    assert safe_next(target, default="/home") == target


@pytest.mark.parametrize("target", ["/\\evil.example", "/%09/evil.example", "/\t/evil.example"])
def test_signin_next_stays_on_site(app: FastAPI, client: TestClient, target: str) -> None:
    create_user(app, "zoe@example.org")
    response = client.post(
        "/signin",
        data={"email": "zoe@example.org", "password": PASSWORD, "next": target},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_snooze_next_stays_on_site(alice: TestClient) -> None:
    person_id = str(uuid.uuid4())
    person = alice.put(f"/api/v1/contacts/{person_id}", json={"full_name": "Léa Dubois"}).json()
    response = alice.post(
        f"/people/{person['id']}/snooze",
        data={"days": "7", "next": "/\\evil.example"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/people/{person['id']}#keeping"
