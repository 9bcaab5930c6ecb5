"""Events: the list, one event, series of editions, want-to-meet, and saving imported events."""

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.accounts.service import check_timezone
from app.db import utcnow
from app.errors import Conflict, Invalid, NotFound
from app.events.importing import ImportedEvent
from app.events.models import (
    Event,
    EventCreate,
    EventFeed,
    EventStatus,
    EventUpdate,
)
from app.text import fold
from app.web.i18n import gettext, lazy_gettext, use_locale

WHEN = ("upcoming", "past", "all")
LIST_LIMIT = 500
MIN_YEAR, MAX_YEAR = 1900, 2200
YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)|'\d{2}\b")
# Fields that an import may refresh; the user's status, notes and `public` flag are never touched.
IMPORTED_FIELDS = (
    "name", "kind", "starts_at", "ends_at", "all_day", "timezone", "venue", "address",
    "city", "country", "url", "description", "cancelled",
)  # fmt: skip


def series_name(name: str) -> str:
    """The name of an event's series: folded, without years ("VivaTech 2026" → "vivatech")."""
    without_years = YEAR.sub(" ", fold(name))
    return " ".join(re.sub(r"[^\w]+", " ", without_years).split())[:200]


def series_link(url: str | None) -> str:
    """An event link's site and path, without years, for matching editions across years."""
    if not url:
        return ""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    if not host:
        return ""
    path = YEAR.sub("", parts.path).rstrip("/")
    path = re.sub(r"/{2,}", "/", path)
    return f"{host}{path}"[:500]


def _end_of(event: Event) -> datetime:
    if event.ends_at:
        return event.ends_at
    return event.starts_at + (timedelta(days=1) if event.all_day else timedelta(hours=2))


def ended(event: Event, now: datetime | None = None) -> bool:
    """Whether the event is over (its end, or a sensible end when it has none, has passed)."""
    return _end_of(event) <= (now or utcnow())


def localize(value: datetime, timezone: str) -> datetime:
    """An aware instant: naive values are read as wall-clock time in the event's zone."""
    return value.replace(tzinfo=ZoneInfo(timezone)) if value.tzinfo is None else value


def all_day_bounds(start: date, end: date | None, timezone: str) -> tuple[datetime, datetime]:
    """All-day events run from midnight of the first day to midnight after the last day."""
    zone = ZoneInfo(timezone)
    last = end if end and end >= start else start
    return datetime.combine(start, time(), zone), datetime.combine(
        last + timedelta(days=1), time(), zone
    )


def in_range(value: datetime) -> bool:
    """Dates Givefirst keeps: years 1900 to 2200 (beyond, time zone arithmetic overflows)."""
    return MIN_YEAR <= value.year <= MAX_YEAR


def _normalize_times(event: Event) -> None:
    fields = _normalized(event.name, event.url, event.timezone, event.starts_at, event.ends_at,
                         event.all_day)  # fmt: skip
    for name, value in fields.items():
        setattr(event, name, value)


def _normalized(
    name: str,
    url: str | None,
    timezone: str,
    starts_at: datetime,
    ends_at: datetime | None,
    all_day: bool,
) -> dict[str, Any]:
    """The stored times (in range, aware, whole days for all-day events) and series keys."""
    check_timezone(timezone)
    for field_name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value is not None and not in_range(value):
            raise Invalid(
                lazy_gettext("Please give a date between 1900 and 2200."), field=field_name
            )
    starts_at = localize(starts_at, timezone)
    if ends_at is not None:
        ends_at = localize(ends_at, timezone)
    if all_day:
        zone = ZoneInfo(timezone)
        first = starts_at.astimezone(zone).date()
        last = None
        if ends_at is not None:
            # Stored ends are exclusive (midnight after the last day), as in iCalendar.
            last = (ends_at.astimezone(zone) - timedelta(seconds=1)).date()
            if last < first:
                raise Invalid(lazy_gettext("The end must come after the start."), field="ends_at")
        starts_at, ends_at = all_day_bounds(first, last, timezone)
    if ends_at is not None and ends_at < starts_at:
        raise Invalid(lazy_gettext("The end must come after the start."), field="ends_at")
    return {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "series_name": series_name(name),
        "series_link": series_link(url),
    }


def _check_url(url: str | None) -> None:
    if url and urlsplit(url).scheme not in {"http", "https"}:
        raise Invalid(lazy_gettext("A web link must start with http:// or https://."), field="url")


def find_event(session: Session, *, owner: User, event_id: uuid.UUID | None) -> Event | None:
    """One of the owner's events, or None (for no id, an unknown id or another user's)."""
    found = session.get(Event, event_id) if event_id is not None else None
    return found if found is not None and found.owner_id == owner.id else None


