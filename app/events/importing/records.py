"""What an import gives: events, what was left out and why, and the limits on a document."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

MAX_DOCUMENT_BYTES = 2_000_000
MAX_OCCURRENCES_PER_SERIES = 400
MAX_EVENTS = 5_000

# Why a whole document was refused (ImportFailed.code).
FAIL_NOT_CALENDAR = "not_calendar"
FAIL_BROKEN = "broken"
FAIL_NO_EVENTS = "no_events"
FAIL_TOO_LARGE = "too_large"
# Every event is a repeating one whose dates are all past (a calendar of last year's courses).
FAIL_ONLY_PAST_SERIES = "only_past_series"
FAIL_CODES = frozenset(
    {FAIL_NOT_CALENDAR, FAIL_BROKEN, FAIL_NO_EVENTS, FAIL_TOO_LARGE, FAIL_ONLY_PAST_SERIES}
)

# Why one item of a document was left out (Skipped.reason).
SKIP_NOT_AN_EVENT = "not_an_event"
SKIP_NO_START = "no_start"
SKIP_BAD_DATE = "bad_date"
SKIP_NO_UPCOMING = "no_upcoming_occurrence"
SKIP_PAST_SERIES = "past_series"
SKIP_BAD_RECURRENCE = "bad_recurrence"
SKIP_UNSUPPORTED_RECURRENCE = "unsupported_recurrence"
SKIP_TOO_MANY_OCCURRENCES = "too_many_occurrences"
SKIP_TOO_MANY_EVENTS = "too_many_events"
SKIP_DUPLICATE = "duplicate"
SKIP_UNREADABLE = "unreadable"
SKIP_CODES = frozenset(
    {
        SKIP_NOT_AN_EVENT,
        SKIP_NO_START,
        SKIP_BAD_DATE,
        SKIP_NO_UPCOMING,
        SKIP_PAST_SERIES,
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
    """Something in the document that was not imported, and a reason code from SKIP_CODES."""

    what: str
    reason: str


@dataclass
class ImportResult:
    """The events of a document, what was left out, and the calendar's (or page's) name."""

    events: list[ImportedEvent] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    calendar_name: str | None = None
    # An iCalendar document, which can be followed (a page cannot: it has no feed to refresh).
    is_feed: bool = False

    def only_past_series(self) -> bool:
        """Whether nothing came of the document but repeating events that are all over."""
        reasons = {s.reason for s in self.skipped}
        return not self.events and SKIP_PAST_SERIES in reasons <= {
            SKIP_PAST_SERIES,
            SKIP_NOT_AN_EVENT,
        }

    def add(self, item: ImportedEvent | Skipped) -> None:
        """Record an event or a skip, respecting MAX_EVENTS."""
        if isinstance(item, Skipped):
            self.skipped.append(item)
        elif len(self.events) >= MAX_EVENTS:
            self.skipped.append(Skipped(item.name, SKIP_TOO_MANY_EVENTS))
        else:
            self.events.append(item)


class ImportFailed(Exception):
    """The document as a whole cannot be imported; `code` is one of FAIL_CODES."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
