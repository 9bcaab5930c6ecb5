"""Owning one's data: export everything, restore or merge an archive, delete an account, erase
a person. Every table of a user's data is found from the metadata (`tables`), so that a new
feature's table is exported, restored and deleted without being listed here."""

import base64
import json
import secrets
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Engine,
    Table,
    TypeDecorator,
    UniqueConstraint,
    delete,
    func,
    select,
    update,
)  # fmt: skip
from sqlmodel import Session, col

from app.accounts.models import LoginFailure, User
from app.calendar import service as calendar
from app.calendar.ical import build_calendar
from app.calendar.models import CalendarFeed
from app.contacts import exchange, suppression
from app.contacts import service as contacts
from app.contacts.models import Contact, ContactTerm
from app.db import metadata, utcnow
from app.errors import Conflict, Invalid
from app.portability import tables
from app.portability.archive import FORMAT_NAME, FORMAT_VERSION, ArchiveRefused, Extracted, Writer
from app.portability.tables import Owned
from app.security import token_digest, verify_password
from app.web.i18n import lazy_gettext

APP_VERSION = "0.1.0"
LOCALES = {"fr", "en"}
ACCOUNT_KIND = "account"
BATCH = 1000
ACCOUNT_FIELDS = ("id", "email", "display_name", "locale", "timezone", "created_at", "updated_at")
# Binary columns written as archive members rather than inside their record.
FILE_COLUMNS = {"contact_photo": ("data", "photos")}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}
# Settings rows every account may have already: a restore into it still counts as "empty".
SETTINGS_KINDS = {"network_profile", "calendar_feed"}


