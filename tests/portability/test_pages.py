"""The pages: /settings/data (export with progress, preview then merge, delete the account) and
erasing a person, in French and in English."""

import time
import uuid
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts import service as accounts
from app.contacts.models import Contact
from tests.helpers import PASSWORD, one, text_of
from tests.portability.helpers import add_person, export, fill_everything, rows_of


def _id(app: FastAPI, email: str) -> uuid.UUID:
    with Session(app.state.engine) as session:
        return accounts.user_by_email(session, email=email).id


def test_the_data_page_prepares_an_archive_with_its_progress_then_offers_it(
    app: FastAPI, zoe: TestClient
) -> None:
    fill_everything(app, "zoe@example.org")
    page = zoe.get("/settings/data")
    assert page.status_code == 200
    assert text_of(page, "h2#export-title") == "Tout exporter"
    assert zoe.post("/settings/data/export", follow_redirects=False).status_code == 303
    for _ in range(100):
        page = zoe.get("/settings/data")
        if "data-export-progress" not in page.text:
            break
        time.sleep(0.05)
    link = one(page, 'a[href="/settings/data/export/download"]')
    assert link
    archive = zoe.get("/settings/data/export/download")
    assert archive.status_code == 200 and archive.content[:2] == b"PK"
    assert "/settings/data" in zoe.get("/settings").text


def test_the_data_page_previews_then_merges(app: FastAPI, ann: TestClient, tmp_path: Path) -> None:
    user_id = fill_everything(app, "ann@example.org")
    path = tmp_path / "a.zip"
    export(app, user_id, path)
    added = add_person(app, user_id, full_name="Added Later")
    with Session(app.state.engine) as session:
        first = session.get(Contact, added)
        assert first is not None
    before = rows_of(app, user_id)
    preview = ann.post(
        "/settings/data/import", files={"file": ("a.zip", path.read_bytes(), "application/zip")},
        data={"mode": "merge"},
    )  # fmt: skip
    assert preview.status_code == 200
    assert "Preview of the archive" in preview.text
    assert rows_of(app, user_id) == before
    token = one(preview, 'input[name="token"]')["value"]
    done = ann.post("/settings/data/import/confirm", data={"token": token}, follow_redirects=False)
    assert done.status_code == 303
    assert rows_of(app, user_id) == before
    again = ann.post("/settings/data/import/confirm", data={"token": token})
    assert again.status_code == 422


def test_a_refused_archive_is_explained_on_the_page(ann: TestClient) -> None:
    page = ann.post("/settings/data/import", files={"file": ("a.zip", b"nope", "application/zip")})
    assert page.status_code == 422
    assert "not a readable ZIP" in text_of(page, "#import .alert")


def test_deleting_my_account_from_the_page_needs_the_password_and_the_box(
    app: FastAPI, zoe: TestClient
) -> None:
    user_id = fill_everything(app, "zoe@example.org")
    wrong = zoe.post("/settings/data/delete", data={"password": "nope", "confirm": "yes"})
    assert wrong.status_code == 422 and "mot de passe" in wrong.text
    unticked = zoe.post("/settings/data/delete", data={"password": PASSWORD})
    assert unticked.status_code == 422
    assert any(rows_of(app, user_id).values())
    done = zoe.post(
        "/settings/data/delete", data={"password": PASSWORD, "confirm": "yes"},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303
    assert not any(rows_of(app, user_id).values())
    assert zoe.get("/settings/data", follow_redirects=False).status_code == 303


def test_erasing_a_person_from_their_page_after_a_confirmation(
    app: FastAPI, ann: TestClient
) -> None:
    user_id = _id(app, "ann@example.org")
    person = add_person(app, user_id, full_name="Léa Erased", email="lea@example.org")
    detail = ann.get(f"/people/{person}")
    assert one(detail, f'a[href="/people/{person}/erase"]')
    page = ann.get(f"/people/{person}/erase")
    assert page.status_code == 200 and "Léa Erased" in text_of(page, "h1")
    done = ann.post(
        f"/people/{person}/erase", data={"do_not_bring_back": "yes"}, follow_redirects=False
    )
    assert done.status_code == 303
    assert ann.get(f"/people/{person}").status_code == 404
    assert rows_of(app, user_id)["do_not_bring_back"] == 1
    assert ann.get(f"/people/{uuid.uuid4()}/erase").status_code == 404
