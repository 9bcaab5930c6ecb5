"""Exports that any client reads the same (issue #16): our vCard lines are folded at 75 octets and
escaped so that ical.js and vobject read back what was written, and our vCard and CSV exports,
imported into an empty account, give back every field of every person of the demo account."""

import base64
import csv
import io
import time
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, select

from app import demo
from app.accounts import service as accounts
from app.contacts import exchange
from app.contacts import service as contacts
from app.contacts.csv_import import CSV_COLUMNS, _import_tags, parse_contacts_csv, people_to_csv
from app.contacts.models import TEXT_FIELDS, Contact, ContactPhoto, ContactWrite
from app.contacts.service import SETTING_FIELDS
from app.contacts.vcard import parse_vcards, person_to_vcard
from tests.contacts.test_api import photo_bytes
from tests.contacts.test_import_api import imported
from tests.contacts.vcard_readers import read_with_icaljs, read_with_vobject

PHOTO = photo_bytes(size=(640, 480))
LONG_NOTE = "\n".join(
    f"Ligne {n} : café, thé; crème \\ brûlée — 😀 « suivi » {'é' * (n % 40)}" for n in range(60)
)
# Every character that needs care in a vCard or a CSV, in every field that holds text.
TRICKY: dict[str, Any] = {
    "full_name": "Zoë 😀 d’Ñandú-Łukasiewicz",
    "company": "Société Générale, Paris; La Défense \\ Nord",
    "role": "Directrice R&D; « innovation », 東京",
    "email": "zoe.nandu@example.org",
    "phone": "+33 (0)6 12-34-56-78",
    "url": "https://example.fr/équipe;v=2?x=1&y=a%2Cb",
    "hook": 'Vélo cargo, 3 enfants; aime les \\ et les "guillemets"\nDeuxième ligne 😀',
    "needs": "Un expert-comptable, vite;\n\n  après une ligne vide et un retrait",
    "notes": LONG_NOTE,
    "tags": ["Paris, Lyon", "a;b", "back\\slash", 'dit "oui"', "😀 émoji", "starred", "* étoile"],
    "cadence_days": 0,
    "address_as": "tu",
    "knows_what_i_do": True,
    "would_recommend": True,
}
# A spreadsheet would run these as formulas; the CSV defuses them and the import undoes it.
FORMULAS: dict[str, Any] = {
    "full_name": "-Marc =Dupont",
    "company": '=HYPERLINK("http://evil.example";"clic")',
    "role": "'=déjà entre apostrophes",
    "hook": "+33 n’est pas un téléphone ici",
    "needs": "@tout le monde",
    "notes": "-5 points\n=SUM(A1:A2)",
    "tags": ["=tag", "-moins"],
}


# --------------------------------------------------------------------------- the vCard lines


def physical_lines(text: str) -> list[bytes]:
    data = text.encode()
    assert data.endswith(b"\r\n")
    lines = data[:-2].split(b"\r\n")
    assert not any(b"\r" in line or b"\n" in line for line in lines), "every line ends with CRLF"
    return lines


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_vcard_lines_are_folded_at_75_octets_without_splitting_a_character(version: str) -> None:
    text = person_to_vcard(**TRICKY, photo=PHOTO, version=version)
    lines = physical_lines(text)
    assert max(len(line) for line in lines) <= 75
    assert sum(line.startswith(b" ") for line in lines) > 40  # the note and the photo are folded
    for line in lines:
        line.decode("utf-8")  # each physical line is whole UTF-8: no character cut in two
    photo_line = next(
        i for i, line in enumerate(lines) if line.startswith(b"PHOTO")
    )  # the photo's base64 too is folded, line after line
    assert lines[photo_line + 1].startswith(b" ") and len(lines[photo_line]) == 75
    # Unfolding gives back the logical lines: each starts with a property name.
    logical = text.replace("\r\n ", "").split("\r\n")[:-1]
    assert all(line.split(":", 1)[0].split(";")[0].isupper() for line in logical)


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_icaljs_and_vobject_read_every_value_as_written(version: str) -> None:
    text = person_to_vcard(**TRICKY, photo=PHOTO, version=version)
    given, family = "Zoë 😀", "d’Ñandú-Łukasiewicz"  # N: the last word is the family name
    (ical,) = read_with_icaljs(text)
    first = {name: values[0] for name, values in ical.items()}
    assert first["fn"] == [TRICKY["full_name"]]
    assert first["n"] == [[family, given, "", "", ""]]
    assert first["org"] == [TRICKY["company"]]
    assert first["title"] == [TRICKY["role"]]
    assert first["email"] == [TRICKY["email"]]
    assert first["tel"] == [TRICKY["phone"]]
    assert first["url"] == [TRICKY["url"]]
    assert first["note"] == [TRICKY["notes"]]
    assert first["x-givefirst-hook"] == [TRICKY["hook"]]
    assert first["x-givefirst-needs"] == [TRICKY["needs"]]
    assert first["categories"] == TRICKY["tags"]
    photo = first["photo"][0]
    if version == "4.0":
        assert photo == "data:image/jpeg;base64," + base64.b64encode(PHOTO).decode()
    else:
        assert base64.b64decode(photo) == PHOTO

    (card,) = read_with_vobject(text)
    assert card["fn"] == [TRICKY["full_name"]]
    name = card["n"][0]
    assert (name.family, name.given) == (family, given)
    assert card["org"] == [[TRICKY["company"]]]
    assert card["title"] == [TRICKY["role"]]
    assert card["email"] == [TRICKY["email"]]
    assert card["tel"] == [TRICKY["phone"]]
    # vobject reads every vCard value as TEXT: a URL is right unless it holds a comma, which
    # RFC 6350 leaves unescaped in a URI (ical.js, phones and our import read it whole).
    assert card["url"] == [TRICKY["url"]]
    assert card["note"] == [TRICKY["notes"]]
    assert card["x-givefirst-hook"] == [TRICKY["hook"]]
    assert card["x-givefirst-needs"] == [TRICKY["needs"]]
    assert card["categories"] == [TRICKY["tags"]]
    if version == "3.0":
        assert card["photo"] == [PHOTO]

    (person,), rejected = parse_vcards(text.encode())
    assert rejected == []
    for name in (*TEXT_FIELDS, "tags", *SETTING_FIELDS):
        assert getattr(person, name) == TRICKY[name], name
    assert person.photo == PHOTO


