"""Deleting an account leaves no row of it in any table; erasing a person leaves nothing of
them; "do not bring back" holds through a vCard and a CSV import."""

import uuid

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlmodel import Session
from sqlmodel import select as orm_select

from app.accounts import service as accounts
from app.calendar import service as calendar
from app.cli import main as cli_main
from app.contacts.models import Contact, DoNotBringBack
from app.db import metadata
from app.gives.models import Give
from tests.helpers import PASSWORD
from tests.portability.helpers import SECRET, add_person, fill_everything, jpeg, rows_of


def _rows_anywhere(app: FastAPI, user_id: uuid.UUID, email: str) -> list[str]:
    """Every table holding a row that mentions the user: by any column equal to their id or
    e-mail (whatever the column is called)."""
    found = []
    with app.state.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                values = {str(v) for v in row}
                if (
                    str(user_id) in values
                    or user_id.hex in values
                    or email in values
                    or (f"email:{email}" in values)
                ):
                    found.append(table.name)
                    break
    return found


def test_deleting_my_account_leaves_no_row_in_any_table(
    app: FastAPI, alice: TestClient, bob: TestClient, settings: object
) -> None:
    user_id = fill_everything(app, "alice@example.org")
    fill_everything(app, "bob@example.org")
    with Session(app.state.engine) as session:
        user = accounts.user_by_email(session, email="alice@example.org")
        _feed, token = calendar.ensure_feed(session, user=user, secret=app.state.settings.secret)
        accounts.start_session(session, user=user, days=30)
        session.commit()
    feed_url = calendar.feed_path(token)
    assert alice.get(feed_url).status_code == 200
    assert any(rows_of(app, user_id).values())
    refused = alice.request("DELETE", "/api/v1/me", json={"password": "not it"})
    assert refused.status_code == 422 and refused.json()["field"] == "password"
    assert alice.request("DELETE", "/api/v1/me", json={"password": PASSWORD}).status_code == 204
    assert _rows_anywhere(app, user_id, "alice@example.org") == []
    assert not any(rows_of(app, user_id).values())
    # The calendar link stops at once, the token no longer opens anything, Bob keeps his data.
    assert alice.get(feed_url).status_code == 404
    assert alice.get("/api/v1/contacts").status_code == 401
    assert bob.get("/api/v1/contacts").json()["items"]


def test_an_administrator_deletes_an_account_from_the_command_line(
    app: FastAPI, monkeypatch: object, settings: object
) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    user_id = fill_everything(app, "ann@example.org")
    monkeypatch.setenv("GIVEFIRST_DATABASE_URL", app.state.settings.database_url)
    monkeypatch.setenv("GIVEFIRST_SECRET_KEY", SECRET)
    assert cli_main(["users", "delete", "ann@example.org", "--yes"]) == 0
    assert _rows_anywhere(app, user_id, "ann@example.org") == []
    assert cli_main(["users", "delete", "ann@example.org", "--yes"]) == 1


def _everything_about(app: FastAPI, contact_id: uuid.UUID) -> list[str]:
    found = []
    with app.state.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                mapping = row._mapping
                if any(
                    str(value) == str(contact_id) or str(contact_id) in str(value)
                    for value in mapping.values()
                ):
                    found.append(table.name)
                    break
    return found


def test_erasing_a_person_leaves_nothing_of_them_and_keeps_the_people_they_introduced(
    app: FastAPI, alice: TestClient
) -> None:
    user_id = fill_everything(app, "alice@example.org")
    with Session(app.state.engine) as session:
        give = session.exec(orm_select(Give).where(Give.owner_id == user_id)).first()
        assert give is not None
        target = give.contact_id
    other = add_person(app, user_id, full_name="Introduced Person", met_through_id=target)
    # A give to someone else about them (an introduction), a photo and a calendar item.
    third = add_person(app, user_id, full_name="Third Person")
    made = alice.put(
        f"/api/v1/gives/{uuid.uuid4()}",
        json={"contact_id": str(third), "other_contact_id": str(target), "kind": "introduction",
              "title": "Introduce", "due_on": "2030-01-02"},
    )  # fmt: skip
    assert made.status_code in {200, 201}, made.text
    alice.put(
        f"/api/v1/contacts/{target}/photo", content=jpeg(), headers={"content-type": "image/jpeg"}
    )
    with Session(app.state.engine) as session:
        user = accounts.user_by_email(session, email="alice@example.org")
        _feed, token = calendar.ensure_feed(session, user=user, secret=app.state.settings.secret)
        session.commit()
    alice.get(calendar.feed_path(token))
    assert len(_everything_about(app, target)) >= 4
    response = alice.delete(f"/api/v1/contacts/{target}?erase=true")
    assert response.status_code == 204
    assert _everything_about(app, target) == []
    with Session(app.state.engine) as session:
        kept = session.get(Contact, other)
        assert kept is not None and kept.met_through_id is None
        assert session.get(Contact, third) is not None
    assert alice.get(f"/api/v1/contacts/{target}").status_code == 404
    assert alice.delete(f"/api/v1/contacts/{target}?erase=true").status_code == 404


def test_erasing_someone_elses_person_is_refused(
    app: FastAPI, alice: TestClient, bob: TestClient
) -> None:
    user_id = fill_everything(app, "alice@example.org")
    target = add_person(app, user_id, full_name="Only Alice's")
    assert bob.delete(f"/api/v1/contacts/{target}?erase=true").status_code == 404
    with Session(app.state.engine) as session:
        assert session.get(Contact, target) is not None


VCARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Gone Again\r\nEMAIL:Gone.Again@Example.org\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Phone Only\r\nTEL:06 12 34 56 78\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Someone New\r\nEMAIL:new@example.org\r\nEND:VCARD\r\n"
)
CSV = "full_name,email,phone\r\nGone Again,gone.again@example.org,\r\nPhone Only,,+33 6 12 34 56 78\r\nSomeone New,new@example.org,\r\n"


def test_do_not_bring_back_holds_through_a_vcard_and_a_csv_import(
    app: FastAPI, alice: TestClient
) -> None:
    user_id = fill_everything(app, "alice@example.org")
    first = add_person(app, user_id, full_name="Gone Again", email="gone.again@example.org")
    second = add_person(app, user_id, full_name="Phone Only", phone="+33612345678")
    for person in (first, second):
        erased = alice.delete(f"/api/v1/contacts/{person}?erase=true&do_not_bring_back=true")
        assert erased.status_code == 204
    with Session(app.state.engine) as session:
        kept = [row.key_hash for row in session.exec(orm_select(DoNotBringBack))]
    with app.state.engine.connect() as connection:
        dump = " ".join(
            str(v)
            for row in connection.execute(text("SELECT * FROM do_not_bring_back"))
            for v in row
        )
    assert "gone.again" not in dump and "612345678" not in dump and kept
    for name, body, kind in (("people.vcf", VCARD, "text/vcard"), ("people.csv", CSV, "text/csv")):
        preview = alice.post(
            "/api/v1/contacts/import", files={"file": (name, body.encode(), kind)},
            data={"dry_run": "true"},
        )  # fmt: skip
        assert preview.status_code == 200, preview.text
        assert preview.json()["not_brought_back"] == 2
        assert [p["full_name"] for p in preview.json()["people"]] == ["Someone New"]
        done = alice.post("/api/v1/contacts/import", files={"file": (name, body.encode(), kind)})
        assert done.json()["not_brought_back"] == 2
        names = {p["full_name"] for p in alice.get("/api/v1/contacts?limit=200").json()["items"]}
        assert "Gone Again" not in names and "Phone Only" not in names and "Someone New" in names
