"""People import and export through the API: every real .vcf, LinkedIn and plain CSV, matches,
refused files, round trips, and no partial import."""

import csv
import io
import uuid
from typing import Any

import pytest
import vobject
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts import service as accounts
from app.contacts import importing
from app.contacts.vcard import parse_vcards
from app.errors import Invalid
from tests.contacts.test_api import photo_bytes
from tests.contacts.test_vcard import CASES, Case, card
from tests.helpers import create_user
from tests.shared_data import shared_testdata

NO_NAME_FR = "Ni nom, ni organisation, ni adresse e-mail pour désigner cette personne."
NO_NAME_EN = "No name, organisation or e-mail address to call this person by."
PHOTO_FILE = "apple-ios5-iphone-photo-itemgroups.vcf"

# As LinkedIn exports Connections.csv: a "Notes:" preamble, a blank line, then the header.
LINKEDIN = """Notes:
"When exporting your connection data, you may notice that some of the email addresses are missing. You will only see email addresses for connections who have allowed their connections to see or download their email address using this setting https://www.linkedin.com/psettings/privacy/email."

First Name,Last Name,URL,Email Address,Company,Position,Connected On
Hélène,Dupont,https://www.linkedin.com/in/helene-dupont,,Atelier Lumière,"Fondatrice, designer",23 Nov 2026
Jean-Éric,Fontaine,https://www.linkedin.com/in/jefontaine,je@fontaine.fr,Société Générale,DSI,01 Feb 2025
Zoë,Ñandú,https://www.linkedin.com/in/zoe,,,Consultante RGPD,15 Mar 2024
,,https://www.linkedin.com/in/ghost,,,,05 Jan 2024
"""

# The documented header; French Excel writes it with ';' and a BOM.
PLAIN_CSV = (
    "full_name,company,role,email,phone,url,hook,needs,notes,tags\r\n"
    "Anne Sérieux,Atelier Lumière,Gérante,anne@atelier.fr,+33 6 12 34 56 78,atelier.fr,"
    'vélo cargo,un expert-comptable,"Vue au salon, stand B12","salon, Lyon"\r\n'
    "Bruno Valide,,,,,,,,,\r\n"
)
FRENCH_CSV = (
    "\ufeffnom;entreprise;poste;email;téléphone;site;accroche;besoins;notes;tags\r\n"
    "José Brüning;Société Générale;DSI;jose@sg.fr;+33 6 12 34 56 78;https://sg.fr;"
    'Fan de vélo;Un expert RGPD;"Vu au salon; stand B12";"salon; RGPD"\r\n'
    ";;;;;;;;;\r\n"
    "Zoë Ñandú;;;;;;;;;\r\n"
).encode("utf-8")


def send(
    client: TestClient,
    data: bytes,
    filename: str = "people.vcf",
    *,
    dry_run: bool = False,
    on_match: str | None = None,
) -> Any:
    """POST a file to the import endpoint as a browser or a script would (multipart)."""
    form = {"dry_run": "true" if dry_run else "false"}
    if on_match:
        form["on_match"] = on_match
    return client.post(
        "/api/v1/contacts/import",
        files={"file": (filename, data, "application/octet-stream")},
        data=form,
    )


