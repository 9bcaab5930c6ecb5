"""Event import from iCalendar files and schema.org pages: real-world files and small fixtures."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.events import importing
from app.events.importing import (
    ImportedEvent,
    ImportFailed,
    ImportResult,
    fetching,
    ical,
    messages,
    parse_document,
    parse_event_page,
    parse_ics,
    timezones,
)
from tests.shared_data import shared_testdata

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PARIS = "Europe/Paris"


def utc(text: str) -> datetime:
    """An aware UTC datetime from 'YYYY-MM-DDTHH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def load(subdir: str, name: str, **kwargs: Any) -> ImportResult:
    """Parse one shared test file the way the import endpoint does."""
    data = (shared_testdata(subdir) / name).read_bytes()
    return parse_document(
        data,
        content_type=None,
        base_url=kwargs.pop("base_url", "https://example.org/events/page"),
        default_timezone=kwargs.pop("default_timezone", PARIS),
        now=kwargs.pop("now", NOW),
        **kwargs,
    )


def find(result: ImportResult, name: str, start: datetime) -> ImportedEvent:
    """The event with this name starting at this instant (fails listing what there is)."""
    for event in result.events:
        if event.name == name and event.starts_at == start:
            return event
    listing = [(e.name, e.starts_at.astimezone(UTC).isoformat()) for e in result.events[:10]]
    raise AssertionError(f"no {name!r} at {start.isoformat()} in {listing}")


def check_invariants(result: ImportResult) -> None:
    """What every import must respect, whatever the file."""
    for event in result.events:
        assert event.starts_at.tzinfo is not None and event.starts_at.utcoffset() is not None
        assert event.ends_at is None or event.ends_at >= event.starts_at
        assert event.kind in importing.KINDS
        assert (
            event.starts_at.utcoffset()
            == event.starts_at.astimezone(timezones.zone_info(event.timezone)).utcoffset()
        )
    for skipped in result.skipped:
        assert skipped.reason in importing.SKIP_CODES


# ------------------------------------------------------------------ every real file, by hand
# (file, number of events, a sample's name, its UTC start, its IANA zone, sorted skip reasons)
# NOW is 2026-11-23 12:00Z: recurring series are expanded from NOW - 1 day to NOW + 365 days;
# single events are kept whatever their date. Floating and UTC times take X-WR-TIMEZONE or the
# default zone (Paris); all-day events take the default zone.
PAST = "past_series"
ICS_FILES = [
    # 10:30 CEST (+02:00).
    (
        "apple-ios26-structured-location-vienna.ics",
        1,
        "Antrag auf ID Austria",
        "2026-05-22T08:30",
        "Europe/Vienna",
        [],
    ),
    # 'Pacific Time (US & Canada), Tijuana' VTIMEZONE: daylight (-07:00) until the last Sunday
    # of October, so 22:30 on 11 Oct 2004 is 05:30Z the next day.
    (
        "exchange-cdo-pacific-tijuana-tzid.ics",
        1,
        "Now with descriptoin",
        "2004-10-12T05:30",
        "America/Tijuana",
        [],
    ),
    # UTC times, no X-WR-TIMEZONE: shown in the default zone.
    (
        "facebook-event-export-attendee-urls.ics",
        1,
        "Photo Comp - Prize Giving",
        "2018-08-31T07:00",
        PARIS,
        [],
    ),
    # Weekdays at 14:00 Zurich with no end: 261 weekdays from Mon 23 Nov 2026 (13:00Z, CET)
    # to Mon 22 Nov 2027.
    (
        "google-apple-structured-location-weekly.ics",
        261,
        "Daily Sync",
        "2026-11-23T13:00",
        "Europe/Zurich",
        [],
    ),
    # One RRULE COUNT=1 series (past) and three RECURRENCE-ID instances whose series is absent:
    # those are single events, kept. All-day 10 Dec 2013 = midnight Paris.
    (
        "google-birthdays-recurrence-id-date.ics",
        3,
        "PErson #2's birthday",
        "2013-12-09T23:00",
        PARIS,
        [PAST],
    ),
    # UTC time shown in the calendar's X-WR-TIMEZONE.
    (
        "google-multiple-valarms-email.ics",
        1,
        "event with alarms",
        "2024-10-04T18:15",
        "Europe/London",
        [],
    ),
    # Floating 21:00 in February, default zone Paris (+01:00).
    (
        "lastfm-event-feed-floating-blank-lines.ics",
        33,
        "Fink at Burgerweeshuis",
        "2010-02-13T20:00",
        PARIS,
        [],
    ),
    # 19:00 EDT.
    (
        "meetup-code-for-boston-fold-inside-escape.ics",
        1,
        "Weekly Hack Night",
        "2018-07-24T23:00",
        "America/New_York",
        [],
    ),
    # '(UTC-03:00) Brasília': standard time (-03:00) from February to October; no SUMMARY.
    ("outlook-nonascii-tzid-brasilia.ics", 1, "", "2017-05-11T16:30", "America/Sao_Paulo", []),
    # Two VCALENDARs; floating 08:15 in July, Paris (+02:00).
    (
        "outlook2003-quoted-printable-two-vcalendars.ics",
        2,
        "Sounds Air - Flight Reminder",
        "2018-07-31T06:15",
        PARIS,
        [],
    ),
    # 'Екатеринбург' VTIMEZONE: daylight +06:00 from the last Sunday of March.
    ("outlook2007-cyrillic-tzid.ics", 1, "", "2008-05-30T09:00", "Asia/Yekaterinburg", []),
    # 159 single all-day holidays.
    (
        "outlook2007-holidays-germany-unfolded.ics",
        159,
        "Germany: New Years Day",
        "2007-12-31T23:00",
        PARIS,
        [],
    ),
    # 'Canberra, Melbourne, Sydney': standard +10:00 in May.
    ("outlook2007-tzid-with-commas.ics", 1, "", "2008-05-30T05:00", "Australia/Sydney", []),
    # 'Eastern Standard Time' 12:00 EDT.
    (
        "outlook2010-meeting-request-tab-folding.ics",
        1,
        "Team Meeting",
        "2013-06-10T16:00",
        "America/New_York",
        [],
    ),
    (
        "podio-tab-folding-altrep-trailing-junk.ics",
        1,
        'Termin 4353 und"so"',
        "2022-02-22T18:30",
        "Europe/Berlin",
        [],
    ),
    (
        "sixt-french-accents-vfreebusy-valarm.ics",
        1,
        "Sixt : détails de votre réservation",
        "2019-06-24T06:30",
        PARIS,
        ["not_an_event"],
    ),
    # UTC time, X-WR-TIMEZONE America/New_York. The SUMMARY fold has no space ("toGet").
    (
        "trumba-event-feed-mojibake-broken-fold.ics",
        1,
        "See the IRB’s QI Checklist: Clinical QI or QI Research? When toGet IRB Review",
        "2012-07-09T16:00",
        "America/New_York",
        [],
    ),
    # TZID=UTC+0 without VTIMEZONE is UTC; shown in the default zone.
    (
        "wordpress-events-calendar-missing-uid-utc0-tzid.ics",
        1,
        "Mini-Fair & Garage Sale",
        "2018-04-07T09:30",
        PARIS,
        [],
    ),
    # Monthly on the first Tuesday, no end: Dec 2026 .. Nov 2027, 10:00 PST = 18:00Z.
    (
        "zimbra-recurring-rdate-period-exdate-overrides.ics",
        12,
        "Crazy Event Thingy!",
        "2026-12-01T18:00",
        "America/Los_Angeles",
        [],
    ),
]

