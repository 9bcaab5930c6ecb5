"""In Chromium at 360 px, French and English: the morning after a salon, following up the ten
people met there takes one tap each and no page load (the test counts both); each message names
the event and what was talked about; every give is done and every message logged on the server.
axe finds nothing at 360 and 1366 px, where the session and the list stand in two columns."""

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import PASSWORD, LiveServer, eventually
from tests.e2e.test_events import assert_fits
from tests.e2e.test_shell import assert_accessible

HOOKS = ["son projet de SaaS", "la CSRD", "le vélo cargo", "un salon à Lyon", "le recrutement",
         "la levée de fonds", "un livre sur la négociation", "les podcasts", "le télétravail",
         "la facturation électronique"]  # fmt: skip
TEXT = {
    "fr": {"hello": "Bonjour", "copy": "Copier et marquer envoyé", "done": "Tout le monde est relancé.",
           "progress": "10 sur 10"},
    "en": {"hello": "Hello", "copy": "Copy and mark sent", "done": "Everyone is followed up.",
           "progress": "10 of 10"},
}  # fmt: skip


def _sign_in(live_server: LiveServer, page: Page, locale: str) -> str:
    email = live_server.new_user(f"follow-{locale}", locale=locale)
    page.goto(f"{live_server.url}/signin")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    expect(page.locator("nav.tabs")).to_be_visible()
    return email


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_ten_follow_ups_in_ten_taps_without_a_page_load(
    live_server: LiveServer, page: Page, locale: str
) -> None:
    words = TEXT[locale]
    client = live_server.api(_sign_in(live_server, page, locale))
    end = datetime.now(UTC) - timedelta(hours=18)
    event = client.post("/api/v1/events", json={
        "name": "Salon des Entrepreneurs", "status": "going",
        "starts_at": (end - timedelta(hours=9)).isoformat(), "ends_at": end.isoformat()}).json()  # fmt: skip
    people = []
    for number, hook in enumerate(HOOKS):
        person_id = str(uuid.uuid4())
        name = f"Personne{number} Test"
        answer = client.put(f"/api/v1/contacts/{person_id}", json={
            "full_name": name, "hook": hook, "event_id": event["id"]})  # fmt: skip
        assert answer.status_code == 201, answer.text
        people.append((person_id, name, hook))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(f"{live_server.url}/events/{event['id']}/follow-up")
    assert_fits(page)
    assert_accessible(page)

    loads: list[str] = []
    page.on("request", lambda r: loads.append(r.url) if r.resource_type == "document" else None)
    page.on("load", lambda _page: loads.append("load"))
    taps = 0

    def tap(target: Locator) -> None:
        nonlocal taps
        taps += 1
        target.click()

    started = time.monotonic()
    for person_id, name, hook in people:
        card = page.locator(f"#send-{person_id}")
        expect(card).to_be_visible()
        message = card.locator("textarea")
        expect(message).to_contain_text(f"{words['hello']} {name.split()[0]},")
        expect(message).to_contain_text("Salon des Entrepreneurs")
        expect(message).to_contain_text(hook)
        tap(card.get_by_role("button", name=words["copy"]))
    expect(page.locator("[data-session-done]")).to_be_visible()
    expect(page.locator("[data-session-done]")).to_be_focused()
    elapsed = time.monotonic() - started
    expect(page.locator("#progress-title")).to_contain_text(words["progress"])
    copied = page.evaluate("navigator.clipboard.readText()")
    assert HOOKS[-1] in copied and "Salon des Entrepreneurs" in copied

    def all_done() -> bool:
        listing = client.get(f"/api/v1/events/{event['id']}/follow-up").json()
        return bool(listing["followed_up"] == 10)

    eventually(all_done, "ten people followed up on the server")
    gives = client.get("/api/v1/gives", params={"event_id": event["id"]}).json()
    assert sorted(g["status"] for g in gives) == ["done"] * 10
    for person_id, _name, _hook in people:
        talks = client.get(f"/api/v1/contacts/{person_id}/interactions").json()
        assert [t["kind"] for t in talks] == ["message"]
    assert taps <= 20 and taps == 10, taps
    assert loads == [], f"page loads between people: {loads}"
    print(f"\n[{locale}] follow-up session: {taps / 10:.1f} taps and {elapsed / 10:.2f} s per person,"
          f" {len(loads)} page loads")  # fmt: skip

    # A reload keeps the place; everyone is marked followed up in the list too.
    page.reload()
    expect(page.locator("[data-session-done]")).to_be_visible()
    expect(page.locator("li.follow-up[data-followed-up=true]")).to_have_count(10)
    assert_accessible(page)