def imported(client: TestClient, data: bytes, filename: str = "people.vcf", **kwargs: Any) -> Any:
    """The report of an import that must succeed."""
    response = send(client, data, filename, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


def everyone(client: TestClient) -> list[dict[str, Any]]:
    """Every person of the client's user, all pages."""
    found: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page = client.get(f"/api/v1/contacts?sort=name&limit=200{cursor}").json()
        found += page["items"]
        if not page["next_cursor"]:
            return found
        cursor = f"&cursor={page['next_cursor']}"


def shared(name: str) -> bytes:
    return (shared_testdata("vcf") / name).read_bytes()


def by_name(client: TestClient) -> dict[str, dict[str, Any]]:
    return {person["full_name"]: person for person in everyone(client)}


# --- every real file ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case.file for case in CASES])
def test_every_real_vcf_file_previews_then_imports_once(alice: TestClient, case: Case) -> None:
    data = shared(case.file)
    preview = imported(alice, data, case.file, dry_run=True)
    assert preview["dry_run"] is True and preview["format"] == "vcard"
    assert len(preview["people"]) == case.people
    assert preview["created"] + preview["updated"] == case.people
    assert len(preview["rejected"]) == case.rejected
    if case.name:
        assert preview["people"][case.at]["full_name"] == case.name
    assert everyone(alice) == [], "a preview stores nothing"

    report = imported(alice, data, case.file)
    assert (report["created"], report["updated"]) == (preview["created"], preview["updated"])
    assert report["people"] == []
    assert len(everyone(alice)) == report["created"]
    if case.name:
        assert case.name in by_name(alice)
    for refused in report["rejected"]:
        assert (
            refused["reason"] == NO_NAME_FR if refused["code"] == "no_name" else refused["reason"]
        )

    again = imported(alice, data, case.file)
    assert again["created"] == 0
    assert again["updated"] == report["created"] + report["updated"]
    assert len(everyone(alice)) == report["created"]


def test_all_real_files_together_double_nobody(alice: TestClient) -> None:
    files = sorted(shared_testdata("vcf").glob("*.vcf"))
    for path in files:
        imported(alice, path.read_bytes(), path.name)
    count = len(everyone(alice))
    for path in files:
        assert imported(alice, path.read_bytes(), path.name)["created"] == 0, path.name
    assert len(everyone(alice)) == count


def test_rejected_cards_come_back_with_their_reason_in_french(alice: TestClient) -> None:
    data = shared("v21-photo-base64-blank-line-terminated.vcf")
    report = imported(alice, data, dry_run=True)
    assert report["rejected"] == [
        {"index": 1, "label": "card 1", "code": "no_name", "reason": NO_NAME_FR}
    ]
    assert imported(alice, data)["created"] == 0
    assert everyone(alice) == []


def english_client(app: FastAPI) -> TestClient:
    """A token client for Ann, who reads English."""
    create_user(app, "ann@example.org", "Ann", locale="en")
    with Session(app.state.engine) as session:
        user = accounts.user_by_email(session, email="ann@example.org")
        _token, secret = accounts.create_token(session, user=user, name="tests")
        session.commit()
    return TestClient(app, headers={"Authorization": f"Bearer {secret}"})


def test_rejected_reasons_speak_the_users_language(app: FastAPI) -> None:
    with english_client(app) as client:
        report = imported(client, card("TEL:+33 6 12 34 56 78") + card("FN:Ann's friend"))
        assert [r["reason"] for r in report["rejected"]] == [NO_NAME_EN]
        assert report["created"] == 1


def test_vcard_photos_are_stored(alice: TestClient) -> None:
    preview = imported(alice, shared(PHOTO_FILE), dry_run=True)
    assert [p["has_photo"] for p in preview["people"]] == [True]
    imported(alice, shared(PHOTO_FILE))
    person = by_name(alice)["Mr. John Richter James Doe Sr."]
    assert person["has_photo"] is True
    photo = alice.get(person["photo_url"])
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"


def test_accents_survive_the_import(alice: TestClient) -> None:
    imported(alice, shared("nokia-21-qp-soft-breaks-umlauts.vcf"))
    imported(alice, shared("davx5-named-groups-umlauts.vcf"))
    assert {"Michael Brüning", "Ämi Display"} <= set(by_name(alice))
    found = alice.get("/api/v1/contacts?q=bruning").json()["items"]
    assert [p["full_name"] for p in found] == ["Michael Brüning"]


def test_cards_of_one_person_in_one_file_are_previewed_as_they_will_be_saved(
    alice: TestClient,
) -> None:
    data = card("FN:Léa Martin", "EMAIL:lea@example.fr") + card(
        "FN:Léa Martin", "EMAIL:LEA@example.fr", "ORG:Atelier"
    )
    preview = imported(alice, data, dry_run=True)
    assert (preview["created"], preview["updated"]) == (1, 1)
    assert [p["known"] for p in preview["people"]] == [False, True]
    report = imported(alice, data)
    assert (report["created"], report["updated"]) == (1, 1)
    assert [(p["full_name"], p["company"]) for p in everyone(alice)] == [("Léa Martin", "Atelier")]


# --- refused files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"", "empty.vcf"),
        (b"", "empty.csv"),
        (b" \r\n", "blank.vcf"),
        (bytes(range(256)) * 40, "random.bin"),
        (bytes(range(256)) * 40, "random.vcf"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog>> endobj\n", "people.pdf"),
        (b"%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\n", "people.csv"),
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), "people.xlsx"),
        (card("FN:Trop") * 200_000, "huge.vcf"),
        (b"full_name,email\r\n" + b"Anne,anne@example.fr\r\n" * 300_000, "huge.csv"),
    ],
    ids=[
        "empty",
        "empty-csv",
        "blank",
        "binary",
        "binary-vcf",
        "pdf",
        "pdf-as-csv",
        "xlsx",
        "huge-vcf",
        "huge-csv",
    ],
)
def test_a_broken_file_is_refused_and_imports_nothing(
    alice: TestClient, data: bytes, filename: str
) -> None:
    if filename.startswith("huge"):
        assert len(data) > 5_000_000
    for dry_run in (True, False):
        response = send(alice, data, filename, dry_run=dry_run)
        assert response.status_code == 422, response.text
        body = response.json()
        assert body["error"] == "invalid" and body["field"] == "file"
        assert body["detail"]
    assert everyone(alice) == []