def get_event(session: Session, *, owner: User, event_id: uuid.UUID) -> Event:
    """One of the owner's events."""
    event = session.get(Event, event_id)
    if event is None or event.owner_id != owner.id:
        raise NotFound()
    return event


def create_event(session: Session, *, owner: User, data: EventCreate) -> Event:
    """Add an event; the client may choose its id (created offline)."""
    _check_url(data.url)
    values = data.model_dump(exclude={"id"})
    event = Event(**values, owner_id=owner.id, id=data.id or uuid.uuid4())
    if data.id is not None and (existing := session.get(Event, data.id)) is not None:
        if existing.owner_id != owner.id:
            raise NotFound()
        raise Conflict(lazy_gettext("An event with this id already exists."), field="id")
    _normalize_times(event)
    session.add(event)
    session.flush()
    return event


def update_event(session: Session, *, owner: User, event_id: uuid.UUID, data: EventUpdate) -> Event:
    """Change some fields of an event."""
    event = get_event(session, owner=owner, event_id=event_id)
    changes = data.model_dump(exclude_unset=True)
    for name in ("name", "kind", "timezone", "status", "starts_at", "all_day", "public"):
        if name in changes and changes[name] is None:
            raise Invalid(lazy_gettext("This field cannot be empty."), field=name)
    _check_url(changes.get("url"))
    if event.all_day and "timezone" in changes and "starts_at" not in changes:
        # Keep the same calendar days when only the zone of an all-day event changes.
        check_timezone(changes["timezone"] or "")
        old = ZoneInfo(event.timezone)
        first = event.starts_at.astimezone(old).date()
        last = (
            (event.ends_at.astimezone(old) - timedelta(seconds=1)).date() if event.ends_at else None
        )
        changes["starts_at"], changes["ends_at"] = all_day_bounds(first, last, changes["timezone"])
    for name, value in changes.items():
        setattr(event, name, value.value if isinstance(value, EventStatus) else value)
    _normalize_times(event)
    event.updated_at = utcnow()
    event.sequence += 1
    session.add(event)
    return event


def set_status(session: Session, *, owner: User, event_id: uuid.UUID, status: str) -> Event:
    """Change an event's status in one tap."""
    get_event(session, owner=owner, event_id=event_id)
    if status not in EventStatus.__members__:
        raise Invalid(lazy_gettext("Unknown status."), field="status")
    return update_event(
        session, owner=owner, event_id=event_id, data=EventUpdate(status=EventStatus(status))
    )


def delete_event(session: Session, *, owner: User, event_id: uuid.UUID) -> None:
    """Delete an event and what hangs on it."""
    session.delete(get_event(session, owner=owner, event_id=event_id))


def mark_attended(
    session: Session, *, owner_id: uuid.UUID | None = None, now: datetime | None = None
) -> int:
    """Events marked going that have ended become attended, once; returns how many moved."""
    now = now or utcnow()
    query = select(Event).where(
        Event.status == EventStatus.going.value,
        col(Event.auto_attended).is_(False),
        col(Event.cancelled).is_(False),
        Event.starts_at < now,
    )
    if owner_id is not None:
        query = query.where(Event.owner_id == owner_id)
    moved = 0
    for event in session.exec(query):
        if _end_of(event) <= now:
            event.status = EventStatus.attended.value
            event.auto_attended = True
            event.updated_at = now
            session.add(event)
            moved += 1
    return moved


@dataclass
class EventFilters:
    when: str = "upcoming"
    status: str | None = None
    kind: str | None = None
    q: str | None = None


def list_events(
    session: Session, *, owner: User, filters: EventFilters, now: datetime | None = None
) -> list[Event]:
    """The owner's events: upcoming (soonest first, ongoing included) or past (latest first)."""
    now = now or utcnow()
    mark_attended(session, owner_id=owner.id, now=now)
    query = select(Event).where(Event.owner_id == owner.id)
    # An event is upcoming until it ends; without an end, until a day after it starts.
    horizon = now - timedelta(days=1)
    if filters.when == "upcoming":
        query = query.where(
            or_(
                col(Event.ends_at) > now,
                (col(Event.ends_at).is_(None)) & (Event.starts_at > horizon),
            )
        )
        query = query.order_by(col(Event.starts_at).asc())
    elif filters.when == "past":
        query = query.where(
            or_(
                col(Event.ends_at) <= now,
                (col(Event.ends_at).is_(None)) & (Event.starts_at <= horizon),
            )
        )
        query = query.order_by(col(Event.starts_at).desc())
    else:
        query = query.order_by(col(Event.starts_at).desc())
    if filters.status:
        query = query.where(Event.status == filters.status)
    if filters.kind:
        query = query.where(Event.kind == filters.kind)
    events = list(session.exec(query.limit(LIST_LIMIT * 4 if filters.q else LIST_LIMIT)))
    if filters.q:
        # Accent- and case-insensitive on both backends: matched in Python on the owner's events.
        needle = fold(filters.q.strip())
        events = [e for e in events if needle in fold(f"{e.name} {e.city or ''} {e.venue or ''}")][
            :LIST_LIMIT
        ]
    return events