HTML_FILES = [
    # Microdata, relative URL, start without offset: default zone (Paris, +02:00 in April).
    (
        "extruct-Event.001-microdata-aggregateoffer.html",
        1,
        "Miami Heat at Philadelphia 76ers - Game 3 (Home Game 1)",
        "2016-04-21T18:00",
        PARIS,
        [],
    ),
    (
        "extruct-Event.008-theaterevent-microdata.html",
        1,
        "Julius Caesar at Shakespeare's Globe",
        "2014-10-01T17:30",
        PARIS,
        [],
    ),
    (
        "sdo-eg-0012-event-jsonld.html",
        1,
        "Typhoon with Radiation City",
        "2013-09-15T03:30",  # 21:30 in Denver (the page's city names the zone), not Paris
        "America/Denver",
        [],
    ),
    (
        "sdo-eg-0012-event-microdata.html",
        1,
        "Typhoon with Radiation City",
        "2013-09-15T03:30",  # 21:30 in Denver (the page's city names the zone), not Paris
        "America/Denver",
        [],
    ),
    # "Z" times: an instant, shown in the default zone.
    (
        "sdo-eg-0014-online-childrensevent-jsonld.html",
        1,
        "Story Time Reading",
        "2020-07-24T16:00",
        PARIS,
        [],
    ),
    # -05:00 in July in the US: Central daylight time.
    (
        "sdo-eg-0170-mixed-attendance-virtuallocation-jsonld.html",
        1,
        "The Adventures of Kira and Morrison",
        "2025-07-22T00:00",
        "America/Chicago",
        [],
    ),
    (
        "sdo-eg-0171-event-cancelled-jsonld.html",
        1,
        "CANCELLED - Typhoon with Radiation City",
        "2013-09-15T03:30",  # 21:30 in Denver (the page's city names the zone), not Paris
        "America/Denver",
        [],
    ),
    (
        "sdo-eg-0202-musicevent-rescheduled-jsonld.html",
        1,
        'B.B. King with Jonathon "Boogie" Long',
        "2014-04-12T17:30",
        PARIS,
        [],
    ),
    # 1st and 15th at 09:00 Glace Bay (-04:00), from 1 Dec 2026 to 15 Nov 2027.
    (
        "sdo-eg-0241-meetup-bymonthday-schedule-jsonld.html",
        24,
        "Example Meetup",
        "2026-12-01T13:00",
        "America/Glace_Bay",
        [],
    ),
    # EventSeries without a date is skipped; three dated events (one named after its parent).
    (
        "sdo-eg-0313-eventseries-superevent-jsonld.html",
        3,
        "The London 2012 Summer Olympics",
        "2012-07-26T22:00",
        PARIS,
        ["no_start"],
    ),
    (
        "sdo-eg-0426-sponsor-tiered-offers-microdata.html",
        1,
        "The 2016 Missoula Marathon",
        "2016-07-10T04:00",
        PARIS,
        [],
    ),
    (
        "sdo-eg-4495-conferenceevent-jsonld.html",
        1,
        "EuroPython 2025",
        "2025-07-13T22:00",
        PARIS,
        [],
    ),
    # -0400 (no colon) in Brooklyn, US: Eastern.
    (
        "songkick-elysian-fields-owl-music-parlor.html",
        1,
        "Elysian Fields",
        "2015-10-31T23:30",
        "America/New_York",
        [],
    ),
    # Five JSON-LD blocks: four MusicEvents and a MusicGroup; +0200 in France.
    (
        "songkick-elysianfields-artist-multi-jsonld.html",
        4,
        "Elysian Fields",
        "2016-10-29T19:00",
        PARIS,
        [],
    ),
    # +0000 in the UK is London time, not an instant.
    (
        "songkick-years-and-years-tour-dates.html",
        13,
        "Years & Years",
        "2015-10-26T19:00",
        "Europe/London",
        [],
    ),
]

