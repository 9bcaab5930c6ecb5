"""The kind of an imported event follows the data: its name, its categories, its schema.org
type, in French and English."""

from datetime import UTC, datetime

import pytest

from app.events.importing.ical import parse_ics as parse_calendar
from app.events.importing.kinds import infer_kind
from tests.events.test_importing import page, parse_page

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def parse_ics(data: bytes):  # type: ignore[no-untyped-def]
    return parse_calendar(data, default_timezone="Europe/Paris", now=NOW)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Salon des Entrepreneurs 2027", "salon"),
        ("SALON DES ENTREPRENEURS", "salon"),
        ("Forum Emploi Lyon", "salon"),
        ("Expo Bois & Habitat", "salon"),
        ("Foire de Paris", "salon"),
        ("Big Data Trade Show", "salon"),
        ("Atelier prospection LinkedIn", "workshop"),
        ("Workshop: pricing your services", "workshop"),
        ("Conférence annuelle des DAF", "conference"),
        ("Congrès de l’ordre des experts-comptables", "conference"),
        ("Apéro des freelances", "meetup"),
        ("Afterwork networking", "meetup"),
        ("Déjeuner avec Paul", "other"),
        ("Salonnières", "other"),
    ],
)
def test_kind_from_the_name(name: str, kind: str) -> None:
    assert infer_kind(name) == kind


def test_type_and_categories_when_the_name_says_nothing() -> None:
    assert infer_kind("Rendez-vous 2027", types=["ExhibitionEvent"]) == "salon"
    assert infer_kind("Rendez-vous 2027", types=["BusinessEvent"]) == "salon"
    assert infer_kind("Rendez-vous 2027", types=["EducationEvent"]) == "workshop"
    assert infer_kind("Rendez-vous 2027", categories=["Atelier"]) == "workshop"
    assert infer_kind("Rendez-vous 2027", types=["Event"], fallback="meetup") == "meetup"
    # The name wins over a type a site's generator gives every event.
    assert infer_kind("Salon du Chocolat", types=["EducationEvent"]) == "salon"


def _ics(summary: str, categories: str | None = None) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Kinds//EN", "BEGIN:VEVENT",
             "UID:kind-1@example.org", "DTSTAMP:20270101T000000Z",
             "DTSTART:20270310T090000Z", "DTEND:20270310T170000Z", f"SUMMARY:{summary}"]  # fmt: skip
    if categories:
        lines.append(f"CATEGORIES:{categories}")
    lines += ["END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(lines).encode()


def test_ics_kind_from_name_and_categories() -> None:
    assert parse_ics(_ics("Salon SME")).events[0].kind == "salon"
    assert parse_ics(_ics("Rendez-vous 2027", "Business,Workshop")).events[0].kind == "workshop"
    assert parse_ics(_ics("Rendez-vous 2027")).events[0].kind == "other"


def test_web_page_kind_from_name() -> None:
    html = page(
        '<script type="application/ld+json">{"@context": "https://schema.org",'
        ' "@type": "Event", "name": "Forum des Métiers", "startDate": "2027-01-01"}</script>'
    )
    assert parse_page(html).events[0].kind == "salon"