def earlier_editions(session: Session, *, owner: User, event: Event) -> list[Event]:
    """The same event in earlier years: same name without the year, or same site and path."""
    matches: list[ColumnElement[bool]] = []
    if event.series_name:
        matches.append(col(Event.series_name) == event.series_name)
    if event.series_link:
        matches.append(col(Event.series_link) == event.series_link)
    if not matches:
        return []
    query = (
        select(Event)
        .where(
            Event.owner_id == owner.id,
            Event.id != event.id,
            Event.starts_at < event.starts_at,
            or_(*matches),
        )
        .order_by(col(Event.starts_at).desc())
        .limit(20)
    )
    return list(session.exec(query))


def capture_events(
    session: Session, *, owner: User, event_id: uuid.UUID | None, now: datetime | None = None
) -> tuple[Event | None, list[Event]]:
    """For capture: the event being captured at (the one chosen, else the one on now) and the
    events one may be capturing at (on now, recent and soon, nearest first)."""
    now = now or utcnow()
    rows = session.exec(
        select(Event)
        .where(
            Event.owner_id == owner.id,
            col(Event.starts_at) > now - timedelta(days=21),
            col(Event.starts_at) < now + timedelta(days=60),
            col(Event.cancelled).is_(False),
        )
        .order_by(col(Event.starts_at))
        .limit(30)
    )
    options = sorted(rows, key=lambda event: abs((event.starts_at - now).total_seconds()))
    if event_id is None:
        return current_event(session, owner=owner, now=now), options
    current = next((event for event in options if event.id == event_id), None)
    if current is None:
        chosen = session.get(Event, event_id)
        if chosen is not None and chosen.owner_id == owner.id:
            current, options = chosen, [chosen, *options]
    return current, options


def current_event(session: Session, *, owner: User, now: datetime | None = None) -> Event | None:
    """The event on now that the user goes to or is interested in, for capture and Today."""
    now = now or utcnow()
    candidates = session.exec(
        select(Event)
        .where(
            Event.owner_id == owner.id,
            col(Event.status).in_(
                [EventStatus.going.value, EventStatus.interested.value, EventStatus.attended.value]
            ),
            col(Event.cancelled).is_(False),
            Event.starts_at <= now,
            Event.starts_at > now - timedelta(days=14),
        )
        .order_by(col(Event.starts_at).desc())
    )
    return next((event for event in candidates if _end_of(event) > now), None)


def has_events(session: Session, *, owner: User) -> bool:
    """Whether the user has added any event (a first-day step)."""
    return (
        session.exec(select(Event.id).where(Event.owner_id == owner.id).limit(1)).first()
        is not None
    )


def next_event(session: Session, *, owner: User, now: datetime | None = None) -> Event | None:
    """The next event the user goes to or is interested in."""
    now = now or utcnow()
    return session.exec(
        select(Event)
        .where(
            Event.owner_id == owner.id,
            col(Event.status).in_([EventStatus.going.value, EventStatus.interested.value]),
            col(Event.cancelled).is_(False),
            Event.starts_at > now,
        )
        .order_by(col(Event.starts_at).asc())
    ).first()


@dataclass
class SaveSummary:
    created: list[Event] = field(default_factory=list)
    updated: list[Event] = field(default_factory=list)
    unchanged: list[Event] = field(default_factory=list)

    @property
    def events(self) -> list[Event]:
        return self.created + self.updated + self.unchanged


