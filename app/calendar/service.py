"""The private calendar feed: its secret URL, and the file built from what features put in it.

The feed's token: the URL must be found from the token (so the table keeps its SHA-256, unique),
yet the owner must be able to see the URL again at any time (the API's `GET /api/v1/calendar`
answers it; the settings page shows it). Storing the token itself, even encrypted, would put a
usable secret in the database. So the token is derived: HMAC-SHA256(app secret, user id + salt),
256 bits, and the table holds only the random salt and the token's hash. A database leak alone
gives no URL; the owner's URL is recomputed on demand; rotating draws a new salt, so the old
token's hash is gone and its URL answers 404 at once. If the app's secret changes, every URL
changes too: the next `GET /api/v1/calendar` stores the new hash (the old URLs stop working).
"""

import base64
import gzip
import hashlib
import hmac
import secrets
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from threading import Lock
from typing import Protocol

import icalendar
from sqlalchemy import delete as sa_delete
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.calendar.ical import FeedItem, build_calendar, etag, item_digest, vevent_bytes
from app.calendar.models import CalendarFeed, CalendarItemCache
from app.db import utcnow
from app.errors import NotFound
from app.security import token_digest
from app.web.i18n import gettext, use_locale

TOKEN_CONTEXT = b"givefirst-calendar-feed\x00"


