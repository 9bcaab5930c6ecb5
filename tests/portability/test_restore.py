"""Restore and merge: everything comes back with its ids, a second export is the same, a merge
previews then never doubles; an archive of format version 0 is upgraded."""

import json
import shutil
import uuid
import zipfile
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts import service as accounts
from app.config import Settings
from app.main import create_app
from app.portability import service
from app.portability.archive import open_archive
from tests.helpers import PASSWORD, sign_in
from tests.portability.helpers import (
    add_person,
    comparable,
    export,
    fill_everything,
    records,
    rows_of,
)


def _restore(
    app: FastAPI, email: str, path: Path, *, mode: str = "restore", dry_run: bool = False
) -> service.RestoreReport:
    with (
        Session(app.state.engine, expire_on_commit=False) as session,
        open_archive(path) as extracted,
    ):
        user = accounts.user_by_email(session, email=email)
        report = service.restore(
            session, user=user, extracted=extracted, mode=mode, dry_run=dry_run,
            secret=app.state.settings.secret,
        )  # fmt: skip
        session.commit()
    return report


def _new_user(app: FastAPI, email: str) -> uuid.UUID:
    with Session(app.state.engine) as session:
        user = accounts.create_user(session, email=email, password=PASSWORD)
        session.commit()
        return user.id


def _delete(app: FastAPI, email: str) -> None:
    with Session(app.state.engine) as session:
        service.delete_account(session, user=accounts.user_by_email(session, email=email))
        session.commit()


def test_export_restore_export_gives_the_same_records_on_the_demo_account(
    app: FastAPI, tmp_path: Path
) -> None:
    user_id = fill_everything(app, "ann@example.org")
    first = tmp_path / "first.zip"
    before = export(app, user_id, first)
    _delete(app, "ann@example.org")
    new_id = _new_user(app, "ann.again@example.org")
    report = _restore(app, "ann.again@example.org", first)
    assert report.conflicts == []
    assert all(
        c.new == before["counts"][kind] for kind, c in report.counts.items() if kind != "account"
    )
    second = tmp_path / "second.zip"
    after = export(app, new_id, second)
    assert comparable(records(first)) == comparable(records(second))
    assert after["counts"] == before["counts"]
    photos = {name: sha for name, sha in before["files"].items() if name.startswith("photos/")}
    assert photos and all(after["files"][name] == sha for name, sha in photos.items())
    assert rows_of(app, new_id)["contact_term"] > 0  # the search index is rebuilt


def test_restore_into_a_new_instance_keeps_every_id(
    app: FastAPI, tmp_path: Path, sqlite_template: Path
) -> None:
    user_id = fill_everything(app, "ann@example.org")
    first = tmp_path / "first.zip"
    export(app, user_id, first)
    other_db = tmp_path / "other" / "givefirst.db"
    other_db.parent.mkdir()
    shutil.copy(sqlite_template, other_db)
    other = create_app(
        Settings(
            data_dir=other_db.parent,
            database_url=f"sqlite:///{other_db}",
            secret_key="another-secret-" + "y" * 40,
        )  # fmt: skip
    )
    try:
        new_id = _new_user(other, "ann@example.org")
        report = _restore(other, "ann@example.org", first)
        assert report.conflicts == []
        second = tmp_path / "second.zip"
        export(other, new_id, second)
        assert comparable(records(first)) == comparable(records(second))
        with TestClient(other) as client:
            assert sign_in(client, "ann@example.org").status_code == 303
            people = client.get("/api/v1/contacts?limit=200").json()["items"]
            assert len(people) == len(records(first)["contact"])
            found = client.get("/api/v1/contacts", params={"q": people[0]["full_name"]})
            assert people[0]["id"] in [p["id"] for p in found.json()["items"]]
    finally:
        other.state.engine.dispose()


