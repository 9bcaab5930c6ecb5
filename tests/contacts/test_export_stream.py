"""Everyone as a vCard, streamed page by page: every person once, in order, the photos of each
page read in one query, and no connection held between two pages of a long download."""

import base64
import io
import uuid
from unittest import mock

import pytest
import vobject
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session

from app.accounts import service as accounts
from app.contacts import service as contacts
from app.contacts.models import ContactWrite

pytestmark = pytest.mark.db


def _photo() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _fill(app: FastAPI, email: str, count: int, *, photo_every: int = 0) -> None:
    with Session(app.state.engine, expire_on_commit=False) as session:
        owner = accounts.user_by_email(session, email=email)
        assert owner is not None
        for n in range(count):
            photo = _photo() if photo_every and n % photo_every == 0 else None
            contacts.put_contact(
                session, owner=owner, contact_id=uuid.uuid4(),
                data=ContactWrite(full_name=f"Personne {n:03d}", photo=photo),
            )  # fmt: skip
        session.commit()


def test_every_person_once_in_order_across_pages_with_their_photos(
    app: FastAPI, alice: TestClient, bob: TestClient
) -> None:
    _fill(app, "alice@example.org", 23, photo_every=4)
    _fill(app, "bob@example.org", 5)
    with mock.patch.object(contacts, "EXPORT_PAGE", 5):  # five pages of five, the last of three
        answer = alice.get("/api/v1/contacts/export.vcf")
    assert answer.status_code == 200
    cards = list(vobject.readComponents(answer.text))
    names = [card.fn.value for card in cards]
    assert names == [f"Personne {n:03d}" for n in range(23)]  # Bob's five never appear
    with_photo = [card.fn.value for card in cards if "photo" in card.contents]
    assert with_photo == [f"Personne {n:03d}" for n in range(0, 23, 4)]


def test_no_connection_is_held_between_pages(app: FastAPI, zoe: TestClient) -> None:
    _fill(app, "zoe@example.org", 12)
    with Session(app.state.engine) as session:
        owner = accounts.user_by_email(session, email="zoe@example.org")
        assert owner is not None
        owner_id = owner.id
    engine = app.state.engine
    checked_out = []
    with mock.patch.object(contacts, "EXPORT_PAGE", 5):
        pages = contacts.export_pages(engine, owner_id=owner_id)
        sizes = []
        for rows in pages:
            sizes.append(len(rows))
            checked_out.append(engine.pool.checkedout())
    assert sizes == [5, 5, 2]
    assert checked_out == [0, 0, 0]
