"""Today and the people list run a fixed number of SQL statements, however many people a user has
(a statement per person would make them slow at 100,000)."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session

from app.accounts import service as accounts
from app.contacts import service as contacts
from app.contacts.models import ContactWrite, InteractionCreate
from app.events.models import Event
from app.gives import service as gives
from app.gives.models import GiveKind, GiveStatus, GiveWrite
from tests.helpers import Clock

pytestmark = pytest.mark.db

PAGES = ["/", "/people", "/people?sort=name", "/people?q=lea", "/people?tag=client"]


@contextmanager
def counted(app: FastAPI) -> Iterator[list[str]]:
    statements: list[str] = []

    def listener(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(app.state.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(app.state.engine, "before_cursor_execute", listener)


def add_people(app: FastAPI, clock: Clock, *, count: int, start: int) -> None:
    """People met at yesterday's event, each with a give due this week, an interaction, a tag,
    an introducer and a touch overdue: everything Today and the list show per person."""
    now = clock.now()
    with Session(app.state.engine, expire_on_commit=False) as session:
        owner = accounts.user_by_email(session, email="zoe@example.org")
        assert owner is not None
        salon = session.get(Event, uuid.UUID(int=1))
        if salon is None:
            salon = Event(
                id=uuid.UUID(int=1), owner_id=owner.id, name="Salon", starts_at=now - timedelta(1)
            )
            session.add(salon)
            session.flush()
        previous = None
        for index in range(start, start + count):
            person, _ = contacts.put_contact(
                session, owner=owner, contact_id=uuid.uuid4(), now=now,
                data=ContactWrite(
                    full_name=f"Léa Martin {index}", email=f"lea{index}@example.org",
                    tags=["client"], event_id=salon.id, met_through_id=previous,
                ),
            )  # fmt: skip
            contacts.log_interaction(
                session, owner=owner, contact_id=person.id,
                data=InteractionCreate(happened_at=now - timedelta(days=400)),
            )  # fmt: skip
            person.touch_due_on = (now - timedelta(days=index + 1)).date()
            gives.put_give(
                session, owner=owner, give_id=uuid.uuid4(), now=now,
                data=GiveWrite(
                    contact_id=person.id, other_contact_id=previous,
                    kind=GiveKind.introduction if previous else GiveKind.resource,
                    status=GiveStatus.planned, due_on=(now + timedelta(days=index % 7)).date(),
                ),
            )  # fmt: skip
            previous = person.id
        session.commit()


@pytest.mark.parametrize("path", PAGES)
def test_statements_do_not_grow_with_people(
    app: FastAPI, zoe: TestClient, clock: Clock, path: str
) -> None:
    counts = []
    for start, count in ((0, 5), (5, 45)):
        add_people(app, clock, count=count, start=start)
        assert zoe.get(path).status_code == 200  # warm: the first request loads settings once
        with counted(app) as statements:
            assert zoe.get(path).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{path}: {counts[0]} statements at 5 people, {counts[1]} at 50"


def test_a_capture_is_written_in_one_insert_and_asks_no_profile(
    app: FastAPI, zoe: TestClient
) -> None:
    """A capture is the hot write at a salon: the person is complete before its INSERT (no UPDATE
    of the row just inserted), a new person has no search terms to delete, and the network
    profile (not needed for someone with no tag, cadence or event) is not read."""
    body = {"full_name": "Claire Dubois", "company": "Atelier", "hook": "vélos"}
    assert zoe.put(f"/api/v1/contacts/{uuid.uuid4()}", json=body).status_code == 201  # warm
    with counted(app) as statements:
        assert zoe.put(f"/api/v1/contacts/{uuid.uuid4()}", json=body).status_code == 201
    written = [
        s.split()[0].upper() for s in statements if not s.lstrip().upper().startswith("SELECT")
    ]
    contact_updates = [s for s in statements if s.lstrip().upper().startswith("UPDATE CONTACT ")]
    assert contact_updates == [], contact_updates
    assert not [s for s in statements if s.lstrip().upper().startswith("DELETE FROM CONTACT_TERM")]
    assert not [s for s in statements if "network_profile" in s.lower()]
    assert written.count("INSERT") == 2, statements  # the person, then their search terms
    # Whether the id is taken, and there is no meeting to read. Who is signed in is left out:
    # usually read a moment ago (the warm-up), it is read again when that second has passed on
    # a slow machine or a session's last-seen time was just written (tests/accounts/test_recent_users.py).
    reads = [
        s
        for s in statements
        if s.lstrip().upper().startswith("SELECT") and "FROM auth_session" not in s
        and "FROM access_token" not in s
    ]  # fmt: skip
    assert len(reads) == 1, reads
    assert "FROM contact" in reads[0], reads
    assert not [s for s in reads if "FROM meeting" in s], reads
