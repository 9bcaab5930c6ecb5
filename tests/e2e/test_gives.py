"""In Chromium at 360 px, French and English: after an event, its follow-up list; plan a give and
an introduction, mark one done, see Today change; offline, plan a give that syncs once."""

import uuid
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, eventually, sign_in
from tests.e2e.test_capture import wait_for_badge
from tests.e2e.test_events import assert_fits
from tests.e2e.test_shell import assert_accessible, wait_until_controlled, wait_until_kept


def test_follow_up_after_an_event_plan_introduce_and_done(
    live_server: LiveServer, page: Page
) -> None:
    client = live_server.api(sign_in(live_server, page, "zoe"))
    end = datetime.now(UTC) - timedelta(hours=20)
    event = client.post("/api/v1/events", json={
        "name": "Salon des Entrepreneurs", "status": "going",
        "starts_at": (end - timedelta(hours=9)).isoformat(), "ends_at": end.isoformat()}).json()  # fmt: skip
    people = {}
    for name, needs in (("Léa Martin", "Cherche un développeur Python"),
                        ("Marc Petit", "Un article sur la CSRD"), ("Sam Vidal", "")):  # fmt: skip
        people[name] = str(uuid.uuid4())
        client.put(
            f"/api/v1/contacts/{people[name]}",
            json={
                "full_name": name,
                "needs": needs,
                "event_id": event["id"],
                "role": "Développeur" if name == "Sam Vidal" else None,
            },
        )

    page.goto(f"{live_server.url}/")
    expect(page.locator("section[data-after-event]")).to_contain_text(
        "3 personnes à relancer après « Salon des Entrepreneurs »"
    )
    page.get_by_role("link", name="Commencer les relances").click()
    expect(page.locator("h1")).to_have_text("Suivi : Salon des Entrepreneurs")
    assert_fits(page)
    assert_accessible(page)

    # Plan Marc's suggested give in one tap.
    marc = page.locator(f"#person-{people['Marc Petit']}")
    marc.get_by_role("button", name="Le prévoir").click()
    expect(page.locator(".flash")).to_have_text("Le geste est prévu.")
    # Léa: an introduction to Sam (the suggestion asks for the second person).
    page.locator(f"#person-{people['Léa Martin']}").get_by_role("button", name="Le prévoir").click()
    expect(page.locator("h1")).to_have_text("Prévoir un geste")
    page.fill("#f-other_contact_id", "sam")  # a type-to-search picker
    page.get_by_role("option", name="Sam Vidal").click()
    expect(page.locator("#f-other_contact_id")).to_have_value("Sam Vidal")
    page.fill("#f-intro_why", "Léa cherche un développeur, Sam en est un")
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(f"#person-{people['Léa Martin']}")).to_contain_text(
        "Présenter Léa Martin à Sam Vidal"
    )

    # Mark Marc's give done from the give page: 1 of 3 followed up.
    page.locator(f"#person-{people['Marc Petit']}").get_by_role("link").nth(1).click()
    expect(page.locator("textarea").first).to_contain_text("Bonjour Marc,")
    assert_accessible(page)
    page.get_by_role("button", name="Fait", exact=True).click()
    expect(page.locator(".flash")).to_have_text("Fait. Merci de donner en premier.")
    page.goto(f"{live_server.url}/events/{event['id']}/follow-up")
    expect(page.locator("#progress-title")).to_have_text("Relances faites\u00a0: 1 sur 3")

    # Today lists the introduction (due two days after the event, so this week).
    page.goto(f"{live_server.url}/")
    expect(
        page.locator("section[aria-labelledby=today-week], section[aria-labelledby=today-today]")
    ).to_contain_text("Présenter Léa Martin à Sam Vidal")
    expect(page.locator("section[data-after-event]")).to_contain_text(
        "2 personnes à relancer après « Salon des Entrepreneurs »"
    )
    assert_accessible(page)

    # The same in English.
    page.click("footer button[lang=en]")
    expect(page.locator("section[data-after-event]")).to_contain_text(
        "2 people to follow up from Salon des Entrepreneurs"
    )
    page.goto(f"{live_server.url}/events/{event['id']}/follow-up")
    expect(page.locator("#progress-title")).to_have_text("1 of 3 followed up")
    assert_accessible(page)


