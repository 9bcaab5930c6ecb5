"""Every form the pages post to, fed with what a browser, a bot or a broken phone could send:
never a server error. The API has its own generated test (test_api_robustness.py)."""

import inspect
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlmodel import Session

from app.accounts import service as accounts

JUNK = [
    "",
    " ",
    "\x00",
    "x" * 20_000,
    "-1",
    "99999999999999999999999",
    "2026-02-30",
    "2026-13-01T25:61",
    "not-a-uuid",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "Hélène 🙂 \u202e",
]


def _routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif hasattr(route, "original_router"):
            context_prefix = getattr(route.include_context, "prefix", "") or ""
            yield from _routes(route.original_router.routes, prefix + context_prefix)


def _form_fields(route: APIRoute) -> list[str]:
    names: list[str] = []
    for param in route.dependant.body_params:
        annotation = param.field_info.annotation
        if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
            names.extend(annotation.model_fields)
        else:
            names.append(param.alias)
    return names


PARTS = 3  # the forms are shared among this many tests, so that parallel workers share them


@pytest.mark.parametrize("part", range(PARTS))
def test_no_form_post_gets_a_server_error(app: FastAPI, zoe: TestClient, part: int) -> None:
    objects = _objects_of(app, zoe)
    posts = [(path, route) for path, route in _routes(app.routes) if "POST" in route.methods]
    pages = [(path, route) for path, route in posts if not path.startswith("/api/")]
    assert len(pages) > 30, "the route walk found too few forms"
    # What removes the objects goes last, so that the other forms meet them.
    pages.sort(key=lambda page: any(word in page[0] for word in ("delete", "merge", "revoke")))
    failures = []
    for path, route in pages[part::PARTS]:
        if path in ("/signout", "/settings/signout-everywhere"):
            continue  # they end the session the loop needs
        url = path
        for name in route.dependant.path_params:
            url = url.replace("{" + name.name + "}", objects.get(name.name, str(uuid.uuid4())))
        for value in JUNK:
            data = {field: value for field in _form_fields(route)}
            answer = zoe.post(url, data=data, follow_redirects=False)
            if answer.status_code >= 500:
                failures.append(f"POST {url} {data!r:.80} → {answer.status_code}")
    assert failures == []


def _objects_of(app: FastAPI, client: TestClient) -> dict[str, str]:
    """Real objects of the signed-in user, so that forms get past "not found" to validation."""
    with Session(app.state.engine) as session:
        user = accounts.user_by_email(session, email="zoe@example.org")
        _token, secret = accounts.create_token(session, user=user, name="bot")
        session.commit()
    api = TestClient(app, headers={"Authorization": f"Bearer {secret}"})
    event = api.post(
        "/api/v1/events",
        json={"name": "Salon", "starts_at": "2026-12-01T09:00:00+01:00", "status": "going"},
    ).json()["id"]
    contact, other = str(uuid.uuid4()), str(uuid.uuid4())
    api.put(f"/api/v1/contacts/{contact}", json={"full_name": "Léa Martin", "event_id": event})
    api.put(f"/api/v1/contacts/{other}", json={"full_name": "Samir Haddad"})
    give = str(uuid.uuid4())
    api.put(f"/api/v1/gives/{give}", json={"contact_id": contact, "kind": "introduction",
                                           "other_contact_id": other})  # fmt: skip
    return {"event_id": event, "contact_id": contact, "give_id": give}