def test_a_lone_tag_with_a_comma_stays_one_tag_and_thunderbird_lists_stay_three() -> None:
    (ours,), _ = parse_vcards(person_to_vcard(full_name="A B", tags=["Paris, Lyon"]).encode())
    assert ours.tags == ["Paris, Lyon"]
    # Not from us, every comma escaped: Thunderbird's separators (its real file is in test_vcard).
    theirs = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A B\r\nCATEGORIES:a\\, b\\, c\r\nEND:VCARD\r\n"
    assert parse_vcards(theirs)[0][0].tags == ["a", "b", "c"]
    # A list with bare separators: an escaped comma belongs to its tag, as RFC 6350 says.
    mixed = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A B\r\nCATEGORIES:Paris\\, Lyon,b\r\nEND:VCARD\r\n"
    assert parse_vcards(mixed)[0][0].tags == ["Paris, Lyon", "b"]


# --------------------------------------------------------------------------- the CSV cells


def test_csv_tags_with_separators_are_quoted_and_read_back_whole() -> None:
    text = people_to_csv([TRICKY | {"tags": TRICKY["tags"] + ["plain"]}], bom=False)
    header, row = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(header) == CSV_COLUMNS
    cells = dict(zip(header, row, strict=True))
    assert cells["tags"] == (
        '"Paris, Lyon", "a;b", back\\slash, "dit ""oui""", 😀 émoji, "starred", "* étoile", plain'
    )
    assert cells["cadence_days"] == "0" and cells["address_as"] == "tu"
    assert cells["knows_what_i_do"] == cells["would_recommend"] == "true"
    (person,), rejected = parse_contacts_csv(text.encode())
    assert rejected == []
    assert person.tags == [*TRICKY["tags"], "plain"]
    # Other files' tag cells read as before: any separator, Google's system groups left out.
    assert _import_tags("* starred ::: myContacts ::: Famille; amis,voisins") == [
        "Famille", "amis", "voisins",
    ]  # fmt: skip


def test_csv_tags_cell_reads_in_linear_time() -> None:
    started = time.perf_counter()
    _import_tags('"x' + '"",' * 200_000)
    _import_tags('"a,' * 200_000)
    assert time.perf_counter() - started < 2


def test_csv_formulas_are_defused_and_come_back_as_written() -> None:
    text = people_to_csv([FORMULAS], bom=False)
    header, row = list(csv.reader(io.StringIO(text, newline="")))
    cells = dict(zip(header, row, strict=True))
    assert all(cells[name].startswith("'") for name in ("full_name", "company", "hook", "needs"))
    assert cells["role"] == "''=déjà entre apostrophes"
    (person,), _ = parse_contacts_csv(text.encode())
    for name, value in FORMULAS.items():
        assert getattr(person, name) == value, name


# --------------------------------------------------------------------------- the round trip


def everything(app: FastAPI, email: str) -> list[dict[str, Any]]:
    """Every person of an account, every field, the photo as its type and size."""
    with Session(app.state.engine) as session:
        user = accounts.user_by_email(session, email=email)
        people = session.exec(select(Contact).where(Contact.owner_id == user.id))
        found = []
        for person in people:
            fields = {name: getattr(person, name) for name in (*TEXT_FIELDS, *SETTING_FIELDS)}
            fields["tags"] = person.tags
            photo = session.get(ContactPhoto, person.id)
            fields["photo"] = (
                (photo.content_type, Image.open(io.BytesIO(photo.data)).size) if photo else None
            )
            found.append(fields)
    return sorted(found, key=lambda fields: (fields["full_name"], fields["email"] or ""))


