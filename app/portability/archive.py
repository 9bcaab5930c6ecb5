"""The archive format: a ZIP with `manifest.json`, one `<kind>.jsonl` per kind of record,
`photos/`, and readable copies (`people.vcf`, `people.csv`, `calendar.ics`).

Format version 1 (`FORMAT_VERSION`):
- `manifest.json`: `format` ("givefirst-export"), `format_version`, `app_version`,
  `exported_at` (ISO 8601, UTC), `counts` (kind → records) and `files` (name → SHA-256 hex of
  every other member).
- `<kind>.jsonl`: one JSON object per line, a record with its columns by name. Ids are strings,
  instants ISO 8601 in UTC, days ISO dates; a photo's bytes are the member its `data` names.
Version 0 (before ids were kept apart from people) is upgraded on reading: see `_upgrade_0`.

Reading never trusts the file: every member's name, declared size and actual size (counted as
it is decompressed) are checked, and every hash, before anything is written anywhere but a
private temporary directory.
"""

import hashlib
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from babel.support import LazyProxy

from app.errors import Invalid
from app.web.i18n import lazy_gettext

FORMAT_NAME = "givefirst-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
READABLE = ("people.vcf", "people.csv", "calendar.ics")


@dataclass(frozen=True)
class Limits:
    """What an archive may hold at most (generous for 100,000 people with photos)."""

    members: int = 250_000
    member_bytes: int = 1_000_000_000
    total_bytes: int = 8_000_000_000
    # A member that inflates more than this many times (and past a megabyte) is a bomb.
    ratio: int = 200
    manifest_bytes: int = 10_000_000


REASONS: dict[str, LazyProxy] = {
    "broken": lazy_gettext("This file is not a readable ZIP archive (it may be incomplete)."),
    "foreign": lazy_gettext("This archive was not made by Givefirst."),
    "unknown_version": lazy_gettext(
        "This archive was made by a newer version of Givefirst. Update this instance first."
    ),
    "tampered": lazy_gettext(
        "This archive was changed after it was made (a file does not match its checksum)."
    ),
    "unsafe_name": lazy_gettext("This archive holds a file with an unsafe name."),
    "too_many_members": lazy_gettext("This archive holds too many files."),
    "oversized_member": lazy_gettext("A file in this archive is too large."),
    "zip_bomb": lazy_gettext("This archive inflates to far more than it declares or than allowed."),
    "malformed": lazy_gettext("A record of this archive cannot be read."),
}


class ArchiveRefused(Invalid):
    """An archive refused as a whole, before anything is written; `reason` says why."""

    code = "archive_refused"

    def __init__(self, reason: str) -> None:
        super().__init__(REASONS[reason], field="file")
        self.reason = reason
        self.code = f"archive_{reason}"


_KIND = re.compile(r"^[a-z][a-z0-9_]{0,62}\.jsonl$")
_PHOTO = re.compile(
    r"^photos/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[a-z]{3,4}$"
)


def _check_name(name: str) -> None:
    unsafe = (
        not name
        or name.startswith(("/", "\\"))
        or "\\" in name
        or "\x00" in name
        or ":" in name
        or any(part in {"", ".", ".."} for part in name.split("/"))
    )
    if unsafe:
        raise ArchiveRefused("unsafe_name")
    if name not in {MANIFEST, *READABLE} and not _KIND.match(name) and not _PHOTO.match(name):
        raise ArchiveRefused("foreign")


class _Hashing:
    """A writable file that hashes what goes through it."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.sha = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.sha.update(data)
        self.target.write(data)


class Writer:
    """Writes an archive member by member; `close` adds the manifest with every hash."""

    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        self.files: dict[str, str] = {}

    def lines(self, name: str, records: Iterator[dict[str, Any]]) -> int:
        """A JSON Lines member from the records; answers how many were written."""
        count = 0
        with self.zip.open(name, "w", force_zip64=True) as raw:
            out = _Hashing(raw)
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False, sort_keys=True).encode() + b"\n")
                count += 1
        self.files[name] = out.sha.hexdigest()
        return count

    def chunks(self, name: str, chunks: Iterator[bytes]) -> None:
        with self.zip.open(name, "w", force_zip64=True) as raw:
            out = _Hashing(raw)
            for chunk in chunks:
                out.write(chunk)
        self.files[name] = out.sha.hexdigest()

    def blob(self, name: str, data: bytes) -> None:
        """A member stored as is (photos are compressed already)."""
        info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        self.zip.writestr(info, data)
        self.files[name] = hashlib.sha256(data).hexdigest()

    def close(self, manifest: dict[str, Any]) -> dict[str, Any]:
        """Write the manifest, with every member's hash, and finish; answers the manifest."""
        manifest = manifest | {"files": dict(sorted(self.files.items()))}
        self.zip.writestr(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))
        self.zip.close()
        return manifest


