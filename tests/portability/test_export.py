"""The archive: one ZIP with a manifest, a JSON Lines file per kind, photos and readable copies;
every kind of a user's data is in it, found from the metadata."""

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.db import metadata
from app.portability import service, tables
from app.portability.archive import FORMAT_VERSION
from tests.portability.helpers import export, fill_everything, rows_of


def _owned_by_walking_the_metadata() -> set[str]:
    """Every table with a foreign key to the account, directly or through owned parents."""
    owned: set[str] = set()
    grew = True
    while grew:
        grew = False
        for table in metadata.sorted_tables:
            if table.name in owned or table.name == "user_account":
                continue
            targets = {key.column.table.name for c in table.columns for key in c.foreign_keys}
            if (
                "user_account" in targets
                or targets & owned
                and any(
                    not c.nullable and {k.column.table.name for k in c.foreign_keys} & owned
                    for c in table.columns
                )
            ):
                owned.add(table.name)
                grew = True
    return owned


def test_every_table_of_a_users_data_is_exported_or_left_out_with_a_reason(
    app: FastAPI, tmp_path: Path
) -> None:
    owned = _owned_by_walking_the_metadata()
    assert {o.name for o in tables.owned_tables()} == owned
    assert set(tables.NOT_EXPORTED) <= owned
    user_id = fill_everything(app, "ann@example.org")
    manifest = export(app, user_id, tmp_path / "a.zip")
    in_db = rows_of(app, user_id)
    for name in sorted(owned):
        if name in tables.NOT_EXPORTED:
            continue
        assert name in manifest["counts"], f"table {name} holds user data but is not exported"
        assert manifest["counts"][name] == in_db[name], name
    # The data the demo and the fixture make is there, each kind (a new table needs its data
    # here too, so that this test sees it exported).
    empty = [name for name in owned - set(tables.NOT_EXPORTED) if not manifest["counts"][name]]
    assert empty == [], f"no record of {empty} to check: fill them in fill_everything"


def test_the_archive_from_the_api_has_a_manifest_hashes_and_readable_copies(
    app: FastAPI, alice: TestClient
) -> None:
    fill_everything(app, "alice@example.org")
    response = alice.get("/api/v1/export")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "givefirst-export"
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["app_version"] == service.APP_VERSION
    assert manifest["exported_at"].endswith("+00:00")
    names = set(archive.namelist()) - {"manifest.json"}
    assert set(manifest["files"]) == names
    for name in names:
        assert hashlib.sha256(archive.read(name)).hexdigest() == manifest["files"][name]
    assert {"people.vcf", "people.csv", "calendar.ics", "contact.jsonl", "event.jsonl"} <= names
    photos = [name for name in names if name.startswith("photos/")]
    assert len(photos) == manifest["counts"]["contact_photo"] == 3
    assert all(archive.read(name).startswith(b"\xff\xd8") for name in photos)
    people = [json.loads(line) for line in archive.read("contact.jsonl").splitlines()]
    assert len(people) == manifest["counts"]["contact"]
    assert all("id" in person and "owner_id" in person for person in people)
    vcf = archive.read("people.vcf").decode()
    assert vcf.count("BEGIN:VCARD") == len(people)
    assert "VERSION:4.0" in vcf and "VERSION:3.0" not in vcf
    assert "PHOTO:data:image/jpeg;base64," in vcf
    rows = list(csv.DictReader(io.StringIO(archive.read("people.csv").decode("utf-8-sig"))))
    assert len(rows) == len(people)
    ics = archive.read("calendar.ics").decode()
    assert ics.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in ics
    account = json.loads(archive.read("account.jsonl"))
    assert account["email"] == "alice@example.org" and "password_hash" not in account
    feed = json.loads(archive.read("calendar_feed.jsonl"))
    assert "token_hash" not in feed and "salt" not in feed


def test_the_export_holds_only_the_users_own_records(
    app: FastAPI, alice: TestClient, bob: TestClient
) -> None:
    fill_everything(app, "bob@example.org")
    archive = zipfile.ZipFile(io.BytesIO(alice.get("/api/v1/export").content))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["counts"]["account"] == 1
    assert {kind: n for kind, n in manifest["counts"].items() if n and kind != "account"} == {}


def test_progress_is_reported_while_a_large_account_is_built(app: FastAPI, tmp_path: Path) -> None:
    user_id = fill_everything(app, "ann@example.org")
    seen: list[tuple[str, int, int]] = []
    progress = service.Progress()
    service.build_export(
        app.state.engine, user_id=user_id, path=tmp_path / "a.zip",
        sources=app.state.wiring.calendar_sources, progress=progress,
        report=lambda p: seen.append((p.state, p.done, p.total)),
    )  # fmt: skip
    assert seen[0][0] == "building" and seen[-1][0] == "ready"
    assert progress.done == progress.total and progress.percent == 100


def test_export_needs_a_signed_in_user(client: TestClient) -> None:
    assert client.get("/api/v1/export").status_code == 401


def test_the_vcard_4_copy_reads_back_as_the_same_people() -> None:
    from app.contacts.vcard import parse_vcards, person_to_vcard
    from tests.portability.helpers import jpeg

    card = person_to_vcard(
        full_name="Hélène d'Arc-Dupont", company="Studio; Nord, Sud", role="Directrice",
        email="helene@example.org", phone="+33 6 12 34 56 78", url="https://example.org/a,b",
        notes="Ligne 1\nLigne 2 avec \\ et ; et ,", tags=["salon", "client"], uid="abc-123",
        photo=jpeg(), version="4.0",
    )  # fmt: skip
    assert card.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\n")
    assert all(len(line.encode()) <= 75 for line in card.split("\r\n"))
    people, rejected = parse_vcards(card.encode())
    assert rejected == [] and len(people) == 1
    person = people[0]
    assert (person.full_name, person.company, person.role) == (
        "Hélène d'Arc-Dupont", "Studio; Nord, Sud", "Directrice",
    )  # fmt: skip
    assert (person.email, person.url) == ("helene@example.org", "https://example.org/a,b")
    assert person.notes == "Ligne 1\nLigne 2 avec \\ et ; et ,"
    assert person.tags == ["salon", "client"] and person.photo is not None
