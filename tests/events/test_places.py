"""A place is never said twice: venue, address, city and country as sources write them repeat
each other; the event's page and the calendar's `LOCATION` say each part once."""

from types import SimpleNamespace

import icalendar
import pytest
from fastapi.testclient import TestClient

from app.events.places import location, place_lines
from tests.helpers import one


def _place(venue: str = "", address: str = "", city: str = "", country: str = "") -> object:
    return SimpleNamespace(venue=venue, address=address, city=city, country=country)


@pytest.mark.parametrize(
    ("parts", "lines"),
    [
        (
            ("Palais des Congrès", "2 place de la Porte Maillot, 75017 Paris, FR", "Paris", "FR"),
            ["Palais des Congrès", "2 place de la Porte Maillot, 75017 Paris, FR"],
        ),
        (
            (
                "Cambridge Innovation Center",
                "Cambridge Innovation Center, 1 Broadway",
                "Boston",
                "US",
            ),
            ["Cambridge Innovation Center, 1 Broadway", "Boston, US"],
        ),
        (
            ("Eurexpo", "Boulevard de l’Europe", "Chassieu", "FR"),
            ["Eurexpo", "Boulevard de l’Europe", "Chassieu, FR"],
        ),
        (("Paris Expo", "", "Paris", ""), ["Paris Expo", "Paris"]),
        (
            ("", "12 rue de Lyon, 69003 Lyon", "LYON", "France"),
            ["12 rue de Lyon, 69003 Lyon", "France"],
        ),
        (("", "", "Lyon", "FR"), ["Lyon, FR"]),
        (("La Cantine", "La Cantine", "", ""), ["La Cantine"]),
        # A city that is only part of a word elsewhere is kept.
        (("Parisian Hall", "", "Paris", ""), ["Parisian Hall", "Paris"]),
    ],
)
def test_place_lines_say_each_part_once(parts: tuple[str, str, str, str], lines: list[str]) -> None:
    assert place_lines(_place(*parts)) == lines
    assert location(_place(*parts)) == ", ".join(lines)


def test_the_page_and_the_feed_say_the_place_once(alice: TestClient, client: TestClient) -> None:
    made = alice.post(
        "/api/v1/events",
        json={
            "name": "Salon des Indépendants",
            "starts_at": "2027-03-18T09:00:00+01:00",
            "status": "going",
            "venue": "Palais des Congrès",
            "address": "2 place de la Porte Maillot, 75017 Paris",
            "city": "Paris",
            "country": "FR",
        },
    )
    assert made.status_code == 201, made.text
    event = made.json()
    html = alice.get(f"/events/{event['id']}").text
    place = one(html, "[data-place]").get_text("|")
    assert place == "Palais des Congrès|2 place de la Porte Maillot, 75017 Paris|FR"
    feed = alice.get("/api/v1/calendar").json()["url"].split("://", 1)[1].split("/", 1)[1]
    parsed = icalendar.Calendar.from_ical(client.get("/" + feed).content)
    (item,) = parsed.walk("VEVENT")
    assert (
        str(item["location"]) == "Palais des Congrès, 2 place de la Porte Maillot, 75017 Paris, FR"
    )
