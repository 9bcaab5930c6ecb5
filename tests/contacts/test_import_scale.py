"""Imports at scale: set-based matching agrees with the one-record lookup, a file of a million
rows is refused without filling the memory, too many rows or photos are bounded (#15, #16)."""

import base64
import tracemalloc
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from app.accounts import service as accounts
from app.contacts import csv_import, exchange, importing, vcard
from app.contacts import service as contacts
from app.contacts.models import Contact, ContactTerm
from app.contacts.vcard import ParsedPerson
from app.errors import Invalid
from tests.contacts.test_api import photo_bytes
from tests.contacts.test_import_api import everyone, imported, send
from tests.contacts.test_vcard import card


def test_the_matcher_finds_whom_the_one_record_lookup_finds(
    app: FastAPI, alice: TestClient
) -> None:
    known = [
        {"full_name": "Hélène Dupont", "company": "Atelier Nord"},
        {"full_name": "Jean Martin"},
        {"full_name": "Zoë Ñandú", "email": "Zoe@Example.fr"},
        {"full_name": "Paul Durand", "company": "Acme"},
        {"full_name": "Paul Durand", "company": "Globex"},
    ]
    for body in known:
        assert alice.put(f"/api/v1/contacts/{uuid.uuid4()}", json=body).status_code == 201
    people = [
        ParsedPerson(full_name="HELENE dupont"),  # the name, folded
        ParsedPerson(full_name="Dupont Hélène", company="atelier nord"),  # any order
        ParsedPerson(full_name="Hélène Dupont", company="Autre"),  # another company: no
        ParsedPerson(full_name="Jean Martin", company="Neuf"),  # a company on one side only
        ParsedPerson(full_name="Quelqu'un", email="zoe@example.FR"),  # the e-mail, any case
        ParsedPerson(full_name="Paul Durand", company="Globex"),
        ParsedPerson(full_name="Paul Durand", company="Initech"),
        ParsedPerson(full_name="Personne Inconnue"),
        ParsedPerson(full_name="Jean"),  # one word of a name is not the name
    ]
    with Session(app.state.engine) as session:
        owner = accounts.user_by_email(session, email="alice@example.org")
        matcher = importing.ImportMatcher(session, owner=owner, people=people)
        for person in people:
            expected = contacts.existing_for(session, owner=owner, person=person)
            found = matcher.match(person)
            assert (found and found.id) == (expected and expected.id), person.full_name
        assert [bool(matcher.match(p)) for p in people] == [1, 1, 0, 1, 1, 1, 0, 0, 0]


def test_a_million_row_csv_is_refused_without_filling_the_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A smaller limit keeps the test short; what it shows is that the memory follows the limit,
    # not the file (at the real limit, 50,000, the peak is about 30 MB).
    monkeypatch.setattr(csv_import, "MAX_ROWS", 5_000)
    data = b"full_name\n" + b"A\n" * 1_000_000  # 2 MB: under the upload limit
    tracemalloc.start()
    try:
        with pytest.raises(Invalid) as refused:
            exchange.parse_file(data, filename="huge.csv", locale="en")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.detail("en").startswith("The file holds more than 50,000 people")
    # The text, and at most MAX_ROWS parsed people, never a million rows (1.4 GB before).
    assert peak < 20_000_000, peak


def test_too_many_rows_or_cards_import_nothing(
    alice: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_import, "MAX_ROWS", 5)
    monkeypatch.setattr(vcard, "MAX_CARDS", 5)
    rows = "full_name\n" + "".join(f"Personne {n}\n" for n in range(6))
    cards = b"".join(card(f"FN:Personne {n}") for n in range(6))
    for data, filename in ((rows.encode(), "people.csv"), (cards, "people.vcf")):
        for dry_run in (True, False):
            response = send(alice, data, filename, dry_run=dry_run)
            assert response.status_code == 422, response.text
            assert response.json()["field"] == "file"
            assert "50\u00a0000" in response.json()["detail"]  # Alice reads French
    assert everyone(alice) == []
    five = "full_name\n" + "".join(f"Personne {n}\n" for n in range(5))
    assert imported(alice, five.encode(), "people.csv")["created"] == 5


