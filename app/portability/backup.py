"""Backing up a running instance on SQLite: the database through SQLite's online backup API (a
consistent copy while others write, never a file copy), the secret key, and any files.

The backup is a .tar.gz holding `givefirst.db`, `secret_key` and `files/` (whatever else the
data directory holds besides the database and its journals). Restoring: unpack it into an
empty data directory (`tar -xzf backup.tar.gz -C data`, then move `files/*` up if any) and
start Givefirst on it. On PostgreSQL use `pg_dump` (see the README)."""

import sqlite3
import tarfile
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from app.config import Settings

DB_NAME = "givefirst.db"
SECRET_NAME = "secret_key"  # noqa: S105 - a file name
SKIPPED = {DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", SECRET_NAME}


class BackupError(Exception):
    """A backup that cannot be made here (PostgreSQL, no database yet)."""


def sqlite_path(settings: Settings) -> Path:
    url = make_url(settings.sqlalchemy_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError(
            "givefirst backup copies a SQLite database; on PostgreSQL use pg_dump (see README)"
        )
    path = Path(url.database)
    if not path.exists():
        raise BackupError(f"no database at {path}")
    return path


def copy_database(source: Path, target: Path, *, pages: int = 1024) -> None:
    """A consistent copy of a database that others may be writing to at the same time."""
    with sqlite3.connect(source, timeout=30) as live, sqlite3.connect(target) as copy:
        live.backup(copy, pages=pages)
    copy.close()
    live.close()


def backup(settings: Settings, target: Path, *, pages: int = 1024) -> dict[str, int]:
    """Write the backup to `target` (.tar.gz); answers what it holds."""
    database = sqlite_path(settings)
    secret = settings.secret
    with tempfile.TemporaryDirectory(prefix="givefirst-backup-") as work:
        copy = Path(work) / DB_NAME
        copy_database(database, copy, pages=pages)
        key = Path(work) / SECRET_NAME
        key.write_text(secret)
        key.chmod(0o600)
        files = 0
        partial = target.with_name(f".{target.name}.partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(copy, arcname=DB_NAME)
            archive.add(key, arcname=SECRET_NAME)
            data_dir = database.parent
            for path in sorted(data_dir.rglob("*")):
                relative = path.relative_to(data_dir)
                if not path.is_file() or relative.parts[0] in SKIPPED:
                    continue
                if path.resolve() == target.resolve() or path.name.startswith("."):
                    continue
                archive.add(path, arcname=str(Path("files") / relative))
                files += 1
        partial.chmod(0o600)
        partial.replace(target)
    return {"database_bytes": copy_size(target), "files": files}


def copy_size(target: Path) -> int:
    with tarfile.open(target, "r:gz") as archive:
        return archive.getmember(DB_NAME).size


def restore_backup(source: Path, data_dir: Path) -> None:
    """Unpack a backup into an empty data directory (for tests and the README's steps)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source, "r:gz") as archive:
        for member in archive.getmembers():
            name = member.name
            if not member.isfile() or name.startswith("/") or ".." in Path(name).parts:
                raise BackupError(f"unsafe member {name!r}")
            target = data_dir / (name.removeprefix("files/") if name.startswith("files/") else name)
            target.parent.mkdir(parents=True, exist_ok=True)
            extracted = archive.extractfile(member)
            assert extracted is not None
            target.write_bytes(extracted.read())
