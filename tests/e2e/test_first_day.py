"""The first day in Chromium, at 360 px and 1366 px: a new instance opens on sign-up; Today shows
three steps that disappear as they are done; the network profile's confirmation is in view after
saving; axe finds nothing on either page at either width."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, LiveServer, eventually
from tests.e2e.test_events import assert_fits
from tests.e2e.test_shell import assert_accessible


def _in_view(page: Page, selector: str) -> bool:
    return bool(
        page.evaluate(
            """(sel) => { const box = document.querySelector(sel).getBoundingClientRect();
            return box.top >= 0 && box.bottom <= window.innerHeight; }""",
            selector,
        )
    )


@pytest.mark.parametrize("width", [360, 1366])
def test_first_day_from_sign_up_to_three_steps_done(
    own_server: LiveServer, page: Page, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 740 if width == 360 else 900})
    page.goto(own_server.url + "/")
    expect(page.locator("h1")).to_have_text("Créez votre compte")
    page.fill("input[name=display_name]", "Zoé")
    page.fill("input[name=email]", "zoe@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    steps = page.locator("[data-first-steps] li")
    expect(steps).to_have_count(3)
    if width == 360:
        assert_fits(page)
    assert_accessible(page)
    # Tab order: the skip link, the brand, settings, then the main navigation before the content.
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Aller au contenu")

    page.locator("[data-step=profile] a").click()
    page.fill("#f-specialty", "Sites web pour artisans")
    page.locator("#network button[type=submit]").click()
    expect(page.locator("#network .flash")).to_have_text("Votre profil réseau est enregistré.")
    assert _in_view(page, "#network .flash")
    assert_accessible(page)

    page.goto(own_server.url + "/")
    expect(steps).to_have_count(2)
    expect(page.locator("[data-first-steps]")).to_contain_text("1 étape faite sur 3")
    page.locator("[data-step=person] a").click()
    page.fill("#f-full_name", "Léa Martin")
    page.click("button[name=next][value=capture]")
    expect(page.locator("#toast")).to_contain_text("Léa Martin")

    def one_step_left() -> bool:
        page.goto(own_server.url + "/")
        return steps.count() == 1

    eventually(one_step_left, "the capture reached the server")
    expect(page.locator("[data-step=event]")).to_be_visible()
