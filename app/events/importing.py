"""Turn iCalendar files and schema.org event pages into plain, time-zone-aware event records."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import html
import importlib.resources
import quopri
import re
import time as clock
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import extruct
import icalendar
import recurring_ical_events
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON
from w3lib.encoding import html_to_unicode

from app.text import decode_bytes, fold_words

MAX_DOCUMENT_BYTES = 2_000_000
MAX_OCCURRENCES_PER_SERIES = 400
MAX_EVENTS = 5_000
# Expanding recurrences costs time even when they yield nothing: bound the work per document.
MAX_EXPANSION_SECONDS = 10.0

# Why a whole document was refused (ImportFailed.code).
FAIL_NOT_CALENDAR = "not_calendar"
FAIL_BROKEN = "broken"
FAIL_NO_EVENTS = "no_events"
FAIL_TOO_LARGE = "too_large"
FAIL_CODES = frozenset({FAIL_NOT_CALENDAR, FAIL_BROKEN, FAIL_NO_EVENTS, FAIL_TOO_LARGE})

# Why one item of a document was left out (Skipped.reason).
SKIP_NOT_AN_EVENT = "not_an_event"
SKIP_NO_START = "no_start"
SKIP_BAD_DATE = "bad_date"
SKIP_NO_UPCOMING = "no_upcoming_occurrence"
SKIP_BAD_RECURRENCE = "bad_recurrence"
SKIP_UNSUPPORTED_RECURRENCE = "unsupported_recurrence"
SKIP_TOO_MANY_OCCURRENCES = "too_many_occurrences"
SKIP_TOO_MANY_EVENTS = "too_many_events"
SKIP_DUPLICATE = "duplicate"
SKIP_UNREADABLE = "unreadable"
SKIP_REASONS = frozenset(
    {
        SKIP_NOT_AN_EVENT,
        SKIP_NO_START,
        SKIP_BAD_DATE,
        SKIP_NO_UPCOMING,
        SKIP_BAD_RECURRENCE,
        SKIP_UNSUPPORTED_RECURRENCE,
        SKIP_TOO_MANY_OCCURRENCES,
        SKIP_TOO_MANY_EVENTS,
        SKIP_DUPLICATE,
        SKIP_UNREADABLE,
    }
)

KINDS = ("salon", "conference", "meetup", "workshop", "other")


@dataclass
class ImportedEvent:
    """One event (or one occurrence of a recurring event) found in a document.

    An empty `name` means the source gave none: the caller shows its own "Untitled event".
    For all-day events `starts_at` is midnight in `timezone` and `ends_at` the exclusive end
    (midnight after the last day), as iCalendar's DTEND.
    """

    source_uid: str | None
    name: str
    kind: str
    starts_at: datetime
    ends_at: datetime | None
    all_day: bool
    timezone: str
    venue: str | None = None
    address: str | None = None
    city: str | None = None
    country: str | None = None
    url: str | None = None
    description: str | None = None
    cancelled: bool = False
    rescheduled_from: datetime | None = None


@dataclass
class Skipped:
    """Something in the document that was not imported, and a reason code from SKIP_REASONS."""

    what: str
    reason: str


@dataclass
class ImportResult:
    """The events of a document, what was left out, and the calendar's (or page's) name."""

    events: list[ImportedEvent] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    calendar_name: str | None = None


class ImportFailed(Exception):
    """The document as a whole cannot be imported; `code` is one of FAIL_CODES."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# --------------------------------------------------------------------------- dispatch


def parse_document(
    data: bytes,
    *,
    content_type: str | None,
    base_url: str | None,
    default_timezone: str,
    now: datetime,
    horizon_days: int = 365,
) -> ImportResult:
    """Import an iCalendar file or an HTML event page, recognised by content type or content."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ImportFailed(FAIL_TOO_LARGE)
    mime = (content_type or "").split(";")[0].strip().lower()
    head = _sniff_head(data)
    # The bytes win over the header: servers often send .ics as text/plain or octet-stream,
    # and a "calendar" URL may answer with an HTML login page.
    if head.startswith("BEGIN:VCALENDAR"):
        return parse_ics(
            data, default_timezone=default_timezone, now=now, horizon_days=horizon_days
        )
    if head.startswith("<"):
        return parse_event_page(
            data,
            base_url=base_url or "",
            default_timezone=default_timezone,
            content_type=content_type,
            now=now,
            horizon_days=horizon_days,
        )
    if mime in {"text/calendar", "application/ics", "text/x-vcalendar", "application/x-ical"}:
        return parse_ics(
            data, default_timezone=default_timezone, now=now, horizon_days=horizon_days
        )
    if mime in {"text/html", "application/xhtml+xml"}:
        return parse_event_page(
            data,
            base_url=base_url or "",
            default_timezone=default_timezone,
            content_type=content_type,
            now=now,
            horizon_days=horizon_days,
        )
    raise ImportFailed(FAIL_NOT_CALENDAR)


def _sniff_head(data: bytes) -> str:
    """The first few meaningful characters of the document, upper-cased."""
    sample = data[:4096]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = sample.decode("utf-16", errors="ignore")
    else:
        text = sample.decode("utf-8", errors="ignore")
    return text.lstrip("\ufeff \t\r\n\x00")[:20].upper()


# --------------------------------------------------------------------------- time zones

_UTC_NAMES = frozenset({"UTC", "ETC/UTC", "GMT", "ETC/GMT", "Z", "ZULU", "UNIVERSAL", "UCT"})
_IANA_AREAS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)
_OFFSET_NAME = re.compile(
    r"^\(?(?:UTC|GMT)\s*(?:(?P<sign>[+-])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?)?\)?$", re.I
)
_DISPLAY_PREFIX = re.compile(r"^\((?:UTC|GMT)[^)]*\)\s*", re.I)


@functools.cache
def _available_zones() -> frozenset[str]:
    """IANA names known to this Python (tzdata)."""
    return frozenset(zoneinfo.available_timezones())


@functools.lru_cache(maxsize=1024)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    """A cached ZoneInfo."""
    return zoneinfo.ZoneInfo(name)


@functools.cache
def _city_index() -> dict[str, str]:
    """Folded city name (last part of an IANA name) to the IANA name."""
    index: dict[str, str] = {}
    for name in sorted(_available_zones()):
        if name.startswith(_IANA_AREAS):
            index.setdefault(fold_words(name.rsplit("/", 1)[-1]), name)
    return index


@functools.cache
def _primary_zones() -> tuple[str, ...]:
    """CLDR's main IANA zone for each Windows zone: the candidates when only offsets are known."""
    names = [z for z in dict.fromkeys(WINDOWS_TO_OLSON.values()) if z in _available_zones()]
    # Fixed-offset Etc zones only as a last resort, after every real place.
    return tuple(sorted(names, key=lambda z: z.startswith("Etc/")))


