"""Turn iCalendar files and schema.org event pages into plain, time-zone-aware event records."""

from __future__ import annotations

from datetime import datetime

from app.events.importing.ical import parse_ics
from app.events.importing.records import (
    FAIL_CODES,
    FAIL_NOT_CALENDAR,
    FAIL_TOO_LARGE,
    KINDS,
    MAX_DOCUMENT_BYTES,
    MAX_OCCURRENCES_PER_SERIES,
    SKIP_CODES,
    ImportedEvent,
    ImportFailed,
    ImportResult,
    Skipped,
)
from app.events.importing.schema_org import parse_event_page

__all__ = [
    "FAIL_CODES",
    "KINDS",
    "MAX_OCCURRENCES_PER_SERIES",
    "SKIP_CODES",
    "ImportFailed",
    "ImportResult",
    "ImportedEvent",
    "Skipped",
    "parse_document",
    "parse_event_page",
    "parse_ics",
]


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