ONLY_PAST = "only_past_series"
FAILING_FILES = [
    ("events-html", "extruct-jsonld-with-js-comments.html", "no_events"),
    # Files of repeating events that are all over: said so, not "no event was found".
    # Daily COUNT=7 in 2006.
    ("ics", "apple-ical2-daily-exdate-brisbane.ics", ONLY_PAST),
    # Two biweekly all-day series ending in September 2020.
    ("ics", "exchange2010-gmt-standard-time-allday-recurring.ics", ONLY_PAST),
    # A weekly timed and a weekly all-day series, both with UNTIL in 2023.
    ("ics", "google-sydney-moved-instances-allday.ics", ONLY_PAST),
    # Two monthly COUNT=12 series from 2003.
    ("ics", "korganizer-every-line-folded.ics", ONLY_PAST),
    # Weekly until June 2018 (its cancelled instances are past too).
    ("ics", "thunderbird-paris-weekly-exdates-cancelled.ics", ONLY_PAST),
    # A daily series in December 2024, and three to-dos.
    ("ics", "thunderbird-vtodo-valarm-mixed.ics", ONLY_PAST),
    # A weekly schedule during 2017 only.
    ("events-html", "sdo-eg-0240-weekly-eventschedule-jsonld.html", ONLY_PAST),
]


def test_every_shared_file_has_an_expectation() -> None:
    listed = {row[0] for row in ICS_FILES + HTML_FILES} | {row[1] for row in FAILING_FILES}
    assert len(listed) == len(ICS_FILES) + len(HTML_FILES) + len(FAILING_FILES)
    on_disk = {p.name for p in shared_testdata("ics").iterdir()} | {
        p.name for p in shared_testdata("events-html").iterdir()
    }
    assert listed == on_disk
    assert len(on_disk) == 42


@pytest.mark.parametrize(
    ("subdir", "name", "count", "sample", "start", "zone", "reasons"),
    [("ics", *row) for row in ICS_FILES] + [("events-html", *row) for row in HTML_FILES],
    ids=[row[0] for row in ICS_FILES + HTML_FILES],
)
def test_shared_file(
    subdir: str,
    name: str,
    count: int,
    sample: str | None,
    start: str | None,
    zone: str | None,
    reasons: list[str],
) -> None:
    result = load(subdir, name)
    check_invariants(result)
    assert len(result.events) == count
    assert sorted(s.reason for s in result.skipped) == sorted(reasons)
    if sample is not None and start is not None:
        event = find(result, sample, utc(start))
        assert event.timezone == zone


@pytest.mark.parametrize(("subdir", "name", "code"), FAILING_FILES)
def test_shared_file_refused(subdir: str, name: str, code: str) -> None:
    with pytest.raises(ImportFailed) as failure:
        load(subdir, name)
    assert failure.value.code == code


# ------------------------------------------------------------------ details of real files


def test_brisbane_daily_series_with_exdates_in_its_own_time() -> None:
    result = load("ics", "apple-ical2-daily-exdate-brisbane.ics", now=utc("2006-01-01T00:00"))
    starts = [e.starts_at.astimezone(UTC) for e in result.events]
    # Noon in Brisbane (+10:00, no daylight saving), 3 and 4 January excluded; DURATION PT1H.
    assert starts == [utc(f"2006-01-{d:02d}T02:00") for d in (1, 2, 5, 6, 7)]
    assert all(e.ends_at == e.starts_at + timedelta(hours=1) for e in result.events)
    assert {e.timezone for e in result.events} == {"Australia/Brisbane"}
    assert (
        result.events[0].source_uid == "DDC5B090-1B46-4C1D-8A3C-D305516A0B90/2006-01-01T02:00:00Z"
    )


def test_sydney_moved_instances() -> None:
    result = load("ics", "google-sydney-moved-instances-allday.ics", now=utc("2023-08-01T00:00"))
    timed = [e for e in result.events if not e.all_day]
    # Tuesdays at 14:00 AEST (+10:00) until 28 Aug; the 15 Aug one moved to Monday 14 Aug.
    assert [e.starts_at.astimezone(UTC) for e in timed] == [
        utc("2023-08-08T04:00"),
        utc("2023-08-14T04:00"),
        utc("2023-08-22T04:00"),
    ]
    moved = timed[1]
    assert moved.source_uid == "7v3ju5ft4je5iq18nfdk2s3spk@google.com/2023-08-15T04:00:00Z"
    assert moved.timezone == "Australia/Sydney"
    all_day = [e for e in result.events if e.all_day]
    # Thursdays 10, 17 (moved to Wednesday 16) and 24 August.
    assert [e.starts_at.date().isoformat() for e in all_day] == [
        "2023-08-10",
        "2023-08-16",
        "2023-08-24",
    ]
    assert all_day[1].source_uid == "6ep37v20d728v14rcgn17v9is6@google.com/2023-08-17"
    assert all(e.ends_at == e.starts_at + timedelta(days=1) for e in all_day)


def test_exchange_all_day_series_moved_with_date_time_recurrence_ids() -> None:
    result = load(
        "ics", "exchange2010-gmt-standard-time-allday-recurring.ics", now=utc("2020-04-01T00:00")
    )
    assert len(result.events) == 24
    black = [e for e in result.events if e.name == "Refuse black bin"]
    days = [e.starts_at.date().isoformat() for e in black]
    assert days[:3] == ["2020-04-02", "2020-04-17", "2020-04-30"]
    assert "2020-04-16" not in days and days[-1] == "2020-09-04"
    assert black[1].source_uid is not None and black[1].source_uid.endswith("/2020-04-16")
    assert all(e.all_day for e in result.events)