def test_refusals_are_explained_in_french(alice: TestClient) -> None:
    assert send(alice, b"", "vide.vcf").json()["detail"] == "Le fichier est vide."
    huge = send(alice, card("FN:Trop") * 200_000, "huge.vcf").json()
    assert huge["detail"] == "Le fichier est trop gros (5 Mo au plus)."


def test_import_needs_a_file(alice: TestClient) -> None:
    response = alice.post("/api/v1/contacts/import", data={"dry_run": "true"})
    assert response.status_code == 422 and response.json()["field"] == "file"
    response = alice.post("/api/v1/contacts/import", json={"file": "x"})
    assert response.status_code == 422 and response.json()["field"] == "file"


def test_import_needs_a_user(client: TestClient) -> None:
    response = send(client, card("FN:Personne"))
    assert response.status_code == 401


# --- CSV ------------------------------------------------------------------------------------------


def test_linkedin_connections_round_trip(alice: TestClient) -> None:
    report = imported(alice, LINKEDIN.encode(), "Connections.csv")
    assert (report["format"], report["created"]) == ("csv", 3)
    assert [(r["index"], r["code"]) for r in report["rejected"]] == [(8, "no_name")]
    people = by_name(alice)
    helene = people["Hélène Dupont"]
    assert (helene["company"], helene["role"], helene["url"]) == (
        "Atelier Lumière",
        "Fondatrice, designer",
        "https://www.linkedin.com/in/helene-dupont",
    )
    assert helene["notes"] == "LinkedIn\u00a0: en relation depuis le 23 novembre 2026"
    assert people["Jean-Éric Fontaine"]["email"] == "je@fontaine.fr"
    assert people["Zoë Ñandú"]["role"] == "Consultante RGPD"

    exported = alice.get("/api/v1/contacts/export.csv")
    assert exported.status_code == 200
    again = imported(alice, exported.content, "givefirst-people.csv")
    assert (again["created"], again["updated"], again["rejected"]) == (0, 3, [])
    fields = ("full_name", "company", "role", "email", "url", "notes")
    assert [{k: p[k] for k in fields} for p in everyone(alice)] == [
        {k: people[name][k] for k in fields}
        for name in ("Hélène Dupont", "Jean-Éric Fontaine", "Zoë Ñandú")
    ]


def test_plain_csv_with_the_documented_header(alice: TestClient) -> None:
    report = imported(alice, PLAIN_CSV.encode(), "people.csv")
    assert (report["created"], report["rejected"]) == (2, [])
    anne = by_name(alice)["Anne Sérieux"]
    assert anne["email"] == "anne@atelier.fr"
    assert anne["url"] == "https://atelier.fr"
    assert (anne["hook"], anne["needs"]) == ("vélo cargo", "un expert-comptable")
    assert anne["notes"] == "Vue au salon, stand B12"
    assert anne["tags"] == ["salon", "Lyon"]


