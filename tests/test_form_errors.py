"""A refused form stores nothing: the one error handler shows it again after the rollback.

Only attempt counters (failed sign-ins, sign-ups per address) are kept on purpose."""

import io
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select
from sqlmodel import Session

from app.db import metadata
from tests.helpers import PASSWORD

pytestmark = pytest.mark.db

COUNTERS = {"login_failure"}


def _rows(app: FastAPI) -> dict[str, int]:
    with Session(app.state.engine) as session:
        return {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in metadata.sorted_tables
        }


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 90)).save(out, "JPEG")
    return out.getvalue()


def _post(client: TestClient, url: str, data: dict[str, Any], **kwargs: Any) -> Any:
    return client.post(url, data=data, follow_redirects=False, **kwargs)


def test_refused_forms_store_nothing_and_show_the_reason(app: FastAPI, zoe: TestClient) -> None:
    person = str(uuid.uuid4())
    saved = _post(zoe, "/capture", {"id": person, "full_name": "Léa"},
                  files={"photo": ("badge.jpg", _jpeg(), "image/jpeg")})  # fmt: skip
    assert saved.status_code == 303
    event = _post(zoe, "/events", {"name": "Salon", "starts_at": "2026-12-10T09:00",
                                   "timezone": "Europe/Paris"})  # fmt: skip
    event_id = event.headers["location"].rsplit("/", 1)[1]
    before = _rows(app)
    refused = [
        # The photo is deleted first, then the empty name refuses the form: the photo stays.
        (f"/people/{person}/edit",
         {"full_name": "", "remove_photo": "on"}, "Donnez un nom, ou prenez une photo."),
        ("/capture", {"id": str(uuid.uuid4()), "full_name": "Paul", "email": "pas-une-adresse",
                      "give_title": "Le guide"}, "adresse"),
        ("/events", {"name": "", "starts_at": "2026-12-10T09:00"}, ""),
        (f"/events/{event_id}/edit", {"name": "Salon", "starts_at": "pas une date"}, ""),
        (f"/events/{event_id}/want-to-meet", {"contact_id": "pas un id"}, ""),
        ("/gives", {"id": str(uuid.uuid4()), "contact_id": person, "kind": "resource",
                    "title": "Le guide", "due_on": "2026-02-31"}, "date"),
        ("/settings/profile", {"display_name": "Zoé", "locale": "fr", "timezone": "Mars/Base"}, ""),
        ("/settings/password", {"current_password": "faux", "new_password": "x" * 20}, ""),
    ]  # fmt: skip
    for url, data, reason in refused:
        response = _post(zoe, url, data)
        assert 400 <= response.status_code < 500, f"{url} answered {response.status_code}"
        assert response.headers["content-type"].startswith("text/html"), url
        assert 'role="alert"' in response.text or "error-text" in response.text, url
        if reason:
            assert reason in response.text, url
        assert _rows(app) == before, f"{url} stored something though it was refused"
    assert zoe.get(f"/api/v1/contacts/{person}/photo").status_code == 200


def test_a_refused_sign_in_keeps_its_failure_counters_and_nothing_else(
    app: FastAPI, zoe: TestClient
) -> None:
    before = _rows(app)
    response = _post(zoe, "/signin", {"email": "zoe@example.org", "password": "wrong"})
    assert response.status_code == 422
    assert 'value="zoe@example.org"' in response.text
    after = _rows(app)
    assert after["login_failure"] == before["login_failure"] + 2
    assert {k: v for k, v in after.items() if k not in COUNTERS} == {
        k: v for k, v in before.items() if k not in COUNTERS
    }
    for _ in range(4):
        _post(zoe, "/signin", {"email": "zoe@example.org", "password": "wrong"})
    blocked = _post(zoe, "/signin", {"email": "zoe@example.org", "password": PASSWORD})
    assert blocked.status_code == 429, "five failures in a row must block the account a while"
