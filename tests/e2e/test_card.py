"""In Chromium: the user turns their card on and publishes three fields; a visitor, in a browser
of their own, opens it from its QR code's address, saves the vCard (read back by vobject: only the
published fields) and leaves their details with consent at an event; the user finds them in the
inbox once, accepts them and sees them in that event's follow-up list. A double submit and a
replay make one person; a filled honeypot or a too-fast form stores nothing. Kiosk mode works
offline. axe finds nothing at 360 and 1366 px, in French and English."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import vobject
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PASSWORD, LiveServer, eventually
from tests.e2e.test_events import assert_fits
from tests.e2e.test_shell import assert_accessible, wait_until_controlled

WIDTHS = (360, 1366)


def _sign_in(live_server: LiveServer, page: Page, locale: str = "fr") -> httpx.Client:
    email = live_server.new_user(f"card-{locale}", locale=locale)
    page.goto(f"{live_server.url}/signin")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    expect(page.locator("nav.tabs")).to_be_visible()
    client = live_server.api(email)
    client.patch("/api/v1/me", json={"display_name": "Camille Roux"})
    client.patch("/api/v1/network/profile", json={
        "specialty": "Identités visuelles pour artisans", "who_i_help": "Les boutiques qui ouvrent"})  # fmt: skip
    return client


def _event_now(client: httpx.Client, *, public: bool = True) -> dict[str, Any]:
    now = datetime.now(UTC)
    answer = client.post("/api/v1/events", json={
        "name": "Salon des Artisans", "status": "going", "public": public, "city": "Lyon",
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(hours=8)).isoformat()})  # fmt: skip
    assert answer.status_code == 201, answer.text
    event: dict[str, Any] = answer.json()
    return event


def _inbox(client: httpx.Client) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get("/api/v1/card/inbox?status=all").json()
    return items


def _fill_details(page: Page, name: str) -> None:
    page.fill("#d-full_name", name)
    page.fill("#d-company", "Boulangerie Dubois")
    page.fill("#d-email", "lea@dubois.example")
    page.fill("#d-needs", "Un nouveau logo")
    page.check("#d-consent_follow_up")


def test_a_visitor_scans_the_card_saves_it_and_leaves_details_once(
    live_server: LiveServer, page: Page, browser: Browser
) -> None:
    client = _sign_in(live_server, page)
    event = _event_now(client)
    slug = f"camille-{uuid.uuid4().hex[:8]}"

    page.goto(f"{live_server.url}/settings#card")
    page.check("#c-enabled")
    page.fill("#c-slug", slug)
    for name in ("full_name", "specialty", "company"):
        page.check(f"#c-pub-{name}")
    page.fill("#c-company", "Atelier Roux")
    page.fill("#c-city", "Lyon-secret-city")
    page.fill("#c-phone", "+33 6 00 00 00 00")
    page.get_by_role("button", name="Enregistrer ma carte").click()
    expect(page.locator(".flash")).to_contain_text("Votre carte est enregistrée.")
    expect(page.locator("[data-card-preview=en] .p-name")).to_have_text("Camille Roux")

    # "Show my card", one tap from Today: the QR carries the event on now.
    page.goto(f"{live_server.url}/")
    page.locator("a[data-show-card]").click()
    expect(page.locator("h1")).to_have_text("Ma carte")
    qr = page.locator("[data-card-qr] svg")
    expect(qr).to_be_visible()
    url = str(qr.locator("desc").text_content())
    assert url == f"{live_server.url}/c/{slug}?event={event['id']}"
    assert page.locator("[data-card-url]").get_attribute("href") == url
    assert_fits(page)

    visitor_context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR",
                                          accept_downloads=True)  # fmt: skip
    visitor = visitor_context.new_page()
    visitor.goto(url)
    expect(visitor.locator(".visiting-card .p-name")).to_have_text("Camille Roux")
    expect(visitor.locator("#details-title")).to_contain_text("Salon des Artisans")
    assert "Lyon-secret-city" not in visitor.content() and "+33 6 00" not in visitor.content()

    with visitor.expect_download() as download_info:
        visitor.locator("[data-save-vcard]").click()
    card = vobject.readOne(download_info.value.path().read_text(encoding="utf-8"))
    assert card.fn.value == "Camille Roux"
    assert card.org.value == ["Atelier Roux"]
    assert card.note.value == "Identités visuelles pour artisans"
    names = {child.name.lower() for child in card.getChildren()}
    assert names <= {"version", "fn", "n", "org", "note"}, names

    # Too fast: refused, nothing stored; the form comes back filled.
    visitor.goto(url)
    _fill_details(visitor, "Léa Dubois")
    visitor.get_by_role("button", name="Envoyer mes coordonnées").click()
    expect(visitor.locator("p.alert[role=alert]")).to_contain_text("très rapide")
    assert _inbox(client) == []

    # A person's pace, and a double tap: one submission.
    sent: list[dict[str, Any]] = []
    visitor.on("request", lambda r: sent.append({"url": r.url, "body": r.post_data, "headers": r.headers})
               if r.method == "POST" else None)  # fmt: skip
    _fill_details(visitor, "Léa Dubois")
    visitor.wait_for_timeout(2500)
    visitor.get_by_role("button", name="Envoyer mes coordonnées").dblclick()
    expect(visitor.locator("h1")).to_have_text("Ce que vous avez laissé")
    receipt = str(visitor.locator("[data-receipt-url]").get_attribute("href"))
    expect(visitor.locator("[data-consent-text]")).to_contain_text(
        "Camille Roux peut garder ces coordonnées"
    )
    # The same request replayed by hand stores nothing more.
    replay = httpx.post(sent[-1]["url"], content=sent[-1]["body"], follow_redirects=False,
                        headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert replay.status_code == 303 and receipt.endswith(replay.headers["location"].split("?")[0])

    # A bot filling the honeypot: answered politely, nothing stored.
    visitor.wait_for_load_state("networkidle")
    visitor.wait_for_timeout(500)
    visitor.goto(url)
    expect(visitor.locator("#d-full_name")).to_have_value("")
    _fill_details(visitor, "Robot Spam")
    visitor.evaluate("document.querySelector('#d-website').value = 'http://spam.example'")
    visitor.wait_for_timeout(2500)
    visitor.get_by_role("button", name="Envoyer mes coordonnées").click()
    expect(visitor.locator("h1")).to_have_text("Merci")
    visitor_context.close()

    [item] = _inbox(client)
    assert item["full_name"] == "Léa Dubois" and item["event_id"] == event["id"]
    assert item["consent_sha256"] and item["language"] == "fr"

    page.goto(f"{live_server.url}/")
    page.locator("[data-card-inbox]").click()
    expect(page.locator("[data-inbox-item]")).to_have_count(1)
    page.locator("[data-inbox-item]").get_by_role("button", name="Accepter").click()
    expect(page.locator("h1")).to_contain_text("Léa Dubois")
    page.goto(f"{live_server.url}/events/{event['id']}/follow-up")
    expect(page.locator("main")).to_contain_text("Léa Dubois")
    people = client.get("/api/v1/contacts").json()["items"]
    assert [person["full_name"] for person in people] == ["Léa Dubois"]


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_card_pages_pass_axe_at_360_and_1366_px(
    live_server: LiveServer, page: Page, browser: Browser, locale: str
) -> None:
    client = _sign_in(live_server, page, locale)
    event = _event_now(client)
    slug = f"axe-{locale}-{uuid.uuid4().hex[:8]}"
    client.patch("/api/v1/card", json={
        "enabled": True, "slug": slug, "city": "Lyon", "url": "https://camille.example",
        "published": ["full_name", "specialty", "helps", "city", "url", "email"]})  # fmt: skip
    visitor_context = browser.new_context(locale="fr-FR" if locale == "fr" else "en-GB")
    visitor = visitor_context.new_page()
    owner_pages = ("/settings", "/card/show", "/card/inbox", "/card/kiosk", "/")
    visitor_pages = (f"/c/{slug}", f"/c/{slug}/events", f"/c/{slug}?event={event['id']}")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        visitor.set_viewport_size({"width": width, "height": 800})
        for path in owner_pages:
            page.goto(f"{live_server.url}{path}")
            assert_accessible(page)
            if width == 360:
                assert_fits(page)
        for path in visitor_pages:
            visitor.goto(f"{live_server.url}{path}")
            expect(visitor.locator("html")).to_have_attribute("lang", locale)
            assert_accessible(visitor)
            if width == 360:
                assert_fits(visitor)
    # The visitor's confirmation page, and the refused form with its error.
    visitor.goto(f"{live_server.url}/c/{slug}")
    visitor.fill("#d-full_name", "Léa")
    visitor.get_by_role("button", name=re.compile("Envoyer|Send")).click()
    expect(visitor.locator("p.alert[role=alert]")).to_be_visible()
    assert_accessible(visitor)
    visitor.fill("#d-phone", "0612345678")
    visitor.check("#d-consent_follow_up")
    visitor.wait_for_timeout(2200)
    visitor.get_by_role("button", name=re.compile("Envoyer|Send")).click()
    expect(visitor.locator("[data-receipt-url]")).to_be_visible()
    assert_accessible(visitor)
    visitor_context.close()


def test_kiosk_mode_offline_keeps_details_and_consent_and_sends_them_once(
    live_server: LiveServer, page: Page
) -> None:
    client = _sign_in(live_server, page)
    event = _event_now(client, public=False)
    client.patch("/api/v1/card", json={"enabled": True, "published": ["full_name"]})
    page.goto(f"{live_server.url}/card/kiosk?event_id={event['id']}")
    wait_until_controlled(page)
    page.fill("#k-pin", "2468")
    page.get_by_role("button", name="Lancer le mode borne").click()
    expect(page.locator("#kiosk-form")).to_be_visible()
    page.reload()  # kept by the service worker for offline use, as every page visited
    expect(page.locator("#kiosk-form")).to_be_visible()
    # The rest of the app is locked.
    page.goto(f"{live_server.url}/people")
    expect(page).to_have_url(re.compile(r"/card/kiosk$"))

    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#kiosk-form")).to_be_visible()
    page.fill("#k-full_name", "Hugo Lefèvre")
    page.fill("#k-phone", "06 11 22 33 44")
    page.get_by_role("button", name="Envoyer mes coordonnées").click()
    expect(page.locator("#kiosk-error")).to_contain_text("Cochez la première case")
    page.check("#k-consent_follow_up")
    page.check("#k-consent_events")
    page.get_by_role("button", name="Envoyer mes coordonnées").click()
    expect(page.locator("#kiosk-status")).to_contain_text("Merci")
    expect(page.locator("#k-full_name")).to_have_value("")
    page.wait_for_timeout(500)
    assert _inbox(client) == []

    page.context.set_offline(False)
    page.evaluate("dispatchEvent(new Event('online'))")
    items = eventually(lambda: _inbox(client), "the kiosk's details on the server")
    page.wait_for_timeout(1000)
    page.evaluate("dispatchEvent(new Event('online'))")
    page.wait_for_timeout(1000)
    [item] = _inbox(client)
    assert item["full_name"] == "Hugo Lefèvre" and item["source"] == "kiosk"
    assert item["consents"] == ["follow_up", "events"] and item["event_id"] == event["id"]
    assert "Camille Roux peut garder ces coordonnées" in item["consent_text"]
    assert items[0]["id"] == item["id"]

    page.locator("details.unlock summary").click()
    page.fill("#k-secret", "2468")
    page.get_by_role("button", name="Déverrouiller").click()
    expect(page.locator(".flash")).to_contain_text("Le mode borne est terminé.")
    page.goto(f"{live_server.url}/people")
    expect(page).to_have_url(re.compile(r"/people$"))