def test_french_csv_with_semicolons_and_a_bom(alice: TestClient) -> None:
    preview = imported(alice, FRENCH_CSV, "contacts.csv", dry_run=True)
    assert [p["full_name"] for p in preview["people"]] == ["José Brüning", "Zoë Ñandú"]
    imported(alice, FRENCH_CSV, "contacts.csv")
    jose = by_name(alice)["José Brüning"]
    assert (jose["company"], jose["role"], jose["phone"]) == (
        "Société Générale",
        "DSI",
        "+33 6 12 34 56 78",
    )
    assert jose["tags"] == ["salon", "RGPD"]
    assert imported(alice, FRENCH_CSV, "contacts.csv")["created"] == 0


# --- people already known -------------------------------------------------------------------------


def known_lea(client: TestClient) -> dict[str, Any]:
    response = client.put(
        "/api/v1/contacts/0b3c1a7e-6d2f-4b7a-9f3e-5a1d2c3b4e5f",
        json={"full_name": "Léa Martin", "email": "lea@example.fr", "notes": "Vue à Lyon"},
    )
    assert response.status_code == 201
    return dict(response.json())


LEA_CARD = card(
    "FN:Léa Martin", "EMAIL:lea@example.fr", "ORG:Atelier Lumière", "TITLE:Gérante",
    "NOTE:Aime le vélo", "TEL:+33 6 00 00 00 00",
)  # fmt: skip


def test_skip_leaves_a_known_person_untouched(alice: TestClient) -> None:
    before = known_lea(alice)
    preview = imported(alice, LEA_CARD, on_match="skip", dry_run=True)
    assert (preview["created"], preview["updated"], preview["skipped"]) == (0, 0, 1)
    assert preview["people"][0]["known"] is True
    report = imported(alice, LEA_CARD, on_match="skip")
    assert (report["created"], report["updated"], report["skipped"]) == (0, 0, 1)
    after = alice.get(f"/api/v1/contacts/{before['id']}").json()
    assert after == before


def test_merge_fills_the_empty_fields_of_a_known_person(alice: TestClient) -> None:
    before = known_lea(alice)
    report = imported(alice, LEA_CARD, on_match="merge")
    assert (report["created"], report["updated"], report["skipped"]) == (0, 1, 0)
    after = alice.get(f"/api/v1/contacts/{before['id']}").json()
    assert (after["company"], after["role"], after["phone"]) == (
        "Atelier Lumière",
        "Gérante",
        "+33 6 00 00 00 00",
    )
    # What the user wrote stays; the card's note is added, not put in its place.
    assert after["full_name"] == "Léa Martin"
    assert after["notes"] == "Vue à Lyon\n\nAime le vélo"
    assert len(everyone(alice)) == 1


def test_merge_is_the_default_and_keeps_tags_within_limits(alice: TestClient) -> None:
    known_lea(alice)
    many = ",".join(f"tag{number}" for number in range(80))
    report = imported(alice, card("FN:Léa Martin", "EMAIL:lea@example.fr", f"CATEGORIES:{many}"))
    assert report["updated"] == 1
    assert len(everyone(alice)[0]["tags"]) == 30


def test_import_is_per_user(alice: TestClient, bob: TestClient) -> None:
    known_lea(alice)
    report = imported(bob, LEA_CARD)
    assert (report["created"], report["updated"]) == (1, 0)
    assert [p["company"] for p in everyone(bob)] == ["Atelier Lumière"]
    assert everyone(alice)[0]["company"] is None


# --- export ---------------------------------------------------------------------------------------