SECOND_ADDRESSES = (
    b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Paul Deux-Adresses\r\n"
    b"EMAIL;TYPE=WORK:paul@travail.example\r\nEMAIL;TYPE=HOME:paul@maison.example\r\n"
    b"TEL;TYPE=CELL:+33 6 11 22 33 44\r\nTEL;TYPE=WORK:+33 1 44 55 66 77\r\nEND:VCARD\r\n"
)


@pytest.fixture
def demo_account(app: FastAPI, alice: TestClient) -> dict[str, Any]:
    """Alice's account as `givefirst demo` fills it, with the tricky people besides: the one of
    TRICKY with a photo, FORMULAS, one whose only tag holds a comma, and one whose second e-mail
    and phone an import kept (as lines of the notes)."""
    with Session(app.state.engine) as session:
        user = accounts.user_by_email(session, email="alice@example.org")
        demo.fill(session, user=user)
        for body in (
            TRICKY | {"photo": "data:image/jpeg;base64," + base64.b64encode(PHOTO).decode()},
            FORMULAS,
            {"full_name": "Une Seule Étiquette", "tags": ["Lyon, Villeurbanne"]},
        ):
            contacts.put_contact(
                session, owner=user, contact_id=uuid.uuid4(), data=ContactWrite.model_validate(body)
            )
        session.commit()
    assert imported(alice, SECOND_ADDRESSES)["created"] == 1
    people = everything(app, "alice@example.org")
    assert len(people) == 12
    # Every field is held by someone, so that losing any one fails the comparisons below.
    for name in (*TEXT_FIELDS, *SETTING_FIELDS, "tags", "photo"):
        assert any(person[name] not in (None, [], False) for person in people), name
    paul = next(p for p in people if p["full_name"] == "Paul Deux-Adresses")
    assert "paul@maison.example" in paul["notes"] and "+33 1 44 55 66 77" in paul["notes"]
    assert any("\n" in (p["notes"] or "") for p in people if p["full_name"] == "Hélène Roux")
    return {"people": people}


EXPORTS = {
    "vcard-3.0": ("/api/v1/contacts/export.vcf", "people.vcf"),
    "csv": ("/api/v1/contacts/export.csv", "people.csv"),
}


@pytest.mark.parametrize("export", [*EXPORTS, "vcard-4.0-archive"])
def test_export_then_import_into_an_empty_account_gives_every_field_back(
    app: FastAPI, alice: TestClient, bob: TestClient, demo_account: dict[str, Any], export: str
) -> None:
    if export == "vcard-4.0-archive":
        # The copy in the data archive (people.vcf), written as vCard 4.0.
        with Session(app.state.engine) as session:
            user = accounts.user_by_email(session, email="alice@example.org")
            data = "".join(
                exchange.vcards(contacts.export_rows(session, owner=user), version="4.0")
            ).encode()
        filename = "people.vcf"
    else:
        path, filename = EXPORTS[export]
        response = alice.get(path)
        assert response.status_code == 200
        data = response.content
    assert bob.get("/api/v1/contacts").json()["items"] == []
    report = imported(bob, data, filename)
    assert (report["created"], report["updated"], report["rejected"]) == (12, 0, [])
    expected = demo_account["people"]
    if export == "csv":
        # A CSV has no photos: everything else comes back.
        expected = [person | {"photo": None} for person in expected]
    got = everything(app, "bob@example.org")
    for before, after in zip(expected, got, strict=True):
        assert after == before
    # Imported once more, nothing changes: every field was already there.
    report = imported(bob, data, filename)
    assert (report["created"], report["updated"]) == (0, 12)
    assert everything(app, "bob@example.org") == got


def test_odd_setting_values_are_left_out_never_the_person() -> None:
    table = (
        "full_name,cadence_days,address_as,knows_what_i_do,would_recommend\r\n"
        "Anne Un,²,Vous,oui,non\r\nBruno Deux,30.0,toi,,TRUE\r\nCarla Trois,99999,,x,\r\n"
    )
    people, rejected = parse_contacts_csv(table.encode())
    assert rejected == []
    assert [
        (p.cadence_days, p.address_as, p.knows_what_i_do, p.would_recommend) for p in people
    ] == [
        (None, "vous", True, False),
        (30, None, False, True),
        (None, None, True, False),
    ]
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Anne Un\r\nX-GIVEFIRST-CADENCE-DAYS:jamais\r\n"
        "X-GIVEFIRST-ADDRESS-AS:TU\r\nX-GIVEFIRST-WOULD-RECOMMEND:no\r\nEND:VCARD\r\n"
    )
    (person,), rejected = parse_vcards(card.encode())
    assert rejected == []
    assert (person.cadence_days, person.address_as, person.would_recommend) == (None, "tu", False)
