"""Events in the calendar: feed items, one event's .ics and Google link, today's digest section."""

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_time
from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.calendar.digest import DigestLine, DigestSection
from app.calendar.ical import FeedItem, build_calendar
from app.calendar.models import CalendarFeed
from app.events import service as events
from app.events.models import Event, EventStatus
from app.events.places import location
from app.web.i18n import babel_locale, gettext

# Statuses whose events go into the feed; attended ones stay so the calendar keeps its history.
FEED_STATUSES = (EventStatus.going.value, EventStatus.interested.value, EventStatus.attended.value)


def event_item(event: Any, *, include_notes: bool = False) -> FeedItem:
    """An event (or a row of its `ITEM_COLUMNS`) as a calendar item, in its own zone."""
    description = (event.description or "").strip()
    if include_notes and (getattr(event, "notes", None) or "").strip():
        description = f"{description}\n\n{(event.notes or '').strip()}".strip()
    start: datetime | date
    end: datetime | date | None
    if event.all_day:
        zone = ZoneInfo(event.timezone)
        start = event.starts_at.astimezone(zone).date()
        end = event.ends_at.astimezone(zone).date() if event.ends_at is not None else None
    else:
        start, end = event.starts_at, event.ends_at
    return FeedItem(
        uid=f"event-{event.id}@givefirst",
        summary=event.name,
        start=start,
        end=end,
        timezone=event.timezone,
        modified=event.updated_at,
        created=event.created_at,
        sequence=event.sequence,
        location=location(event),
        description=description or None,
        url=event.url,
        cancelled=event.cancelled,
        tentative=getattr(event, "status", None) == EventStatus.interested.value,
    )


ITEM_COLUMNS = (
    "id", "name", "starts_at", "ends_at", "all_day", "timezone", "venue", "address", "city",
    "country", "url", "description", "cancelled", "sequence", "created_at", "updated_at", "status",
)  # fmt: skip


def event_items(session: Session, user: User, feed: CalendarFeed) -> Iterable[FeedItem]:
    """The events a feed holds: going, interested and attended ones."""
    # Plain rows, not ORM objects: loading 5,000 events as objects takes most of a feed's time.
    columns = [col(getattr(Event, name)) for name in ITEM_COLUMNS]
    if feed.include_notes:
        columns.append(col(Event.notes))
    query = (
        sa_select(*columns)
        .where(col(Event.owner_id) == user.id, col(Event.status).in_(FEED_STATUSES))
        .order_by(col(Event.starts_at), col(Event.id))
    )
    return [event_item(row, include_notes=feed.include_notes) for row in session.execute(query)]


def events_version(session: Session, user: User, feed: CalendarFeed) -> str:
    """A token of the feed's events: their count, last change and sum of sequences.

    Every edit moves `updated_at` and `sequence`, and an event entering or leaving the feed
    (created, deleted, status changed) moves the count or the last change."""
    query = sa_select(
        func.count(), func.max(col(Event.updated_at)), func.sum(col(Event.sequence))
    ).where(col(Event.owner_id) == user.id, col(Event.status).in_(FEED_STATUSES))
    count, changed, sequences = session.execute(query).one()
    return f"events:{count}:{changed}:{sequences}"


def event_file(session: Session, *, owner: User, event_id: uuid.UUID) -> tuple[Event, bytes]:
    """One event as an .ics file to add to any calendar."""
    event = events.get_event(session, owner=owner, event_id=event_id)
    body = build_calendar(name=event.name, items=[event_item(event)], feed=False)
    return event, body


def google_calendar_link(event: Event) -> str:
    """A link that opens Google Calendar's "new event" form filled with the event."""
    item = event_item(event)
    if isinstance(item.start, datetime):
        end = item.end if isinstance(item.end, datetime) else item.start
        dates = f"{item.start.astimezone(UTC):%Y%m%dT%H%M%SZ}/{end.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    else:
        last = item.end if item.end is not None else item.start + timedelta(days=1)
        dates = f"{item.start:%Y%m%d}/{last:%Y%m%d}"
    details = "\n\n".join(part for part in ((event.description or "").strip(), event.url) if part)
    query = {
        "action": "TEMPLATE",
        "text": event.name,
        "dates": dates,
        "details": details[:1500],
        "location": item.location or "",
        "ctz": event.timezone,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def today_events(session: Session, user: User, day: date, base_url: str) -> DigestSection | None:
    """The digest's section for the events of the day."""
    zone = ZoneInfo(user.timezone)
    start = datetime.combine(day, time(), zone)
    end = start + timedelta(days=1)
    query = (
        select(Event)
        .where(
            Event.owner_id == user.id,
            col(Event.status).in_(FEED_STATUSES),
            Event.status != EventStatus.attended.value,
            Event.starts_at < end,
            or_(col(Event.ends_at) > start, col(Event.starts_at) >= start),
        )
        .order_by(col(Event.starts_at))
    )
    lines = []
    locale = babel_locale(user.locale)
    for event in session.exec(query):
        if event.all_day:
            when = gettext("All day")
        else:
            when = format_time(event.starts_at, "short", tzinfo=zone, locale=locale)
        detail = " · ".join(part for part in (when, location(event) or "") if part)
        if event.cancelled:
            detail = f"{gettext('Cancelled')} · {detail}"
        lines.append(DigestLine(event.name, detail, f"{base_url}/events/{event.id}"))
    return DigestSection(gettext("Today's events"), lines) if lines else None