def test_paris_weekly_with_exdates_across_dst_and_cancelled_instances() -> None:
    result = load(
        "ics", "thunderbird-paris-weekly-exdates-cancelled.ics", now=utc("2017-10-01T00:00")
    )
    days = {e.starts_at.date().isoformat() for e in result.events}
    assert len(result.events) == 28
    # EXDATEs in UTC: 18:30Z in summer time, 19:30Z in winter time, all are 20:30 in Paris.
    for excluded in ("2017-10-23", "2017-10-30", "2017-12-25", "2018-04-09", "2018-04-02"):
        assert excluded not in days
    assert {e.starts_at.hour for e in result.events} == {20}
    cancelled = sorted(e.starts_at.date().isoformat() for e in result.events if e.cancelled)
    assert cancelled == ["2018-03-26", "2018-04-30"]
    assert result.events[0].venue == "Some place"


def test_zimbra_rdates_exdates_and_overrides() -> None:
    result = load(
        "ics",
        "zimbra-recurring-rdate-period-exdate-overrides.ics",
        now=utc("2012-09-01T00:00"),
        horizon_days=200,
    )
    starts = sorted(e.starts_at.astimezone(UTC) for e in result.events)
    assert starts == [
        utc("2012-10-02T22:00"),  # first Tuesday, moved to 15:00 PDT
        utc("2012-11-06T18:00"),  # first Tuesday
        utc("2012-11-07T04:00"),  # RDATE of 5 Nov moved to 6 Nov 20:00 PST
        utc("2012-11-10T18:00"),  # RDATE
        utc("2012-11-30T18:00"),  # RDATE
        utc("2013-01-01T18:00"),  # 4 Dec and 5 Feb are EXDATEs
        utc("2013-03-05T18:00"),
    ]


def test_windows_and_localised_zone_names_keep_the_instant() -> None:
    brasilia = load("ics", "outlook-nonascii-tzid-brasilia.ics").events[0]
    assert brasilia.starts_at.isoformat() == "2017-05-11T13:30:00-03:00"
    assert brasilia.ends_at == brasilia.starts_at + timedelta(minutes=30)
    assert brasilia.name == "" and brasilia.source_uid is None


def test_text_repairs_in_real_files() -> None:
    trumba = load("ics", "trumba-event-feed-mojibake-broken-fold.ics").events[0]
    assert trumba.description is not None
    assert "â€" not in trumba.description and "12:00pm – 1:00pm" in trumba.description
    # The line "3.11" lost its fold space: it is joined back instead of being dropped.
    assert "Simches 3.110" in trumba.description
    assert "Registration is required." in trumba.description
    outlook = load("ics", "outlook2003-quoted-printable-two-vcalendars.ics").events[0]
    assert outlook.description is not None
    assert outlook.description.startswith("Booking number 9876543\n\nYour outgoing route")
    germany = load("ics", "outlook2007-holidays-germany-unfolded.ics").events[1]
    assert germany.description is not None and germany.description.startswith("Baden-Württemberg")
    wordpress = load("ics", "wordpress-events-calendar-missing-uid-utc0-tzid.ics")
    assert wordpress.calendar_name == "Bloor & Spadina"
    assert wordpress.events[0].url == "http://bloorneighbours.ca/event/mini-fair-garage-sale/"


def test_locations_and_kinds_from_real_files() -> None:
    meetup = load("ics", "meetup-code-for-boston-fold-inside-escape.ics").events[0]
    assert meetup.kind == "meetup"
    assert meetup.venue == "Cambridge Innovation Center, 4th Floor Cafe"
    assert meetup.address == (
        "Cambridge Innovation Center, 4th Floor Cafe (1 Broadway, Cambridge, MA)"
    )
    sixt = load("ics", "sixt-french-accents-vfreebusy-valarm.ics").events[0]
    assert (sixt.city, sixt.country) == ("Ferney-Voltaire", "FR")
    vienna = load("ics", "apple-ios26-structured-location-vienna.ics").events[0]
    assert vienna.address == "Hauptstraße 1-5; 4041 Linz" and vienna.city == "Linz"
    conference = load("events-html", "sdo-eg-4495-conferenceevent-jsonld.html").events[0]
    assert conference.kind == "conference" and conference.all_day
    assert conference.venue == "The Prague Congress Centre" and conference.country == "CZ"
    # endDate 2025-07-20 is the last day: the exclusive end is midnight after it.
    assert conference.ends_at == datetime.fromisoformat("2025-07-21T00:00:00+02:00")


def test_web_page_statuses_and_references() -> None:
    cancelled = load("events-html", "sdo-eg-0171-event-cancelled-jsonld.html").events[0]
    assert cancelled.cancelled and cancelled.venue == "The Hi-Dive"
    assert cancelled.city == "Denver"
    moved = load("events-html", "sdo-eg-0202-musicevent-rescheduled-jsonld.html").events[0]
    assert not moved.cancelled
    assert moved.rescheduled_from == utc("2013-09-30T17:30")
    assert moved.url == "http://www.bbking.com/events/apr12-providence.html"
    assert moved.ends_at == utc("2014-04-12T20:00")
    series = load("events-html", "sdo-eg-0313-eventseries-superevent-jsonld.html")
    rowing = next(e for e in series.events if e.source_uid == "http://www.rio2016.com/en/rowing")
    assert rowing.name == "The Rio 2016 Summer Olympics"  # from its superEvent reference
    assert rowing.venue == "Lagoa Stadium" and rowing.all_day
    online = load("events-html", "sdo-eg-0014-online-childrensevent-jsonld.html").events[0]
    assert online.venue is None and online.address is None
    microdata = load("events-html", "extruct-Event.001-microdata-aggregateoffer.html").events[0]
    assert microdata.url == "https://example.org/events/nba-miami-philidelphia-game3.html"


def test_schedule_without_now_gives_its_first_occurrence() -> None:
    data = (
        shared_testdata("events-html") / "sdo-eg-0240-weekly-eventschedule-jsonld.html"
    ).read_bytes()
    result = parse_event_page(data, base_url="https://example.org/", default_timezone=PARIS)
    (event,) = result.events
    # 1 Jan 2017 is a Sunday: the first Wednesday is the 4th, 19:00 London (GMT).
    assert event.starts_at == utc("2017-01-04T19:00")
    assert event.ends_at == utc("2017-01-04T20:00")
    assert event.timezone == "Europe/London"


