"""Broken, tampered, foreign and hostile archives are refused with their reason, and nothing is
written: one test per kind."""

import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.portability.archive import ArchiveRefused, Limits, open_archive
from tests.portability.helpers import export, fill_everything, rows_of


@pytest.fixture
def good(app: FastAPI, tmp_path: Path) -> Path:
    path = tmp_path / "good.zip"
    export(app, fill_everything(app, "ann@example.org"), path)
    return path


def _rewrite(source: Path, target: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    change(members)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target


def _with_hashes(members: dict[str, bytes]) -> None:
    manifest = json.loads(members["manifest.json"])
    manifest["files"] = {
        n: hashlib.sha256(d).hexdigest() for n, d in members.items() if n != "manifest.json"
    }
    members["manifest.json"] = json.dumps(manifest).encode()


def _refused_by_the_api(alice: TestClient, app: FastAPI, data: bytes, reason: str) -> None:
    before = rows_of(app, _alice_id(app))
    for mode in ("restore", "merge"):
        response = alice.post(
            "/api/v1/import/archive", files={"file": ("a.zip", data, "application/zip")},
            data={"mode": mode},
        )  # fmt: skip
        assert response.status_code == 422, response.text
        assert response.json()["error"] == f"archive_{reason}"
        assert response.json()["detail"]
    assert rows_of(app, _alice_id(app)) == before


def _alice_id(app: FastAPI):  # type: ignore[no-untyped-def]
    from sqlmodel import Session

    from app.accounts import service as accounts

    with Session(app.state.engine) as session:
        return accounts.user_by_email(session, email="alice@example.org").id


def test_a_broken_file_is_refused(app: FastAPI, alice: TestClient, good: Path) -> None:
    _refused_by_the_api(alice, app, good.read_bytes()[: good.stat().st_size // 2], "broken")
    _refused_by_the_api(alice, app, b"not a zip at all", "broken")


def test_a_tampered_archive_is_refused(
    app: FastAPI, alice: TestClient, good: Path, tmp_path: Path
) -> None:
    def change(members: dict[str, bytes]) -> None:
        changed = members["contact.jsonl"].replace(b'"full_name": "', b'"full_name": "X', 1)
        assert changed != members["contact.jsonl"]
        members["contact.jsonl"] = changed

    tampered = _rewrite(good, tmp_path / "t.zip", change)
    _refused_by_the_api(alice, app, tampered.read_bytes(), "tampered")

    def extra(members: dict[str, bytes]) -> None:
        members["event.jsonl"] += b"{}\n"
        members["referral.jsonl"] = b""

    _refused_by_the_api(
        alice, app, _rewrite(good, tmp_path / "u.zip", extra).read_bytes(), "tampered"
    )


def test_a_foreign_archive_is_refused(app: FastAPI, alice: TestClient, tmp_path: Path) -> None:
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("manifest.json", json.dumps({"format": "another-app", "version": 3}))
    _refused_by_the_api(alice, app, other.read_bytes(), "foreign")
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("contacts.xlsx", b"PK...")
    _refused_by_the_api(alice, app, other.read_bytes(), "foreign")


def test_an_unknown_format_version_is_refused(
    app: FastAPI, alice: TestClient, good: Path, tmp_path: Path
) -> None:
    def change(members: dict[str, bytes]) -> None:
        manifest = json.loads(members["manifest.json"])
        manifest["format_version"] = 99
        members["manifest.json"] = json.dumps(manifest).encode()

    newer = _rewrite(good, tmp_path / "n.zip", change)
    _refused_by_the_api(alice, app, newer.read_bytes(), "unknown_version")


@pytest.mark.parametrize(
    "name", ["../evil.jsonl", "/etc/passwd", "photos/../../x.jsonl", "a\\b.jsonl", "C:x.jsonl"]
)
def test_a_path_traversal_member_is_refused(
    app: FastAPI, alice: TestClient, good: Path, tmp_path: Path, name: str
) -> None:
    def change(members: dict[str, bytes]) -> None:
        members[name] = b"{}\n"
        _with_hashes(members)

    hostile = _rewrite(good, tmp_path / "h.zip", change)
    _refused_by_the_api(alice, app, hostile.read_bytes(), "unsafe_name")
    assert not (tmp_path / "evil.jsonl").exists() and not Path("/tmp/x.jsonl").exists()


def test_a_zip_bomb_is_refused(app: FastAPI, alice: TestClient, good: Path, tmp_path: Path) -> None:
    def change(members: dict[str, bytes]) -> None:
        members["interaction.jsonl"] = b"\n" * 50_000_000
        _with_hashes(members)

    bomb = _rewrite(good, tmp_path / "b.zip", change)
    assert bomb.stat().st_size < 1_000_000
    _refused_by_the_api(alice, app, bomb.read_bytes(), "zip_bomb")


def test_a_member_inflating_past_what_it_declares_is_refused(good: Path, tmp_path: Path) -> None:
    """The sizes in the ZIP's directory are lies a bomb may tell: bytes are counted as read."""
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo("contact.jsonl")
    # Patch the central directory's uncompressed size of contact.jsonl down to 10 bytes.
    start = 0
    while (start := data.find(b"PK\x01\x02", start)) >= 0:
        name_length = int.from_bytes(data[start + 28 : start + 30], "little")
        name = bytes(data[start + 46 : start + 46 + name_length])
        if name == b"contact.jsonl":
            assert int.from_bytes(data[start + 24 : start + 28], "little") in {
                info.file_size,
                0xFFFFFFFF,
            }
            data[start + 24 : start + 28] = (10).to_bytes(4, "little")
            break
        start += 4
    lying = tmp_path / "lying.zip"
    lying.write_bytes(bytes(data))
    with pytest.raises(ArchiveRefused) as refused:
        open_archive(lying)
    assert refused.value.reason in {"zip_bomb", "broken"}


def test_an_oversized_member_is_refused(good: Path) -> None:
    with pytest.raises(ArchiveRefused) as refused:
        open_archive(good, limits=Limits(member_bytes=1000))
    assert refused.value.reason == "oversized_member"


def test_too_many_members_are_refused(good: Path) -> None:
    with pytest.raises(ArchiveRefused) as refused:
        open_archive(good, limits=Limits(members=3))
    assert refused.value.reason == "too_many_members"


def test_a_malformed_record_is_refused_and_nothing_is_written(
    app: FastAPI, alice: TestClient, good: Path, tmp_path: Path
) -> None:
    def change(members: dict[str, bytes]) -> None:
        lines = members["contact.jsonl"].splitlines()
        record = json.loads(lines[-1])
        record["created_at"] = "yesterday"
        members["contact.jsonl"] = b"\n".join([*lines[:-1], json.dumps(record).encode()]) + b"\n"
        _with_hashes(members)

    _refused_by_the_api(
        alice, app, _rewrite(good, tmp_path / "x.zip", change).read_bytes(), "malformed"
    )
    assert alice.get("/api/v1/contacts").json()["items"] == []