def _fixed_offset_zone(offset: timedelta) -> str | None:
    """An IANA name for a fixed offset: UTC, or Etc/GMT±N for whole hours."""
    seconds = int(offset.total_seconds())
    if seconds == 0:
        return "UTC"
    if seconds % 3600 or abs(seconds) > 14 * 3600:
        return None
    hours = seconds // 3600
    # POSIX-style names: Etc/GMT-2 is two hours *ahead* of UTC.
    return f"Etc/GMT{-hours:+d}"


def _clean_tzid(tzid: str) -> str:
    """A TZID without quotes, escapes and stray spaces."""
    return tzid.strip().strip('"').replace("\\,", ",").replace("\\;", ";").strip()


@functools.lru_cache(maxsize=1024)
def _zone_from_name(tzid: str) -> str | None:
    """The IANA name that a TZID names outright (IANA, Windows, vendor-prefixed or UTC±N)."""
    name = _clean_tzid(tzid)
    if not name:
        return None
    if name.upper() in _UTC_NAMES:
        return "UTC"
    if name in _available_zones():
        return name
    stripped = name.strip("/")
    if stripped in _available_zones():
        return stripped
    if name in WINDOWS_TO_OLSON:
        return WINDOWS_TO_OLSON[name]
    if "/" in stripped:
        # Globally unique TZIDs such as /mozilla.org/20050126_1/Europe/Paris end with the name.
        parts = stripped.split("/")
        for start in range(1, len(parts)):
            candidate = "/".join(parts[start:])
            if candidate in _available_zones():
                return candidate
    match = _OFFSET_NAME.match(name)
    if match:
        if not match.group("sign"):
            return "UTC"
        sign = -1 if match.group("sign") == "-" else 1
        offset = timedelta(hours=int(match.group("h")), minutes=int(match.group("m") or 0))
        return _fixed_offset_zone(sign * offset)
    return None


def _hinted_zones(label: str) -> list[str]:
    """IANA zones whose city appears in a display name such as '(UTC+10:00) Canberra, Sydney'."""
    text = _DISPLAY_PREFIX.sub("", _clean_tzid(label))
    phrases = [p.strip() for p in re.split(r"[,;()&/]|\s-\s", text) if p.strip()]
    words = [w for p in phrases for w in p.split()]
    index = _city_index()
    hits = [index[fold_words(p)] for p in [*phrases, *words] if fold_words(p) in index]
    primary = set(_primary_zones())
    # A city that is also a Windows zone's main city is the better name (Sydney over Melbourne).
    return sorted(dict.fromkeys(hits), key=lambda z: z not in primary)


def _offsets(tz: tzinfo, samples: list[datetime]) -> tuple[timedelta | None, ...]:
    """The UTC offsets of a zone at each sample instant."""
    return tuple(s.astimezone(tz).utcoffset() for s in samples)


def _monthly_samples(year: int) -> list[datetime]:
    """Mid-month instants of a year, to compare two zones' rules."""
    return [datetime(year, month, 15, 12, tzinfo=UTC) for month in range(1, 13)]


@functools.lru_cache(maxsize=1024)
def _match_offsets(label: str, year: int, target: tuple[timedelta | None, ...]) -> str | None:
    """The IANA zone whose offsets over `year` are `target`, preferring cities named in `label`."""
    samples = _monthly_samples(year)
    best: str | None = None
    best_score = -1
    for candidate in dict.fromkeys([*_hinted_zones(label), *_primary_zones()]):
        offsets = _offsets(_zone(candidate), samples)
        score = sum(a == b for a, b in zip(offsets, target, strict=True))
        if score > best_score:
            best, best_score = candidate, score
    # Outlook's rules are approximations (23:59:59 on a Saturday), so allow one month to differ.
    return best if best_score >= len(samples) - 1 else None


def _match_zone(label: str, tz: tzinfo, moment: datetime) -> str | None:
    """The IANA zone that behaves like a custom VTIMEZONE around `moment`."""
    target = _offsets(tz, _monthly_samples(moment.year))
    candidate = _match_offsets(label, moment.year, target)
    if candidate is None or moment.astimezone(_zone(candidate)).utcoffset() != moment.utcoffset():
        return None
    return candidate


def _zone_of(value: datetime, tzid: str | None) -> str | None:
    """The IANA name for an aware datetime read from a file ("UTC" for plain UTC)."""
    tz = value.tzinfo
    assert tz is not None
    if isinstance(tz, zoneinfo.ZoneInfo) and tz.key:
        return "UTC" if tz.key.upper() in _UTC_NAMES else tz.key
    label = tzid or getattr(tz, "_tzid", None) or ""
    if label:
        named = _zone_from_name(label)
        if named:
            return named
    offset = value.utcoffset() or timedelta(0)
    if isinstance(tz, timezone) or (offset == timedelta(0) and value.tzname() in {"UTC", "Z"}):
        return _fixed_offset_zone(offset)
    with contextlib.suppress(Exception):
        matched = _match_zone(label, tz, value)
        if matched:
            return matched
    return _fixed_offset_zone(offset)


# --------------------------------------------------------------------------- text helpers

_MOJIBAKE = re.compile(
    "[ÂÃâ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u2013-\u2122]"
)
_ENTITY = re.compile(r"&(#\d{2,6}|#x[0-9a-fA-F]{2,6}|[a-zA-Z]{2,8});")


def _clean_text(value: str | None) -> str | None:
    """Plain text: UTF-8 read as cp1252 repaired, HTML entities decoded, CRLF normalised."""
    if value is None:
        return None
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    if _MOJIBAKE.search(text):
        with contextlib.suppress(UnicodeError):
            text = text.encode("cp1252").decode("utf-8")
    if _ENTITY.search(text):
        text = html.unescape(text)
    text = text.strip()
    return text or None


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML fragment, one line per block."""

    _BLOCKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open a block or an invisible element."""
        if tag in {"script", "style", "head", "title"}:
            self._skip += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        """Close a block or an invisible element."""
        if tag in {"script", "style", "head", "title"}:
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        """Keep visible text."""
        if not self._skip:
            self.parts.append(data)


def _html_to_text(value: str) -> str | None:
    """The readable text of an HTML fragment."""
    parser = _TextExtractor()
    with contextlib.suppress(Exception):
        parser.feed(value)
        parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text or None


class _TitleExtractor(HTMLParser):
    """Finds the text of the first <title>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: str | None = None
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Enter the title."""
        if tag == "title" and self.title is None:
            self._inside = True
            self.title = ""

    def handle_endtag(self, tag: str) -> None:
        """Leave the title."""
        if tag == "title":
            self._inside = False

    def handle_data(self, data: str) -> None:
        """Collect title text."""
        if self._inside and self.title is not None:
            self.title += data