# ------------------------------------------------------------------ small fixtures


def ics(*lines: str) -> bytes:
    """A calendar from content lines."""
    return (
        "\r\n".join(
            ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", *lines, "END:VCALENDAR"]
        )
        + "\r\n"
    ).encode()


def parse(data: bytes, default_timezone: str = PARIS, now: datetime = NOW) -> ImportResult:
    """parse_ics with the test defaults."""
    result = parse_ics(data, default_timezone=default_timezone, now=now)
    check_invariants(result)
    return result


PARIS_VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Paris",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)


def test_weekly_paris_meetup_with_exdate() -> None:
    result = parse(
        ics(
            *PARIS_VTIMEZONE,
            "BEGIN:VEVENT",
            "UID:apero-tech@example.org",
            "SUMMARY:Apéro tech",
            "DTSTART;TZID=Europe/Paris:20261203T190000",
            "DTEND;TZID=Europe/Paris:20261203T213000",
            "RRULE:FREQ=WEEKLY;COUNT=5",
            "EXDATE;TZID=Europe/Paris:20261217T190000",
            "LOCATION:La Cantine\\, 12 rue du Faubourg\\, 75010 Paris",
            "END:VEVENT",
        )
    )
    days = [e.starts_at.date().isoformat() for e in result.events]
    assert days == ["2026-12-03", "2026-12-10", "2026-12-24", "2026-12-31"]
    first = result.events[0]
    assert first.starts_at == utc("2026-12-03T18:00")
    assert first.ends_at == utc("2026-12-03T20:30")
    assert first.timezone == PARIS
    assert first.source_uid == "apero-tech@example.org/2026-12-03T18:00:00Z"
    assert (first.venue, first.city) == ("La Cantine", "Paris")
    assert first.address == "La Cantine, 12 rue du Faubourg, 75010 Paris"


def test_moved_instance_via_recurrence_id() -> None:
    result = parse(
        ics(
            "BEGIN:VEVENT",
            "UID:club@example.org",
            "SUMMARY:Club",
            "DTSTART;TZID=Europe/Paris:20261202T180000",
            "DURATION:PT2H",
            "RRULE:FREQ=WEEKLY;COUNT=3",
            "END:VEVENT",
            "BEGIN:VEVENT",
            "UID:club@example.org",
            "RECURRENCE-ID;TZID=Europe/Paris:20261209T180000",
            "SUMMARY:Club (jeudi exceptionnellement)",
            "DTSTART;TZID=Europe/Paris:20261210T190000",
            "DTEND;TZID=Europe/Paris:20261210T210000",
            "END:VEVENT",
        )
    )
    summary = [(e.name, e.starts_at.astimezone(UTC)) for e in result.events]
    assert summary == [
        ("Club", utc("2026-12-02T17:00")),
        ("Club (jeudi exceptionnellement)", utc("2026-12-10T18:00")),
        ("Club", utc("2026-12-16T17:00")),
    ]
    assert result.events[0].ends_at == utc("2026-12-02T19:00")  # DURATION
    assert result.events[1].source_uid == "club@example.org/2026-12-09T17:00:00Z"


ROMANCE_VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    "TZID:Romance Standard Time",
    "BEGIN:STANDARD",
    "DTSTART:16011028T030000",
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "END:STANDARD",
    "BEGIN:DAYLIGHT",
    "DTSTART:16010325T020000",
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "END:DAYLIGHT",
    "END:VTIMEZONE",
)


@pytest.mark.parametrize("with_vtimezone", [True, False])
def test_romance_standard_time_is_paris_in_summer_and_winter(with_vtimezone: bool) -> None:
    result = parse(
        ics(
            *(ROMANCE_VTIMEZONE if with_vtimezone else ()),
            "BEGIN:VEVENT",
            "UID:summer",
            "SUMMARY:Salon d'été",
            'DTSTART;TZID="Romance Standard Time":20270615T100000',
            'DTEND;TZID="Romance Standard Time":20270615T180000',
            "END:VEVENT",
            "BEGIN:VEVENT",
            "UID:winter",
            "SUMMARY:Salon d'hiver",
            "DTSTART;TZID=Romance Standard Time:20270115T100000",
            "END:VEVENT",
        ),
        default_timezone="America/New_York",
    )
    summer, winter = result.events
    assert (summer.starts_at, summer.timezone) == (utc("2027-06-15T08:00"), PARIS)
    assert summer.ends_at == utc("2027-06-15T16:00")
    assert (winter.starts_at, winter.timezone) == (utc("2027-01-15T09:00"), PARIS)
    assert winter.starts_at.utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize(
    ("tzid", "iana"),
    [
        ("GMT Standard Time", "Europe/London"),
        ('"Eastern Standard Time"', "America/New_York"),
        ("W. Europe Standard Time", "Europe/Berlin"),
        ("Romance Standard Time", PARIS),
        ("/mozilla.org/20050126_1/Europe/Paris", PARIS),
        ("UTC+0", "UTC"),
        ("UTC", "UTC"),
        ("GMT+02:00", "Etc/GMT-2"),
        ("Europe/Lisbon", "Europe/Lisbon"),
        ("Not a zone at all", None),
    ],
)
def test_zone_names(tzid: str, iana: str | None) -> None:
    assert timezones.zone_from_name(tzid) == iana


def test_floating_time_takes_the_default_zone() -> None:
    data = ics(
        "BEGIN:VEVENT",
        "UID:floating",
        "SUMMARY:Petit-déjeuner",
        "DTSTART:20270115T083000",
        "DTEND:20270115T100000",
        "END:VEVENT",
    )
    event = parse(data, default_timezone="America/New_York").events[0]
    assert event.starts_at == utc("2027-01-15T13:30")
    assert event.timezone == "America/New_York" and not event.all_day
    paris = parse(data).events[0]
    assert paris.starts_at == utc("2027-01-15T07:30")


