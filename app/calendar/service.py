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
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

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
    digest: bool | None = None,
) -> CalendarFeed:
    """Choose what the feed holds and whether the morning digest is sent."""
    feed, _token = ensure_feed(session, user=user, secret=secret)
    if include_gives is not None:
        feed.include_gives = include_gives
    if include_notes is not None:
        feed.include_notes = include_notes
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
    """What a feature puts in every feed (events, gives): wired in `app.wiring`."""

    def __call__(self, session: Session, user: User, feed: CalendarFeed) -> Iterable[FeedItem]: ...


def feed_name(user: User) -> str:
    """The calendar's name in the user's calendar app, in their language."""
    with use_locale(user.locale):
        return gettext("Givefirst – %(name)s") % {"name": user.display_name or user.email}


@dataclass
class FeedFile:
    body: bytes
    etag: str
    last_modified: datetime


def render_feed(
    session: Session, *, feed: CalendarFeed, user: User, sources: Sequence[ItemSource]
) -> FeedFile:
    """The feed's file, with validators that change only when its content does.

    Items already written by any app process are read back from `calendar_item_cache` (checked
    by digest); new or changed ones are written by icalendar and stored for the next build.
    """
    items = [item for source in sources for item in source(session, user, feed)]
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
    if tag != feed.content_etag:
        feed.content_etag = tag
        feed.content_changed_at = utcnow().replace(microsecond=0)
        session.add(feed)
    return FeedFile(body=body, etag=tag, last_modified=feed.content_changed_at)


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
