"""Repeating events on import: the same result whatever the machine's load, past series said so,
and whole days kept whole when a feed gives them a zone."""

import itertools
import time
from datetime import UTC, date, datetime, timedelta

import pytest
import recurring_ical_events
from fastapi.testclient import TestClient
from icalendar import Calendar

from app.events.importing import ImportFailed, ical, messages, parse_event_page, parse_ics
from app.web.i18n import use_locale

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def ics(*lines: str) -> bytes:
    return ("\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", *lines,
                         "END:VCALENDAR"]) + "\r\n").encode()  # fmt: skip


def yearly_series(count: int) -> bytes:
    """`count` birthdays and anniversaries, yearly since 1950-2019, all-day and timed."""
    lines: list[str] = []
    for index in range(count):
        year, month, day = 1950 + index % 70, 1 + index % 12, 1 + index % 28
        start = (
            f"DTSTART;VALUE=DATE:{year}{month:02d}{day:02d}"
            if index % 2
            else f"DTSTART;TZID=Europe/Paris:{year}{month:02d}{day:02d}T180000"
        )
        lines += ["BEGIN:VEVENT", f"UID:series-{index}", f"SUMMARY:Anniversary {index}", start,
                  "RRULE:FREQ=YEARLY", "END:VEVENT"]  # fmt: skip
    return ics(*lines)


