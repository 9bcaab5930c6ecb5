"""iCalendar files: repair of common breakage, time zones, recurring series expanded in a window."""

from __future__ import annotations

import contextlib
import quopri
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import icalendar
import recurring_ical_events
from icalendar.parser import Parameters, unescape_backslash
from icalendar.parser.ical.component import ComponentIcalParser

from app.events.importing.kinds import infer_kind
from app.events.importing.records import (
    FAIL_BROKEN,
    FAIL_NO_EVENTS,
    FAIL_NOT_CALENDAR,
    FAIL_ONLY_PAST_SERIES,
    FAIL_TOO_LARGE,
    MAX_DOCUMENT_BYTES,
    MAX_EVENTS,
    MAX_OCCURRENCES_PER_SERIES,
    SKIP_BAD_DATE,
    SKIP_BAD_RECURRENCE,
    SKIP_DUPLICATE,
    SKIP_NO_START,
    SKIP_NO_UPCOMING,
    SKIP_NOT_AN_EVENT,
    SKIP_PAST_SERIES,
    SKIP_TOO_MANY_EVENTS,
    SKIP_TOO_MANY_OCCURRENCES,
    SKIP_UNSUPPORTED_RECURRENCE,
    ImportedEvent,
    ImportFailed,
    ImportResult,
    Skipped,
)
from app.events.importing.text import clean_text, first_line, host, maybe_html, split_location
from app.events.importing.timezones import zone_from_name, zone_info, zone_of
from app.text import decode_bytes

# Expanding recurrences costs time even when they yield nothing: the work per document is
# bounded by the steps its rules take (an estimate from each rule, see _rule_steps), never by
# the clock, so that a file imports the same events whatever the machine's load.
MAX_EXPANSION_STEPS = 2_000_000
# What a series costs besides its steps (a calendar of its own for recurring_ical_events).
SERIES_STEPS = 200


