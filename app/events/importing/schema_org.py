"""schema.org Events in HTML pages (JSON-LD, microdata and RDFa, read by extruct), schedules included."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import extruct
import icalendar
import recurring_ical_events
from w3lib.encoding import html_to_unicode

from app.events.importing.ical import series_ended
from app.events.importing.kinds import KIND_BY_TYPE, infer_kind
from app.events.importing.records import (
    FAIL_NO_EVENTS,
    FAIL_ONLY_PAST_SERIES,
    FAIL_TOO_LARGE,
    MAX_DOCUMENT_BYTES,
    MAX_OCCURRENCES_PER_SERIES,
    SKIP_BAD_DATE,
    SKIP_BAD_RECURRENCE,
    SKIP_DUPLICATE,
    SKIP_NO_START,
    SKIP_NO_UPCOMING,
    SKIP_PAST_SERIES,
    SKIP_TOO_MANY_OCCURRENCES,
    SKIP_UNREADABLE,
    SKIP_UNSUPPORTED_RECURRENCE,
    ImportedEvent,
    ImportFailed,
    ImportResult,
    Skipped,
)
from app.events.importing.text import clean_text, host, maybe_html, page_title, split_location
from app.events.importing.timezones import (
    city_zone,
    country_zone,
    fixed_offset_zone,
    preferred_zone,
    zone_from_name,
    zone_info,
)

_EVENT_TYPES = frozenset(
    {
        *KIND_BY_TYPE,
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
    """Import the schema.org Events (JSON-LD, microdata or RDFa) of an HTML page.

    `now` only matters for events given as an eventSchedule: their occurrences within
    [now - 1 day, now + horizon_days] are imported (without `now`, only the first one).
    """
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ImportFailed(FAIL_TOO_LARGE)
    default_zone = zone_info(default_timezone)
    _, text = html_to_unicode(content_type, data)
    utf8 = text.encode("utf-8")
    result = ImportResult(calendar_name=page_title(text))
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
            result.add(converted)
    _dedupe_web(result)
    if result.only_past_series():
        raise ImportFailed(FAIL_ONLY_PAST_SERIES)
    return result


def _extract_items(utf8: bytes, base_url: str, result: ImportResult) -> list[Any]:
    """JSON-LD, microdata and RDFa items of a page; a broken JSON-LD block is skipped, not fatal."""
    items: list[Any] = []
    try:
        found = extruct.extract(
            utf8, base_url=base_url or None, syntaxes=["json-ld"], uniform=True, errors="strict"
        )
        items.extend(found.get("json-ld", []))
    except Exception:
        # One bad block fails extruct's whole pass: retry block by block (no shared file
        # has one; test_json_ld_with_comments_and_a_broken_block does).
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
    if _RDFA_HINT.search(utf8):
        try:
            found = extruct.extract(
                _time_content(utf8), base_url=base_url or None, syntaxes=["rdfa"], errors="strict"
            )
            items.extend(_rdfa_items(found.get("rdfa", [])))
        except Exception:
            result.skipped.append(Skipped("RDFa", SKIP_UNREADABLE))
    return items


# RDFa needs typeof= (a node with a type); pyRdfa is slow, so pages without it are not handed
# to it at all.
_RDFA_HINT = re.compile(rb"\btypeof\s*=", re.I)
_TIME_TAG = re.compile(rb"<time\b[^>]*>", re.I)
_DATETIME_ATTR = re.compile(rb"""\bdatetime\s*=\s*("[^"]*"|'[^']*')""", re.I)
_SCHEMA_IRI = re.compile(r"^https?://schema\.org/(.+)$")


def _time_content(html: bytes) -> bytes:
    """`<time property=startDate datetime=...>` with the datetime as its content.

    HTML5's RDFa takes a time element's value from @datetime, but the pyRdfa extruct runs takes
    its text ("21 juin"), so the attribute is copied into @content, which RDFa reads first.
    """

    def fix(match: re.Match[bytes]) -> bytes:
        tag = match.group(0)
        value = _DATETIME_ATTR.search(tag)
        if value is None or re.search(rb"\bcontent\s*=", tag, re.I):
            return tag
        return tag[:5] + b" content=" + value.group(1) + tag[5:]

    return _TIME_TAG.sub(fix, html)