def _page_title(text: str) -> str | None:
    """The page's <title>, if any."""
    parser = _TitleExtractor()
    with contextlib.suppress(Exception):
        parser.feed(text[:200_000])
    return _clean_text(" ".join((parser.title or "").split()))


def _maybe_html(value: str | None) -> str | None:
    """Plain text from a value that may be HTML."""
    if value is None:
        return None
    if re.search(r"</?[a-zA-Z][^>]*>", value):
        return _html_to_text(value)
    return _clean_text(value)


_POSTCODE_CITY = re.compile(r"^(?:[A-Z]{1,2}-)?\d{4,5}\s+(?P<city>[^\W\d_].*)$")
_VENUE_AND_ADDRESS = re.compile(r"^(?P<venue>[^()]+?)\s*\((?P<address>[^()]+)\)$")


def _split_location(text: str | None) -> tuple[str | None, str | None, str | None, str | None]:
    """(venue, address, city, country) from a free-text location, splitting only obvious cases."""
    if not text:
        return None, None, None, None
    address = ", ".join(p.strip() for p in text.split("\n") if p.strip())
    venue = city = country = None
    match = _VENUE_AND_ADDRESS.match(address)
    if match:
        # Meetup style: "Venue (street, city)".
        venue = match.group("venue").strip()
        address_parts = [p.strip() for p in re.split(r"[,;]", match.group("address"))]
    else:
        address_parts = [p.strip() for p in re.split(r"[,;]", address)]
    address_parts = [p for p in address_parts if p]
    for i, part in enumerate(address_parts):
        found = _POSTCODE_CITY.match(part)
        if found:
            city = found.group("city").strip()
            rest = address_parts[i + 1 :]
            if len(rest) == 1 and re.fullmatch(r"[^\d]{2,56}", rest[0]):
                country = rest[0]
            break
    if venue is None and len(address_parts) >= 2 and not re.search(r"\d", address_parts[0]):
        venue = address_parts[0]
    return venue, address, city, country


# --------------------------------------------------------------------------- iCalendar


def parse_ics(
    data: bytes, *, default_timezone: str, now: datetime, horizon_days: int = 365
) -> ImportResult:
    """Import the events of an iCalendar file, expanding recurring series within the window."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ImportFailed(FAIL_TOO_LARGE)
    default_zone = _zone(default_timezone)
    text = decode_bytes(data)
    begin = text.upper().find("BEGIN:VCALENDAR")
    if begin < 0:
        raise ImportFailed(FAIL_NOT_CALENDAR)
    calendars = _load_calendars(_repair_ics(text[begin:]))
    window = (now - timedelta(days=1), now + timedelta(days=horizon_days))
    result = ImportResult()
    seen_event = False
    deadline = clock.monotonic() + MAX_EXPANSION_SECONDS
    for calendar in calendars:
        context = _IcsContext.of(calendar, default_timezone, default_zone, deadline)
        if result.calendar_name is None:
            result.calendar_name = _clean_text(_str_prop(calendar.get("X-WR-CALNAME")))
        seen_event |= _import_calendar(calendar, context, window, result)
    if not seen_event:
        raise ImportFailed(FAIL_NO_EVENTS)
    _dedupe(result)
    return result


_CONTENT_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*[;:]")
_PROPERTY_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")
_DATE_WITH_Z = re.compile(r"(?<=[:,])(\d{8})Z(?=,|$)")
_DATE_PROPS = ("DTSTART", "DTEND", "DUE", "RDATE", "EXDATE", "RECURRENCE-ID")


def _repair_ics(text: str) -> str:
    """Undo common breakage: blank lines, folds that lost their leading space, dates with 'Z'."""
    physical = [line for line in re.split(r"\r\n|\n|\r", text) if line.strip()]
    lines: list[str] = []
    for i, line in enumerate(physical):
        continues = i + 1 < len(physical) and physical[i + 1][:1] in {" ", "\t"}
        starts_property = bool(_CONTENT_LINE.match(line)) or (
            # KOrganizer folds right after the name: "PRODID" then " :-//K Desktop...".
            continues and bool(_PROPERTY_NAME.match(line))
        )
        if line[0] in " \t" or starts_property or not lines:
            if line.upper().startswith(_DATE_PROPS):
                line = _DATE_WITH_Z.sub(r"\1", line)
            lines.append(line)
        else:
            # A fold whose leading space was lost: rejoin it, keeping a word break.
            lines.append("  " + line)
    return "\r\n".join(lines) + "\r\n"


def _load_calendars(text: str) -> list[icalendar.Calendar]:
    """All VCALENDARs in the text (files sometimes hold several), or ImportFailed('broken')."""
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except Exception as error:  # icalendar raises ValueError, KeyError, IndexError...
        raise ImportFailed(FAIL_BROKEN) from error
    found = [c for c in calendars if isinstance(c, icalendar.Calendar)]
    if not found:
        raise ImportFailed(FAIL_BROKEN)
    return found


def _str_prop(value: Any) -> str | None:
    """A property's text (the first, when repeated)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    return str(value)


@dataclass
class _IcsContext:
    """What a calendar says about the events it holds."""

    default_timezone: str
    default_zone: zoneinfo.ZoneInfo
    floating_timezone: str
    kind: str
    cancelled: bool
    deadline: float

    @classmethod
    def of(
        cls,
        calendar: icalendar.Calendar,
        default_timezone: str,
        default_zone: zoneinfo.ZoneInfo,
        deadline: float,
    ) -> _IcsContext:
        """Read the calendar's own time zone, producer and method."""
        declared = _str_prop(calendar.get("X-WR-TIMEZONE"))
        floating = _zone_from_name(declared) if declared else None
        if floating == "UTC" or floating is None or floating.startswith("Etc/"):
            floating = default_timezone
        prodid = (_str_prop(calendar.get("PRODID")) or "").lower()
        method = (_str_prop(calendar.get("METHOD")) or "").upper()
        return cls(
            default_timezone=default_timezone,
            default_zone=default_zone,
            floating_timezone=floating,
            kind="meetup" if "meetup" in prodid else "other",
            cancelled=method == "CANCEL",
            deadline=deadline,
        )


def _label(component: icalendar.cal.Component) -> str:
    """How to name a component in a Skipped entry."""
    summary = _clean_text(_str_prop(component.get("SUMMARY")))
    return f"{component.name}: {summary}" if summary else str(component.name)