def test_restore_into_an_account_with_data_is_refused_in_favour_of_a_merge(
    app: FastAPI, tmp_path: Path
) -> None:
    user_id = fill_everything(app, "ann@example.org")
    path = tmp_path / "a.zip"
    export(app, user_id, path)
    before = rows_of(app, user_id)
    with pytest.raises(service.Conflict):
        _restore(app, "ann@example.org", path)
    assert rows_of(app, user_id) == before


def test_a_merge_previews_what_is_new_changed_or_conflicting_then_never_doubles(
    app: FastAPI, tmp_path: Path, alice: TestClient
) -> None:
    user_id = fill_everything(app, "ann@example.org")
    path = tmp_path / "a.zip"
    export(app, user_id, path)
    # Since the export: one person renamed, one added; one in the archive is deleted here.
    archived = records(path)["contact"]
    people = [r["id"] for r in archived]
    # Deleted: someone nobody was met through (deleting an introducer changes the people they
    # introduced too, whose "met through" empties); renamed: anyone else.
    introducers = {r["met_through_id"] for r in archived}
    deleted = uuid.UUID(next(p for p in people if p not in introducers))
    renamed = uuid.UUID(next(p for p in people if p != str(deleted)))
    from app.contacts.models import Contact

    with Session(app.state.engine) as session:
        person = session.get(Contact, renamed)
        assert person is not None
        person.full_name = "Renamed Since"
        session.add(person)
        session.commit()
    add_person(app, user_id, full_name="Added Since")
    with Session(app.state.engine) as session:
        from app.contacts import service as contacts

        contacts.delete_contact(
            session,
            owner=accounts.user_by_email(session, email="ann@example.org"),
            contact_id=deleted,
        )
        session.commit()
    before = rows_of(app, user_id)
    preview = _restore(app, "ann@example.org", path, mode="merge", dry_run=True)
    assert rows_of(app, user_id) == before
    assert preview.counts["contact"].new == 1
    assert preview.counts["contact"].changed == 1
    assert preview.counts["contact"].unchanged == len(people) - 2
    merged = _restore(app, "ann@example.org", path, mode="merge")
    assert vars(merged.counts["contact"]) == vars(preview.counts["contact"])
    again = _restore(app, "ann@example.org", path, mode="merge", dry_run=True)
    assert again.counts["contact"].new == 0 and again.counts["contact"].changed == 0
    after = rows_of(app, user_id)
    assert after["contact"] == before["contact"] + 1
    with Session(app.state.engine) as session:
        person = session.get(Contact, renamed)
        assert person is not None and person.full_name != "Renamed Since"


def test_merging_someone_elses_archive_is_a_conflict_not_a_takeover(
    app: FastAPI, tmp_path: Path
) -> None:
    user_id = fill_everything(app, "ann@example.org")
    path = tmp_path / "a.zip"
    export(app, user_id, path)
    other = _new_user(app, "eve@example.org")
    add_person(app, other, full_name="Eve's own")
    report = _restore(app, "eve@example.org", path, mode="merge")
    assert report.counts["contact"].new == 0
    assert report.counts["contact"].conflicts == len(records(path)["contact"])
    assert {c["reason"] for c in report.conflicts} >= {service.CONFLICT_OTHER_ACCOUNT}
    assert rows_of(app, other)["contact"] == 1
    assert rows_of(app, user_id)["contact"] == len(records(path)["contact"])


def test_a_person_with_the_same_email_is_not_doubled_by_a_merge(
    app: FastAPI, tmp_path: Path
) -> None:
    source = _new_user(app, "ann@example.org")
    add_person(app, source, full_name="Léa Dupont", email="lea@example.org")
    path = tmp_path / "a.zip"
    export(app, source, path)
    target = _new_user(app, "bob2@example.org")
    add_person(app, target, full_name="Léa D.", email="LEA@example.org")
    _delete(app, "ann@example.org")
    report = _restore(app, "bob2@example.org", path, mode="merge")
    assert report.counts["contact"].new == 0 and report.counts["contact"].conflicts == 1
    assert report.conflicts[0]["reason"] == service.CONFLICT_SAME_PERSON
    assert rows_of(app, target)["contact"] == 1