def parse_ics(
    data: bytes, *, default_timezone: str, now: datetime, horizon_days: int = 365
) -> ImportResult:
    """Import the events of an iCalendar file, expanding recurring series within the window."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ImportFailed(FAIL_TOO_LARGE)
    default_zone = zone_info(default_timezone)
    text = decode_bytes(data)
    begin = text.upper().find("BEGIN:VCALENDAR")
    if begin < 0:
        raise ImportFailed(FAIL_NOT_CALENDAR)
    calendars = _load_calendars(_repair_ics(text[begin:]))
    window = (now - timedelta(days=1), now + timedelta(days=horizon_days))
    result = ImportResult(is_feed=True)
    seen_event = False
    budget = _Budget(MAX_EXPANSION_STEPS)
    for calendar in calendars:
        context = _IcsContext.of(calendar, default_timezone, default_zone, budget)
        if result.calendar_name is None:
            result.calendar_name = clean_text(_str_prop(calendar.get("X-WR-CALNAME")))
        seen_event |= _import_calendar(calendar, context, window, result)
    if not seen_event:
        raise ImportFailed(FAIL_NO_EVENTS)
    _dedupe(result)
    if result.only_past_series():
        raise ImportFailed(FAIL_ONLY_PAST_SERIES)
    return result


@dataclass
class _Budget:
    """The expansion steps left for the rest of a document."""

    steps: int


_CONTENT_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*[;:]")
_PROPERTY_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")
_DATE_WITH_Z = re.compile(r"(?<=[:,])(\d{8})Z(?=,|$)")
_DATE_PROPS = ("DTSTART", "DTEND", "DUE", "RDATE", "EXDATE", "RECURRENCE-ID")
# The name and parameters of a content line, up to the colon that starts its value.
_HEAD = re.compile(r'^([A-Za-z0-9-]+)((?:;[^:;"]*=(?:"[^"]*"|[^:;"]*))*):')
_TZID_PARAM = re.compile(r';TZID=(?:"[^"]*"|[^:;]*)', re.I)
_DATE_VALUE = re.compile(r";VALUE=DATE(?=[;:]|$)", re.I)
# What the import reads of an event (and what recurring_ical_events needs to expand a series):
# icalendar parses every property it is given, so the rest (attendees, alarms, stamps) is left
# out before it sees them. Outside events (the calendar, VTIMEZONEs) everything is kept.
_EVENT_PROPERTIES = frozenset(
    {
        "DTSTART", "DTEND", "DURATION", "DUE", "RRULE", "RDATE", "EXDATE", "EXRULE",
        "RECURRENCE-ID", "SEQUENCE", "UID", "SUMMARY", "DESCRIPTION", "X-ALT-DESC", "LOCATION",
        "URL", "X-ORIGINAL-URL", "STATUS", "CATEGORIES",
    }
)  # fmt: skip
_ITEMS = frozenset({"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY"})
# Lines that say what their absence says (Google writes both in every event).
_DEFAULT_LINES = frozenset({"SEQUENCE:0", "STATUS:CONFIRMED"})


def _repair_ics(text: str) -> str:
    """Undo the breakage icalendar does not: folds that lost their leading space, dates with 'Z'
    or a TZID; and leave out what the import never reads of an event.

    Each repair is needed by a real file of the shared test data, or by a feed named beside it.
    """
    # icalendar skips blank lines itself (lastfm-event-feed-floating-blank-lines.ics), but the
    # fold repair below would take one for a lost fold.
    physical = [line for line in re.split(r"\r\n|\n|\r", text) if line.strip()]
    logical: list[str] = []
    for i, line in enumerate(physical):
        continues = i + 1 < len(physical) and physical[i + 1][:1] in {" ", "\t"}
        if line[0] in " \t" and logical:
            logical[-1] += line[1:]
        elif (
            _CONTENT_LINE.match(line)
            # KOrganizer folds right after the name: "PRODID" then " :-//K Desktop..."
            # (korganizer-every-line-folded.ics).
            or (continues and _PROPERTY_NAME.match(line))
            or not logical
        ):
            logical.append(line)
        else:
            # A fold whose leading space was lost: rejoin it, keeping a word break
            # (trumba-event-feed-mojibake-broken-fold.ics).
            logical[-1] += " " + line
    lines: list[str] = []
    # The components the line is in: properties are filtered inside an event, and whatever is
    # nested in an event (VALARM) is left out whole.
    stack: list[str] = []
    for line in logical:
        head = _HEAD.match(line)
        name = head.group(1).upper() if head else ""
        if name == "BEGIN":
            stack.append(line[6:].strip().upper())
        depth = next((i for i, c in enumerate(stack) if c in _ITEMS), None)
        if name == "END" and stack:
            stack.pop()
        if depth is not None:
            if len(stack) > depth + 1 or (name == "END" and len(stack) > depth):
                continue  # in (or ending) a component nested in an event: a VALARM
            if name not in {"BEGIN", "END"} and head and name not in _EVENT_PROPERTIES:
                continue  # a broken line is kept, for icalendar to refuse
            if line.upper() in _DEFAULT_LINES:
                continue
        if name in _DATE_PROPS and head is not None:
            line = _repair_date(line, head)
        lines.append(line)
    return "\r\n".join(lines) + "\r\n"


def _repair_date(line: str, head: re.Match[str]) -> str:
    """A date property's value repaired: a date is neither UTC nor in a zone."""
    params, value = head.group(2), line[head.end() :]
    # "RDATE:20131210Z" (google-birthdays-recurrence-id-date.ics).
    value = _DATE_WITH_Z.sub(r"\1", ":" + value)[1:]
    # "DTSTART;VALUE=DATE;TZID=Europe/Berlin:20270203", as some feeds write whole days:
    # icalendar would read midnight in that zone, a timed event.
    is_date = bool(_DATE_VALUE.search(params)) or bool(re.fullmatch(r"\d{8}(,\d{8})*", value))
    if is_date and _TZID_PARAM.search(params):
        params = _TZID_PARAM.sub("", params)
        if not _DATE_VALUE.search(params):
            params += ";VALUE=DATE"
    return f"{head.group(1)}{params}:{value}"


_BARE_NAME = re.compile(r"[A-Za-z0-9-]+")


