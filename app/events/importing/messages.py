"""What event imports tell the user: why a document or link was refused, why an item was left out.

Keyed by the machine codes of ImportFailed and FetchFailed (FAILURES) and of Skipped (SKIP_REASONS),
so each code has its one sentence here, translated in app/locale.
"""

from babel.support import LazyProxy

from app.events.importing.records import (
    FAIL_BROKEN,
    FAIL_NO_EVENTS,
    FAIL_NOT_CALENDAR,
    FAIL_ONLY_PAST_SERIES,
    FAIL_TOO_LARGE,
    SKIP_BAD_DATE,
    SKIP_BAD_RECURRENCE,
    SKIP_DUPLICATE,
    SKIP_NO_START,
    SKIP_NO_UPCOMING,
    SKIP_NOT_AN_EVENT,
    SKIP_PAST_SERIES,
    SKIP_TOO_MANY_EVENTS,
    SKIP_TOO_MANY_OCCURRENCES,
    SKIP_UNREADABLE,
    SKIP_UNSUPPORTED_RECURRENCE,
)
from app.web.i18n import lazy_gettext

# Fetch failures (FetchFailed.code) are named as in fetching.FETCH_CODES.
FAILURES: dict[str, LazyProxy] = {
    FAIL_NOT_CALENDAR: lazy_gettext("This is neither a calendar (.ics) nor a web page."),
    FAIL_BROKEN: lazy_gettext("This file is damaged and could not be read."),
    FAIL_NO_EVENTS: lazy_gettext("No event was found there."),
    FAIL_TOO_LARGE: lazy_gettext("This is too large (2 MB at most)."),
    FAIL_ONLY_PAST_SERIES: lazy_gettext(
        "This calendar holds only past repeating events: none of them comes again."
    ),
    "bad_url": lazy_gettext("This link is not valid: it must start with http:// or https://."),
    "forbidden_address": lazy_gettext(
        "This link points to a private or local address, which Givefirst does not fetch."
    ),
    "unreachable": lazy_gettext("This site could not be reached."),
    "timeout": lazy_gettext("This site took too long to answer."),
    "http_error": lazy_gettext("This site answered with an error."),
    "too_many_redirects": lazy_gettext("This link redirects too many times."),
}
SKIP_REASONS: dict[str, LazyProxy] = {
    SKIP_NOT_AN_EVENT: lazy_gettext("not an event (a task, a note or free/busy time)"),
    SKIP_NO_START: lazy_gettext("no start date"),
    SKIP_BAD_DATE: lazy_gettext("an unreadable date"),
    SKIP_NO_UPCOMING: lazy_gettext("a repeating event with no date in the next 12 months"),
    SKIP_PAST_SERIES: lazy_gettext("a repeating event whose dates are all past"),
    SKIP_BAD_RECURRENCE: lazy_gettext("an unreadable repeat rule"),
    SKIP_UNSUPPORTED_RECURRENCE: lazy_gettext("a repeat rule Givefirst cannot follow"),
    SKIP_TOO_MANY_OCCURRENCES: lazy_gettext("too many repeats (only the first ones were kept)"),
    SKIP_TOO_MANY_EVENTS: lazy_gettext("too many events in one file"),
    SKIP_DUPLICATE: lazy_gettext("listed twice"),
    SKIP_UNREADABLE: lazy_gettext("unreadable"),
}