def test_floating_time_takes_the_calendars_declared_zone() -> None:
    data = ics(
        "X-WR-TIMEZONE:Europe/Madrid",
        "BEGIN:VEVENT",
        "UID:floating",
        "SUMMARY:Desayuno",
        "DTSTART:20270715T083000",
        "END:VEVENT",
    )
    event = parse(data, default_timezone="America/New_York").events[0]
    assert event.starts_at == utc("2027-07-15T06:30")
    assert event.timezone == "Europe/Madrid"
    assert event.ends_at is None


def test_all_day_stays_all_day() -> None:
    result = parse(
        ics(
            "BEGIN:VEVENT",
            "UID:salon",
            "SUMMARY:Salon des entrepreneurs",
            "DTSTART;VALUE=DATE:20270203",
            "DTEND;VALUE=DATE:20270205",
            "END:VEVENT",
            "BEGIN:VEVENT",
            "UID:one-day",
            "SUMMARY:Journée",
            "DTSTART;VALUE=DATE:20270301",
            "END:VEVENT",
        ),
        default_timezone="Europe/Brussels",
    )
    salon, day = result.events
    assert salon.all_day and salon.timezone == "Europe/Brussels"
    assert salon.starts_at.isoformat() == "2027-02-03T00:00:00+01:00"
    assert salon.ends_at is not None and salon.ends_at.isoformat() == "2027-02-05T00:00:00+01:00"
    assert day.ends_at == day.starts_at + timedelta(days=1)


def test_cancelled_events() -> None:
    result = parse(
        ics(
            "BEGIN:VEVENT",
            "UID:a",
            "SUMMARY:Annulé",
            "STATUS:CANCELLED",
            "DTSTART:20270115T083000Z",
            "END:VEVENT",
            "BEGIN:VEVENT",
            "UID:b",
            "SUMMARY:Confirmé",
            "STATUS:CONFIRMED",
            "DTSTART:20270116T083000Z",
            "END:VEVENT",
        )
    )
    assert [(e.name, e.cancelled) for e in result.events] == [
        ("Annulé", True),
        ("Confirmé", False),
    ]
    whole = parse(
        ics("METHOD:CANCEL", "BEGIN:VEVENT", "UID:c", "DTSTART:20270115T083000Z", "END:VEVENT")
    )
    assert whole.events[0].cancelled


def test_non_events_are_skipped_and_a_calendar_of_todos_has_no_events() -> None:
    todo = ("BEGIN:VTODO", "UID:t", "SUMMARY:Relancer Paul", "END:VTODO")
    with pytest.raises(ImportFailed) as failure:
        parse(ics(*todo))
    assert failure.value.code == "no_events"
    result = parse(ics(*todo, "BEGIN:VEVENT", "UID:e", "DTSTART:20270101T100000Z", "END:VEVENT"))
    assert len(result.events) == 1
    assert [(s.what, s.reason) for s in result.skipped] == [
        ("VTODO: Relancer Paul", "not_an_event")
    ]


def test_events_without_start_or_with_a_bad_date_are_skipped() -> None:
    result = parse(
        ics(
            "BEGIN:VEVENT",
            "UID:no-start",
            "SUMMARY:Sans date",
            "END:VEVENT",
            "BEGIN:VEVENT",
            "UID:bad",
            "SUMMARY:Date illisible",
            "DTSTART:demain",
            "END:VEVENT",
            "BEGIN:VEVENT",
            "UID:good",
            "SUMMARY:Bonne date",
            "DTSTART:20270101T100000Z",
            "END:VEVENT",
        )
    )
    assert [e.name for e in result.events] == ["Bonne date"]
    assert sorted((s.what, s.reason) for s in result.skipped) == [
        ("Date illisible", "bad_date"),
        ("Sans date", "no_start"),
    ]


def test_runaway_recurrence_is_refused() -> None:
    result = parse(
        ics(
            "BEGIN:VEVENT",
            "UID:every-second",
            "SUMMARY:Spam",
            "DTSTART:20261123T100000Z",
            "RRULE:FREQ=SECONDLY",
            "END:VEVENT",
            "BEGIN:VEVENT",
            "UID:every-minute-of-every-hour",
            "SUMMARY:Spam 2",
            "DTSTART:20261123T100000Z",
            "RRULE:FREQ=HOURLY;BYMINUTE=0,1,2,3,4,5,6,7,8,9",
            "END:VEVENT",
        )
    )
    assert result.events == []
    assert [s.reason for s in result.skipped] == ["unsupported_recurrence"] * 2


def test_daily_series_is_capped() -> None:
    result = parse(
        ics(
            "BEGIN:VEVENT",
            "UID:hourly",
            "SUMMARY:Veille",
            "DTSTART:20261123T100000Z",
            "RRULE:FREQ=HOURLY",
            "END:VEVENT",
        )
    )
    assert len(result.events) == importing.MAX_OCCURRENCES_PER_SERIES
    assert [s.reason for s in result.skipped] == ["too_many_occurrences"]


