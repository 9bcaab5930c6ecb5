"""In Chromium at 360 px: sign up, sign in, French and English, sign out, offline, accessibility."""

import re
import shutil
import uuid
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Playwright, expect

from app.config import PROJECT_ROOT
from tests.e2e.conftest import PASSWORD, LiveServer, eventually


def wait_until_controlled(page: Page) -> None:
    """Wait for the service worker to control the page (polled through CDP: the page's CSP
    forbids the eval that wait_for_function would need)."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    for attempt in range(40):
        if page.evaluate("navigator.serviceWorker.controller !== null"):
            return
        if attempt % 10 == 9:
            page.reload()
        page.wait_for_timeout(250)
    raise AssertionError("the service worker never controlled the page")


def wait_until_kept(page: Page, *paths: str) -> None:
    """Wait until the service worker has kept these pages for offline use."""
    script = "(paths) => caches.open('pages').then((c) => Promise.all(paths.map((p) => c.match(p)))).then((r) => r.every(Boolean))"
    eventually(lambda: page.evaluate(script, list(paths)), f"kept {paths} offline")


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_sign_up_home_in_both_languages_and_sign_out(live_server: LiveServer, page: Page) -> None:
    email = f"zoe-{uuid.uuid4().hex[:10]}@example.org"
    page.goto(f"{live_server.url}/signup")
    expect(page.locator("h1")).to_have_text("Créez votre compte")
    assert_accessible(page)
    page.fill("input[name=display_name]", "Zoé")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    expect(page.locator("h1")).to_have_text("Bonjour Zoé")
    expect(page.locator(".flash")).to_contain_text("Bienvenue")
    assert_accessible(page)

    page.click("footer button[lang=en]")
    expect(page.locator("h1")).to_have_text("Hello Zoé")
    expect(page.locator("nav.tabs")).to_contain_text("People")
    assert_accessible(page)

    page.goto(f"{live_server.url}/settings")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page).to_have_url(re.compile(r"/signin$"))
    expect(page.locator(".flash")).to_have_text("You are signed out.")
    assert_accessible(page)

    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    expect(page.locator("h1")).to_have_text("Hello Zoé")


def test_wrong_password_shows_an_accessible_error(live_server: LiveServer, page: Page) -> None:
    email = live_server.new_user("yann")
    page.goto(f"{live_server.url}/signin")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit].primary")
    expect(page.get_by_role("alert")).to_have_text(
        "Cet e-mail et ce mot de passe ne correspondent pas."
    )
    assert_accessible(page)


def test_service_worker_controls_the_page_and_offline_page_shows(
    live_server: LiveServer, page: Page
) -> None:
    email = live_server.new_user("zoe")
    page.goto(f"{live_server.url}/signin")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    wait_until_controlled(page)
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL").endswith("/sw.js")
    # The home page was visited online: offline, it comes from the cache.
    page.goto(f"{live_server.url}/")
    wait_until_kept(page, "/capture", "/people")
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("h1")).to_have_text("Bonjour")
    expect(page.locator("#status")).to_be_visible()
    # The pages needed at a venue were kept ahead, though never visited.
    page.goto(f"{live_server.url}/capture")
    expect(page.locator("h1")).to_have_text("Saisir une personne")
    # Its script and every module it imports were kept too: the outbox panel shows.
    expect(page.locator("#outbox")).to_be_visible()
    page.goto(f"{live_server.url}/people")
    expect(page.locator("h1")).to_have_text("Personnes")
    # A page never visited falls back to the offline page.
    page.goto(f"{live_server.url}/settings")
    expect(page.locator("h1")).to_have_text("Vous êtes hors ligne")
    page.context.set_offline(False)


def test_desktop_layout_puts_navigation_on_the_side(live_server: LiveServer, page: Page) -> None:
    email = live_server.new_user("zoe")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/signin")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    expect(page.locator("h1")).to_have_text("Bonjour")  # measured on the home page, not mid-way
    box = page.locator("nav.tabs").bounding_box()
    assert box is not None and box["x"] == 0 and box["height"] >= 700 and box["width"] < 300
    assert_accessible(page)


def test_a_new_version_is_offered_and_applied_on_request(
    own_server: LiveServer, page: Page, tmp_path: Path
) -> None:
    live_server = own_server  # restarted on a static folder of its own, then on a new release
    static = tmp_path / "static"
    shutil.copytree(PROJECT_ROOT / "static", static)
    live_server.stop()
    live_server.env["GIVEFIRST_STATIC_DIR"] = str(static)
    live_server.start()
    page.goto(f"{live_server.url}/signin")
    wait_until_controlled(page)
    first = page.evaluate("navigator.serviceWorker.controller.scriptURL")
    assert first.endswith("/sw.js")
    expect(page.locator("#update")).to_be_hidden()
    # A new release: the shell changes, the server restarts.
    with (static / "css" / "app.css").open("a") as css:
        css.write("\n/* new release */\n")
    live_server.stop()
    live_server.start()
    page.reload()
    expect(page.locator("#update")).to_be_visible(timeout=15000)
    assert_accessible(page)
    page.click("#update [data-action=update]")
    page.wait_for_load_state()
    expect(page.locator("#update")).to_be_hidden(timeout=15000)
    version = page.evaluate("caches.keys()")
    assert len([name for name in version if name.startswith("shell-")]) == 1


def test_api_docs_render_without_any_outside_request(live_server: LiveServer, page: Page) -> None:
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if not request.url.startswith(live_server.url) else None
        ),
    )
    page.goto(f"{live_server.url}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Givefirst", timeout=15000)
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert outside == []


def test_chromium_finds_the_app_installable(
    live_server: LiveServer,
    playwright: Playwright,
    browser_type_launch_args: dict[str, Any],
    tmp_path: Path,
) -> None:
    """Chrome's own installability check (manifest, icons, service worker with a fetch
    handler) finds nothing missing; it needs a persistent profile, as a phone has."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), **browser_type_launch_args,
        viewport={"width": 360, "height": 740}, locale="fr-FR",
    )  # fmt: skip
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/signin")
        wait_until_controlled(page)
        cdp = context.new_cdp_session(page)
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == []
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"].endswith("/manifest.webmanifest")
        assert not manifest.get("errors"), manifest["errors"]
    finally:
        context.close()
