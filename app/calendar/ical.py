"""iCalendar files from plain items: the private feed, one event's file, and gives' all-day items.

The builder knows nothing of the database: features turn their rows into `FeedItem`s (timed
events in their own zone, or all-day items with an alarm, as gives will be) and `build_calendar`
writes them with `icalendar`.

Speed: icalendar folds every content line character by character, about 0.2 ms per event, which
is a second for a 5,000-event feed. So each item's VEVENT is serialized by icalendar once and kept
in a bounded in-process cache keyed by the item itself (a frozen dataclass: any change to what is
written is a new key, so a cached entry is never stale) and, by the feed, in the database under a
digest of the item (shared by every process: see app.calendar.service.render_feed); each zone's
VTIMEZONE is built once per range of years. The calendar is then written by icalendar around
those serialized components.
"""

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from threading import Lock
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Component, Timezone
from icalendar import Event as VEvent
from icalendar.prop import vDDDTypes

PRODID = "-//Givefirst//Givefirst//EN"
REFRESH = timedelta(hours=1)
CACHE_SIZE = 50_000
MORNING = time(8, 0)


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One thing in a calendar: timed (aware `start`/`end`) or all-day (`date`s, end exclusive)."""

    uid: str
    summary: str
    start: datetime | date
    end: datetime | date | None
    timezone: str
    modified: datetime
    created: datetime | None = None
    sequence: int = 0
    location: str | None = None
    description: str | None = None
    url: str | None = None
    cancelled: bool = False
    # Not decided yet (an event the user is only interested in): `STATUS:TENTATIVE`.
    tentative: bool = False
    # For all-day items: an alarm this long after the day's start (08:00 is `timedelta(hours=8)`).
    alarm: timedelta | None = None

    @property
    def all_day(self) -> bool:
        """Whether the item holds whole days (DATE values) rather than instants."""
        return not isinstance(self.start, datetime)


def all_day_item(
    *,
    uid: str,
    summary: str,
    day: date,
    modified: datetime,
    timezone: str,
    last_day: date | None = None,
    description: str | None = None,
    url: str | None = None,
    sequence: int = 0,
    alarm_at: time | None = MORNING,
    cancelled: bool = False,
) -> FeedItem:
    """An all-day item over one day or more, with an alarm on the morning of its first day."""
    alarm = None
    if alarm_at is not None:
        alarm = timedelta(hours=alarm_at.hour, minutes=alarm_at.minute)
    return FeedItem(
        uid=uid,
        summary=summary,
        start=day,
        end=(last_day or day) + timedelta(days=1),
        timezone=timezone,
        modified=modified,
        sequence=sequence,
        description=description,
        url=url,
        alarm=alarm,
        cancelled=cancelled,
    )


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(microsecond=0)


def _local(value: datetime, zone: ZoneInfo) -> datetime:
    """An instant in its zone's local time; in UTC when that local time happens twice.

    In the hour repeated when clocks go back, a local time with a TZID is the first of the two
    for RFC 5545 but the second for ical.js (Thunderbird): only UTC reads the same in both.
    """
    local = value.astimezone(zone).replace(microsecond=0)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return local.astimezone(UTC)
    return local


def _fold(component: Component) -> bytes:
    """icalendar's serialization, skipping its slow folding loop for lines that need no fold."""
    out: list[bytes] = []
    for line in component.content_lines():
        if not line:
            continue
        encoded = line.encode()
        # icalendar folds a line of 75 octets or more; shorter ones come out unchanged.
        out.append(encoded if len(encoded) < 75 else line.to_ical())
    return b"\r\n".join(out) + b"\r\n"


def _vevent(item: FeedItem) -> VEvent:
    event = VEvent()
    event.add("uid", item.uid)
    event.add("dtstamp", _utc(item.modified))
    event.add("last-modified", _utc(item.modified))
    if item.created is not None:
        event.add("created", _utc(item.created))
    event.add("sequence", item.sequence)
    event.add("summary", item.summary)
    if isinstance(item.start, datetime):
        zone = ZoneInfo(item.timezone)
        event.add("dtstart", _local(item.start, zone))
        if isinstance(item.end, datetime):
            event.add("dtend", _local(item.end, zone))
    else:
        event.add("dtstart", item.start)
        if item.end is not None and not isinstance(item.end, datetime):
            event.add("dtend", item.end)
        # Whole days neither block time nor move with the reader's zone.
        event.add("transp", "TRANSPARENT")
    if item.location:
        event.add("location", item.location)
    if item.description:
        event.add("description", item.description)
    if item.url:
        event.add("url", item.url)
    status = "CANCELLED" if item.cancelled else "TENTATIVE" if item.tentative else "CONFIRMED"
    event.add("status", status)
    if item.alarm is not None:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", item.summary)
        alarm.add("trigger", vDDDTypes(item.alarm))
        alarm["trigger"].params["RELATED"] = "START"
        event.add_component(alarm)
    return event