def test_encodings_and_repairs() -> None:
    cp1252 = ics(
        "BEGIN:VEVENT", "UID:x", "SUMMARY:Séminaire", "DTSTART:20270101T100000Z", "END:VEVENT"
    ).replace("Séminaire".encode(), "Séminaire".encode("cp1252"))
    assert parse(cp1252).events[0].name == "Séminaire"
    utf16 = ics(
        "BEGIN:VEVENT", "UID:y", "SUMMARY:Réunion", "DTSTART:20270101T100000Z", "END:VEVENT"
    )
    utf16 = utf16.decode().encode("utf-16")
    result = parse_document(
        utf16, content_type=None, base_url=None, default_timezone=PARIS, now=NOW
    )
    assert result.events[0].name == "Réunion"
    blank_lines = b"\xef\xbb\xbf\r\n  \r\n" + ics(
        "",
        "BEGIN:VEVENT",
        "",
        "UID:z",
        "SUMMARY:Avec BOM",
        "DTSTART:20270101T100000Z",
        "END:VEVENT",
    )
    result = parse_document(
        blank_lines, content_type="text/plain", base_url=None, default_timezone=PARIS, now=NOW
    )
    assert result.events[0].name == "Avec BOM"


def test_duplicates_in_concatenated_calendars_keep_the_last() -> None:
    first = ics("BEGIN:VEVENT", "UID:same", "SUMMARY:Old", "DTSTART:20270101T100000Z", "END:VEVENT")
    second = ics(
        "BEGIN:VEVENT", "UID:same", "SUMMARY:New", "DTSTART:20270101T110000Z", "END:VEVENT"
    )
    result = parse(first + second)
    assert [e.name for e in result.events] == ["New"]
    assert [s.reason for s in result.skipped] == ["duplicate"]


# ------------------------------------------------------------------ pages


def page(body: str) -> bytes:
    """An HTML page around a body."""
    return (
        f"<!doctype html><html><head><title>Page</title></head><body>{body}</body></html>".encode()
    )


def parse_page(data: bytes, default_timezone: str = "America/New_York") -> ImportResult:
    """parse_event_page with the test defaults."""
    result = parse_event_page(
        data,
        base_url="https://salon.example/2027/",
        default_timezone=default_timezone,
        now=NOW,
    )
    check_invariants(result)
    return result


def test_json_ld_graph_with_a_conference_event() -> None:
    data = page(
        """<script type="application/ld+json">
        {"@context": "https://schema.org", "@graph": [
          {"@type": "WebSite", "@id": "https://salon.example/#site", "name": "Salon"},
          {"@type": "Organization", "@id": "https://salon.example/#org", "name": "Org"},
          {"@type": ["ConferenceEvent"], "@id": "https://salon.example/2027/#event",
           "name": "Salon des Indépendants 2027",
           "startDate": "2027-03-18T09:00", "endDate": "2027-03-19T18:00",
           "eventStatus": "https://schema.org/EventScheduled",
           "url": "/2027/",
           "description": "<p>Deux jours pour <b>rencontrer</b> des clients.</p><p>Entrée libre</p>",
           "location": {"@type": "Place", "name": "Palais des Congrès",
             "address": {"@type": "PostalAddress", "streetAddress": "2 place de la Porte Maillot",
               "postalCode": "75017", "addressLocality": "Paris", "addressCountry": "FR"}}}
        ]}
        </script>"""
    )
    (event,) = parse_page(data).events
    assert event.name == "Salon des Indépendants 2027"
    assert event.kind == "salon"
    assert event.source_uid == "https://salon.example/2027/#event"
    assert event.url == "https://salon.example/2027/"
    # No offset, but the venue is in France (one zone): Paris time, not the default zone.
    assert event.starts_at == utc("2027-03-18T08:00") and event.timezone == PARIS
    assert event.ends_at == utc("2027-03-19T17:00")
    assert (event.venue, event.city, event.country) == ("Palais des Congrès", "Paris", "FR")
    assert event.address == "2 place de la Porte Maillot, 75017 Paris, FR"
    assert event.description == "Deux jours pour rencontrer des clients.\n\nEntrée libre"


@pytest.mark.parametrize(
    ("schema_type", "kind"),
    [
        ("BusinessEvent", "salon"),
        ("ConferenceEvent", "conference"),
        ("EducationEvent", "workshop"),
        ("SocialEvent", "meetup"),
        ("ExhibitionEvent", "salon"),
        ("SaleEvent", "salon"),
        ("MusicEvent", "other"),
        ("Event", "other"),
    ],
)
def test_kind_from_schema_type(schema_type: str, kind: str) -> None:
    data = page(
        f'<script type="application/ld+json">{{"@type": "{schema_type}", "name": "X",'
        ' "startDate": "2027-01-01"}</script>'
    )
    assert parse_page(data).events[0].kind == kind


def test_html_description_keeps_its_line_breaks_and_drops_styles() -> None:
    description = (
        "Ligne 1<br>Ligne 2<br/><br/><b>Paragraphe</b> &amp; suite"
        "<ul><li>un</li><li>deux</li></ul><style>p { color: red }</style>"
    )
    data = page(
        '<script type="application/ld+json">{"@type": "Event", "name": "Salon",'
        f' "startDate": "2027-05-10T14:00:00Z", "description": "{description}"}}</script>'
    )
    event = parse_page(data).events[0]
    assert event.description == "Ligne 1\nLigne 2\n\nParagraphe & suite\nun\n\ndeux"


def test_microdata_event() -> None:
    data = page(
        """<div itemscope itemtype="https://schema.org/SocialEvent">
          <h1 itemprop="name">Meetup Freelances Lyon</h1>
          <time itemprop="startDate" datetime="2027-02-04T19:00:00+01:00">4 février</time>
          <div itemprop="location" itemscope itemtype="https://schema.org/Place">
            <span itemprop="name">La Cordée</span>
            <div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">
              <span itemprop="postalCode">69002</span> <span itemprop="addressLocality">Lyon</span>
            </div>
          </div>
          <a itemprop="url" href="meetup-lyon.html">Détails</a>
        </div>"""
    )
    (event,) = parse_page(data, default_timezone=PARIS).events
    assert event.name == "Meetup Freelances Lyon" and event.kind == "meetup"
    assert event.starts_at == utc("2027-02-04T18:00") and event.timezone == PARIS
    assert (event.venue, event.city) == ("La Cordée", "Lyon")
    assert event.url == "https://salon.example/2027/meetup-lyon.html"


