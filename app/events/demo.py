"""Sample events for `givefirst demo`: a realistic year of salons, conferences and meetups."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from app.accounts.models import User
from app.db import utcnow
from app.events import importing
from app.events import service as events
from app.events.models import Event, EventCreate, EventKind, EventStatus

# (name, kind, days from today, days long or hours for a timed event, all_day, city, venue, url, status)
SAMPLES = [
    (
        "Salon des Entrepreneurs {year}",
        EventKind.salon,
        20,
        2,
        True,
        "Paris",
        "Palais des Congrès",
        "https://www.salondesentrepreneurs.com/paris/",
        EventStatus.going,
    ),
    (
        "VivaTech {year}",
        EventKind.salon,
        95,
        4,
        True,
        "Paris",
        "Paris Expo Porte de Versailles",
        "https://vivatechnology.com/",
        EventStatus.interested,
    ),
    (
        "MiXiT {year}",
        EventKind.conference,
        150,
        2,
        True,
        "Lyon",
        "Campus René Cassin",
        "https://mixitconf.org/",
        EventStatus.going,
    ),
    (
        "Web2day {year}",
        EventKind.conference,
        200,
        3,
        True,
        "Nantes",
        "Stereolux",
        "https://web2day.co/",
        EventStatus.interested,
    ),
    (
        "Atelier prospection sans prospecter",
        EventKind.workshop,
        9,
        3,
        False,
        "Bordeaux",
        "La Cité numérique",
        None,
        EventStatus.going,
    ),
    (
        "Salon SME {year}",
        EventKind.salon,
        300,
        2,
        True,
        "Paris",
        "Palais des Congrès",
        "https://www.salon-sme.com/",
        EventStatus.interested,
    ),
    (
        "Salon des Entrepreneurs {year}",
        EventKind.salon,
        -345,
        2,
        True,
        "Paris",
        "Palais des Congrès",
        "https://www.salondesentrepreneurs.com/paris/",
        EventStatus.attended,
    ),
    (
        "Rencontres du conseil indépendant",
        EventKind.conference,
        -12,
        8,
        False,
        "Toulouse",
        "Hôtel Dieu",
        None,
        EventStatus.going,
    ),
]

RECURRING_MEETUP = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Givefirst//demo//FR
BEGIN:VEVENT
UID:freelances-lyon@demo.givefirst
DTSTAMP:{stamp}
DTSTART;TZID=Europe/Paris:{start}
DURATION:PT2H
RRULE:FREQ=MONTHLY;BYDAY=1TH;COUNT=12
SUMMARY:Apéro des freelances lyonnais
LOCATION:Le Comptoir du Vin\\, Lyon
URL:https://www.meetup.com/fr-FR/freelances-lyon/
END:VEVENT
END:VCALENDAR
"""


def add_events(session: Session, *, user: User) -> int:
    """Add the sample events to an account that has none; returns how many were added."""
    if session.exec(select(Event).where(Event.owner_id == user.id)).first() is not None:
        return 0
    today = utcnow().astimezone(ZoneInfo(user.timezone)).date()
    added = 0
    for name, kind, offset, length, all_day, city, venue, url, status in SAMPLES:
        day = today + timedelta(days=offset)
        start = datetime.combine(day, time(0 if all_day else 18), ZoneInfo(user.timezone))
        end = start + (timedelta(days=length) if all_day else timedelta(hours=length))
        data = EventCreate(
            name=name.format(year=day.year), kind=kind, starts_at=start, ends_at=end, all_day=all_day,
            timezone=user.timezone, city=city, venue=venue, url=url, status=status, country="France",
        )  # fmt: skip
        events.create_event(session, owner=user, data=data)
        added += 1
    first_thursday = _first_weekday(today, weekday=3)
    calendar = RECURRING_MEETUP.format(
        stamp=utcnow().strftime("%Y%m%dT%H%M%SZ"), start=first_thursday.strftime("%Y%m%dT190000")
    ).encode()
    parsed = importing.parse_ics(calendar, default_timezone=user.timezone, now=utcnow())
    summary = events.save_imported(session, owner=user, items=parsed.events)
    return added + len(summary.created)


def _first_weekday(today: date, *, weekday: int) -> date:
    month = date(today.year, today.month, 1)
    return month + timedelta(days=(weekday - month.weekday()) % 7)