def test_the_session_stands_in_two_columns_on_a_laptop(live_server: LiveServer, page: Page) -> None:
    client = live_server.api(_sign_in(live_server, page, "fr"))
    end = datetime.now(UTC) - timedelta(hours=18)
    event = client.post("/api/v1/events", json={
        "name": "Forum Emploi", "starts_at": (end - timedelta(hours=9)).isoformat(),
        "ends_at": end.isoformat()}).json()  # fmt: skip
    lea, marc = str(uuid.uuid4()), str(uuid.uuid4())
    client.put(f"/api/v1/contacts/{lea}", json={"full_name": "Léa Martin", "event_id": event["id"]})
    client.put(
        f"/api/v1/contacts/{marc}", json={"full_name": "Marc Petit", "event_id": event["id"]}
    )
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/events/{event['id']}/follow-up")
    session = page.locator("#session").bounding_box()
    everyone = page.locator("section.everyone").bounding_box()
    assert session and everyone
    assert everyone["x"] >= session["x"] + session["width"], (session, everyone)
    assert abs(everyone["y"] - session["y"]) < 5
    assert_accessible(page)
    # Choosing someone in the list shows them in the session, with no page load.
    loads: list[str] = []
    page.on("load", lambda _page: loads.append("load"))
    page.locator(f"#person-{marc}").get_by_role("link", name="Écrire à Marc Petit").click()
    expect(page.locator(f"#send-{marc}")).to_be_visible()
    expect(page.locator(f"#send-{lea}")).to_be_hidden()
    expect(page.locator(f"#send-title-{marc}")).to_be_focused()
    # "Mark as sent" (after writing from elsewhere) goes on to Léa.
    page.locator(f"#send-{marc}").get_by_role("button", name="Marquer comme envoyé").click()
    expect(page.locator(f"#send-{lea}")).to_be_visible()
    assert loads == []
    eventually(
        lambda: client.get(f"/api/v1/events/{event['id']}/follow-up").json()["followed_up"] == 1,
        "Marc followed up on the server",
    )


def test_without_javascript_the_session_posts_and_redirects(
    live_server: LiveServer, browser: object, page: Page
) -> None:
    email = _sign_in(live_server, page, "fr")
    client = live_server.api(email)
    end = datetime.now(UTC) - timedelta(hours=18)
    event = client.post("/api/v1/events", json={
        "name": "Salon Bio", "starts_at": (end - timedelta(hours=9)).isoformat(),
        "ends_at": end.isoformat()}).json()  # fmt: skip
    ids = [str(uuid.uuid4()) for _ in range(3)]
    for number, person_id in enumerate(ids):
        client.put(f"/api/v1/contacts/{person_id}",
                   json={"full_name": f"Personne{number}", "event_id": event["id"]})  # fmt: skip
    state = page.context.storage_state()
    context = page.context.browser.new_context(  # type: ignore[union-attr]
        java_script_enabled=False, storage_state=state, viewport={"width": 360, "height": 740},
        locale="fr-FR",
    )  # fmt: skip
    plain = context.new_page()
    plain.goto(f"{live_server.url}/events/{event['id']}/follow-up")
    taps = 0
    for person_id in ids:
        card = plain.locator(f"#send-{person_id}")
        expect(card).to_be_visible()
        expect(card.get_by_role("button", name="Copier et marquer envoyé")).to_be_hidden()
        card.get_by_role("button", name="Marquer comme envoyé").click()
        taps += 1
        expect(plain.locator(".flash")).to_have_text("Envoyé et marqué comme fait.")
    expect(plain.locator("[data-session-done]")).to_be_visible()
    assert taps == 3
    context.close()
    listing = client.get(f"/api/v1/events/{event['id']}/follow-up").json()
    assert listing["followed_up"] == 3