def _import_calendar(
    calendar: icalendar.Calendar,
    context: _IcsContext,
    window: tuple[datetime, datetime],
    result: ImportResult,
) -> bool:
    """Add one VCALENDAR's events to `result`; tell whether it held any VEVENT."""
    vevents: list[icalendar.cal.Component] = []
    for component in calendar.subcomponents:
        if component.name in {"VTODO", "VJOURNAL", "VFREEBUSY"}:
            result.skipped.append(Skipped(_label(component), SKIP_NOT_AN_EVENT))
        elif component.name == "VEVENT":
            vevents.append(component)
    recurring_uids = {
        str(c.get("UID"))
        for c in vevents
        if c.get("UID") is not None
        and c.get("RECURRENCE-ID") is None
        and (c.get("RRULE") is not None or c.get("RDATE") is not None)
    }
    series: dict[str, list[icalendar.cal.Component]] = {}
    for component in vevents:
        uid = component.get("UID")
        is_master = component.get("RECURRENCE-ID") is None and (
            component.get("RRULE") is not None or component.get("RDATE") is not None
        )
        if uid is not None and str(uid) in recurring_uids:
            series.setdefault(str(uid), []).append(component)
        elif uid is None and is_master:
            series[f"#{id(component)}"] = [component]
        else:
            # A lone event, or an instance whose series is not in this file.
            _add_event(result, _convert_component(component, context, _uid_of(component)))
    for components in series.values():
        _expand_series(components, context, window, result)
    return bool(vevents)


def _add_event(result: ImportResult, item: ImportedEvent | Skipped) -> None:
    """Record an event or a skip, respecting MAX_EVENTS."""
    if isinstance(item, Skipped):
        result.skipped.append(item)
    elif len(result.events) >= MAX_EVENTS:
        result.skipped.append(Skipped(item.name, SKIP_TOO_MANY_EVENTS))
    else:
        result.events.append(item)


