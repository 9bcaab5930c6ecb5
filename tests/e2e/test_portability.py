"""In Chromium at 360 and 1366 px: the data page (export with its progress, then the archive)
and the erase confirmation, in French and in English; axe on each."""

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, sign_in
from tests.e2e.test_shell import assert_accessible


def _fits(page: Page, width: int) -> None:
    """Nothing is wider than the screen."""
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"the page is {scrolled} px wide"


@pytest.mark.parametrize("width", [360, 1366])
def test_the_data_page_and_the_erase_confirmation_are_accessible(
    live_server: LiveServer, page: Page, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    client = live_server.api(sign_in(live_server, page, "data"))
    person = str(uuid.uuid4())
    client.put(
        f"/api/v1/contacts/{person}", json={"full_name": "Léa Martin", "email": "lea@example.org"}
    )
    page.goto(f"{live_server.url}/settings/data")
    expect(page.locator("h1")).to_have_text("Vos données")
    _fits(page, width)
    assert_accessible(page)
    page.get_by_role("button", name="Préparer mon archive").click()
    link = page.get_by_role("link", name="Télécharger l’archive")
    expect(link).to_be_visible(timeout=20_000)
    _fits(page, width)
    assert_accessible(page)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".zip")

    page.goto(f"{live_server.url}/people/{person}")
    page.get_by_role("link", name="Effacer complètement").click()
    expect(page.locator("h1")).to_contain_text("Léa Martin")
    _fits(page, width)
    assert_accessible(page)
    page.get_by_label("Ne pas la faire revenir").check()
    page.get_by_role("button", name="Effacer", exact=True).click()
    expect(page.locator("main [role=status]").first).to_contain_text("effacée")
    assert_accessible(page)


def test_the_data_page_in_english(live_server: LiveServer, page: Page) -> None:
    email = live_server.new_user("data-en", locale="en")
    page.goto(f"{live_server.url}/signin")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "correct horse battery staple")
    page.click("button[type=submit].primary")
    page.goto(f"{live_server.url}/settings/data")
    expect(page.locator("h1")).to_have_text("Your data")
    expect(page.get_by_role("button", name="Delete my account and all my data")).to_be_visible()
    assert_accessible(page)