def _version_0(path: Path) -> None:
    """A hand-made archive of format version 0: people in people.jsonl with their `name`."""
    person = {"id": str(uuid.uuid4()), "owner_id": str(uuid.uuid4()), "name": "Old Format",
              "tags": [], "sort_name": "old format", "recent_at": "2026-01-01T00:00:00+00:00",
              "created_at": "2026-01-01T00:00:00+00:00", "updated_at": "2026-01-01T00:00:00+00:00",
              "knows_what_i_do": False, "would_recommend": False}  # fmt: skip
    body = (json.dumps(person) + "\n").encode()
    import hashlib

    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("people.jsonl", body)
        archive.writestr("manifest.json", json.dumps({
            "format": "givefirst-export", "version": 0, "counts": {"people": 1},
            "files": {"people.jsonl": hashlib.sha256(body).hexdigest()},
        }))  # fmt: skip


def test_an_archive_of_format_version_0_is_upgraded(
    app: FastAPI, tmp_path: Path, alice: TestClient
) -> None:
    path = tmp_path / "v0.zip"
    _version_0(path)
    with path.open("rb") as handle:
        response = alice.post(
            "/api/v1/import/archive", files={"file": ("v0.zip", handle, "application/zip")}
        )
    assert response.status_code == 200, response.text
    assert response.json()["upgraded_from"] == 0
    assert response.json()["counts"]["contact"]["new"] == 1
    names = [p["full_name"] for p in alice.get("/api/v1/contacts?q=old").json()["items"]]
    assert names == ["Old Format"]


def test_the_api_previews_and_restores(app: FastAPI, tmp_path: Path, alice: TestClient) -> None:
    user_id = fill_everything(app, "ann@example.org")
    path = tmp_path / "a.zip"
    export(app, user_id, path)
    _delete(app, "ann@example.org")
    data = path.read_bytes()
    preview = alice.post("/api/v1/import/archive", files={"file": ("a.zip", data, "application/zip")},
                         data={"dry_run": "true"})  # fmt: skip
    assert preview.status_code == 200, preview.text
    assert preview.json()["dry_run"] is True
    assert alice.get("/api/v1/contacts").json()["items"] == []
    done = alice.post("/api/v1/import/archive", files={"file": ("a.zip", data, "application/zip")})
    assert done.status_code == 200
    assert len(alice.get("/api/v1/contacts?limit=200").json()["items"]) == len(
        records(path)["contact"]
    )
    twice = alice.post("/api/v1/import/archive", files={"file": ("a.zip", data, "application/zip")})
    assert twice.status_code == 409
    merged = alice.post("/api/v1/import/archive", files={"file": ("a.zip", data, "application/zip")},
                        data={"mode": "merge"})  # fmt: skip
    assert merged.status_code == 200
    assert all(c["new"] == 0 for c in merged.json()["counts"].values())
    assert alice.post("/api/v1/import/archive", files={"file": ("a.zip", data, "application/zip")},
                      data={"mode": "other"}).status_code == 422  # fmt: skip


def test_a_10000_person_account_round_trips_into_an_empty_account(
    app: FastAPI, tmp_path: Path
) -> None:
    from tests.portability.large import fill_large

    user_id = fill_large(app.state.engine, email="big@example.org", people=10_000, photos=1_000)
    first = tmp_path / "first.zip"
    before = export(app, user_id, first)
    assert before["counts"]["contact"] == 10_000
    assert before["counts"]["contact_photo"] == 1_000
    _delete(app, "big@example.org")
    new_id = _new_user(app, "big.again@example.org")
    report = _restore(app, "big.again@example.org", first)
    assert report.conflicts == []
    assert report.counts["contact"].new == 10_000
    second = tmp_path / "second.zip"
    after = export(app, new_id, second)
    assert after["counts"] == before["counts"]
    assert comparable(records(first)) == comparable(records(second))
    assert {n: h for n, h in after["files"].items() if n.startswith("photos/")} == {
        n: h for n, h in before["files"].items() if n.startswith("photos/")
    }