def _uid_of(component: icalendar.cal.Component, series_all_day: bool | None = None) -> str | None:
    """UID, with the RECURRENCE-ID appended for one instance of a series."""
    uid = _str_prop(component.get("UID"))
    if uid is None:
        return None
    rid = component.get("RECURRENCE-ID")
    if rid is None:
        return uid
    with contextlib.suppress(Exception):
        value = rid.dt
        if isinstance(value, datetime) and series_all_day:
            # Exchange writes instances of all-day series with a date-time RECURRENCE-ID.
            value = value.date()
        if isinstance(value, datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            return f"{uid}/{value.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}"
        if isinstance(value, date):
            return f"{uid}/{value.isoformat()}"
    return uid


_PER_YEAR = {"YEARLY": 1, "MONTHLY": 12, "WEEKLY": 53, "DAILY": 366, "HOURLY": 8784}


def _rule_is_expandable(rule: Any, first_year: int, last_year: int) -> bool:
    """Whether expanding an RRULE up to the window is cheap enough (no every-second rules).

    dateutil walks every occurrence from DTSTART, so an hourly rule started in year 1 is as
    costly as one with a million occurrences in the window.
    """
    until = _first(rule.get("UNTIL"))
    if isinstance(until, date):
        last_year = min(last_year, until.year)
    years = max(last_year - first_year + 1, 1)
    frequency = str(_first(rule.get("FREQ")) or "").upper()
    if frequency not in _PER_YEAR:
        return False
    interval = _first(rule.get("INTERVAL")) or 1
    estimate = _PER_YEAR[frequency] / max(int(interval), 1)
    expanding = ["BYHOUR", "BYMINUTE", "BYSECOND"]
    if frequency in {"WEEKLY", "MONTHLY", "YEARLY"}:
        expanding += ["BYDAY", "BYMONTHDAY"]
    if frequency == "YEARLY":
        expanding += ["BYYEARDAY", "BYWEEKNO", "BYMONTH"]
    for part in expanding:
        values = rule.get(part)
        if values:
            estimate *= len(values) if isinstance(values, list) else 1
    return estimate <= 20_000 and estimate * years <= 1_000_000


def _expand_series(
    components: list[icalendar.cal.Component],
    context: _IcsContext,
    window: tuple[datetime, datetime],
    result: ImportResult,
) -> None:
    """Add the occurrences of one recurring series that fall within the window."""
    master = next((c for c in components if c.get("RECURRENCE-ID") is None), components[0])
    label = _label(master)
    if len(result.events) >= MAX_EVENTS or clock.monotonic() > context.deadline:
        result.skipped.append(Skipped(label, SKIP_TOO_MANY_EVENTS))
        return
    start = master.get("DTSTART")
    first = getattr(start, "dt", None)
    if not isinstance(first, date):
        result.skipped.append(Skipped(label, SKIP_NO_START if start is None else SKIP_BAD_DATE))
        return
    rrule = master.get("RRULE")
    rules = rrule if isinstance(rrule, list) else [rrule] if rrule is not None else []
    if not all(
        hasattr(rule, "get") and _rule_is_expandable(rule, first.year, window[1].year)
        for rule in rules
    ):
        result.skipped.append(Skipped(label, SKIP_UNSUPPORTED_RECURRENCE))
        return
    series_all_day = not isinstance(first, datetime)
    holder = icalendar.Calendar()
    for component in components:
        holder.add_component(component)
    try:
        occurrences = recurring_ical_events.of(holder).between(*window)
    except Exception:  # recurrence rules from the wild break dateutil in many ways
        result.skipped.append(Skipped(label, SKIP_BAD_RECURRENCE))
        return
    items = [
        _convert_component(occurrence, context, _uid_of(occurrence, series_all_day))
        for occurrence in occurrences
    ]
    events = sorted((i for i in items if isinstance(i, ImportedEvent)), key=lambda e: e.starts_at)
    result.skipped.extend(i for i in items if isinstance(i, Skipped))
    for event in events[:MAX_OCCURRENCES_PER_SERIES]:
        _add_event(result, event)
    if len(events) > MAX_OCCURRENCES_PER_SERIES:
        result.skipped.append(Skipped(label, SKIP_TOO_MANY_OCCURRENCES))
    if not items:
        result.skipped.append(Skipped(label, SKIP_NO_UPCOMING))


def _ics_time(value: Any, tzid: str | None, context: _IcsContext) -> tuple[datetime, bool, str]:
    """(aware datetime in its IANA zone, all-day?, IANA name) for a DTSTART/DTEND value."""
    if isinstance(value, date) and not isinstance(value, datetime):
        midnight = datetime.combine(value, time(0), tzinfo=context.default_zone)
        return midnight, True, context.default_timezone
    if not isinstance(value, datetime):
        raise ValueError(f"not a date: {value!r}")
    if value.tzinfo is None:
        # Floating time, or a TZID that icalendar could not resolve (e.g. "UTC+0").
        named = _zone_from_name(tzid) if tzid else None
        value = value.replace(tzinfo=_zone(named or context.floating_timezone))
        zone_name = named
    else:
        zone_name = _zone_of(value, tzid)
    if zone_name is None or zone_name == "UTC":
        # UTC is how the file stores an instant, not where the event happens.
        zone_name = context.floating_timezone
    return value.astimezone(_zone(zone_name)), False, zone_name


def _tzid_param(prop: Any) -> str | None:
    """The TZID parameter of a date property."""
    params = getattr(prop, "params", None)
    if params is None:
        return None
    tzid = params.get("TZID")
    return str(tzid) if tzid else None


def _text_prop(component: icalendar.cal.Component, name: str) -> str | None:
    """A text property as clean plain text (quoted-printable from vCalendar 1.0 decoded)."""
    raw = component.get(name)
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    if raw is None:
        return None
    text = str(raw)
    params = getattr(raw, "params", {}) or {}
    if str(params.get("ENCODING", "")).upper() in {"QUOTED-PRINTABLE", "QP"}:
        charset = str(params.get("CHARSET", "utf-8"))
        with contextlib.suppress(LookupError, ValueError):
            text = quopri.decodestring(text.encode("utf-8")).decode(charset, errors="replace")
    # \" is not an iCalendar escape, but some producers (Podio) write it.
    return _clean_text(text.replace('\\"', '"'))


def _convert_component(
    component: icalendar.cal.Component, context: _IcsContext, source_uid: str | None
) -> ImportedEvent | Skipped:
    """An ImportedEvent from a VEVENT (or one occurrence), or why not."""
    summary = _text_prop(component, "SUMMARY")
    description = _text_prop(component, "DESCRIPTION")
    if description is None:
        description = _maybe_html(_str_prop(component.get("X-ALT-DESC")))
    name = summary or _first_line(description) or ""
    what = name or source_uid or "VEVENT"
    start = component.get("DTSTART")
    if start is None:
        return Skipped(what, SKIP_NO_START)
    try:
        starts_at, all_day, zone_name = _ics_time(start.dt, _tzid_param(start), context)
        ends_at = _ics_end(component, start.dt, starts_at, all_day, context)
    except Exception:  # a broken date property raises from icalendar on access
        return Skipped(what, SKIP_BAD_DATE)
    venue, address, city, country = _split_location(_text_prop(component, "LOCATION"))
    url = _clean_text(_str_prop(component.get("URL"))) or _clean_text(
        _str_prop(component.get("X-ORIGINAL-URL"))
    )
    status = (_str_prop(component.get("STATUS")) or "").upper()
    kind = context.kind
    if url and _host(url).endswith("meetup.com"):
        kind = "meetup"
    return ImportedEvent(
        source_uid=source_uid,
        name=name,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=all_day,
        timezone=zone_name,
        venue=venue,
        address=address,
        city=city,
        country=country,
        url=url,
        description=description,
        cancelled=status == "CANCELLED" or context.cancelled,
    )


def _ics_end(
    component: icalendar.cal.Component,
    start_value: Any,
    starts_at: datetime,
    all_day: bool,
    context: _IcsContext,
) -> datetime | None:
    """The end from DTEND, else DTSTART + DURATION, else one day for an all-day event."""
    end = component.get("DTEND")
    ends_at: datetime | None = None
    if end is not None:
        ends_at = _ics_time(end.dt, _tzid_param(end), context)[0]
    else:
        duration = component.get("DURATION")
        length = getattr(duration, "dt", None)
        if isinstance(length, timedelta):
            if all_day:
                day = start_value + length
                ends_at = datetime.combine(day, time(0), tzinfo=context.default_zone)
            else:
                ends_at = (starts_at.astimezone(UTC) + length).astimezone(starts_at.tzinfo)
        elif all_day:
            ends_at = starts_at + timedelta(days=1)
    if ends_at is not None and ends_at < starts_at:
        return None
    return ends_at


def _first_line(text: str | None) -> str | None:
    """The first non-empty line of a text, shortened for use as a title."""
    if not text:
        return None
    line = next((li.strip() for li in text.split("\n") if li.strip()), "")
    return (line[:117] + "...") if len(line) > 120 else (line or None)


def _host(url: str) -> str:
    """The lower-case host of a URL, or ''."""
    with contextlib.suppress(ValueError):
        return (urlsplit(url).hostname or "").lower()
    return ""


def _dedupe(result: ImportResult) -> None:
    """Keep one event per source_uid (the last one wins, as a later VCALENDAR would)."""
    latest: dict[str, int] = {}
    for index, event in enumerate(result.events):
        if event.source_uid is not None:
            latest[event.source_uid] = index
    kept: list[ImportedEvent] = []
    for index, event in enumerate(result.events):
        if event.source_uid is not None and latest[event.source_uid] != index:
            result.skipped.append(Skipped(event.name or event.source_uid, SKIP_DUPLICATE))
        else:
            kept.append(event)
    result.events = kept


# --------------------------------------------------------------------------- event pages

_KIND_BY_TYPE = {
    "ConferenceEvent": "conference",
    "BusinessEvent": "conference",
    "EducationEvent": "workshop",
    "CourseInstance": "workshop",
    "SocialEvent": "meetup",
    "Hackathon": "meetup",
    "ExhibitionEvent": "salon",
    "SaleEvent": "salon",
}
_EVENT_TYPES = frozenset(
    {
        *_KIND_BY_TYPE,
        "Event",
        "EventSeries",
        "Festival",
    }
)
_ISO_DURATION = re.compile(
    r"^P(?:(?P<y>\d+)Y)?(?:(?P<mo>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<mi>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$",
    re.I,
)
_WEEKDAYS = {
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
    "sunday": "SU",
}


def parse_event_page(
    data: bytes,
    *,
    base_url: str,
    default_timezone: str,
    content_type: str | None = None,
    now: datetime | None = None,
    horizon_days: int = 365,
) -> ImportResult:
    """Import the schema.org Events (JSON-LD or microdata) of an HTML page.

    `now` only matters for events given as an eventSchedule: their occurrences within
    [now - 1 day, now + horizon_days] are imported (without `now`, only the first one).
    """
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ImportFailed(FAIL_TOO_LARGE)
    default_zone = _zone(default_timezone)
    _, text = html_to_unicode(content_type, data)
    utf8 = text.encode("utf-8")
    result = ImportResult(calendar_name=_page_title(text))
    items = _extract_items(utf8, base_url, result)
    index = _index_ids(items)
    events = list(_find_events(items))
    if not events:
        raise ImportFailed(FAIL_NO_EVENTS)
    page = _PageContext(
        base_url=base_url,
        default_timezone=default_timezone,
        default_zone=default_zone,
        ids=index,
        now=now,
        horizon_days=horizon_days,
        single=len(events) == 1,
    )
    for item in events:
        for converted in _convert_web_event(item, page):
            _add_event(result, converted)
    _dedupe_web(result)
    return result


def _extract_items(utf8: bytes, base_url: str, result: ImportResult) -> list[Any]:
    """JSON-LD and microdata items of a page; a broken JSON-LD block is skipped, not fatal."""
    items: list[Any] = []
    try:
        found = extruct.extract(
            utf8, base_url=base_url or None, syntaxes=["json-ld"], uniform=True, errors="strict"
        )
        items.extend(found.get("json-ld", []))
    except Exception:  # one bad block fails extruct's whole pass: retry block by block
        for block in re.findall(
            rb"<script[^>]+application/ld\+json[^>]*>(.*?)</script>", utf8, re.S | re.I
        ):
            snippet = b'<script type="application/ld+json">' + block + b"</script>"
            try:
                found = extruct.extract(
                    snippet, base_url=base_url or None, syntaxes=["json-ld"], errors="strict"
                )
                items.extend(found.get("json-ld", []))
            except Exception:
                result.skipped.append(Skipped("JSON-LD", SKIP_UNREADABLE))
    try:
        found = extruct.extract(
            utf8, base_url=base_url or None, syntaxes=["microdata"], uniform=True, errors="strict"
        )
        items.extend(found.get("microdata", []))
    except Exception:
        result.skipped.append(Skipped("microdata", SKIP_UNREADABLE))
    return items


def _types(item: dict[str, Any]) -> list[str]:
    """The short schema.org type names of an item."""
    raw = item.get("@type", [])
    values = raw if isinstance(raw, list) else [raw]
    return [re.split(r"[/#:]", v)[-1] for v in values if isinstance(v, str)]


def _is_event(item: Any) -> bool:
    """Whether an item is a schema.org Event (or one of its sub-types)."""
    if not isinstance(item, dict):
        return False
    return any(t in _EVENT_TYPES or t.endswith("Event") for t in _types(item))


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    """Every dict inside a JSON value, depth first."""
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _walk(child)
    elif isinstance(value, list):
        for child in value:
            yield from _walk(child)


def _index_ids(items: list[Any]) -> dict[str, dict[str, Any]]:
    """Nodes by @id, so that references such as "superEvent": "https://..." resolve."""
    index: dict[str, dict[str, Any]] = {}
    for node in _walk(items):
        node_id = node.get("@id")
        if isinstance(node_id, str) and len(node) > 1:
            index.setdefault(node_id, node)
    return index


def _find_events(value: Any) -> Iterator[dict[str, Any]]:
    """Events anywhere in the data, but not those nested in another event (sub-events)."""
    if isinstance(value, list):
        for child in value:
            yield from _find_events(child)
    elif isinstance(value, dict):
        if _is_event(value):
            yield value
            return
        for child in value.values():
            yield from _find_events(child)


@dataclass
class _PageContext:
    """What converting one page's events needs."""

    base_url: str
    default_timezone: str
    default_zone: zoneinfo.ZoneInfo
    ids: dict[str, dict[str, Any]]
    now: datetime | None
    horizon_days: int
    single: bool


def _first(value: Any) -> Any:
    """The first element of a list, or the value itself."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _str(value: Any) -> str | None:
    """A scalar as trimmed text (first of a list; "name" of an object), or None."""
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return _clean_text(" ".join(value.split()) if "\n" not in value else value)


def _resolve(value: Any, page: _PageContext) -> Any:
    """Follow a {"@id": ...} or bare IRI reference to the node it names, when known."""
    if isinstance(value, dict) and set(value) <= {"@id", "@type"} and "@id" in value:
        return page.ids.get(str(value["@id"]), value)
    if isinstance(value, str) and value in page.ids:
        return page.ids[value]
    return value


def _web_time(
    value: Any, page: _PageContext, country: str | None = None, city: str | None = None
) -> tuple[datetime, bool, str] | None:
    """(aware datetime, all-day?, IANA name) from a schema.org date or date-time, or None."""
    text = _str(value)
    if not text:
        return None
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        day = date.fromisoformat(text)
        midnight = datetime.combine(day, time(0), tzinfo=page.default_zone)
        return midnight, True, page.default_timezone
    normalised = (
        re.sub(r"\s+", "T", text, count=1) if re.match(r"\d{4}-\d\d-\d\d\s", text) else text
    )
    try:
        parsed = datetime.fromisoformat(normalised)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        # A time without offset is local to the venue: its country tells where, if it has one zone.
        local = _country_zone(country, city, parsed.replace(tzinfo=UTC), None)
        zone_name = local or page.default_timezone
        return parsed.replace(tzinfo=_zone(zone_name)), False, zone_name
    offset = parsed.utcoffset() or timedelta(0)
    hinted = _country_zone(country, city, parsed, offset)
    if hinted:
        return parsed.astimezone(_zone(hinted)), False, hinted
    if offset == timedelta(0) or page.default_zone.utcoffset(parsed) == offset:
        # "Z" is a serialisation of an instant, and a matching offset is the reader's own zone.
        return parsed.astimezone(page.default_zone), False, page.default_timezone
    zone_name = _fixed_offset_zone(offset) or page.default_timezone
    return parsed.astimezone(_zone(zone_name)), False, zone_name


_COUNTRY_ALIASES = {
    "uk": "GB",
    "united kingdom": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": "US",
    "united states of america": "US",
}


def _tz_table(name: str) -> list[list[str]]:
    """Rows of a tab-separated table shipped with the time-zone database."""
    text = ""
    with contextlib.suppress(Exception):
        text = (importlib.resources.files("tzdata") / "zoneinfo" / name).read_text("utf-8")
    if not text:
        with contextlib.suppress(OSError):
            text = Path("/usr/share/zoneinfo", name).read_text("utf-8")
    return [row.split("\t") for row in text.splitlines() if row and not row.startswith("#")]


@functools.cache
def _country_zones() -> dict[str, tuple[str, ...]]:
    """ISO country code to its IANA zones, most populous first (zone.tab order)."""
    zones: dict[str, list[str]] = {}
    for row in _tz_table("zone.tab"):
        if len(row) >= 3 and row[2] in _available_zones():
            zones.setdefault(row[0], []).append(row[2])
    return {code: tuple(names) for code, names in zones.items()}


@functools.cache
def _country_codes() -> dict[str, str]:
    """Folded country names and codes to ISO codes."""
    codes: dict[str, str] = {}
    for row in _tz_table("iso3166.tab"):
        if len(row) >= 2:
            codes[fold_words(row[0])] = row[0]
            codes[fold_words(row[1])] = row[0]
            codes.setdefault(fold_words(re.sub(r"\s*\(.*\)", "", row[1])), row[0])
    codes.update(_COUNTRY_ALIASES)
    return codes


def _country_zone(
    country: str | None, city: str | None, moment: datetime, offset: timedelta | None
) -> str | None:
    """The zone of a country (or of its named city) when unambiguous, at `moment`'s offset."""
    if not country:
        return None
    code = _country_codes().get(fold_words(country))
    zones = _country_zones().get(code or "", ())
    naive = moment.replace(tzinfo=None)
    if offset is not None:
        zones = tuple(z for z in zones if moment.astimezone(_zone(z)).utcoffset() == offset)
    if city:
        for zone_name in zones:
            if fold_words(zone_name.rsplit("/", 1)[-1]) == fold_words(city):
                return zone_name
    samples = _monthly_samples(naive.year)
    rules = {_offsets(_zone(z), samples) for z in zones}
    # Several zones are fine as long as they all keep the same time (US Eastern, say).
    return zones[0] if len(rules) == 1 else None


def _kind(item: dict[str, Any], url: str | None) -> str:
    """The Givefirst kind guessed from the schema.org type (and meetup.com links)."""
    for type_name in _types(item):
        if type_name in _KIND_BY_TYPE:
            return _KIND_BY_TYPE[type_name]
    if url and _host(url).endswith("meetup.com"):
        return "meetup"
    return "other"


def _web_location(
    value: Any, page: _PageContext
) -> tuple[str | None, str | None, str | None, str | None]:
    """(venue, address, city, country) from a Place, PostalAddress, text, or a list of them."""
    candidates = value if isinstance(value, list) else [value]
    resolved = [_resolve(c, page) for c in candidates if c is not None]
    physical = [c for c in resolved if not (isinstance(c, dict) and "VirtualLocation" in _types(c))]
    if not physical:
        return None, None, None, None
    location = physical[0]
    if isinstance(location, str):
        return _split_location(_clean_text(location))
    if not isinstance(location, dict):
        return None, None, None, None
    types = _types(location)
    if "PostalAddress" in types:
        venue = _str(location.get("name"))
        _, address, city, country = _postal(location)
        return venue, address, city, country
    venue = _str(location.get("name"))
    postal = _resolve(location.get("address"), page)
    if isinstance(postal, dict):
        _, address, city, country = _postal(postal)
        return venue, address, city, country
    text = _str(postal)
    split_venue, address, city, country = _split_location(text)
    return venue or split_venue, address, city, country


def _postal(address: dict[str, Any]) -> tuple[None, str | None, str | None, str | None]:
    """(None, one-line address, city, country) from a PostalAddress."""
    street = _str(address.get("streetAddress"))
    city = _str(address.get("addressLocality"))
    postcode = _str(address.get("postalCode"))
    region = _str(address.get("addressRegion"))
    country = _str(address.get("addressCountry"))
    locality = " ".join(p for p in (postcode, city) if p) or None
    parts = [p for p in (street, locality, region, country) if p]
    return None, ", ".join(parts) or None, city, country


def _absolute(url: str | None, base_url: str) -> str | None:
    """A URL made absolute against the page, http(s) only."""
    if not url:
        return None
    joined = urljoin(base_url, url) if base_url else url
    return joined if urlsplit(joined).scheme in {"http", "https"} else None


def _parse_duration(value: Any) -> tuple[int, int, timedelta] | None:
    """(years, months, rest) from an ISO 8601 duration such as P1W or PT60M."""
    text = _str(value)
    match = _ISO_DURATION.match(text or "")
    if not text or not match or text.upper() in {"P", "PT"}:
        return None
    number = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    rest = timedelta(
        weeks=number["w"],
        days=number["d"],
        hours=number["h"],
        minutes=number["mi"],
        seconds=number["s"],
    )
    return int(number["y"]), int(number["mo"]), rest


def _convert_web_event(
    item: dict[str, Any], page: _PageContext
) -> Iterator[ImportedEvent | Skipped]:
    """ImportedEvents from one schema.org Event (several for an eventSchedule), or skips."""
    name = _str(item.get("name"))
    if not name:
        parent = _resolve(_first(item.get("superEvent")), page)
        name = _str(parent.get("name")) if isinstance(parent, dict) else None
    what = name or _str(item.get("@id")) or "Event"
    url = _absolute(_str(item.get("url")), page.base_url)
    if url is None and page.single and page.base_url:
        url = _absolute(page.base_url, "")
    node_id = item.get("@id")
    source_uid = node_id if isinstance(node_id, str) and not node_id.startswith("_:") else url
    venue, address, city, country = _web_location(item.get("location"), page)
    status = (_str(item.get("eventStatus")) or "").rsplit("/", 1)[-1]
    base = ImportedEvent(
        source_uid=source_uid,
        name=name or "",
        kind=_kind(item, url),
        starts_at=datetime.min.replace(tzinfo=UTC),
        ends_at=None,
        all_day=False,
        timezone=page.default_timezone,
        venue=venue,
        address=address,
        city=city,
        country=country,
        url=url,
        description=_maybe_html(_str(item.get("description"))),
        cancelled=status == "EventCancelled",
    )
    if status == "EventRescheduled":
        previous = _web_time(item.get("previousStartDate"), page, country, city)
        base.rescheduled_from = previous[0] if previous else None
    if item.get("startDate") is None:
        schedule = _first(item.get("eventSchedule"))
        if isinstance(schedule, dict):
            yield from _schedule_occurrences(base, item, schedule, page, what)
        else:
            yield Skipped(what, SKIP_NO_START)
        return
    start = _web_time(item.get("startDate"), page, country, city)
    if start is None:
        yield Skipped(what, SKIP_BAD_DATE)
        return
    base.starts_at, base.all_day, base.timezone = start
    base.ends_at = _web_end(item, base, page, country, city)
    yield base


def _web_end(
    item: dict[str, Any],
    event: ImportedEvent,
    page: _PageContext,
    country: str | None,
    city: str | None,
) -> datetime | None:
    """The end from endDate (a date-only end is inclusive in schema.org), else from duration."""
    end = _web_time(item.get("endDate"), page, country, city)
    ends_at: datetime | None = None
    if end is not None:
        ends_at, end_all_day, _ = end
        if end_all_day:
            next_day = ends_at.date() + timedelta(days=1)
            ends_at = datetime.combine(next_day, time(0), tzinfo=event.starts_at.tzinfo)
        ends_at = ends_at.astimezone(event.starts_at.tzinfo)
    else:
        duration = _parse_duration(item.get("duration"))
        if duration and not duration[0] and not duration[1] and duration[2]:
            ends_at = event.starts_at + duration[2]
        elif event.all_day:
            ends_at = event.starts_at + timedelta(days=1)
    if ends_at is not None and ends_at < event.starts_at:
        return None
    return ends_at


def _schedule_rule(schedule: dict[str, Any]) -> dict[str, Any] | None:
    """An RRULE (as icalendar wants it) from a schema.org Schedule, or None."""
    frequency = _parse_duration(schedule.get("repeatFrequency"))
    words = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY", "yearly": "YEARLY"}
    word = (_str(schedule.get("repeatFrequency")) or "").lower()
    rule: dict[str, Any] = {}
    if word in words:
        rule["FREQ"] = words[word]
    elif frequency:
        years, months, rest = frequency
        if years:
            rule.update(FREQ="YEARLY", INTERVAL=years)
        elif months:
            rule.update(FREQ="MONTHLY", INTERVAL=months)
        elif rest.days and rest.days % 7 == 0:
            rule.update(FREQ="WEEKLY", INTERVAL=rest.days // 7)
        elif rest.days:
            rule.update(FREQ="DAILY", INTERVAL=rest.days)
        else:
            return None
    else:
        return None
    days = schedule.get("byDay")
    day_codes = [
        _WEEKDAYS.get(str(d).rsplit("/", 1)[-1].lower())
        for d in (days if isinstance(days, list) else [days])
        if d
    ]
    if any(day_codes):
        rule["BYDAY"] = [c for c in day_codes if c]
    for key, target in (("byMonthDay", "BYMONTHDAY"), ("byMonth", "BYMONTH")):
        values = schedule.get(key)
        numbers = [int(v) for v in (values if isinstance(values, list) else [values]) if v]
        if numbers:
            rule[target] = numbers
    count = schedule.get("repeatCount")
    if isinstance(count, int) and count > 0:
        rule["COUNT"] = count
    return rule


def _matches_rule(rule: dict[str, Any], day: date) -> bool:
    """Whether a day satisfies the BYDAY/BYMONTHDAY/BYMONTH parts of a schedule's rule."""
    weekday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[day.weekday()]
    return (
        weekday in rule.get("BYDAY", [weekday])
        and day.day in rule.get("BYMONTHDAY", [day.day])
        and day.month in rule.get("BYMONTH", [day.month])
    )


def _iso_date(value: Any) -> date | None:
    """A date from the start of an ISO date or date-time, or None."""
    with contextlib.suppress(ValueError):
        return date.fromisoformat((_str(value) or "")[:10])
    return None


def _schedule_occurrences(
    base: ImportedEvent,
    item: dict[str, Any],
    schedule: dict[str, Any],
    page: _PageContext,
    what: str,
) -> Iterator[ImportedEvent | Skipped]:
    """The occurrences of an event given only by an eventSchedule."""
    rule = _schedule_rule(schedule)
    if rule is None:
        yield Skipped(what, SKIP_UNSUPPORTED_RECURRENCE)
        return
    zone_name = (
        _zone_from_name(_str(schedule.get("scheduleTimezone")) or "") or page.default_timezone
    )
    zone = _zone(zone_name)
    first_day = _iso_date(schedule.get("startDate"))
    if first_day is None:
        if page.now is None:
            yield Skipped(what, SKIP_NO_START)
            return
        # No start given: anchor the rule just before the window, so it starts "now".
        first_day = (page.now - timedelta(days=3)).astimezone(zone).date()
    try:
        start_time = time.fromisoformat(_str(schedule.get("startTime")) or "")
    except ValueError:
        start_time, all_day = time(0), True
    else:
        all_day = False
    end_time: time | None = None
    with contextlib.suppress(ValueError):
        end_time = time.fromisoformat(_str(schedule.get("endTime")) or "")
    last_day = _iso_date(schedule.get("endDate"))
    if last_day is not None:
        rule["UNTIL"] = datetime.combine(last_day, time(23, 59, 59), tzinfo=zone)
    component = icalendar.Event()
    component.add("UID", "schedule")
    start_local = datetime.combine(first_day, start_time, tzinfo=zone)
    component.add("DTSTART", first_day if all_day else start_local)
    if not all_day and end_time is not None and end_time > start_time:
        component.add("DTEND", datetime.combine(first_day, end_time, tzinfo=zone))
    else:
        duration = _parse_duration(item.get("duration") or schedule.get("duration"))
        if duration and duration[2] and not all_day:
            component.add("DURATION", duration[2])
    component.add("RRULE", rule)
    # iCalendar counts DTSTART as an occurrence even when it breaks the rule; schema.org does not.
    excluded = [] if _matches_rule(rule, first_day) else [first_day]
    excepts = schedule.get("exceptDate")
    for value in excepts if isinstance(excepts, list) else [excepts]:
        day = _iso_date(value)
        if day is not None:
            excluded.append(day)
    for day in excluded:
        component.add("EXDATE", day if all_day else datetime.combine(day, start_time, tzinfo=zone))
    holder = icalendar.Calendar()
    holder.add_component(component)
    if page.now is None:
        window = (start_local - timedelta(days=1), start_local + timedelta(days=400))
        limit = 1
    else:
        window = (page.now - timedelta(days=1), page.now + timedelta(days=page.horizon_days))
        limit = MAX_OCCURRENCES_PER_SERIES
    try:
        occurrences = recurring_ical_events.of(holder).between(*window)
    except Exception:  # a schedule that dateutil cannot expand
        yield Skipped(what, SKIP_BAD_RECURRENCE)
        return
    events: list[ImportedEvent] = []
    for occurrence in occurrences:
        value = occurrence.get("DTSTART").dt
        end = occurrence.get("DTEND")
        if isinstance(value, datetime):
            starts_at = value.astimezone(zone)
            ends_at = end.dt.astimezone(zone) if end is not None else None
        else:
            starts_at = datetime.combine(value, time(0), tzinfo=zone)
            ends_at = starts_at + timedelta(days=1)
        occurrence_uid = (
            f"{base.source_uid}/{starts_at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
            if base.source_uid
            else None
        )
        events.append(
            dataclasses.replace(
                base,
                source_uid=occurrence_uid,
                starts_at=starts_at,
                ends_at=ends_at,
                all_day=not isinstance(value, datetime),
                timezone=zone_name,
            )
        )
    events.sort(key=lambda e: e.starts_at)
    yield from events[:limit]
    if len(events) > limit and page.now is not None:
        yield Skipped(what, SKIP_TOO_MANY_OCCURRENCES)
    if not events:
        yield Skipped(what, SKIP_NO_UPCOMING)


def _dedupe_web(result: ImportResult) -> None:
    """Drop an event given twice on a page (e.g. as JSON-LD and as microdata)."""
    seen: set[tuple[str, datetime]] = set()
    kept: list[ImportedEvent] = []
    for event in result.events:
        key = (event.source_uid or event.name, event.starts_at)
        if key in seen:
            result.skipped.append(Skipped(event.name or "Event", SKIP_DUPLICATE))
            continue
        seen.add(key)
        kept.append(event)
    result.events = kept