class _Parser(ComponentIcalParser):
    """icalendar's parser, splitting lines without parameters itself.

    icalendar reads every character of every line, values included, to find the colon after the
    name: two thirds of a large file's parsing. A line whose name is followed by the colon
    (UID:, SUMMARY:, DESCRIPTION:...) has nothing else to find.
    """

    def parse_content_lines(self) -> None:
        for line in self._content_lines_iterator:
            if not line:
                continue
            colon = line.find(":")
            if colon > 0 and _BARE_NAME.fullmatch(line, 0, colon):
                name, params, vals = (
                    line[:colon],
                    Parameters(),
                    unescape_backslash(line[colon + 1 :]),
                )
            else:
                try:
                    name, params, vals = line.parts()
                except ValueError as error:
                    self.handle_line_parse_error(error)
                    continue
            uname = name.upper()
            if uname == "BEGIN":
                self.handle_begin_component(vals)
            elif uname == "END":
                self.handle_end_component(vals)
            else:
                self.handle_property(uname, params, vals, line)


class _Calendar(icalendar.Calendar):
    """A calendar read with _Parser (its VCALENDARs come out as plain icalendar Calendars)."""

    @classmethod
    def _get_ical_parser(cls, st: str | bytes) -> ComponentIcalParser:
        return _Parser(st, cls._get_component_factory(), cls.types_factory)


def _load_calendars(text: str) -> list[icalendar.Calendar]:
    """All VCALENDARs in the text (files sometimes hold several), or ImportFailed('broken')."""
    try:
        calendars = _Calendar.from_ical(text, multiple=True)
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
    budget: _Budget

    @classmethod
    def of(
        cls,
        calendar: icalendar.Calendar,
        default_timezone: str,
        default_zone: zoneinfo.ZoneInfo,
        budget: _Budget,
    ) -> _IcsContext:
        """Read the calendar's own time zone, producer and method."""
        declared = _str_prop(calendar.get("X-WR-TIMEZONE"))
        floating = zone_from_name(declared) if declared else None
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
            budget=budget,
        )


