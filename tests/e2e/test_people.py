"""In Chromium at 360 px: the people list, a person's page, and importing a vCard; axe on each."""

import base64
import uuid

from playwright.sync_api import Page, expect

from tests.contacts.test_import_pages import VCF
from tests.e2e.conftest import LiveServer, sign_in
from tests.e2e.test_capture import jpeg
from tests.e2e.test_events import assert_fits
from tests.e2e.test_shell import assert_accessible, wait_until_controlled, wait_until_kept


def test_import_a_vcard_then_find_and_open_a_person(live_server: LiveServer, page: Page) -> None:
    sign_in(live_server, page, "zoe")
    page.goto(f"{live_server.url}/people")
    expect(page.locator("p.empty")).to_contain_text("Personne pour l’instant.")
    assert_accessible(page)
    page.get_by_role("link", name="Importer", exact=True).click()
    expect(page.locator("h1")).to_have_text("Importer des personnes")
    assert_accessible(page)
    page.set_input_files(
        "#f-file", files=[{"name": "contacts.vcf", "mimeType": "text/vcard", "buffer": VCF}]
    )
    page.get_by_role("button", name="Aperçu").click()
    expect(page.locator("[data-count=created] strong")).to_have_text("2")
    expect(page.locator("[data-count=rejected] strong")).to_have_text("1")
    assert_fits(page)
    assert_accessible(page)
    page.get_by_role("button", name="Importer 2 personnes").click()
    expect(page.locator(".flash")).to_have_text("Les personnes sont importées.")
    expect(page.locator("li.person")).to_have_count(2)

    page.fill("#f-q", "helene")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("li.person")).to_have_count(1)
    page.get_by_role("link", name="Hélène Dupont").click()
    expect(page.locator("h1")).to_have_text("Hélène Dupont")
    assert_fits(page)
    assert_accessible(page)
    page.get_by_role("button", name="Café").click()
    expect(page.locator(".flash")).to_have_text("C’est noté.")
    expect(page.locator("ol.timeline li").first).to_contain_text("Café")


def test_person_page_in_english_with_a_photo(live_server: LiveServer, page: Page) -> None:
    email = sign_in(live_server, page, "ann")
    page.click("footer button[lang=en]")
    client = live_server.api(email)
    person = str(uuid.uuid4())
    gif = "R0lGODlhAQABAIAAAAAAAP///ywAAAAAAQABAAACAUwAOw=="
    client.put(
        f"/api/v1/contacts/{person}",
        json={"full_name": "Sam Green", "hook": "bike lanes", "needs": "a designer", "photo": gif},
    )
    page.goto(f"{live_server.url}/people/{person}")
    expect(page.locator("h1")).to_have_text("Sam Green")
    expect(page.locator("img.photo")).to_be_visible()
    expect(page.locator("section[aria-labelledby=hook-title]")).to_contain_text("Their needs")
    assert_accessible(page)


def test_every_people_and_give_page_is_accessible(live_server: LiveServer, page: Page) -> None:
    """axe on the pages the other browser tests do not open: edit, merge, delete, follow-ups."""
    client = live_server.api(sign_in(live_server, page, "axe"))
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    client.put(
        f"/api/v1/contacts/{first}",
        json={"full_name": "Marc Petit", "company": "Kiosque", "tags": ["client"]},
    )
    client.put(
        f"/api/v1/contacts/{second}",
        json={"full_name": "marc petit", "email": "marc@kiosque.example"},
    )
    give = str(uuid.uuid4())
    client.put(
        f"/api/v1/gives/{give}", json={"contact_id": first, "kind": "resource", "title": "Le guide"}
    )
    for path in (
        f"/people/{first}/edit", f"/people/{first}/merge?other={second}", f"/people/{first}/delete",
        f"/gives/{give}/edit", f"/gives/{give}/delete", "/gives", f"/gives/new?contact_id={first}",
        "/people?q=marc", "/people?tag=client",
    ):  # fmt: skip
        page.goto(f"{live_server.url}{path}")
        assert_fits(page)
        assert_accessible(page)


def test_recent_people_open_offline_with_their_photo_without_a_visit(
    live_server: LiveServer, page: Page
) -> None:
    """At the venue the network drops: the people met lately open offline, photo included,
    although their pages were never opened on this phone; someone older does not pretend to."""
    client = live_server.api(sign_in(live_server, page, "zoe"))
    jpeg_bytes = jpeg()
    recent = str(uuid.uuid4())
    client.put(
        f"/api/v1/contacts/{recent}",
        json={"full_name": "Hélène Dupont", "hook": "vélos cargo",
              "photo": "data:image/jpeg;base64," + base64.b64encode(jpeg_bytes).decode()},
    )  # fmt: skip
    photo_url = client.get(f"/api/v1/contacts/{recent}").json()["photo_url"]
    page.goto(f"{live_server.url}/")
    wait_until_controlled(page)
    page.reload()
    wait_until_kept(page, f"/people/{recent}", photo_url)

    page.context.set_offline(True)
    page.goto(f"{live_server.url}/people/{recent}")
    expect(page.locator("h1")).to_have_text("Hélène Dupont")
    photo = page.locator("img.photo")
    expect(photo).to_be_visible()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", photo.element_handle())
    page.goto(f"{live_server.url}/people/{uuid.uuid4()}")
    expect(page.locator("h1")).not_to_have_text("Hélène Dupont")


def test_on_a_laptop_the_people_stand_beside_the_person(
    live_server: LiveServer, page: Page
) -> None:
    email = sign_in(live_server, page, "beside")
    api = live_server.api(email)
    ids = []
    for name in ("Léa Martin", "Marc Petit", "Inès Roy"):
        person_id = str(uuid.uuid4())
        assert api.put(f"/api/v1/contacts/{person_id}", json={"full_name": name}).status_code == 201
        ids.append(person_id)
    page.goto(f"{live_server.url}/people/{ids[0]}")
    beside = page.locator("nav.people-beside")
    expect(beside).to_be_hidden()  # a phone shows the person alone
    assert_fits(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    expect(beside).to_be_visible()
    expect(beside.locator("a[aria-current=page]")).to_have_text("Léa Martin")
    list_box = beside.bounding_box()
    person_box = page.locator("article[data-person-id]").bounding_box()
    assert list_box is not None and person_box is not None
    assert list_box["x"] + list_box["width"] <= person_box["x"], (
        "the list stands left of the person"
    )
    assert abs(list_box["y"] - person_box["y"]) < 40, "side by side, not one under the other"
    assert_accessible(page)
    beside.get_by_role("link", name="Inès Roy").click()
    expect(page.locator("h1")).to_have_text("Inès Roy")
    expect(beside.locator("a[aria-current=page]")).to_have_text("Inès Roy")