def derive_token(*, secret: str, user_id: uuid.UUID, salt: str) -> str:
    """The feed's URL token: 256 bits derived from the app secret, the user and the salt."""
    mac = hmac.new(secret.encode(), TOKEN_CONTEXT + user_id.bytes + salt.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def get_feed(session: Session, *, user: User) -> CalendarFeed | None:
    """The user's feed settings, if the feed was ever turned on."""
    return session.get(CalendarFeed, user.id)


def ensure_feed(session: Session, *, user: User, secret: str) -> tuple[CalendarFeed, str]:
    """The user's feed and its token, creating the feed on first use."""
    feed = get_feed(session, user=user)
    if feed is None:
        salt = secrets.token_hex(16)
        token = derive_token(secret=secret, user_id=user.id, salt=salt)
        feed = CalendarFeed(user_id=user.id, salt=salt, token_hash=token_digest(token))
        session.add(feed)
        session.flush()
        return feed, token
    token = derive_token(secret=secret, user_id=user.id, salt=feed.salt)
    if feed.token_hash != token_digest(token):
        # The app's secret changed since: the URL is the newly derived one.
        feed.token_hash = token_digest(token)
        feed.updated_at = utcnow()
        session.add(feed)
    return feed, token


def rotate_feed(session: Session, *, user: User, secret: str) -> str:
    """A new token for the user's feed; the old URL answers 404 from now on."""
    feed, _old = ensure_feed(session, user=user, secret=secret)
    feed.salt = secrets.token_hex(16)
    token = derive_token(secret=secret, user_id=user.id, salt=feed.salt)
    feed.token_hash = token_digest(token)
    feed.updated_at = utcnow()
    session.add(feed)
    session.flush()
    return token


def set_preferences(
    session: Session,
    *,
    user: User,
    secret: str,
    include_gives: bool | None = None,
    include_notes: bool | None = None,
    name_people: bool | None = None,
    digest: bool | None = None,
) -> CalendarFeed:
    """Choose what the feed holds and whether the morning digest is sent."""
    feed, _token = ensure_feed(session, user=user, secret=secret)
    if include_gives is not None:
        feed.include_gives = include_gives
    if include_notes is not None:
        feed.include_notes = include_notes
    if name_people is not None:
        feed.name_people = name_people
    if digest is not None:
        feed.digest = digest
    feed.updated_at = utcnow()
    session.add(feed)
    return feed


def feed_by_token(session: Session, *, token: str) -> tuple[CalendarFeed, User]:
    """The feed a URL token opens, and its owner; 404 for anything else."""
    if not token or len(token) > 100:
        raise NotFound()
    feed = session.exec(
        select(CalendarFeed).where(CalendarFeed.token_hash == token_digest(token))
    ).first()
    user = session.get(User, feed.user_id) if feed is not None else None
    if feed is None or user is None:
        raise NotFound()
    return feed, user


def feed_path(token: str) -> str:
    """The feed's path on this server."""
    return f"/calendar/{token}.ics"


class ItemSource(Protocol):
    """The items a feature puts in every feed (events, gives)."""

    def __call__(self, session: Session, user: User, feed: CalendarFeed) -> Iterable[FeedItem]: ...


class VersionSource(Protocol):
    """A cheap token of a feature's items (one aggregate query, nothing loaded): it changes
    whenever what the matching `ItemSource` returns may have changed."""

    def __call__(self, session: Session, user: User, feed: CalendarFeed) -> str: ...


@dataclass(frozen=True)
class FeedSource:
    """What a feature puts in every feed, and its version: wired in `app.wiring`."""

    items: ItemSource
    version: VersionSource


def feed_name(user: User) -> str:
    """The calendar's name in the user's calendar app, in their language."""
    with use_locale(user.locale):
        return gettext("Givefirst – %(name)s") % {"name": user.display_name or user.email}


# Bump when what the feed writes for the same inputs changes (a new property, another layout):
# stored versions then no longer match, and every feed is built again once.
FEED_FORMAT = "1"
GZIP_LEVEL = 6
BUILT_CACHE_BYTES = 64 * 1024 * 1024


def feed_version(
    session: Session, *, feed: CalendarFeed, user: User, sources: Sequence[FeedSource]
) -> str:
    """A digest of everything the feed's file is made from, without building it.

    Its parts: the file's format (and the icalendar writing it), what comes from the owner (the
    calendar's name; the zone of all-day items), the feed's settings, and each source's version.
    It is read before any item, so a build may be newer than its version, never older.
    """
    parts = [
        FEED_FORMAT,
        icalendar.__version__,
        feed_name(user),
        user.timezone,
        user.locale,
        f"gives={feed.include_gives},notes={feed.include_notes},names={feed.name_people}",
        *(source.version(session, user, feed) for source in sources),
    ]
    return hashlib.blake2b("\x00".join(parts).encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: datetime


def known_validators(*, feed: CalendarFeed, version: str) -> Validators | None:
    """The validators of the feed's last answer, when its inputs have not changed since."""
    if not feed.content_etag or feed.content_version != version:
        return None
    return Validators(etag=feed.content_etag, last_modified=feed.content_changed_at)


@dataclass(frozen=True)
class FeedFile:
    body: bytes
    gzipped: bytes
    etag: str
    last_modified: datetime


@dataclass(frozen=True)
class _Built:
    version: str
    etag: str
    body: bytes
    gzipped: bytes


# The last file built for each user, in this process: the database stays the truth (an entry
# serves only the version it was built from), so any process may hold one or none. Bounded by
# its bytes, the least recently served going first.
_built: OrderedDict[uuid.UUID, _Built] = OrderedDict()
_built_bytes = 0
_built_lock = Lock()


def _remember(user_id: uuid.UUID, built: _Built) -> None:
    global _built_bytes
    size = len(built.body) + len(built.gzipped)
    with _built_lock:
        old = _built.pop(user_id, None)
        if old is not None:
            _built_bytes -= len(old.body) + len(old.gzipped)
        if size > BUILT_CACHE_BYTES:
            return
        _built[user_id] = built
        _built_bytes += size
        while _built_bytes > BUILT_CACHE_BYTES:
            _gone, evicted = _built.popitem(last=False)
            _built_bytes -= len(evicted.body) + len(evicted.gzipped)


def _recall(user_id: uuid.UUID, version: str) -> _Built | None:
    with _built_lock:
        found = _built.get(user_id)
        if found is None or found.version != version:
            return None
        _built.move_to_end(user_id)
        return found


def forget_built_feeds() -> None:
    """Forget the files this process built (for tests and benchmarks of a new process)."""
    global _built_bytes
    with _built_lock:
        _built.clear()
        _built_bytes = 0


def _record(session: Session, feed: CalendarFeed, *, etag: str, version: str) -> None:
    """Store what the feed answers now; Last-Modified moves only when the content does."""
    if etag == feed.content_etag and version == feed.content_version:
        return
    if etag != feed.content_etag:
        feed.content_etag = etag
        feed.content_changed_at = utcnow().replace(microsecond=0)
    feed.content_version = version
    session.add(feed)


def feed_file(
    session: Session,
    *,
    feed: CalendarFeed,
    user: User,
    sources: Sequence[FeedSource],
    version: str,
) -> FeedFile:
    """The feed's file for this version of its inputs: the one this process built, else built."""
    found = _recall(user.id, version)
    if found is None:
        return render_feed(session, feed=feed, user=user, sources=sources, version=version)
    _record(session, feed, etag=found.etag, version=version)
    return FeedFile(
        body=found.body,
        gzipped=found.gzipped,
        etag=found.etag,
        last_modified=feed.content_changed_at,
    )


def render_feed(
    session: Session,
    *,
    feed: CalendarFeed,
    user: User,
    sources: Sequence[FeedSource],
    version: str,
) -> FeedFile:
    """The feed's file, built, with validators that change only when its content does.

    Items already written by any app process are read back from `calendar_item_cache` (checked
    by digest); new or changed ones are written by icalendar and stored for the next build. The
    file and its gzip form are kept in this process for the next request of the same version.
    """
    items = [item for source in sources for item in source.items(session, user, feed)]
    rows = session.execute(
        sa_select(
            col(CalendarItemCache.uid), col(CalendarItemCache.digest), col(CalendarItemCache.ics)
        ).where(col(CalendarItemCache.owner_id) == user.id)
    )
    cached: dict[str, tuple[str, bytes]] = {uid: (digest, ics) for uid, digest, ics in rows}
    fresh: dict[str, tuple[str, bytes]] = {}

    def serialize(item: FeedItem) -> bytes:
        digest = item_digest(item)
        found = cached.get(item.uid)
        if found is not None and found[0] == digest:
            return found[1]
        data = vevent_bytes(item)
        fresh[item.uid] = (digest, data)
        return data

    body = build_calendar(name=feed_name(user), items=items, serialize=serialize)
    _store_items(session, user=user, fresh=fresh, gone=cached.keys() - {i.uid for i in items})
    tag = etag(body)
    # mtime=0: the same body always compresses to the same bytes.
    gzipped = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
    _remember(user.id, _Built(version=version, etag=tag, body=body, gzipped=gzipped))
    _record(session, feed, etag=tag, version=version)
    return FeedFile(body=body, gzipped=gzipped, etag=tag, last_modified=feed.content_changed_at)


def _store_items(
    session: Session, *, user: User, fresh: dict[str, tuple[str, bytes]], gone: Iterable[str]
) -> None:
    """Keep what was just written for the next build; forget items that left the feed. Two
    processes building one feed at once write the same bytes: the upsert makes that harmless."""
    rows = [
        {"owner_id": user.id, "uid": uid, "digest": d, "ics": b} for uid, (d, b) in fresh.items()
    ]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for start in range(0, len(rows), 500):
        statement = insert(CalendarItemCache).values(rows[start : start + 500])
        statement = statement.on_conflict_do_update(
            index_elements=["owner_id", "uid"],
            set_={"digest": statement.excluded.digest, "ics": statement.excluded.ics},
        )
        session.execute(statement)
    gone = list(gone)
    for start in range(0, len(gone), 500):
        session.execute(
            sa_delete(CalendarItemCache).where(
                col(CalendarItemCache.owner_id) == user.id,
                col(CalendarItemCache.uid).in_(gone[start : start + 500]),
            )
        )


def safe_filename(name: str) -> str:
    """A file name made of the event's name, safe in a Content-Disposition header."""
    kept = "".join(
        char if char.isascii() and (char.isalnum() or char in "-_") else "-" for char in name
    )
    kept = "-".join(part for part in kept.split("-") if part)[:60]
    return f"{kept or 'event'}.ics"
