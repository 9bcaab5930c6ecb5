"""Accounts holding a record of every kind, archives, and reading every table of a user."""

import io
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from PIL import Image
from sqlalchemy import func, select
from sqlmodel import Session, col
from sqlmodel import select as orm_select

from app import demo
from app.accounts import service as accounts
from app.accounts.models import User
from app.calendar import service as calendar
from app.card.models import Card, CardSubmission
from app.contacts import service as contacts
from app.contacts import suppression
from app.contacts.models import Contact, ContactWrite
from app.db import metadata
from app.events.models import EventFeed
from app.network.models import NetworkProfile
from app.portability import service, tables
from tests.helpers import PASSWORD

SECRET = "test-secret-" + "x" * 40


def jpeg(color: tuple[int, int, int] = (10, 120, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, "JPEG")
    return out.getvalue()


def fill_everything(app: FastAPI, email: str) -> uuid.UUID:
    """The demo data plus what the demo leaves out (photos, feeds, settings, a person erased
    with "do not bring back"): a record in every table of a user's data."""
    with Session(app.state.engine, expire_on_commit=False) as session:
        try:
            user = accounts.user_by_email(session, email=email)
        except Exception:
            user = accounts.create_user(session, email=email, password=PASSWORD, display_name="Ann")
        demo.fill(session, user=user)
        session.flush()
        people = list(
            session.exec(
                orm_select(Contact).where(Contact.owner_id == user.id).order_by(col(Contact.id))
            )
        )
        for index, person in enumerate(people[:3]):
            contacts.set_photo(session, owner=user, contact=person, data=jpeg((index * 40, 90, 9)))
        people[1].met_through_id = people[0].id
        session.add(people[1])
        session.add(EventFeed(owner_id=user.id, url="https://example.org/feed.ics", name="Salons"))
        session.add(NetworkProfile(user_id=user.id, specialty="Audits RGPD", who_i_help="PME"))
        calendar.set_preferences(session, user=user, secret=SECRET, include_notes=True)
        suppression.remember(
            session, owner_id=user.id, secret=SECRET, email="gone@example.org", phone=None
        )
        session.add(Card(user_id=user.id, enabled=True, slug=f"ann-{user.id.hex[:8]}",
                         published=["full_name", "specialty"], company="Audits & Co"))  # fmt: skip
        session.add(CardSubmission(
            owner_id=user.id, client_key="receipt-1", full_name="Visiteur Salon",
            email="visiteur@example.org", consents=["follow_up"],
            consent_text="J’accepte d’être recontacté.", consent_sha256="0" * 64, language="fr",
        ))  # fmt: skip
        session.commit()
        return user.id


def add_person(app: FastAPI, user_id: uuid.UUID, **fields: Any) -> uuid.UUID:
    with Session(app.state.engine, expire_on_commit=False) as session:
        user = session.get(User, user_id)
        assert user is not None
        contact, _created = contacts.put_contact(
            session, owner=user, contact_id=uuid.uuid4(), data=ContactWrite(**fields)
        )
        session.commit()
        return contact.id


def rows_of(app: FastAPI, user_id: uuid.UUID) -> dict[str, int]:
    """How many rows of the user every owned table holds."""
    with app.state.engine.connect() as connection:
        return {
            owned.name: connection.execute(
                select(func.count()).select_from(owned.table).where(owned.where(user_id))
            ).scalar_one()
            for owned in tables.owned_tables()
        }


def export(app: FastAPI, user_id: uuid.UUID, path: Path) -> dict[str, Any]:
    return service.build_export(
        app.state.engine, user_id=user_id, path=path, sources=app.state.wiring.calendar_sources
    )


def records(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every JSON Lines member of an archive, by kind, with the account's own id left out (it
    is the instance's) and photos read as their hashes."""
    found: dict[str, list[dict[str, Any]]] = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(".jsonl"):
                lines = archive.read(name).decode().splitlines()
                found[name.removesuffix(".jsonl")] = [json.loads(line) for line in lines if line]
    return found


def comparable(found: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Records with the owning account's id and e-mail (an instance's) left out."""
    out = {}
    for kind, items in found.items():
        if kind == service.ACCOUNT_KIND:
            out[kind] = [{k: v for k, v in r.items() if k not in {"id", "email"}} for r in items]
            continue
        owned = tables.by_name(kind)
        drop = tables.account_columns(owned.table)
        out[kind] = [{k: v for k, v in r.items() if k not in drop} for r in items]
    return out


def table_names() -> list[str]:
    return [table.name for table in metadata.sorted_tables]