def _rdfa_items(graph: list[Any]) -> list[dict[str, Any]]:
    """RDFa's flattened graph (expanded JSON-LD: full IRIs, blank nodes) as the nested,
    short-named items JSON-LD and microdata give: each node with what it references inside it,
    and only the nodes nobody references at the top (so a sub-event stays inside its event)."""
    nodes = {n["@id"]: n for n in graph if isinstance(n, dict) and isinstance(n.get("@id"), str)}
    described = {
        key for key, node in nodes.items() if "@type" in node or any(map(_schema_name, node))
    }
    referenced: set[str] = set()

    def value(raw: Any, seen: frozenset[str]) -> Any:
        if not isinstance(raw, dict):
            return raw
        if "@value" in raw:
            return raw["@value"]
        ref = raw.get("@id")
        if isinstance(ref, str) and ref in described and ref not in seen:
            referenced.add(ref)
            return compact(nodes[ref], seen | {ref})
        return ref

    def compact(node: dict[str, Any], seen: frozenset[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"@id": node["@id"]}
        if "@type" in node:
            out["@type"] = node["@type"]
        for key, raw in node.items():
            name = _schema_name(key)
            if name is None:
                continue
            values = [value(v, seen) for v in (raw if isinstance(raw, list) else [raw])]
            out[name] = values[0] if len(values) == 1 else values
        return out

    compacted = {key: compact(nodes[key], frozenset({key})) for key in described}
    return [compacted[key] for key in described if key not in referenced]


def _schema_name(key: str) -> str | None:
    """The short name of a schema.org property IRI, or None for another vocabulary's."""
    match = _SCHEMA_IRI.match(key)
    return match.group(1) if match else None


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
    return clean_text(" ".join(value.split()) if "\n" not in value else value)


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
        local = country_zone(country, city, parsed.replace(tzinfo=UTC), None)
        zone_name = local or city_zone(city, parsed.replace(tzinfo=UTC), None)
        zone_name = zone_name or page.default_timezone
        return parsed.replace(tzinfo=zone_info(zone_name)), False, zone_name
    offset = parsed.utcoffset() or timedelta(0)
    hinted = country_zone(country, city, parsed, offset) or city_zone(city, parsed, offset)
    if hinted:
        return parsed.astimezone(zone_info(hinted)), False, hinted
    if offset == timedelta(0) or page.default_zone.utcoffset(parsed) == offset:
        # "Z" is a serialisation of an instant, and a matching offset is the reader's own zone.
        return parsed.astimezone(page.default_zone), False, page.default_timezone
    zone_name = preferred_zone(parsed, offset) or fixed_offset_zone(offset) or page.default_timezone
    return parsed.astimezone(zone_info(zone_name)), False, zone_name


def _kind(item: dict[str, Any], name: str, url: str | None) -> str:
    """The Givefirst kind from the schema.org type, then the event's name (and meetup.com)."""
    fallback = "meetup" if url and host(url).endswith("meetup.com") else "other"
    return infer_kind(name, types=_types(item), fallback=fallback)


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
        return split_location(clean_text(location))
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
    split_venue, address, city, country = split_location(text)
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
        kind=_kind(item, name or "", url),
        starts_at=datetime.min.replace(tzinfo=UTC),
        ends_at=None,
        all_day=False,
        timezone=page.default_timezone,
        venue=venue,
        address=address,
        city=city,
        country=country,
        url=url,
        description=maybe_html(_str(item.get("description"))),
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
        zone_from_name(_str(schedule.get("scheduleTimezone")) or "") or page.default_timezone
    )
    zone = zone_info(zone_name)
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
        past = ("UNTIL" in rule or "COUNT" in rule) and series_ended(holder, window[0])
        yield Skipped(what, SKIP_PAST_SERIES if past else SKIP_NO_UPCOMING)


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
