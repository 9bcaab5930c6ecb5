"""In Chromium at 360 px: the events pages, from an empty list to a hand-made and an imported event."""

import re
from datetime import UTC, date, datetime, timedelta

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, sign_in
from tests.e2e.test_shell import assert_accessible

# Next year's March is always ahead, whatever day the tests run.
YEAR = date.today().year + 1


def calendar(*events: tuple[str, str, int]) -> bytes:
    """An .ics file with events (uid, summary, in how many days), 10:00 to 17:00 in Paris."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tests//EN", "X-WR-CALNAME:Salons pro"]
    for uid, summary, days in events:
        day = (datetime.now(UTC) + timedelta(days=days)).strftime("%Y%m%d")
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"SUMMARY:{summary}",
            f"DTSTART;TZID=Europe/Paris:{day}T100000",
            f"DTEND;TZID=Europe/Paris:{day}T170000",
            "LOCATION:Parc des expositions",
            "END:VEVENT",
        ]
    return ("\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n").encode()


def assert_fits(page: Page) -> None:
    """Nothing is wider than the 360 px screen."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide"


def test_events_from_empty_to_added_and_imported(live_server: LiveServer, page: Page) -> None:
    sign_in(live_server, page, "zoe")
    page.locator("nav.tabs a[href='/events']").click()
    expect(page.locator("h1")).to_have_text("Événements")
    expect(page.locator("p.empty")).to_contain_text("Aucun événement à venir.")
    assert_fits(page)
    assert_accessible(page)

    # Add an event by hand.
    page.locator(".heading a[href='/events/new']").click()
    expect(page.locator("h1")).to_have_text("Ajouter un événement")
    assert_accessible(page)
    page.fill("#f-name", "Salon des Entrepreneurs")
    page.select_option("#f-kind", "salon")
    page.fill("#f-starts_at", f"{YEAR}-03-10T09:00")
    page.fill("#f-ends_at", f"{YEAR}-03-10T18:00")
    page.select_option("#f-timezone", "Europe/Paris")
    page.fill("#f-venue", "Palais des Congrès")
    page.fill("#f-city", "Paris")
    page.fill("#f-url", "ftp://salon.example.org")
    page.fill("#f-description", "Deux jours de conférences et d’ateliers.")
    page.click("button[type=submit].primary")
    # The server refuses the link and gives the form back, filled, with the field marked.
    expect(page.locator("#f-url")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#e-url")).to_have_text(
        "Un lien web doit commencer par http:// ou https://."
    )
    expect(page.locator("#f-name")).to_have_value("Salon des Entrepreneurs")
    expect(page.locator("#f-starts_at")).to_have_value(f"{YEAR}-03-10T09:00")
    assert_accessible(page)
    page.fill("#f-url", "https://salon.example.org/")
    page.click("button[type=submit].primary")

    expect(page).to_have_url(re.compile(r"/events/[0-9a-f-]{36}$"))
    event_url = page.url
    expect(page.locator("h1")).to_have_text("Salon des Entrepreneurs")
    expect(page.locator(".flash")).to_have_text("L’événement est enregistré.")
    expect(page.locator("p.lead")).to_contain_text(f"10 mars {YEAR}, 09:00 – 18:00")
    expect(page.get_by_role("link", name="Site de l’événement")).to_have_attribute(
        "href", "https://salon.example.org/"
    )

    # One tap on a status.
    going = page.locator("form.segmented button[value=going]")
    expect(going).to_have_attribute("aria-pressed", "false")
    going.click()
    expect(page.locator("form.segmented button[value=going]")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("form.segmented button[value=interested]")).to_have_attribute(
        "aria-pressed", "false"
    )

    # Someone to meet there.
    page.fill("#f-want-name", "Nora Benali")
    page.fill("#f-want-why", "Elle organise les ateliers du salon et cherche des intervenants")
    page.locator("#want-to-meet-section button[type=submit]", has_text="Ajouter").click()
    wishes = page.locator("#want-to-meet-section li")
    expect(wishes).to_have_count(1)
    expect(wishes.locator("strong")).to_have_text("Nora Benali")
    expect(page.get_by_role("button", name="Retirer Nora Benali")).to_be_visible()
    assert_fits(page)
    assert_accessible(page)
    page.screenshot(path="/tmp/event-detail.png", full_page=True)

    # On the list, under its month.
    page.locator("nav.tabs a[href='/events']").click()
    card = page.locator("li.event", has_text="Salon des Entrepreneurs")
    expect(card).to_contain_text("09:00 – 18:00 · Paris")
    expect(card.locator(".status-going")).to_have_text("J’y vais")
    expect(page.locator("h2.month")).to_have_text([f"Mars {YEAR}"])
    assert_accessible(page)

    # Import a calendar file: preview, keep two of three, save.
    page.locator(".heading a[href='/events/import']").click()
    expect(page.locator("h1")).to_have_text("Importer des événements")
    assert_accessible(page)
    page.set_input_files(
        "input[name=file]",
        {
            "name": "salons.ics",
            "mimeType": "text/calendar",
            "buffer": calendar(
                ("a@tests", "Salon Alpha", 30),
                ("b@tests", "Forum Bêta", 40),
                ("c@tests", "Rencontres Gamma", 50),
            ),
        },
    )
    page.click("button[type=submit].primary")
    expect(page.locator("h1")).to_have_text("Aperçu")
    expect(page.locator("main")).to_contain_text("3 événements trouvés. (Salons pro)")
    picks = page.locator("input[name=pick]")
    expect(picks).to_have_count(3)
    for index in range(3):
        expect(picks.nth(index)).to_be_checked()
    assert_fits(page)
    assert_accessible(page)
    page.get_by_label("Forum Bêta").uncheck()
    page.click("button[type=submit].primary")

    expect(page).to_have_url(re.compile(r"/events$"))
    expect(page.locator(".flash")).to_have_text("Les événements sont importés.")
    titles = page.locator("li.event a.title")
    expect(titles).to_have_text(["Salon Alpha", "Rencontres Gamma", "Salon des Entrepreneurs"])
    assert_fits(page)
    assert_accessible(page)
    page.screenshot(path="/tmp/events-list.png", full_page=True)

    # In English.
    page.click("footer button[lang=en]")
    expect(page.locator("h1")).to_have_text("Events")
    expect(page.locator("nav.tabbar")).to_contain_text("Upcoming")
    expect(page.locator("h2.month").last).to_have_text(f"March {YEAR}")
    page.goto(event_url)
    expect(page.locator("h2#want-to-meet")).to_have_text("People I want to meet")
    expect(page.locator("form.segmented button[aria-pressed=true]")).to_have_text("Going")
