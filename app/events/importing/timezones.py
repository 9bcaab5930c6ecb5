"""Time zones of imported events: IANA names from TZIDs, Windows names, custom rules and countries."""

from __future__ import annotations

import contextlib
import functools
import re
import zoneinfo
from datetime import UTC, datetime, timedelta, timezone, tzinfo

import pytz
from babel import Locale
from babel.core import get_global
from icalendar.timezone.tzid import tzid_from_tzinfo
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from app.text import fold_words

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
def available_zones() -> frozenset[str]:
    """IANA names known to this Python (tzdata)."""
    return frozenset(zoneinfo.available_timezones())


@functools.lru_cache(maxsize=1024)
def zone_info(name: str) -> zoneinfo.ZoneInfo:
    """A cached ZoneInfo."""
    return zoneinfo.ZoneInfo(name)


@functools.cache
def _city_index() -> dict[str, str]:
    """Folded city name (last part of an IANA name) to the IANA name."""
    index: dict[str, str] = {}
    for name in sorted(available_zones()):
        if name.startswith(_IANA_AREAS):
            index.setdefault(fold_words(name.rsplit("/", 1)[-1]), name)
    return index


@functools.cache
def _primary_zones() -> tuple[str, ...]:
    """CLDR's main IANA zone for each Windows zone: the candidates when only offsets are known."""
    names = [z for z in dict.fromkeys(WINDOWS_TO_OLSON.values()) if z in available_zones()]
    # Fixed-offset Etc zones only as a last resort, after every real place.
    return tuple(sorted(names, key=lambda z: z.startswith("Etc/")))


def fixed_offset_zone(offset: timedelta) -> str | None:
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
def zone_from_name(tzid: str) -> str | None:
    """The IANA name that a TZID names outright (IANA, Windows, vendor-prefixed or UTC±N).

    icalendar resolves such TZIDs itself when a file has no VTIMEZONE for them; these are the
    names it leaves to a file's own VTIMEZONE, or never sees (X-WR-TIMEZONE, scheduleTimezone).
    Its tzp.timezone() is no help here: it answers a tzinfo, not a name, from a cache that
    holds the custom VTIMEZONEs of every file read before.
    """
    name = _clean_tzid(tzid)
    if not name:
        return None
    if name.upper() in _UTC_NAMES:
        return "UTC"
    if name in available_zones():
        return name
    stripped = name.strip("/")
    if stripped in available_zones():
        return stripped
    if name in WINDOWS_TO_OLSON:  # icalendar's copy of CLDR's Windows zone table
        return WINDOWS_TO_OLSON[name]
    if "/" in stripped:
        # Globally unique TZIDs such as /mozilla.org/20050126_1/Europe/Paris end with the name.
        parts = stripped.split("/")
        for start in range(1, len(parts)):
            candidate = "/".join(parts[start:])
            if candidate in available_zones():
                return candidate
    # "UTC+0" (wordpress-events-calendar-missing-uid-utc0-tzid.ics).
    match = _OFFSET_NAME.match(name)
    if match:
        if not match.group("sign"):
            return "UTC"
        sign = -1 if match.group("sign") == "-" else 1
        offset = timedelta(hours=int(match.group("h")), minutes=int(match.group("m") or 0))
        return fixed_offset_zone(sign * offset)
    return None


def _hinted_zones(label: str) -> list[str]:
    """IANA zones whose city appears in a display name such as '(UTC+10:00) Canberra, Sydney'.

    Tijuana, not Los Angeles, for exchange-cdo-pacific-tijuana-tzid.ics.
    """
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


def monthly_samples(year: int) -> list[datetime]:
    """Mid-month instants of a year, to compare two zones' rules."""
    return [datetime(year, month, 15, 12, tzinfo=UTC) for month in range(1, 13)]


@functools.lru_cache(maxsize=1024)
def _match_offsets(label: str, year: int, target: tuple[timedelta | None, ...]) -> str | None:
    """The IANA zone whose offsets over `year` are `target`, preferring cities named in `label`."""
    samples = monthly_samples(year)
    best: str | None = None
    best_score = -1
    for candidate in dict.fromkeys([*_hinted_zones(label), *_primary_zones()]):
        offsets = _offsets(zone_info(candidate), samples)
        score = sum(a == b for a, b in zip(offsets, target, strict=True))
        if score > best_score:
            best, best_score = candidate, score
    # Outlook's rules are approximations (23:59:59 on a Saturday), so allow one month to differ.
    return best if best_score >= len(samples) - 1 else None


