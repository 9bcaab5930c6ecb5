"""Importing events from a link, an uploaded file or a subscribed feed, with clear refusals."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.db import utcnow
from app.errors import Invalid, NotFound
from app.events import importing
from app.events import service as events
from app.events.importing import fetching
from app.events.importing.messages import FAILURES, SKIP_REASONS
from app.events.models import Event, EventFeed

CLAIM = timedelta(minutes=10)
REFRESH_EVERY = timedelta(hours=6)


class ImportRefused(Invalid):
    """A document or link that cannot be imported; nothing was changed."""

    code = "import_refused"

    def __init__(self, reason: str, *, field: str = "url") -> None:
        super().__init__(FAILURES.get(reason, FAILURES["broken"]), field=field)
        self.reason = reason


@dataclass
class Parsed:
    """What a document holds, ready for a preview or for saving."""

    result: importing.ImportResult
    source_url: str | None = None
    skipped: list[tuple[str, str]] = field(default_factory=list)


def parse(
    data: bytes,
    *,
    content_type: str | None,
    source_url: str | None,
    timezone: str,
    now: datetime | None = None,
) -> Parsed:
    """Parse a document (calendar or page) into events; ImportRefused when nothing can be taken."""
    try:
        result = importing.parse_document(
            data,
            content_type=content_type,
            base_url=source_url,
            default_timezone=timezone,
            now=now or utcnow(),
        )
    except importing.ImportFailed as failure:
        raise ImportRefused(failure.code, field="file" if source_url is None else "url") from None
    if not result.events:
        raise ImportRefused("no_events", field="file" if source_url is None else "url")
    skipped = [
        (item.what, str(SKIP_REASONS.get(item.reason, item.reason))) for item in result.skipped
    ]
    return Parsed(result=result, source_url=source_url, skipped=skipped)


def fetch(url: str, *, allow_private: bool, timezone: str) -> Parsed:
    """Fetch a link (an event page or a calendar feed) and parse it."""
    try:
        document = fetching.fetch_document(url.strip(), allow_private=allow_private)
    except fetching.FetchFailed as failure:
        raise ImportRefused(failure.code) from None
    return parse(
        document.content,
        content_type=document.content_type,
        source_url=document.final_url,
        timezone=timezone,
    )


def subscribe(session: Session, *, owner: User, url: str, name: str | None) -> EventFeed:
    """Keep a feed to refresh; subscribing twice to one link keeps one feed."""
    url = url.strip()
    feed = session.exec(
        select(EventFeed).where(EventFeed.owner_id == owner.id, EventFeed.url == url)
    ).first()
    if feed is None:
        feed = EventFeed(owner_id=owner.id, url=url[:2000], name=(name or "")[:200])
        session.add(feed)
        session.flush()
    return feed


def list_feeds(session: Session, *, owner: User) -> list[EventFeed]:
    """The owner's subscribed feeds."""
    return list(
        session.exec(
            select(EventFeed)
            .where(EventFeed.owner_id == owner.id)
            .order_by(col(EventFeed.created_at))
        )
    )


def unsubscribe(session: Session, *, owner: User, feed_id: uuid.UUID) -> None:
    """Stop refreshing a feed; its events stay."""
    feed = session.get(EventFeed, feed_id)
    if feed is None or feed.owner_id != owner.id:
        raise NotFound()
    session.delete(feed)


def apply_feed(
    session: Session, *, owner: User, feed: EventFeed, parsed: Parsed, now: datetime | None = None
) -> events.SaveSummary:
    """Save a feed's events; upcoming ones that left the feed show as cancelled (never deleted)."""
    now = now or utcnow()
    summary = events.save_imported(session, owner=owner, items=parsed.result.events, feed=feed)
    kept = {event.id for event in summary.events}
    gone = session.exec(
        select(Event).where(
            Event.owner_id == owner.id,
            Event.feed_id == feed.id,
            col(Event.cancelled).is_(False),
            or_(col(Event.ends_at) > now, col(Event.starts_at) > now),
        )
    )
    for event in gone:
        if event.id not in kept:
            event.cancelled = True
            event.sequence += 1
            event.updated_at = now
            session.add(event)
    feed.last_refreshed_at = now
    feed.last_error = None
    if parsed.result.calendar_name and not feed.name:
        feed.name = parsed.result.calendar_name[:200]
    session.add(feed)
    return summary


def due_feeds(
    session: Session, *, every: timedelta = REFRESH_EVERY, now: datetime | None = None
) -> list[uuid.UUID]:
    """Feeds not refreshed lately and not claimed by another host."""
    now = now or utcnow()
    query = select(EventFeed.id).where(
        or_(
            col(EventFeed.last_refreshed_at).is_(None),
            col(EventFeed.last_refreshed_at) < now - every,
        ),
        or_(col(EventFeed.claimed_until).is_(None), col(EventFeed.claimed_until) < now),
    )
    return list(session.exec(query))


def claim_feed(session: Session, *, feed_id: uuid.UUID, now: datetime | None = None) -> bool:
    """Claim a feed with a conditional update: of several hosts, exactly one wins it."""
    now = now or utcnow()
    table = EventFeed.__table__  # type: ignore[attr-defined]
    claimed = session.connection().execute(
        update(table)
        .where(
            table.c.id == feed_id, or_(table.c.claimed_until.is_(None), table.c.claimed_until < now)
        )
        .values(claimed_until=now + CLAIM)
    )
    return claimed.rowcount == 1


def refresh_feed(session: Session, *, feed_id: uuid.UUID, allow_private: bool) -> bool:
    """Fetch a claimed feed and apply it; a refusal is recorded on the feed (returns False)."""
    feed = session.get(EventFeed, feed_id)
    owner = session.get(User, feed.owner_id) if feed else None
    if feed is None or owner is None:
        return False
    try:
        parsed = fetch(feed.url, allow_private=allow_private, timezone=owner.timezone)
    except ImportRefused as refusal:
        feed.last_error = refusal.reason
        feed.last_refreshed_at = utcnow()
        feed.claimed_until = None
        session.add(feed)
        return False
    apply_feed(session, owner=owner, feed=feed, parsed=parsed)
    feed.claimed_until = None
    return True
