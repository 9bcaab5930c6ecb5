"""In Chromium at 360 px: copy the private calendar link from settings, download an event's .ics."""

import re
from pathlib import Path

import httpx
import icalendar
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import LiveServer, sign_in
from tests.e2e.test_events import YEAR, assert_fits
from tests.e2e.test_shell import assert_accessible


def test_copy_the_feed_link_and_download_an_event(
    live_server: LiveServer, page: Page, context: BrowserContext, tmp_path: Path
) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in(live_server, page, "zoe")

    # An event, added by hand.
    page.goto(f"{live_server.url}/events/new")
    page.fill("#f-name", "Salon des Entrepreneurs")
    page.fill("#f-starts_at", f"{YEAR}-03-10T09:00")
    page.fill("#f-ends_at", f"{YEAR}-03-10T18:00")
    page.select_option("#f-timezone", "Europe/Paris")
    page.click("button[type=submit].primary")
    expect(page).to_have_url(re.compile(r"/events/[0-9a-f-]{36}$"))

    # Download its .ics.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ajouter à mon agenda (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == "Salon-des-Entrepreneurs.ics"
    saved = tmp_path / "event.ics"
    download.save_as(saved)
    (vevent,) = icalendar.Calendar.from_ical(saved.read_bytes()).walk("VEVENT")
    assert str(vevent["summary"]) == "Salon des Entrepreneurs"
    google = page.get_by_role("link", name="Ajouter à Google Agenda")
    expect(google).to_have_attribute("href", re.compile(r"^https://calendar\.google\.com/"))
    assert_fits(page)
    assert_accessible(page)

    # The settings: create the link, copy it.
    page.goto(f"{live_server.url}/settings")
    page.get_by_role("button", name="Créer mon lien d’agenda").click()
    link = page.locator("#calendar-url")
    expect(link).to_have_value(re.compile(r"/calendar/[A-Za-z0-9_-]{43}\.ics$"))
    copy = page.get_by_role("button", name="Copier le lien")
    expect(copy).to_be_visible()
    copy.click()
    expect(page.locator("[data-copy-status]")).to_have_text("Lien copié")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == link.input_value()
    assert_fits(page)
    assert_accessible(page)

    # The copied link is the feed, and it holds the event.
    feed = httpx.get(copied)
    assert feed.status_code == 200
    assert "Salon des Entrepreneurs" in feed.text