@dataclass
class Extracted:
    """An archive checked and unpacked in a private directory, upgraded to this version."""

    directory: Path
    manifest: dict[str, Any]
    upgraded_from: int | None = None
    kinds: list[str] = field(default_factory=list)

    def records(self, kind: str) -> Iterator[dict[str, Any]]:
        path = self.directory / f"{kind}.jsonl"
        if not path.exists():
            return
        with path.open("rb") as lines:
            for line in lines:
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    raise ArchiveRefused("malformed") from None
                if not isinstance(record, dict):
                    raise ArchiveRefused("malformed")
                yield record

    def member(self, name: str) -> bytes:
        _check_name(name)
        path = self.directory / name
        if not path.is_file():
            raise ArchiveRefused("malformed")
        return path.read_bytes()

    def close(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> "Extracted":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _read_manifest(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> Any:
    with archive.open(info) as member:
        data = member.read(limits.manifest_bytes + 1)
    if len(data) > limits.manifest_bytes:
        raise ArchiveRefused("oversized_member")
    try:
        return json.loads(data)
    except ValueError:
        raise ArchiveRefused("foreign") from None


def _copy_counted(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, limits: Limits, budget: list[int]
) -> str:
    """Decompress a member to `target`, counting bytes as they come: more than declared, than a
    member may hold or than the archive may hold in all is a bomb. Answers its SHA-256."""
    sha = hashlib.sha256()
    written = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with archive.open(info) as member, target.open("wb") as out:
        while chunk := member.read(1 << 20):
            written += len(chunk)
            budget[0] += len(chunk)
            if written > info.file_size or budget[0] > limits.total_bytes:
                raise ArchiveRefused("zip_bomb")
            if written > limits.member_bytes:
                raise ArchiveRefused("oversized_member")
            sha.update(chunk)
            out.write(chunk)
    return sha.hexdigest()


def open_archive(path: Path, *, limits: Limits | None = None) -> Extracted:
    """Check and unpack an archive, or refuse it (`ArchiveRefused`) having written nothing
    outside its own temporary directory, which is removed."""
    limits = limits or Limits()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ArchiveRefused("broken") from None
    directory = Path(tempfile.mkdtemp(prefix="givefirst-import-"))
    try:
        with archive:
            extracted = _check_and_extract(archive, directory, limits)
    except ArchiveRefused:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        shutil.rmtree(directory, ignore_errors=True)
        raise ArchiveRefused("broken") from None
    return extracted


def _check_and_extract(archive: zipfile.ZipFile, directory: Path, limits: Limits) -> Extracted:
    infos = archive.infolist()
    if len(infos) > limits.members:
        raise ArchiveRefused("too_many_members")
    names: set[str] = set()
    declared = 0
    for info in infos:
        _check_name(info.filename)
        if info.filename in names or info.is_dir():
            raise ArchiveRefused("unsafe_name")
        names.add(info.filename)
        if info.file_size > limits.member_bytes:
            raise ArchiveRefused("oversized_member")
        declared += info.file_size
        if declared > limits.total_bytes:
            raise ArchiveRefused("zip_bomb")
        inflated = info.file_size > 1_000_000
        if inflated and info.file_size > limits.ratio * max(info.compress_size, 1):
            raise ArchiveRefused("zip_bomb")
    if MANIFEST not in names:
        raise ArchiveRefused("foreign")
    manifest = _read_manifest(archive, archive.getinfo(MANIFEST), limits)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise ArchiveRefused("foreign")
    version = manifest.get("format_version", manifest.get("version"))
    if not isinstance(version, int) or isinstance(version, bool) or version not in UPGRADES:
        raise ArchiveRefused("unknown_version" if isinstance(version, int) else "foreign")
    files = manifest.get("files")
    if not isinstance(files, dict) or set(files) != names - {MANIFEST}:
        raise ArchiveRefused("tampered")
    budget = [0]
    for info in infos:
        if info.filename == MANIFEST:
            continue
        digest = _copy_counted(archive, info, directory / info.filename, limits, budget)
        if files[info.filename] != digest:
            raise ArchiveRefused("tampered")
    extracted = Extracted(directory=directory, manifest=manifest)
    if version != FORMAT_VERSION:
        extracted.upgraded_from = version
        for step in range(version, FORMAT_VERSION):
            UPGRADES[step](extracted)
    extracted.kinds = sorted(path.name.removesuffix(".jsonl") for path in directory.glob("*.jsonl"))
    return extracted


def _upgrade_0(extracted: Extracted) -> None:
    """Version 0 kept people in `people.jsonl` with their name as `name`; version 1 names
    kinds after their tables (`contact.jsonl`) and fields after their columns (`full_name`)."""
    old = extracted.directory / "people.jsonl"
    if old.exists():
        with (extracted.directory / "contact.jsonl").open("w", encoding="utf-8") as out:
            for record in extracted.records("people"):
                if "name" in record:
                    record["full_name"] = record.pop("name")
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        old.unlink()
    counts = extracted.manifest.get("counts") or {}
    if isinstance(counts, dict) and "people" in counts:
        counts["contact"] = counts.pop("people")
    extracted.manifest["format_version"] = 1


# Each readable version, with the step that brings it to the next (the current one: none).
UPGRADES: dict[int, Any] = {0: _upgrade_0, 1: None}