_cache: OrderedDict[FeedItem, bytes] = OrderedDict()
_cache_lock = Lock()


def vevent_bytes(item: FeedItem) -> bytes:
    """One item's VEVENT, serialized by icalendar (cached: the key is the whole item)."""
    with _cache_lock:
        found = _cache.get(item)
        if found is not None:
            _cache.move_to_end(item)
            return found
    data = _fold(_vevent(item))
    with _cache_lock:
        _cache[item] = data
        if len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return data


def clear_cache() -> None:
    """Forget serialized items (for benchmarks of a cold start)."""
    with _cache_lock:
        _cache.clear()
    _vtimezone.cache_clear()


@lru_cache(maxsize=256)
def _vtimezone(tzid: str, first_year: int, last_year: int) -> bytes:
    """A VTIMEZONE with one observance per change of offset, each given by its DTSTART alone.

    icalendar writes an observance's first onset as DTSTART and the later ones as RDATEs, which
    RFC 5545 allows; but ical.js (Thunderbird's parser) ignores the DTSTART of an observance
    that has RDATEs, and would place the summer events of the first year an hour off. An
    observance per onset reads the same everywhere (tests/calendar/test_feed_zones.py).
    """
    zone = Timezone.from_tzid(
        tzid, first_date=date(first_year, 1, 1), last_date=date(last_year, 12, 31)
    )
    onsets: list[tuple[datetime, Any]] = []
    for observance in zone.subcomponents:
        start: Any = observance["DTSTART"]
        rdates: Any = observance.get("RDATE")
        values: list[datetime] = [start.dt]
        for rdate in rdates if isinstance(rdates, list) else [rdates] if rdates else []:
            values.extend(value.dt for value in rdate.dts)
        for value in values:
            single = type(observance)()
            single.add("dtstart", value)
            for name in ("TZOFFSETFROM", "TZOFFSETTO", "TZNAME"):
                if name in observance:
                    single[name] = observance[name]
            onsets.append((value, single))
    zone.subcomponents = [single for _, single in sorted(onsets, key=lambda pair: pair[0])]
    return _fold(zone)


def _zones(items: list[FeedItem]) -> list[bytes]:
    """A VTIMEZONE for each zone that timed items use, covering their years (and DST changes)."""
    years: dict[str, tuple[int, int]] = {}
    for item in items:
        if item.all_day or item.timezone == "UTC":
            continue
        year = item.start.year
        end_year = item.end.year if item.end is not None else year
        low, high = years.get(item.timezone, (year, end_year))
        years[item.timezone] = (min(low, year), max(high, end_year))
    # Whole decades, so that one cached VTIMEZONE serves many feeds.
    return [
        _vtimezone(tzid, low // 10 * 10, high // 10 * 10 + 9)
        for tzid, (low, high) in sorted(years.items())
    ]


def item_digest(item: FeedItem) -> str:
    """A digest of everything an item writes: equal digests, equal VEVENTs."""
    return hashlib.blake2b(repr(item).encode(), digest_size=16).hexdigest()


def build_calendar(
    *,
    name: str,
    items: Iterable[FeedItem],
    feed: bool = True,
    serialize: Callable[[FeedItem], bytes] | None = None,
) -> bytes:
    """A VCALENDAR with the items; `feed` adds the name and refresh interval of a subscription.
    `serialize` may find an item's VEVENT elsewhere (a shared cache) before icalendar writes it."""
    serialize = serialize or vevent_bytes
    items = list(items)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if feed:
        calendar.add("method", "PUBLISH")
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")  # an X- property: written as given
    head = _fold(calendar)
    # `head` ends with END:VCALENDAR: the components go before it.
    end = b"END:VCALENDAR\r\n"
    assert head.endswith(end)
    parts = [head[: -len(end)], *_zones(items), *(serialize(item) for item in items), end]
    return b"".join(parts)


def etag(body: bytes) -> str:
    """A strong validator for a calendar's bytes."""
    return hashlib.sha256(body).hexdigest()[:32]