def test_vcard_export_re_imports_to_the_same_people(alice: TestClient) -> None:
    for name in (PHOTO_FILE, "davx5-named-groups-umlauts.vcf", "google-contacts-multi.vcf"):
        imported(alice, shared(name), name)
    imported(alice, PLAIN_CSV.encode(), "people.csv")
    people = everyone(alice)
    exported = alice.get("/api/v1/contacts/export.vcf")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/vcard")
    text = exported.content.decode("utf-8")

    parsed, rejected = parse_vcards(exported.content)
    assert rejected == []
    fields = ("full_name", "company", "role", "email", "phone")
    assert sorted(tuple(getattr(p, k) for k in fields) for p in parsed) == sorted(
        tuple(p[k] for k in fields) for p in people
    )
    assert [p.photo is not None for p in parsed].count(True) == sum(p["has_photo"] for p in people)

    # An independent reader agrees.
    cards = list(vobject.readComponents(text))
    assert sorted(c.fn.value for c in cards) == sorted(p["full_name"] for p in people)
    emails = sorted(c.email.value for c in cards if hasattr(c, "email"))
    assert emails == sorted(p["email"] for p in people if p["email"])

    again = imported(alice, exported.content, "givefirst-people.vcf")
    assert (again["created"], again["rejected"]) == (0, [])
    assert len(everyone(alice)) == len(people)


def test_one_person_as_a_vcard_with_the_photo(alice: TestClient) -> None:
    created = alice.put(
        "/api/v1/contacts/6f1c1d2e-0000-4000-8000-000000000001",
        json={"full_name": "Hélène Dupont", "company": "Atelier Lumière"},
    ).json()
    assert (
        alice.put(f"/api/v1/contacts/{created['id']}/photo", content=photo_bytes()).status_code
        == 204
    )
    response = alice.get(f"/api/v1/contacts/{created['id']}.vcf")
    assert response.status_code == 200
    assert 'filename="Helene-Dupont.vcf"' in response.headers["content-disposition"]
    assert response.text.count("BEGIN:VCARD") == 1
    (parsed,), _ = parse_vcards(response.content)
    assert (parsed.full_name, parsed.company, parsed.photo_type) == (
        "Hélène Dupont",
        "Atelier Lumière",
        "image/jpeg",
    )
    (vcard,) = vobject.readComponents(response.text)
    assert vcard.photo.value == parsed.photo
    assert vcard.uid.value == created["id"]


def test_csv_export_defuses_formulas(alice: TestClient) -> None:
    body = {"full_name": "=cmd|' /C calc'!A0", "company": "+SUM(1,2)", "notes": "@here",
            "phone": "+33 6 12 34 56 78"}  # fmt: skip
    alice.put("/api/v1/contacts/6f1c1d2e-0000-4000-8000-000000000002", json=body)
    exported = alice.get("/api/v1/contacts/export.csv")
    assert exported.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0]["full_name"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["company"] == "'+SUM(1,2)"
    assert rows[0]["notes"] == "'@here"
    assert rows[0]["phone"] == "+33 6 12 34 56 78"
    # And the app reads its own quote back: nothing doubled, nothing changed.
    again = imported(alice, exported.content, "people.csv")
    assert (again["created"], again["updated"]) == (0, 1)
    assert everyone(alice)[0]["full_name"] == body["full_name"]


# --- all or nothing -------------------------------------------------------------------------------


@pytest.mark.parametrize("failure", [RuntimeError("disk full"), Invalid("refused")])
def test_a_failure_midway_leaves_nothing_behind(
    app: FastAPI, alice: TestClient, monkeypatch: pytest.MonkeyPatch, failure: Exception
) -> None:
    # Batches of two: the failure on the 7th record comes after three committed batches.
    monkeypatch.setattr(importing, "IMPORT_BATCH", 2)
    known = alice.put(f"/api/v1/contacts/{uuid.uuid4()}", json={"full_name": "Personne 0"})
    assert known.status_code == 201
    real_record = importing._Import.record
    calls = {"n": 0}

    def failing_record(self: Any, session: Any, person: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 7:
            raise failure
        real_record(self, session, person)

    monkeypatch.setattr(importing._Import, "record", failing_record)
    data = b"".join(
        card(f"FN:Personne {n}", f"EMAIL:p{n}@example.fr", "ORG:Atelier") for n in range(9)
    )
    with TestClient(app, raise_server_exceptions=False, headers=alice.headers) as quiet:
        response = send(quiet, data)
    assert response.status_code == (500 if isinstance(failure, RuntimeError) else 422)
    assert calls["n"] == 7
    monkeypatch.undo()
    # The people of the committed batches are gone, and the person known before is untouched
    # (the file would have given her an e-mail address and a company).
    [person] = everyone(alice)
    assert (person["full_name"], person["email"], person["company"]) == ("Personne 0", None, None)