@dataclass
class Progress:
    """Where an export stands: `state` is waiting, building, ready or failed."""

    state: str = "waiting"
    kind: str = ""
    done: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        return min(100, (100 * self.done) // self.total) if self.total else 0


# ---------------------------------------------------------------- values in and out


def encode(value: Any) -> Any:
    """A column's value as JSON."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def _python_type(column: Column[Any]) -> type | None:
    column_type = column.type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(column_type, JSON):
        return None
    try:
        kind: type = column_type.python_type
    except NotImplementedError:
        return None
    return kind


def decode(column: Column[Any], value: Any) -> Any:
    """A JSON value back as the column's value, or `ArchiveRefused("malformed")`."""
    if value is None:
        if not column.nullable and not column.primary_key:
            raise ArchiveRefused("malformed")
        return None
    kind = _python_type(column)
    try:
        if kind is None:
            return value
        if kind is uuid.UUID:
            return uuid.UUID(str(value))
        if kind is datetime:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                raise ValueError("naive")
            return moment
        if kind is date:
            return date.fromisoformat(value)
        if kind is bytes:
            return base64.b64decode(value, validate=True)
        if kind is bool:
            if not isinstance(value, bool):
                raise ValueError("bool")
            return value
        if kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError("int")
            return value
        if kind is str:
            length = getattr(column.type, "length", None)
            if not isinstance(value, str) or (length is not None and len(value) > length):
                raise ValueError("str")
            return value
        return value
    except (ValueError, TypeError):
        raise ArchiveRefused("malformed") from None


# ---------------------------------------------------------------- export


def _count(connection: Connection, owned: Owned, user_id: uuid.UUID) -> int:
    return int(
        connection.execute(
            select(func.count()).select_from(owned.table).where(owned.where(user_id))
        ).scalar_one()
    )


def _rows(connection: Connection, owned: Owned, user_id: uuid.UUID) -> Iterator[Any]:
    columns = tables.exported_columns(owned.table)
    query = (
        select(*columns)
        .where(owned.where(user_id))
        .order_by(*owned.table.primary_key.columns)
        .execution_options(yield_per=BATCH)
    )
    yield from connection.execute(query)


def _records(
    writer: Writer,
    connection: Connection,
    owned: Owned,
    user_id: uuid.UUID,
    progress: Progress,
    report: Callable[[Progress], None],
) -> Iterator[dict[str, Any]]:
    file_column, folder = FILE_COLUMNS.get(owned.name, (None, ""))
    for row in _rows(connection, owned, user_id):
        record = {key: encode(value) for key, value in row._mapping.items()}
        if file_column is not None:
            data = bytes(row._mapping[file_column])
            pk = "-".join(str(row._mapping[c.name]) for c in owned.table.primary_key.columns)
            kind = str(row._mapping.get("content_type", ""))
            name = f"{folder}/{pk}.{EXTENSIONS.get(kind, 'bin')}"
            writer.blob(name, data)
            record[file_column] = name
        progress.done += 1
        if progress.done % BATCH == 0:
            report(progress)
        yield record


def _readable_copies(
    writer: Writer, session: Session, user: User, sources: Sequence[calendar.FeedSource]
) -> None:
    rows = contacts.export_rows(session, owner=user)
    writer.chunks("people.vcf", (card.encode() for card in exchange.vcards(rows, version="4.0")))
    writer.chunks(
        "people.csv",
        iter(
            [
                exchange.csv_text(
                    contacts.export_rows(session, owner=user, with_photos=False)
                ).encode()
            ]
        ),
    )
    feed = calendar.get_feed(session, user=user) or CalendarFeed(
        user_id=user.id,
        token_hash="",
        salt="",
        include_gives=True,
        include_notes=True,
        name_people=True,
    )
    items = [item for source in sources for item in source.items(session, user, feed)]
    writer.blob(
        "calendar.ics", build_calendar(name=calendar.feed_name(user), items=items, feed=False)
    )


def _snapshot(engine: Engine) -> Connection:
    """A connection whose reads all see one moment (a repeatable read on PostgreSQL; one read
    transaction in WAL mode on SQLite), without ever blocking writers."""
    connection = engine.connect()
    if engine.dialect.name == "postgresql":
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
    return connection


def build_export(
    engine: Engine,
    *,
    user_id: uuid.UUID,
    path: Path,
    sources: Sequence[calendar.FeedSource],
    progress: Progress | None = None,
    report: Callable[[Progress], None] = lambda _progress: None,
) -> dict[str, Any]:
    """Write the user's archive to `path`, reading in batches from one consistent snapshot that
    ends before the file is sent anywhere. Answers the manifest."""
    progress = progress or Progress()
    progress.state = "building"
    writer = Writer(path)
    counts: dict[str, int] = {}
    try:
        with _snapshot(engine) as connection, connection.begin():
            owned_list = tables.exported_tables()
            progress.total = sum(_count(connection, owned, user_id) for owned in owned_list) + 1
            report(progress)
            account = connection.execute(
                select(*(User.__table__.c[name] for name in ACCOUNT_FIELDS)).where(  # type: ignore[attr-defined]
                    User.__table__.c.id == user_id  # type: ignore[attr-defined]
                )
            ).one()
            counts[ACCOUNT_KIND] = writer.lines(
                f"{ACCOUNT_KIND}.jsonl",
                iter([{key: encode(value) for key, value in account._mapping.items()}]),
            )
            progress.done += 1
            for owned in owned_list:
                progress.kind = owned.name
                found = _records(writer, connection, owned, user_id, progress, report)
                if owned.name in FILE_COLUMNS:
                    # Members are written one at a time: the files first, then their records
                    # (small: the bytes are in the files).
                    found = iter(list(found))
                counts[owned.name] = writer.lines(f"{owned.name}.jsonl", found)
            with Session(bind=connection) as session:
                user = session.get(User, user_id)
                assert user is not None
                _readable_copies(writer, session, user, sources)
        manifest = {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "app_version": APP_VERSION,
            "exported_at": utcnow().astimezone(UTC).isoformat(),
            "counts": counts,
        }
        manifest = writer.close(manifest)
    except BaseException:
        progress.state = "failed"
        report(progress)
        raise
    progress.state = "ready"
    report(progress)
    return manifest


# ---------------------------------------------------------------- restore and merge


@dataclass
class KindCounts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    conflicts: int = 0


@dataclass
class RestoreReport:
    mode: str
    dry_run: bool
    counts: dict[str, KindCounts] = field(default_factory=dict)
    conflicts: list[dict[str, str]] = field(default_factory=list)
    upgraded_from: int | None = None
    ignored_kinds: list[str] = field(default_factory=list)

    def conflict(self, kind: str, key: Any, reason: str) -> None:
        self.counts.setdefault(kind, KindCounts()).conflicts += 1
        if len(self.conflicts) < 200:
            self.conflicts.append({"table": kind, "id": str(key), "reason": reason})


CONFLICT_OTHER_ACCOUNT = "this id belongs to another account on this instance"
CONFLICT_MISSING = "it refers to a record that is neither in the archive nor in this account"
CONFLICT_DOUBLE = "a different record here already has the same unique value"
CONFLICT_SAME_PERSON = "a different person here already has this e-mail address"

NOT_EMPTY = lazy_gettext(
    "This account already holds data: preview a merge instead, which never makes a double."
)
BAD_MODE = lazy_gettext("Choose restore or merge.")


def _key(table: Table, values: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(values[column.name] for column in table.primary_key.columns)


def _taken_by_another(
    session: Session,
    owned: Any,
    table: Table,
    uniques: list[tuple[str, ...]],
    values: dict[str, Any],
    user_id: uuid.UUID,
) -> bool:
    """Whether another account already holds one of this record's instance-wide unique values."""
    for names in uniques:
        if any(values[n] is None for n in names):
            continue
        match = [table.c[n] == values[n] for n in names]
        query = select(table.c[names[0]]).where(*match, ~owned.where(user_id)).limit(1)
        if session.execute(query).first() is not None:
            return True
    return False


def _unique_sets(table: Table) -> list[tuple[str, ...]]:
    sets = [
        tuple(column.name for column in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    ]
    sets += [(column.name,) for column in table.columns if column.unique]
    return sets


@dataclass
class _Plan:
    owned: Owned
    new: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)


def _existing(session: Session, owned: Owned, user_id: uuid.UUID) -> dict[tuple[Any, ...], Any]:
    columns = tables.exported_columns(owned.table)
    rows = session.execute(select(*columns).where(owned.where(user_id)))
    return {_key(owned.table, dict(row._mapping)): dict(row._mapping) for row in rows}


def _taken_elsewhere(session: Session, table: Table, keys: list[tuple[Any, ...]]) -> set[Any]:
    """The keys among these that some row of the table already has (any account)."""
    pk = list(table.primary_key.columns)
    if len(pk) != 1:
        return set()
    found: set[Any] = set()
    values = [key[0] for key in keys]
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        found |= {(value,) for value in session.scalars(select(pk[0]).where(pk[0].in_(chunk)))}
    return found


def _same(existing: dict[str, Any], values: dict[str, Any]) -> bool:
    def norm(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.astimezone(UTC)
        if isinstance(value, memoryview):
            return bytes(value)
        return value

    return all(norm(existing.get(name)) == norm(value) for name, value in values.items())


def _plan_kind(
    session: Session,
    extracted: Extracted,
    owned: Owned,
    user: User,
    known: dict[str, set[Any]],
    report: RestoreReport,
) -> _Plan:
    table = owned.table
    plan = _Plan(owned=owned)
    counts = report.counts.setdefault(owned.name, KindCounts())
    columns = {column.name: column for column in tables.exported_columns(table)}
    account_columns = tables.account_columns(table)
    file_column = FILE_COLUMNS.get(owned.name, (None, ""))[0]
    existing = _existing(session, owned, user.id)
    uniques = _unique_sets(table)
    unique_seen: dict[tuple[str, ...], dict[tuple[Any, ...], tuple[Any, ...]]] = {
        names: {
            tuple(row[n] for n in names): key
            for key, row in existing.items()
            if all(row.get(n) is not None for n in names)
        }
        for names in uniques
        if all(n in columns for n in names)
    }
    emails = (
        {str(row["email"]).casefold(): key for key, row in existing.items() if row.get("email")}
        if owned.name == "contact"
        else {}
    )
    # Values unique across the instance (a card's address), not only within this account.
    global_uniques = [
        names for names in uniques
        if all(n in columns for n in names) and not set(names) & set(account_columns)
        and not set(names) <= {c.name for c in table.primary_key.columns}
    ]  # fmt: skip
    candidates: list[dict[str, Any]] = []
    for record in extracted.records(owned.name):
        if set(record) - set(columns):
            raise ArchiveRefused("malformed")
        values: dict[str, Any] = {}
        for name, column in columns.items():
            if name in account_columns:
                values[name] = user.id
            elif name == file_column:
                values[name] = extracted.member(str(record.get(name, "")))
            else:
                values[name] = decode(column, record.get(name))
        candidates.append(values)
    fresh_keys = [_key(table, v) for v in candidates if _key(table, v) not in existing]
    elsewhere = _taken_elsewhere(session, table, fresh_keys)
    accepted: set[Any] = set(existing)
    for values in candidates:
        key = _key(table, values)
        label = key[0] if len(key) == 1 else "/".join(map(str, key))
        if key in elsewhere:
            report.conflict(owned.name, label, CONFLICT_OTHER_ACCOUNT)
            continue
        missing = False
        for name, column in columns.items():
            value = values[name]
            if value is None or name in account_columns:
                continue
            for foreign in column.foreign_keys:
                target = foreign.column.table.name
                if target in known and value not in known[target] and (value,) not in known[target]:
                    if column.nullable:
                        values[name] = None
                    else:
                        missing = True
        if missing:
            report.conflict(owned.name, label, CONFLICT_MISSING)
            continue
        if _taken_by_another(session, owned, table, global_uniques, values, user.id):
            report.conflict(owned.name, label, CONFLICT_DOUBLE)
            continue
        if key in existing:
            if _same(existing[key], values):
                counts.unchanged += 1
            else:
                counts.changed += 1
                plan.changed.append(values)
            accepted.add(key)
            continue
        doubled = False
        for names, seen in unique_seen.items():
            unique = tuple(values[n] for n in names)
            if all(v is not None for v in unique) and seen.get(unique, key) != key:
                doubled = True
        if doubled:
            report.conflict(owned.name, label, CONFLICT_DOUBLE)
            continue
        email = str(values.get("email") or "").casefold()
        if email and emails.get(email, key) != key:
            report.conflict(owned.name, label, CONFLICT_SAME_PERSON)
            continue
        for names, seen in unique_seen.items():
            unique = tuple(values[n] for n in names)
            if all(v is not None for v in unique):
                seen[unique] = key
        if email:
            emails[email] = key
        counts.new += 1
        plan.new.append(values)
        accepted.add(key)
    known[owned.name] = {k[0] if len(k) == 1 else k for k in accepted}
    return plan


def _filler(owned: Owned, user: User, secret: str) -> dict[str, Any]:
    """Values of columns an archive never carries, for a new row (this instance's own)."""
    if owned.name == "calendar_feed":
        salt = secrets.token_hex(16)
        token = calendar.derive_token(secret=secret, user_id=user.id, salt=salt)
        return {
            "salt": salt, "token_hash": token_digest(token), "content_etag": "",
            "content_version": "", "content_changed_at": utcnow(), "digest_failures": 0,
        }  # fmt: skip
    return {}


def _account_changes(extracted: Extracted, user: User, *, mode: str) -> dict[str, Any]:
    records = list(extracted.records(ACCOUNT_KIND))
    if len(records) > 1:
        raise ArchiveRefused("malformed")
    if not records:
        return {}
    changes: dict[str, Any] = {}
    names = ["display_name", "locale", "timezone"]
    if mode == "restore":
        # The account's own history comes back with it.
        names += ["created_at", "updated_at"]
    for name in names:
        value = records[0].get(name)
        column = User.__table__.c[name]  # type: ignore[attr-defined]
        if value is None:
            continue
        decoded = decode(column, value)
        if name == "locale" and decoded not in LOCALES:
            continue
        if name == "timezone" and decoded not in available_timezones():
            continue
        if decoded != getattr(user, name):
            changes[name] = decoded
    return changes


def _holds_data(session: Session, user: User) -> bool:
    for owned in tables.exported_tables():
        if owned.name in SETTINGS_KINDS:
            continue
        query = select(func.count()).select_from(owned.table).where(owned.where(user.id))
        if session.execute(query).scalar_one():
            return True
    return False


def _apply(
    session: Session, plan: _Plan, *, user: User, secret: str, known: dict[str, set[Any]]
) -> None:
    """Write a kind's plan. A column pointing into its own table (a person's "met through") is
    written once every row of the kind is there, and only when it points at one of them."""
    table = plan.owned.table
    fill = _filler(plan.owned, user, secret)
    own = [
        c.name for c in table.columns if any(key.column.table is table for key in c.foreign_keys)
    ]
    later: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for values in plan.new + plan.changed:
        pointers = {name: values[name] for name in own if values.get(name) is not None}
        if pointers:
            kept = {n: v for n, v in pointers.items() if v in known[plan.owned.name]}
            condition = {c.name: values[c.name] for c in table.primary_key.columns}
            later.append((condition, {n: kept.get(n) for n in pointers}))
    blank = dict.fromkeys(own)
    for start in range(0, len(plan.new), BATCH):
        session.execute(table.insert(), [fill | v | blank for v in plan.new[start : start + BATCH]])
    for values in plan.changed:
        match = [c == values[c.name] for c in table.primary_key.columns]
        session.execute(update(table).where(*match).values(**(values | blank)))
    for keys, pointers in later:
        where = [table.c[name] == value for name, value in keys.items()]
        session.execute(update(table).where(*where).values(**pointers))


def _rebuild_terms(
    session: Session, new: list[dict[str, Any]], changed: list[dict[str, Any]]
) -> None:
    """The search index of the people written, in batches (it is not in the archive)."""
    terms: Table = ContactTerm.__table__  # type: ignore[attr-defined]
    changed_ids = [values["id"] for values in changed]
    for start in range(0, len(changed_ids), 500):
        session.execute(
            delete(terms).where(terms.c.contact_id.in_(changed_ids[start : start + 500]))
        )
    rows: list[dict[str, Any]] = []
    for values in new + changed:
        person = Contact.model_construct(**values)
        rows += [
            {"owner_id": values["owner_id"], "term": term, "contact_id": values["id"]}
            for term in contacts.terms_for(person)
        ]
        if len(rows) >= 5000:
            session.execute(terms.insert(), rows)
            rows = []
    if rows:
        session.execute(terms.insert(), rows)


def restore(
    session: Session,
    *,
    user: User,
    extracted: Extracted,
    mode: str,
    dry_run: bool,
    secret: str,
) -> RestoreReport:
    """Restore (into an empty account) or merge an archive: records come back with their ids;
    a record already here is updated when it differs; nothing is ever doubled, and what cannot
    be taken is a conflict, reported and left out. With `dry_run` nothing is written."""
    if mode not in {"restore", "merge"}:
        raise Invalid(BAD_MODE, field="mode")
    if mode == "restore" and _holds_data(session, user):
        raise Conflict(NOT_EMPTY)
    report = RestoreReport(mode=mode, dry_run=dry_run, upgraded_from=extracted.upgraded_from)
    exported = {owned.name for owned in tables.exported_tables()}
    report.ignored_kinds = [k for k in extracted.kinds if k not in exported | {ACCOUNT_KIND}]
    account = _account_changes(extracted, user, mode=mode)
    report.counts[ACCOUNT_KIND] = KindCounts(changed=int(bool(account)), unchanged=int(not account))
    known: dict[str, set[Any]] = {}
    plans = [
        _plan_kind(session, extracted, owned, user, known, report)
        for owned in tables.exported_tables()
    ]
    if dry_run:
        return report
    for name, value in account.items():
        setattr(user, name, value)
    if account:
        session.add(user)
        session.flush()
    for plan in plans:
        _apply(session, plan, user=user, secret=secret, known=known)
    _rebuild_terms(session, [v for p in plans if p.owned.name == "contact" for v in p.new],
                   [v for p in plans if p.owned.name == "contact" for v in p.changed])  # fmt: skip
    session.flush()
    return report


# ---------------------------------------------------------------- delete and erase

WRONG_PASSWORD = lazy_gettext("This password is not right.")


def delete_account(session: Session, *, user: User) -> dict[str, int]:
    """Delete the account and every row of it in every table (children first): its people,
    photos, sessions, tokens and feeds; its calendar link stops answering at once."""
    removed: dict[str, int] = {}
    for owned in reversed(tables.owned_tables()):
        result = session.execute(delete(owned.table).where(owned.where(user.id)))
        removed[owned.name] = int(getattr(result, "rowcount", 0) or 0)
    session.execute(delete(LoginFailure).where(col(LoginFailure.key) == f"email:{user.email}"))  # type: ignore[arg-type]
    session.execute(delete(User).where(col(User.id) == user.id))  # type: ignore[arg-type]
    if user in session:
        session.expunge(user)
    calendar.forget_built_feeds()
    return removed


def delete_own_account(session: Session, *, user: User, password: str) -> dict[str, int]:
    """The user deletes their own account: only with their password."""
    if not password or not verify_password(password, user.password_hash):
        raise Invalid(WRONG_PASSWORD, field="password")
    return delete_account(session, user=user)


def _referencing(table_name: str) -> list[tuple[Table, Column[Any]]]:
    """Every (table, column) whose foreign key points at `table_name`."""
    found = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            if any(key.column.table.name == table_name for key in column.foreign_keys):
                found.append((table, column))
    return found


def erase_person(
    session: Session,
    *,
    owner: User,
    contact_id: uuid.UUID,
    secret: str,
    do_not_bring_back: bool = False,
) -> dict[str, int]:
    """Erase a person and everything derived from them: every row of any table that refers to
    them (meetings, interactions, gives to or about them, introductions, referrals, photo,
    search terms, a want-to-meet entry) and the cached calendar items of what was deleted. Other
    people they introduced stay, without them as "met through". With `do_not_bring_back`,
    keyed hashes of their e-mail and phone make later imports skip them."""
    contact = contacts.get_contact(session, owner=owner, contact_id=contact_id)
    if do_not_bring_back:
        suppression.remember(
            session, owner_id=owner.id, secret=secret, email=contact.email, phone=contact.phone
        )
    erased: dict[str, int] = {}
    contact_table: Table = Contact.__table__  # type: ignore[attr-defined]
    session.execute(
        update(contact_table)
        .where(contact_table.c.owner_id == owner.id, contact_table.c.met_through_id == contact.id)
        .values(met_through_id=None)
    )
    cached_uids: list[str] = []
    for table, column in reversed(_referencing("contact")):
        if table.name == "contact":
            continue
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and _python_type(pk[0]) is uuid.UUID:
            ids = session.scalars(select(pk[0]).where(column == contact.id)).all()
            cached_uids += [f"{table.name}-{value}@givefirst" for value in ids]
        result = session.execute(delete(table).where(column == contact.id))
        count = int(getattr(result, "rowcount", 0) or 0)
        if count:
            erased[table.name] = erased.get(table.name, 0) + count
    cache: Table = metadata.tables["calendar_item_cache"]
    for start in range(0, len(cached_uids), 500):
        session.execute(
            delete(cache).where(
                cache.c.owner_id == owner.id, cache.c.uid.in_(cached_uids[start : start + 500])
            )
        )
    session.delete(contact)
    session.flush()
    erased["contact"] = 1
    calendar.forget_built_feeds()
    return erased


def manifest_of(path: Path) -> dict[str, Any]:
    """The manifest of an archive written by `build_export` (for tests and reports)."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        loaded: dict[str, Any] = json.loads(archive.read("manifest.json"))
    return loaded