def _label(component: icalendar.cal.Component) -> str:
    """How to name a component in a Skipped entry."""
    summary = clean_text(_str_prop(component.get("SUMMARY")))
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
            result.add(_convert_component(component, context, _uid_of(component)))
    for components in series.values():
        _expand_series(components, context, window, result)
    return bool(vevents)


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
            # Exchange writes instances of all-day series with a date-time RECURRENCE-ID
            # (exchange2010-gmt-standard-time-allday-recurring.ics).
            value = value.date()
        if isinstance(value, datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            return f"{uid}/{value.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}"
        if isinstance(value, date):
            return f"{uid}/{value.isoformat()}"
    return uid


def _rule_part(rule: Any, name: str) -> Any:
    """The first value of an RRULE part, or None."""
    value = rule.get(name)
    return (value[0] if value else None) if isinstance(value, list) else value


_PER_YEAR = {"YEARLY": 1, "MONTHLY": 12, "WEEKLY": 53, "DAILY": 366, "HOURLY": 8784}


def _rule_steps(rule: Any, first_year: int, last_year: int) -> int | None:
    """How many occurrences dateutil walks to expand an RRULE up to the window (an estimate),
    or None for a rule too costly to follow (every second, or hourly since year 1).

    dateutil walks every occurrence from DTSTART, so an hourly rule started in year 1 is as
    costly as one with a million occurrences in the window.
    """
    until = _rule_part(rule, "UNTIL")
    if isinstance(until, date):
        last_year = min(last_year, until.year)
    years = max(last_year - first_year + 1, 1)
    frequency = str(_rule_part(rule, "FREQ") or "").upper()
    if frequency not in _PER_YEAR:
        return None
    interval = _rule_part(rule, "INTERVAL") or 1
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
    count = _rule_part(rule, "COUNT")
    steps = estimate * years
    if isinstance(count, int) and count > 0:
        steps = min(steps, count)
    if estimate > 20_000 or steps > 1_000_000:
        return None
    return int(steps) + 1


def _expand_series(
    components: list[icalendar.cal.Component],
    context: _IcsContext,
    window: tuple[datetime, datetime],
    result: ImportResult,
) -> None:
    """Add the occurrences of one recurring series that fall within the window."""
    master = next((c for c in components if c.get("RECURRENCE-ID") is None), components[0])
    label = _label(master)
    if len(result.events) >= MAX_EVENTS:
        result.skipped.append(Skipped(label, SKIP_TOO_MANY_EVENTS))
        return
    start = master.get("DTSTART")
    first = getattr(start, "dt", None)
    if not isinstance(first, date):
        result.skipped.append(Skipped(label, SKIP_NO_START if start is None else SKIP_BAD_DATE))
        return
    rrule = master.get("RRULE")
    rules = rrule if isinstance(rrule, list) else [rrule] if rrule is not None else []
    first = _fast_forward(master, rules, window[0])
    steps = [
        _rule_steps(rule, first.year, window[1].year) if hasattr(rule, "get") else None
        for rule in rules
    ]
    if None in steps:
        result.skipped.append(Skipped(label, SKIP_UNSUPPORTED_RECURRENCE))
        return
    cost = SERIES_STEPS + sum(s or 0 for s in steps)
    if cost > context.budget.steps:
        result.skipped.append(Skipped(label, SKIP_TOO_MANY_EVENTS))
        return
    context.budget.steps -= cost
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
        result.add(event)
    if len(events) > MAX_OCCURRENCES_PER_SERIES:
        result.skipped.append(Skipped(label, SKIP_TOO_MANY_OCCURRENCES))
    if not items:
        past = _rules_end(rules) and series_ended(holder, window[0])
        result.skipped.append(Skipped(label, SKIP_PAST_SERIES if past else SKIP_NO_UPCOMING))


_PERIOD_DAYS = {"WEEKLY": 7, "DAILY": 1}


def _fast_forward(master: icalendar.cal.Component, rules: list[Any], begin: datetime) -> date:
    """Move an old series' DTSTART (and DTEND) to a start of the rule's period shortly before the
    window, in whole periods, and tell the start now used.

    dateutil walks a rule from DTSTART, and a yearly step costs it a whole year of days: a
    birthday since 1950 cost 76 steps before its next date. The occurrences from the new start
    on are the same: whole periods keep the rule's alignment (INTERVAL, WKST) and the parts it
    takes from DTSTART (month, day, weekday, time). Not with COUNT (counted from the first
    DTSTART), several rules or EXRULE; a start that does not fit the rule is an occurrence
    that iCalendar keeps, and its moved copy ends before the window.
    """
    start = master.get("DTSTART")
    first: date = start.dt
    if (
        len(rules) != 1
        or not hasattr(rules[0], "get")
        or master.get("EXRULE") is not None
        or _rule_part(rules[0], "COUNT")
    ):
        return first
    end = master.get("DTEND")
    try:
        moved = _moved_start(rules[0], first, getattr(end, "dt", None), begin)
        new_end = None if end is None or moved is None else moved + (end.dt - first)
    except (TypeError, ValueError, OverflowError):  # a DTEND of another kind, a date out of range
        return first
    if moved is None:
        return first
    start.dt = moved
    if end is not None:
        end.dt = new_end
    return moved


def _moved_start(rule: Any, first: date, end: Any, begin: datetime) -> date | None:
    """The start _fast_forward moves a series to, or None to keep it."""
    frequency = str(_rule_part(rule, "FREQ") or "").upper()
    interval = max(int(_rule_part(rule, "INTERVAL") or 1), 1)
    length = max(end - first, timedelta(0)) if end is not None else timedelta(0)
    # A period and the event's length before the window: whatever is moved ends before it.
    if isinstance(first, datetime):
        limit = begin.astimezone(first.tzinfo or UTC).replace(tzinfo=first.tzinfo) - length
        limit_day, first_day = limit.date(), first.date()
    else:
        limit_day, first_day = begin.date() - length - timedelta(days=1), first
    if frequency in _PERIOD_DAYS:
        period = _PERIOD_DAYS[frequency] * interval
        periods = ((limit_day - first_day).days // period) - 1
        return first + timedelta(days=periods * period) if periods > 0 else None
    if frequency in {"MONTHLY", "YEARLY"}:
        months = interval * (12 if frequency == "YEARLY" else 1)
        elapsed = (limit_day.year - first_day.year) * 12 + limit_day.month - first_day.month
        periods = elapsed // months - 1
        if periods <= 0:
            return None
        index = first_day.year * 12 + first_day.month - 1 + periods * months
        # A day the target month lacks (31, 29 February) raises ValueError: the start stays.
        return first.replace(year=index // 12, month=index % 12 + 1)
    return None


def _rules_end(rules: list[Any]) -> bool:
    """Whether every RRULE of a series ends (COUNT or UNTIL): only then can all of it be past."""
    return all(_rule_part(r, "COUNT") or _rule_part(r, "UNTIL") for r in rules)


def series_ended(holder: icalendar.Calendar, moment: datetime) -> bool:
    """Whether a finite series has no occurrence after `moment` (it is over, not just far)."""
    try:
        return next(iter(recurring_ical_events.of(holder).after(moment)), None) is None
    except Exception:  # as in _expand_series: the rule is already known to expand
        return False


def _categories(component: Any) -> list[str]:
    """The words of every `CATEGORIES` property (one or several, each a list)."""
    values = component.get("CATEGORIES")
    if values is None:
        return []
    words: list[str] = []
    for value in values if isinstance(values, list) else [values]:
        cats = getattr(value, "cats", None)
        if cats is None:
            words.append(str(value))
        else:
            words.extend(str(cat) for cat in cats)
    return words


def _ics_time(value: Any, tzid: str | None, context: _IcsContext) -> tuple[datetime, bool, str]:
    """(aware datetime in its IANA zone, all-day?, IANA name) for a DTSTART/DTEND value."""
    if isinstance(value, date) and not isinstance(value, datetime):
        midnight = datetime.combine(value, time(0), tzinfo=context.default_zone)
        return midnight, True, context.default_timezone
    if not isinstance(value, datetime):
        raise ValueError(f"not a date: {value!r}")
    if value.tzinfo is None:
        # Floating time, or a TZID that icalendar could not resolve (e.g. "UTC+0").
        named = zone_from_name(tzid) if tzid else None
        value = value.replace(tzinfo=zone_info(named or context.floating_timezone))
        zone_name = named
    else:
        zone_name = zone_of(value, tzid)
    if zone_name is None or zone_name == "UTC":
        # UTC is how the file stores an instant, not where the event happens.
        zone_name = context.floating_timezone
    return value.astimezone(zone_info(zone_name)), False, zone_name


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
    # vCalendar 1.0 (outlook2003-quoted-printable-two-vcalendars.ics).
    if str(params.get("ENCODING", "")).upper() in {"QUOTED-PRINTABLE", "QP"}:
        charset = str(params.get("CHARSET", "utf-8"))
        with contextlib.suppress(LookupError, ValueError):
            text = quopri.decodestring(text.encode("utf-8")).decode(charset, errors="replace")
    # \" is not an iCalendar escape, but Podio writes it (podio-tab-folding-altrep-trailing-junk.ics).
    return clean_text(text.replace('\\"', '"'))


def _convert_component(
    component: icalendar.cal.Component, context: _IcsContext, source_uid: str | None
) -> ImportedEvent | Skipped:
    """An ImportedEvent from a VEVENT (or one occurrence), or why not."""
    summary = _text_prop(component, "SUMMARY")
    description = _text_prop(component, "DESCRIPTION")
    if description is None:
        description = maybe_html(_str_prop(component.get("X-ALT-DESC")))
    name = summary or first_line(description) or ""
    what = name or source_uid or "VEVENT"
    start = component.get("DTSTART")
    if start is None:
        return Skipped(what, SKIP_NO_START)
    try:
        starts_at, all_day, zone_name = _ics_time(start.dt, _tzid_param(start), context)
        ends_at = _ics_end(component, start.dt, starts_at, all_day, context)
    except Exception:  # a broken date property raises from icalendar on access
        return Skipped(what, SKIP_BAD_DATE)
    venue, address, city, country = split_location(_text_prop(component, "LOCATION"))
    url = clean_text(_str_prop(component.get("URL"))) or clean_text(
        _str_prop(component.get("X-ORIGINAL-URL"))
    )
    status = (_str_prop(component.get("STATUS")) or "").upper()
    fallback = "meetup" if url and host(url).endswith("meetup.com") else context.kind
    kind = infer_kind(name, categories=_categories(component), fallback=fallback)
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