def _match_zone(label: str, tz: tzinfo, moment: datetime) -> str | None:
    """The IANA zone that behaves like a custom VTIMEZONE around `moment`.

    Outlook and Exchange name their VTIMEZONEs in the user's language or after a display
    name (outlook-nonascii-tzid-brasilia.ics, outlook2007-cyrillic-tzid.ics,
    outlook2007-tzid-with-commas.ics, exchange-cdo-pacific-tijuana-tzid.ics): only the rules tell.
    """
    target = _offsets(tz, monthly_samples(moment.year))
    candidate = _match_offsets(label, moment.year, target)
    if (
        candidate is None
        or moment.astimezone(zone_info(candidate)).utcoffset() != moment.utcoffset()
    ):
        return None
    return candidate


def zone_of(value: datetime, tzid: str | None) -> str | None:
    """The IANA name for an aware datetime read from a file ("UTC" for plain UTC)."""
    tz = value.tzinfo
    assert tz is not None
    if isinstance(tz, zoneinfo.ZoneInfo) and tz.key:
        return "UTC" if tz.key.upper() in _UTC_NAMES else tz.key
    label = tzid or tzid_from_tzinfo(tz) or ""
    if label:
        named = zone_from_name(label)
        if named:
            return named
    offset = value.utcoffset() or timedelta(0)
    if isinstance(tz, timezone) or (offset == timedelta(0) and value.tzname() in {"UTC", "Z"}):
        return fixed_offset_zone(offset)
    with contextlib.suppress(Exception):
        matched = _match_zone(label, tz, value)
        if matched:
            return matched
    return fixed_offset_zone(offset)


# Names neither the tz database nor CLDR gives, as pages write them.
_COUNTRY_ALIASES = {
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "united states of america": "US",
}


@functools.cache
def _country_zones() -> dict[str, tuple[str, ...]]:
    """ISO country code to its IANA zones, most populous first (the tz database's zone.tab).

    pytz, not Babel: CLDR's lists are in no useful order (Spain would be Africa/Ceuta).
    """
    return {
        code: tuple(z for z in zones if z in available_zones())
        for code, zones in pytz.country_timezones.items()
    }


@functools.cache
def _country_codes() -> dict[str, str]:
    """Folded country names (tz database and CLDR English), codes and aliases to ISO codes."""
    codes: dict[str, str] = {}
    for code, name in pytz.country_names.items():
        codes[fold_words(code)] = code
        codes[fold_words(name)] = code
        codes.setdefault(fold_words(re.sub(r"\s*\(.*\)", "", name)), code)
    for code, name in Locale("en").territories.items():
        if code in pytz.country_names:
            codes.setdefault(fold_words(name), code)
    # CLDR's aliases: UK, USA and the other three-letter codes.
    for alias, targets in get_global("territory_aliases").items():
        if alias.isalpha() and len(targets) == 1 and targets[0] in pytz.country_names:
            codes.setdefault(fold_words(alias), targets[0])
    codes.update(_COUNTRY_ALIASES)
    return codes


def country_zone(
    country: str | None, city: str | None, moment: datetime, offset: timedelta | None
) -> str | None:
    """The zone of a country (or of its named city) when unambiguous, at `moment`'s offset."""
    if not country:
        return None
    code = _country_codes().get(fold_words(country))
    zones = _country_zones().get(code or "", ())
    naive = moment.replace(tzinfo=None)
    if offset is not None:
        zones = tuple(z for z in zones if moment.astimezone(zone_info(z)).utcoffset() == offset)
    if city:
        for zone_name in zones:
            if fold_words(zone_name.rsplit("/", 1)[-1]) == fold_words(city):
                return zone_name
    samples = monthly_samples(naive.year)
    rules = {_offsets(zone_info(z), samples) for z in zones}
    # Several zones are fine as long as they all keep the same time (US Eastern, say).
    return zones[0] if len(rules) == 1 else None


# When several zones keep an offset at a moment, the one most events are in (US west coast at
# -07:00 in summer is Los Angeles, not Phoenix, and never Etc/GMT+7).
_PREFERRED = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
    "America/Anchorage", "Pacific/Honolulu", "America/Sao_Paulo", "America/Mexico_City",
    "Europe/London", "Europe/Paris", "Europe/Helsinki", "Europe/Moscow", "Asia/Dubai",
    "Asia/Kolkata", "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland",
)  # fmt: skip


def city_zone(city: str | None, moment: datetime, offset: timedelta | None) -> str | None:
    """The zone a city names (Denver, Chicago), when its offset at `moment` agrees (if given)."""
    if not city:
        return None
    zone_name = _city_index().get(fold_words(city))
    if zone_name is None:
        return None
    if offset is not None and moment.astimezone(zone_info(zone_name)).utcoffset() != offset:
        return None
    return zone_name


def preferred_zone(moment: datetime, offset: timedelta) -> str | None:
    """A well-known zone that keeps this offset at this moment, or None."""
    return next(
        (z for z in _PREFERRED if moment.astimezone(zone_info(z)).utcoffset() == offset), None
    )