def test_page_without_events() -> None:
    data = page(
        '<h1>Blog</h1><script type="application/ld+json">'
        '{"@type": "BlogPosting", "headline": "Pas un événement"}</script>'
    )
    with pytest.raises(ImportFailed) as failure:
        parse_page(data)
    assert failure.value.code == "no_events"


def test_json_ld_with_comments_and_a_broken_block() -> None:
    data = page(
        """<script type="application/ld+json">{ this is not json </script>
        <script type="application/ld+json">
        {
          "@type": "Event", // the event
          "name": "Atelier pitch",
          "startDate": "2027-05-10T14:00:00Z",
          //"endDate": "",
        }
        </script>"""
    )
    result = parse_page(data)
    assert [e.name for e in result.events] == ["Atelier pitch"]
    assert result.events[0].starts_at == utc("2027-05-10T14:00")
    assert [s.reason for s in result.skipped] == ["unreadable"]


def test_web_event_with_an_unreadable_or_missing_date() -> None:
    data = page(
        '<script type="application/ld+json">[{"@type": "Event", "name": "Bientôt",'
        ' "startDate": "TBA"}, {"@type": "Event", "name": "Un jour"}]</script>'
    )
    result = parse_page(data)
    assert result.events == []
    assert sorted((s.what, s.reason) for s in result.skipped) == [
        ("Bientôt", "bad_date"),
        ("Un jour", "no_start"),
    ]


def test_locations_as_text_list_and_virtual() -> None:
    data = page(
        """<script type="application/ld+json">[
        {"@type": "Event", "name": "A", "startDate": "2027-01-01", "location": "Online"},
        {"@type": "Event", "name": "B", "startDate": "2027-01-02",
         "location": [{"@type": "VirtualLocation", "url": "https://meet.example"},
                      "Maison de la Radio, 116 avenue du Président Kennedy, 75016 Paris"]},
        {"@type": "Event", "name": "C", "startDate": "2027-01-03",
         "location": {"@type": "VirtualLocation", "url": "https://meet.example"}}
        ]</script>"""
    )
    a, b, c = parse_page(data).events
    assert (a.address, a.venue) == ("Online", None)
    assert (b.venue, b.city) == ("Maison de la Radio", "Paris")
    assert (c.venue, c.address) == (None, None)


# ------------------------------------------------------------------ dispatch


@pytest.mark.parametrize(
    ("data", "content_type", "code"),
    [
        (bytes(range(256)) * 4, None, "not_calendar"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "text/calendar", "not_calendar"),
        (b"%PDF-1.7\n", "application/pdf", "not_calendar"),
        (b'{"@type": "Event"}', "application/json", "not_calendar"),
        (b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nEND:VCALENDAR\n", None, "broken"),
        (b"BEGIN:VCALENDAR\n\x00\x01\x02\xff\xfe\x00", "text/calendar", "broken"),
        (b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", None, "no_events"),
        (b"<html><body>Hello</body></html>", "text/html", "no_events"),
        (b"BEGIN:VCALENDAR\n" + b"X" * 2_000_001, "text/calendar", "too_large"),
    ],
)
def test_refused_documents(data: bytes, content_type: str | None, code: str) -> None:
    with pytest.raises(ImportFailed) as failure:
        parse_document(
            data, content_type=content_type, base_url=None, default_timezone=PARIS, now=NOW
        )
    assert failure.value.code == code


def test_content_wins_over_the_declared_type() -> None:
    calendar = ics("BEGIN:VEVENT", "UID:x", "SUMMARY:Cal", "DTSTART:20270101T100000Z", "END:VEVENT")
    html_page = page(
        '<script type="application/ld+json">{"@type": "Event", "name": "Page",'
        ' "startDate": "2027-01-01"}</script>'
    )
    as_html = parse_document(
        calendar, content_type="text/html", base_url=None, default_timezone=PARIS, now=NOW
    )
    assert as_html.events[0].name == "Cal"
    as_calendar = parse_document(
        html_page,
        content_type="text/calendar; charset=utf-8",
        base_url="https://x.example/",
        default_timezone=PARIS,
        now=NOW,
    )
    assert as_calendar.events[0].name == "Page"
    assert as_calendar.calendar_name == "Page"


def test_expansion_budget_counts_steps_not_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    # A document whose rules would walk more steps than allowed keeps its single events and says
    # which series were left out.
    monkeypatch.setattr(ical, "MAX_EXPANSION_STEPS", 10)
    result = parse(
        ics(
            "BEGIN:VEVENT",
            "UID:weekly",
            "SUMMARY:Hebdo",
            "DTSTART:20261124T100000Z",
            "RRULE:FREQ=WEEKLY",
            "END:VEVENT",
            "BEGIN:VEVENT",
            "UID:once",
            "SUMMARY:Une fois",
            "DTSTART:20261125T100000Z",
            "END:VEVENT",
        )
    )
    assert [e.name for e in result.events] == ["Une fois"]
    assert [(s.what, s.reason) for s in result.skipped] == [("VEVENT: Hebdo", "too_many_events")]


def test_hourly_series_from_antiquity_is_refused() -> None:
    result = parse(
        ics(
            "BEGIN:VEVENT",
            "UID:old-hourly",
            "SUMMARY:Depuis toujours",
            "DTSTART:00010101T000000Z",
            "RRULE:FREQ=HOURLY",
            "END:VEVENT",
        )
    )
    assert [s.reason for s in result.skipped] == ["unsupported_recurrence"]


def test_every_refusal_and_skip_code_has_its_message() -> None:
    assert set(messages.FAILURES) == importing.FAIL_CODES | fetching.FETCH_CODES
    assert set(messages.SKIP_REASONS) == importing.SKIP_CODES