def test_photos_beyond_the_bound_are_left_out_and_said(
    alice: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "PHOTOS_MAX", 2)
    photo = base64.b64encode(photo_bytes(size=(40, 30))).decode()
    data = b"".join(
        card(f"FN:Personne {n}", f"PHOTO;ENCODING=b;TYPE=JPEG:{photo}") for n in range(5)
    )
    preview = imported(alice, data, dry_run=True)
    assert preview["photos_left_out"] == 3
    assert [person["has_photo"] for person in preview["people"]] == [
        True,
        True,
        False,
        False,
        False,
    ]
    report = imported(alice, data)
    assert (report["created"], report["photos_left_out"]) == (5, 3)
    people = everyone(alice)
    assert len(people) == 5
    assert sum(person["has_photo"] for person in people) == 2


def test_the_photo_bytes_are_bounded_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "PHOTO_BYTES_MAX", 100)
    budget = importing.PhotoBudget()
    assert budget.take(b"x" * 60)
    assert not budget.take(b"x" * 60)
    assert budget.take(b"x" * 40)
    assert (budget.used, budget.left_out) == (2, 1)


def _report_lines(report: dict[str, Any]) -> tuple[int, int, int]:
    return report["created"], report["updated"], report["skipped"]


def test_an_import_in_many_batches_gives_what_one_batch_gives(
    alice: TestClient, bob: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same file, with people twice (by e-mail, by name) across batch boundaries.
    lines = ["full_name,email,company"]
    for n in range(30):
        lines.append(f"Personne {n},p{n}@example.fr,")
    for n in range(0, 30, 3):
        lines.append(f"Autre Nom {n},p{n}@example.fr,Atelier")  # the same e-mail
        lines.append(f"personne {n},,Atelier")  # the same name, a company on one side
    data = ("\n".join(lines) + "\n").encode()
    one = imported(bob, data, "people.csv")
    monkeypatch.setattr(importing, "IMPORT_BATCH", 4)
    many = imported(alice, data, "people.csv")
    assert _report_lines(many) == _report_lines(one) == (30, 20, 0)

    def shape(client: TestClient) -> list[tuple[Any, ...]]:
        return sorted(
            (p["full_name"], p["email"], p["company"], p["notes"]) for p in everyone(client)
        )

    assert shape(alice) == shape(bob)
    assert len(alice.get("/api/v1/contacts?q=atelier").json()["items"]) == 10


def test_a_large_import_refreshes_the_planners_statistics_on_postgresql(
    app: FastAPI, alice: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Until autovacuum comes round, PostgreSQL plans with the statistics of the tables before
    the import: a second import's term lookups then scanned every row. A large import refreshes
    them at once (the planner's row count of people is the imported one, not 'never counted')."""
    if app.state.engine.dialect.name != "postgresql":
        pytest.skip("SQLite plans without such statistics")
    monkeypatch.setattr(importing, "ANALYZE_AFTER", 50)
    data = "".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Personne {n}\r\nEND:VCARD\r\n" for n in range(60)
    ).encode()
    assert imported(alice, data)["created"] == 60
    with Session(app.state.engine) as session:
        counted = session.exec(  # type: ignore[call-overload]
            text("SELECT reltuples FROM pg_class WHERE relname = 'contact'")
        ).one()[0]
    assert counted >= 60


def test_an_import_writes_each_persons_search_terms_and_no_other(
    app: FastAPI, alice: TestClient, bob: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL writes a batch's terms from two arrays, SQLite row by row: both give every
    person exactly the terms `terms_for` computes, in batches and across owners."""
    monkeypatch.setattr(importing, "IMPORT_BATCH", 7)
    cards = b"".join(
        card(f"FN:Zoë Ñandú{n}", f"ORG:Atelier {n % 3}", f"CATEGORIES:salon,client {n % 2}",
             f"EMAIL:z{n}@example.fr")
        for n in range(25)
    )  # fmt: skip
    imported(alice, cards)
    imported(bob, card("FN:Bob Seul"))
    with Session(app.state.engine) as session:
        for email, expected in (("alice@example.org", 25), ("bob@example.org", 1)):
            owner = accounts.user_by_email(session, email=email)
            people = session.exec(select(Contact).where(Contact.owner_id == owner.id)).all()
            assert len(people) == expected
            written: dict[uuid.UUID, set[str]] = {}
            for term in session.exec(select(ContactTerm).where(ContactTerm.owner_id == owner.id)):
                written.setdefault(term.contact_id, set()).add(term.term)
            assert written == {person.id: contacts.terms_for(person) for person in people}
    found = alice.get("/api/v1/contacts?q=nandu7").json()["items"]
    assert [person["full_name"] for person in found] == ["Zoë Ñandú7"]