def test_a_give_planned_offline_syncs_once(live_server: LiveServer, page: Page) -> None:
    client = live_server.api(sign_in(live_server, page, "yann"))
    lea = str(uuid.uuid4())
    client.put(f"/api/v1/contacts/{lea}", json={"full_name": "Léa Martin"})
    page.goto(f"{live_server.url}/gives/new?contact_id={lea}&kind=resource&next=/gives")
    wait_until_controlled(page)
    page.reload()
    wait_until_kept(page, "/gives")
    page.context.set_offline(True)
    page.fill("#f-title", "Le guide du vélo cargo")
    page.get_by_role("button", name="Enregistrer").click()
    wait_for_badge(page, 1)
    # A second give from the same form, which now comes from the service worker's copy: its own
    # id, not the first give's (which it would overwrite).
    page.goto(f"{live_server.url}/gives/new?contact_id={lea}&kind=resource&next=/gives")
    page.fill("#f-title", "Un café avec Samir")
    page.get_by_role("button", name="Enregistrer").click()
    wait_for_badge(page, 2)
    assert client.get("/api/v1/gives").json() == []
    page.context.set_offline(False)
    page.evaluate("dispatchEvent(new Event('online'))")
    wait_for_badge(page, 0)

    def both() -> list[dict[str, str]] | None:
        gives: list[dict[str, str]] = client.get("/api/v1/gives").json()
        return gives if len(gives) == 2 else None

    found = eventually(both, "both gives on the server")
    assert sorted((g["title"], g["contact_id"], g["status"]) for g in found) == [
        ("Le guide du vélo cargo", lea, "planned"),
        ("Un café avec Samir", lea, "planned"),
    ]
    page.reload()
    page.evaluate("import('/static/js/outbox.js').then((o) => o.flush({force: true}))")
    assert len(client.get("/api/v1/gives").json()) == 2


def test_network_profile_and_page_in_both_languages(live_server: LiveServer, page: Page) -> None:
    client = live_server.api(sign_in(live_server, page, "lou"))
    amelie = str(uuid.uuid4())
    client.put(
        f"/api/v1/contacts/{amelie}", json={"full_name": "Amélie Fournier", "knows_what_i_do": True}
    )
    client.put(
        f"/api/v1/contacts/{uuid.uuid4()}",
        json={"full_name": "Karim Benali", "met_through_id": amelie},
    )
    client.put(
        f"/api/v1/gives/{uuid.uuid4()}",
        json={"contact_id": amelie, "kind": "resource", "status": "done"},
    )
    page.goto(f"{live_server.url}/settings")
    page.fill("#f-specialty", "Comptable des artisans")
    page.fill("#f-trigger_keyword", "bilan")
    page.select_option("#f-event_cadence", "30")
    page.locator("#network").get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".flash")).to_have_text("Votre profil réseau est enregistré.")
    expect(page.locator("#f-specialty")).to_have_value("Comptable des artisans")
    assert_accessible(page)
    page.goto(f"{live_server.url}/people")
    page.get_by_role("link", name="Mon réseau").click()
    expect(page.locator("h1")).to_have_text("Mon réseau")
    expect(page.locator(".funnel li").first).to_contain_text("2")
    expect(page.locator("section[aria-labelledby=circle-title]")).to_contain_text("Karim Benali")
    assert_fits(page)
    assert_accessible(page)
    page.goto(f"{live_server.url}/people/{amelie}")
    page.check("#f-recommend")
    page.locator("#network").get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#f-recommend")).to_be_checked()
    assert_accessible(page)
    page.click("footer button[lang=en]")
    page.goto(f"{live_server.url}/network")
    expect(page.locator("h1")).to_have_text("My network")
    expect(page.locator("#gives-chart-desc")).to_have_text("1 in 12 months; most in one month: 1.")
    assert_accessible(page)