class _Known:
    """The owner's events an import may refer to, fetched in a few queries rather than one per
    item (a 4,800-event file took 4,800 queries), and kept up to date as the import creates."""

    CHUNK = 500

    def __init__(
        self, session: Session, owner: User, items: list[tuple[ImportedEvent, dict[str, Any]]]
    ):
        self.session, self.owner = session, owner
        self.by_uid: dict[str, Event] = {}
        self.by_url: dict[str, Event] = {}
        uids = sorted({item.source_uid[:500] for item, _ in items if item.source_uid})
        urls = sorted({v["url"] for item, v in items if not item.source_uid and v["url"]})
        base = select(Event).where(Event.owner_id == owner.id)
        for start in range(0, len(uids), self.CHUNK):
            chunk = uids[start : start + self.CHUNK]
            for event in session.exec(base.where(col(Event.source_uid).in_(chunk))):
                self.by_uid.setdefault(event.source_uid or "", event)
        for start in range(0, len(urls), self.CHUNK):
            chunk = urls[start : start + self.CHUNK]
            for event in session.exec(base.where(col(Event.url).in_(chunk))):
                self.by_url.setdefault(event.url or "", event)

    def find(self, item: ImportedEvent, values: dict[str, Any]) -> Event | None:
        """The event an import refers to: by the source's UID, else by its link."""
        if item.source_uid:
            return self.by_uid.get(item.source_uid[:500])
        if values["url"]:
            return self.by_url.get(values["url"])
        # Neither: the same name at the same moment is the same event (pages without links).
        self.session.flush()
        query = select(Event).where(
            Event.owner_id == self.owner.id,
            Event.name == values["name"],
            Event.starts_at == item.starts_at,
        )
        return self.session.exec(query).first()

    def add(self, event: Event) -> None:
        if event.source_uid:
            self.by_uid.setdefault(event.source_uid, event)
        if event.url:
            self.by_url.setdefault(event.url, event)


def imported_values(item: ImportedEvent, *, untitled: str) -> dict[str, Any]:
    """The fields of an event as a source describes it."""
    return {
        "name": (item.name or untitled)[:200],
        "kind": item.kind
        if item.kind in {"salon", "conference", "meetup", "workshop", "other"}
        else "other",
        "starts_at": item.starts_at,
        "ends_at": item.ends_at,
        "all_day": item.all_day,
        "timezone": item.timezone,
        "venue": (item.venue or None) and item.venue[:200],
        "address": (item.address or None) and item.address[:500],
        "city": (item.city or None) and item.city[:120],
        "country": (item.country or None) and item.country[:120],
        "url": item.url[:2000]
        if item.url and urlsplit(item.url).scheme in {"http", "https"}
        else None,
        "description": (item.description or None) and item.description[:10_000],
        "cancelled": item.cancelled,
    }


def _same(stored: Any, value: Any) -> bool:
    """Equal values; instants compared in UTC (Python never finds a time of the repeated hour
    equal to one in another zone)."""
    if isinstance(stored, datetime) and isinstance(value, datetime):
        return stored.astimezone(UTC) == value.astimezone(UTC)
    return bool(stored == value)


def save_imported(
    session: Session,
    *,
    owner: User,
    items: list[ImportedEvent],
    feed: EventFeed | None = None,
) -> SaveSummary:
    """Create or update imported events: matched by the source's UID, else by link; never doubled.

    The user's own status, notes and `public` flag are kept as they are.
    """
    summary = SaveSummary()
    with use_locale(owner.locale):
        untitled = gettext("Untitled event")
    wanted = [
        (item, imported_values(item, untitled=untitled))
        for item in items
        if in_range(item.starts_at) and (item.ends_at is None or in_range(item.ends_at))
    ]
    known = _Known(session, owner, wanted)
    now = utcnow()
    # Every column given: SQLModel computes each missing default per object, which was a third
    # of the time of a 4,800-event import.
    new: dict[str, Any] = {"status": "interested", "notes": None, "public": False,
           "auto_attended": False, "sequence": 0, "created_at": now,
           "updated_at": now, "owner_id": owner.id, "feed_id": feed.id if feed else None}  # fmt: skip
    for item, values in wanted:
        existing = known.find(item, values)
        values.update(
            _normalized(values["name"], values["url"], values["timezone"], values["starts_at"],
                        values["ends_at"], values["all_day"])
        )  # fmt: skip
        if existing is None:
            event = Event(
                **(new | values),
                id=uuid.uuid4(),
                source_uid=item.source_uid and item.source_uid[:500],
            )
            session.add(event)
            known.add(event)
            summary.created.append(event)
            continue
        # Only what changed is set: SQLModel's attribute writes are most of a re-import's time.
        changes = {k: v for k, v in values.items() if not _same(getattr(existing, k), v)}
        if feed is not None and existing.feed_id != feed.id:
            existing.feed_id = feed.id
        if {k for k in changes if k in IMPORTED_FIELDS}:
            for name, value in changes.items():
                setattr(existing, name, value)
            existing.updated_at = utcnow()
            existing.sequence += 1
            session.add(existing)
            summary.updated.append(existing)
        else:
            for name, value in changes.items():
                setattr(existing, name, value)
            summary.unchanged.append(existing)
    session.flush()
    return summary
