"""axe finds no violation on every page a user works in, with data on it, at 360 px and
1366 px, in French and English; nothing is wider than the phone's screen."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, LiveServer
from tests.e2e.test_shell import assert_accessible


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("width", [360, 1366])
def test_no_axe_violation_on_any_page(
    live_server: LiveServer, page: Page, width: int, locale: str
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    email = live_server.new_user(f"sweep-{width}", locale=locale)
    api = live_server.api(email)
    now = datetime.now(UTC)
    over = api.post("/api/v1/events", json={
        "name": "Salon des Entrepreneurs", "status": "going", "venue": "Palais des Congrès",
        "address": "2 place de la Porte Maillot, 75017 Paris", "city": "Paris", "country": "FR",
        "starts_at": (now - timedelta(hours=30)).isoformat(),
        "ends_at": (now - timedelta(hours=20)).isoformat()}).json()  # fmt: skip
    soon = api.post("/api/v1/events", json={
        "name": "Forum Tech", "starts_at": (now + timedelta(days=9)).isoformat()}).json()  # fmt: skip
    api.post(
        f"/api/v1/events/{soon['id']}/want-to-meet", json={"name": "Marc Petit", "why": "SaaS"}
    )
    lea = str(uuid.uuid4())
    api.put(f"/api/v1/contacts/{lea}", json={
        "full_name": "Léa Martin", "company": "Atelier Nord", "hook": "vélos cargo",
        "needs": "un comptable", "event_id": over["id"]})  # fmt: skip
    api.put(f"/api/v1/contacts/{uuid.uuid4()}", json={"full_name": "LEA MARTIN"})
    api.put(f"/api/v1/gives/{uuid.uuid4()}", json={
        "contact_id": lea, "kind": "resource", "title": "l’article sur la CSRD"})  # fmt: skip
    page.goto(f"{live_server.url}/signin")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    expect(page.locator("nav.tabs")).to_be_visible()
    paths = [
        "/", "/capture", "/people", f"/people/{lea}", "/events", f"/events/{over['id']}",
        f"/events/{soon['id']}", f"/events/{over['id']}/follow-up", "/gives", "/network",
        "/settings", "/events/import", "/people/import", "/events/new",
    ]  # fmt: skip
    for path in paths:
        page.goto(live_server.url + path)
        expect(page.locator("h1")).to_be_visible()
        if width == 360:
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= 360, f"{path} is {wide} px wide"
        try:
            assert_accessible(page)
        except AssertionError as error:
            raise AssertionError(f"{path}: {error}") from None