def slowed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every reading of the clock says a minute has passed: a machine under heavy load."""
    ticks = itertools.count()
    start = time.monotonic()
    for name in ("monotonic", "perf_counter", "time"):
        monkeypatch.setattr(time, name, lambda: start + 60.0 * next(ticks))


def test_1300_yearly_series_import_the_same_count_under_any_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = yearly_series(1300)
    normal = parse_ics(data, default_timezone="Europe/Paris", now=NOW)
    slowed_clock(monkeypatch)
    slowed = parse_ics(data, default_timezone="Europe/Paris", now=NOW)
    assert len(normal.events) == len(slowed.events) == 1300
    # Every series has one date in the window [NOW - 1 day, NOW + 365 days] (none falls on
    # both of its ends).
    assert {e.source_uid.split("/")[0] for e in normal.events if e.source_uid} == {
        f"series-{i}" for i in range(1300)
    }
    assert normal.skipped == [] and slowed.skipped == []
    assert [(e.source_uid, e.starts_at) for e in normal.events] == [
        (e.source_uid, e.starts_at) for e in slowed.events
    ]


def test_fast_forward_keeps_every_occurrence() -> None:
    # An old start moved near the window must give exactly what a start near it gives.
    cases = [
        ("DTSTART;TZID=America/New_York:19991231T230000", "FREQ=YEARLY", "20261231T230000"),
        ("DTSTART;TZID=Europe/Paris:20000131T090000", "FREQ=MONTHLY", None),
        ("DTSTART;TZID=Europe/Paris:20000229T090000", "FREQ=YEARLY", None),
        ("DTSTART:20010101T100000Z", "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TH;WKST=SU", None),
        ("DTSTART;VALUE=DATE:20050315", "FREQ=MONTHLY;INTERVAL=5;BYDAY=2TU", None),
        ("DTSTART;TZID=Australia/Sydney:20100101T093000", "FREQ=DAILY;INTERVAL=9", None),
        ("DTSTART;TZID=Europe/Paris:20120101T080000", "FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU", None),
    ]
    for start, rule, _ in cases:
        data = ics("BEGIN:VEVENT", "UID:s", "SUMMARY:S", start, f"RRULE:{rule}",
                   "DTEND" + start[7:].replace("T0", "T1", 1) if "T" in start[8:] else "X-A:1",
                   "END:VEVENT")  # fmt: skip
        moved = parse_ics(data, default_timezone="Europe/Paris", now=NOW).events
        # The reference: dateutil straight from the original start, through the same window.
        calendar = Calendar.from_ical(data.decode())
        expected = recurring_ical_events.of(calendar).between(
            NOW - timedelta(days=1), NOW + timedelta(days=365)
        )
        starts = sorted(
            (o["DTSTART"].dt for o in expected),
            key=lambda v: (
                v if isinstance(v, datetime) else datetime.combine(v, datetime.min.time(), UTC)
            ),
        )
        got = [e.starts_at.date() if e.all_day else e.starts_at for e in moved]
        assert got == starts, (start, rule)
        # 29 February: no date in 2027, as dateutil says from 2000.
        assert starts or "0229" in start, (start, rule)


def test_only_past_repeating_events_say_so_in_both_languages() -> None:
    data = ics(
        "BEGIN:VEVENT", "UID:a", "SUMMARY:Cours 2020", "DTSTART:20200106T090000Z",
        "RRULE:FREQ=WEEKLY;COUNT=30", "END:VEVENT",
        "BEGIN:VEVENT", "UID:b", "SUMMARY:Atelier", "DTSTART;VALUE=DATE:20210301",
        "RRULE:FREQ=MONTHLY;UNTIL=20211231", "EXDATE;VALUE=DATE:20210401", "END:VEVENT",
        "BEGIN:VTODO", "UID:c", "SUMMARY:À faire", "END:VTODO",
    )  # fmt: skip
    with pytest.raises(ImportFailed) as failure:
        parse_ics(data, default_timezone="Europe/Paris", now=NOW)
    assert failure.value.code == "only_past_series"
    message = messages.FAILURES["only_past_series"]
    with use_locale("en"):
        assert str(message) == (
            "This calendar holds only past repeating events: none of them comes again."
        )
    with use_locale("fr"):
        assert str(message) == (
            "Ce calendrier ne contient que des événements répétés passés\u00a0: aucun ne revient."
        )
        assert str(messages.SKIP_REASONS["past_series"]) == (
            "un événement répété dont toutes les dates sont passées"
        )


def test_past_series_beside_an_event_or_a_far_series_is_not_a_refusal() -> None:
    past = ["BEGIN:VEVENT", "UID:p", "SUMMARY:Fini", "DTSTART:20200106T090000Z",
            "RRULE:FREQ=DAILY;UNTIL=20200110T000000Z", "END:VEVENT"]  # fmt: skip
    with_single = ics(*past, "BEGIN:VEVENT", "UID:o", "SUMMARY:Une fois",
                      "DTSTART:20190101T100000Z", "END:VEVENT")  # fmt: skip
    result = parse_ics(with_single, default_timezone="Europe/Paris", now=NOW)
    assert [e.name for e in result.events] == ["Une fois"]
    assert [s.reason for s in result.skipped] == ["past_series"]
    # Every four years, next in 2028: not over, just not within the next 12 months.
    far = ics("BEGIN:VEVENT", "UID:f", "SUMMARY:Jeux", "DTSTART;VALUE=DATE:20200724",
              "RRULE:FREQ=YEARLY;INTERVAL=4;COUNT=5", "END:VEVENT")  # fmt: skip
    assert [s.reason for s in parse_ics(far, default_timezone="Europe/Paris", now=NOW).skipped] == [
        "no_upcoming_occurrence"
    ]
    # An endless series is never "past".
    endless = ics("BEGIN:VEVENT", "UID:e", "SUMMARY:Toujours", "DTSTART:20200106T090000Z",
                  "RRULE:FREQ=WEEKLY", "END:VEVENT")  # fmt: skip
    assert parse_ics(endless, default_timezone="Europe/Paris", now=NOW).events


def test_a_page_of_past_schedules_says_so() -> None:
    page = (
        b'<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Event",'
        b' "name": "Yoga", "eventSchedule": {"@type": "Schedule", "startDate": "2019-01-01",'
        b' "endDate": "2019-06-30", "repeatFrequency": "P1W", "byDay": "https://schema.org/Monday",'
        b' "startTime": "18:00"}}</script>'
    )
    with pytest.raises(ImportFailed) as failure:
        parse_event_page(page, base_url="https://x.example/", default_timezone="Europe/Paris",
                         now=NOW)  # fmt: skip
    assert failure.value.code == "only_past_series"


def test_the_refusal_reaches_the_user(alice: TestClient) -> None:
    data = ics("BEGIN:VEVENT", "UID:a", "SUMMARY:Cours", "DTSTART:20200106T090000Z",
               "RRULE:FREQ=WEEKLY;COUNT=3", "END:VEVENT")  # fmt: skip
    response = alice.post(
        "/api/v1/events/import", files={"file": ("old.ics", data, "text/calendar")}
    )
    assert response.status_code == 422, response.text
    # Alice reads French.
    assert "ne contient que des événements répétés passés" in response.json()["detail"]


@pytest.mark.parametrize(
    "start",
    [
        "DTSTART;VALUE=DATE;TZID=Europe/Berlin:20270203",
        "DTSTART;TZID=Europe/Berlin;VALUE=DATE:20270203",
        'DTSTART;TZID="America/New_York":20270203',
        "DTSTART;TZID=W. Europe Standard Time:20270203",
    ],
)
def test_whole_days_with_a_zone_stay_whole_days(start: str) -> None:
    end = start.replace("DTSTART", "DTEND").replace("20270203", "20270205")
    result = parse_ics(
        ics("BEGIN:VEVENT", "UID:d", "SUMMARY:Salon", start, end, "END:VEVENT"),
        default_timezone="Europe/Brussels",
        now=NOW,
    )
    (event,) = result.events
    assert event.all_day
    assert event.starts_at.isoformat() == "2027-02-03T00:00:00+01:00"
    assert event.ends_at is not None and event.ends_at.isoformat() == "2027-02-05T00:00:00+01:00"


def test_whole_day_series_with_a_zone_stays_whole_days_with_its_exceptions() -> None:
    result = parse_ics(
        ics("BEGIN:VEVENT", "UID:w", "SUMMARY:Marché",
            "DTSTART;VALUE=DATE;TZID=Europe/Paris:20261201",
            "DTEND;VALUE=DATE;TZID=Europe/Paris:20261202",
            "RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE;VALUE=DATE;TZID=Europe/Paris:20261208",
            "END:VEVENT",
            "BEGIN:VEVENT", "UID:w", "SUMMARY:Marché de Noël",
            "RECURRENCE-ID;VALUE=DATE;TZID=Europe/Paris:20261215",
            "DTSTART;VALUE=DATE;TZID=Europe/Paris:20261216",
            "DTEND;VALUE=DATE;TZID=Europe/Paris:20261218", "END:VEVENT"),
        default_timezone="Europe/Paris",
        now=NOW,
    )  # fmt: skip
    days = [(e.name, e.starts_at.date(), e.ends_at and e.ends_at.date()) for e in result.events]
    assert days == [
        ("Marché", date(2026, 12, 1), date(2026, 12, 2)),
        ("Marché de Noël", date(2026, 12, 16), date(2026, 12, 18)),
        ("Marché", date(2026, 12, 22), date(2026, 12, 23)),
    ]
    assert all(e.all_day for e in result.events)
    assert result.events[1].source_uid == "w/2026-12-15"


def test_attendees_and_alarms_are_left_out_before_parsing() -> None:
    # What the import never reads is not handed to icalendar; what it reads is all there.
    text = ical._repair_ics(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nATTENDEE;CN=A:mailto:a@example.org\r\n"
        "BEGIN:VALARM\r\nTRIGGER:-PT1H\r\nDESCRIPTION:rappel\r\nEND:VALARM\r\nSUMMARY:S\r\n"
        "DTSTAMP:20260101T000000Z\r\nEND:VEVENT\r\nBEGIN:VTIMEZONE\r\nTZID:Z\r\nBEGIN:STANDARD\r\n"
        "TZNAME:Z\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n"
    )
    assert text.split("\r\n") == [
        "BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:x", "SUMMARY:S", "END:VEVENT", "BEGIN:VTIMEZONE",
        "TZID:Z", "BEGIN:STANDARD", "TZNAME:Z", "END:STANDARD", "END:VTIMEZONE", "END:VCALENDAR",
        "",
    ]  # fmt: skip


def test_an_old_series_with_an_end_of_another_kind_is_not_moved_and_still_imports() -> None:
    # A timed start with a date end (a broken file): kept as it is, expanded from its start.
    data = ics("BEGIN:VEVENT", "UID:m", "SUMMARY:Mixte", "DTSTART;TZID=Europe/Paris:20100104T090000",
               "DTEND;VALUE=DATE:20100105", "RRULE:FREQ=WEEKLY", "END:VEVENT")  # fmt: skip
    result = parse_ics(data, default_timezone="Europe/Paris", now=NOW)
    assert len(result.events) == 53
    assert result.events[0].starts_at.isoformat() == "2026-11-23T09:00:00+01:00"
