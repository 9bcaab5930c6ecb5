"""In Chromium at 360 px: capture people offline, survive a reload and a server restart, and
sync exactly once; replays, server errors and refusals through the outbox."""

import io
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import segno
from PIL import Image
from playwright.sync_api import Page, Playwright, Route, expect

from tests.e2e.conftest import CHROMIUM_ARGS, LiveServer, chromium_path, eventually, sign_in
from tests.e2e.test_events import assert_fits
from tests.e2e.test_shell import assert_accessible, wait_until_controlled, wait_until_kept


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (200, 80, 20)).save(out, "JPEG")
    return out.getvalue()


def event_on_now(client: httpx.Client) -> str:
    now = datetime.now(UTC)
    response = client.post(
        "/api/v1/events",
        json={"name": "Salon des Entrepreneurs", "status": "going",
              "starts_at": (now - timedelta(hours=1)).isoformat(),
              "ends_at": (now + timedelta(hours=8)).isoformat()},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def badge(page: Page) -> str:
    return str(page.locator("[data-outbox-badge]").get_attribute("data-count"))


def wait_for_badge(page: Page, count: int) -> None:
    expect(page.locator("[data-outbox-badge]")).to_have_attribute(
        "data-count", str(count), timeout=15000
    )


def capture(page: Page, name: str, hook: str, photo: bytes | None = None) -> None:
    page.fill("#f-full_name", name)
    page.fill("#f-hook", hook)
    if photo:
        page.set_input_files(
            "#f-photo", files=[{"name": "badge.jpg", "mimeType": "image/jpeg", "buffer": photo}]
        )
    page.get_by_role("button", name="Enregistrer et suivant").click()
    expect(page.locator("#f-full_name")).to_have_value("")
    expect(page.locator("#f-full_name")).to_be_focused()


def test_offline_captures_survive_reload_and_restart_and_sync_once(
    own_server: LiveServer, page: Page
) -> None:
    live_server = own_server  # stopped and started again below
    client = live_server.api(sign_in(live_server, page, "zoe"))
    event_id = event_on_now(client)
    page.goto(f"{live_server.url}/capture?event_id={event_id}")
    wait_until_controlled(page)
    page.reload()
    wait_until_kept(page, "/capture", "/people")
    expect(page.locator("#f-event_id")).to_have_value(event_id)
    assert_fits(page)
    assert_accessible(page)

    page.context.set_offline(True)
    capture(page, "Hélène Dupont", "vélos cargo", photo=jpeg())
    capture(page, "Bruno Petit", "cherche un comptable")
    capture(page, "Chloé Bernard", "organise un meetup Python")
    wait_for_badge(page, 3)
    expect(page.locator("#outbox-count")).to_have_text("À envoyer\u00a0: 3 personnes")
    # The event stays chosen across captures.
    expect(page.locator("#f-event_id")).to_have_value(event_id)

    # Offline, the page comes back from the cache, and the outbox from IndexedDB.
    page.reload()
    expect(page.locator("h1")).to_have_text("Saisir une personne")
    wait_for_badge(page, 3)

    live_server.stop()
    live_server.start()
    assert client.get("/api/v1/contacts").json()["items"] == []

    page.context.set_offline(False)
    page.evaluate("dispatchEvent(new Event('online'))")
    wait_for_badge(page, 0)
    expect(page.locator("#outbox-count")).to_have_text("Tout est envoyé.")
    people = client.get("/api/v1/contacts").json()["items"]
    assert sorted(p["full_name"] for p in people) == [
        "Bruno Petit",
        "Chloé Bernard",
        "Hélène Dupont",
    ]
    for person in people:
        meetings = client.get(f"/api/v1/contacts/{person['id']}").json()["meetings"]
        assert [m["event_id"] for m in meetings] == [event_id]
    with_photo = [p for p in people if p["has_photo"]]
    assert [p["full_name"] for p in with_photo] == ["Hélène Dupont"]
    photo = Image.open(io.BytesIO(client.get(with_photo[0]["photo_url"]).content))
    assert max(photo.size) <= 1280  # shrunk on the phone before it left

    # The event page lists them.
    page.goto(f"{live_server.url}/events/{event_id}")
    expect(page.locator("section[aria-labelledby=met-title] li")).to_have_count(3)


def test_each_offline_capture_is_its_own_person_whatever_page_it_came_from(
    live_server: LiveServer, page: Page
) -> None:
    """Offline, the capture page is the service worker's copy, the same every time; going back
    restores a page whose id was used. Each capture is still its own person."""
    client = live_server.api(sign_in(live_server, page, "lou"))
    page.goto(f"{live_server.url}/capture")
    wait_until_controlled(page)
    page.reload()
    wait_until_kept(page, "/capture")
    page.context.set_offline(True)
    for name in ("Inès Moreau", "Jules Faure"):
        page.goto(f"{live_server.url}/capture")
        capture(page, name, "rencontré au stand")
    page.goto(f"{live_server.url}/")
    page.go_back()
    expect(page.locator("h1")).to_have_text("Saisir une personne")
    capture(page, "Karim Benali", "rencontré au stand")
    wait_for_badge(page, 3)
    page.context.set_offline(False)
    page.evaluate("dispatchEvent(new Event('online'))")
    wait_for_badge(page, 0)

    def names() -> list[str]:
        return sorted(p["full_name"] for p in client.get("/api/v1/contacts").json()["items"])

    eventually(lambda: len(names()) >= 3, "three people on the server")
    assert names() == ["Inès Moreau", "Jules Faure", "Karim Benali"]


def test_replay_server_error_and_refusal(live_server: LiveServer, page: Page) -> None:
    client = live_server.api(sign_in(live_server, page, "yann"))
    page.goto(f"{live_server.url}/capture")
    person = str(uuid.uuid4())
    # The same outbox entry sent twice creates one person.
    page.evaluate(
        """(id) => import('/static/js/outbox.js').then(async (outbox) => {
            const entry = {method: 'PUT', url: `/api/v1/contacts/${id}`, body: {full_name: 'Rejoué Deux-Fois'}};
            await outbox.enqueue(entry);
            await outbox.enqueue(entry);
            await outbox.flush({force: true});
        })""",
        person,
    )
    wait_for_badge(page, 0)
    eventually(
        lambda: client.get("/api/v1/contacts").json()["items"], "the replayed person on the server"
    )
    names = [p["full_name"] for p in client.get("/api/v1/contacts").json()["items"]]
    assert names == ["Rejoué Deux-Fois"]

    # A server error keeps the entry; it is sent once the server is well again.
    page.context.route("**/api/v1/contacts/*", lambda route: route.fulfill(status=503, body="down"))
    page.fill("#f-full_name", "Inès Roy")
    page.get_by_role("button", name="Enregistrer et suivant").click()
    wait_for_badge(page, 1)
    page.wait_for_timeout(500)
    assert badge(page) == "1"
    page.context.unroute("**/api/v1/contacts/*")
    page.get_by_role("button", name="Synchroniser").click()
    wait_for_badge(page, 0)
    eventually(
        lambda: len(client.get("/api/v1/contacts").json()["items"]) == 2, "two people on the server"
    )
    names = sorted(p["full_name"] for p in client.get("/api/v1/contacts").json()["items"])
    assert names == ["Inès Roy", "Rejoué Deux-Fois"]

    # A refusal (422) goes to "needs attention" with the server's reason, until fixed or discarded.
    page.evaluate(
        """() => import('/static/js/outbox.js').then((outbox) => outbox.enqueue(
            {method: 'PUT', url: `/api/v1/contacts/${crypto.randomUUID()}`, body: {full_name: 'Marc', email: 'pas-un-email'}}))"""
    )
    attention = page.locator("#attention")
    expect(attention).to_be_visible(timeout=15000)
    expect(page.locator("#attention-list li")).to_contain_text("Marc")
    expect(page.locator("#attention-list li")).to_contain_text(
        "Cette adresse e-mail n’est pas valide."
    )
    assert_accessible(page)
    # Fix it: it comes back into the form, corrected, and is sent.
    page.get_by_role("button", name="Corriger").click()
    expect(page.locator("#f-full_name")).to_have_value("Marc")
    page.fill("#f-email", "marc@example.org")
    page.get_by_role("button", name="Enregistrer et suivant").click()
    expect(page.locator("#toast")).to_contain_text("Fiche de Marc enregistrée sur ce téléphone.")
    wait_for_badge(page, 0)
    expect(attention).to_be_hidden()
    eventually(
        lambda: len(client.get("/api/v1/contacts").json()["items"]) == 3,
        "three people on the server",
    )
    people = {p["full_name"]: p for p in client.get("/api/v1/contacts").json()["items"]}
    assert people["Marc"]["email"] == "marc@example.org"
    assert len(people) == 3


def test_likely_match_adds_a_meeting_instead_of_a_duplicate(
    live_server: LiveServer, page: Page
) -> None:
    client = live_server.api(sign_in(live_server, page, "lou"))
    event_id = event_on_now(client)
    known = str(uuid.uuid4())
    client.put(
        f"/api/v1/contacts/{known}",
        json={"full_name": "Léa Martin", "company": "Kiosque", "hook": "le vélo"},
    )
    page.goto(f"{live_server.url}/capture?event_id={event_id}")
    page.fill("#f-full_name", "lea martin")
    page.get_by_role("button", name="Léa Martin · Kiosque — C’est cette personne").click()
    expect(page.locator("#matches")).to_contain_text("Nouvelle rencontre ajoutée à Léa Martin.")
    page.fill("#f-hook", "parlé de son nouveau local")
    page.get_by_role("button", name="Enregistrer et suivant").click()
    expect(page.locator("#toast")).to_contain_text(
        "Fiche de Léa Martin enregistrée sur ce téléphone."
    )
    person = eventually(
        lambda: (found := client.get(f"/api/v1/contacts/{known}").json())["meetings"] and found,
        "the new meeting on Léa's record",
    )
    wait_for_badge(page, 0)
    people = client.get("/api/v1/contacts").json()["items"]
    assert [p["id"] for p in people] == [known]
    assert person["hook"] == "le vélo"
    assert [(m["event_id"], m["note"]) for m in person["meetings"]] == [
        (event_id, "parlé de son nouveau local")
    ]


def test_scanned_qr_codes_fill_the_form_fields(live_server: LiveServer, page: Page) -> None:
    sign_in(live_server, page, "scan")
    page.goto(f"{live_server.url}/capture")
    # Headless Chromium on Linux has no BarcodeDetector: the app's own decoder stands in.
    expect(page.locator("#scan")).to_be_visible()
    parse = "(text) => import('/static/js/scan.js').then((m) => m.parseScan(text))"
    vcard = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Dupont;Hélène;;;\r\nFN:Hélène Dupont\r\nORG:Atelier Lumière;Paris\r\nTITLE:Fondatrice\r\nEMAIL;TYPE=INTERNET:helene@atelier.example\r\nTEL;TYPE=CELL:+33 6 12 34 56 78\r\nURL:https://atelier.example\r\nEND:VCARD"
    assert page.evaluate(parse, vcard) == {
        "full_name": "Hélène Dupont", "company": "Atelier Lumière", "role": "Fondatrice",
        "email": "helene@atelier.example", "phone": "+33 6 12 34 56 78", "url": "https://atelier.example",
    }  # fmt: skip
    mecard = (
        "MECARD:N:Petit,Bruno;TEL:0612345678;EMAIL:bruno@example.org;URL:https://bruno.example;;"
    )
    assert page.evaluate(parse, mecard) == {
        "full_name": "Bruno Petit", "phone": "0612345678", "email": "bruno@example.org",
        "url": "https://bruno.example",
    }  # fmt: skip
    assert page.evaluate(parse, "https://www.linkedin.com/in/lea-martin") == {
        "url": "https://www.linkedin.com/in/lea-martin"
    }
    assert page.evaluate(parse, "just some text") is None


def test_a_network_that_hangs_gets_the_kept_capture_page(
    live_server: LiveServer, page: Page
) -> None:
    """In a crowded hall the network often neither answers nor fails: after a few seconds the
    capture page kept by the service worker shows, and the capture goes to the outbox."""
    sign_in(live_server, page, "noe")
    page.goto(f"{live_server.url}/capture")
    wait_until_controlled(page)
    page.reload()
    wait_until_kept(page, "/capture")

    hanging: list[str] = []

    def hang(route: Route) -> None:
        hanging.append(route.request.url)  # never answered while the test looks

    page.context.route(re.compile(r".*/capture$"), hang)
    page.goto(f"{live_server.url}/", wait_until="domcontentloaded")
    page.locator("nav a.capture").first.click()
    expect(page.locator("h1")).to_have_text("Saisir une personne", timeout=8000)
    assert hanging, "the request did not reach the network: nothing was slow"
    page.context.unroute(re.compile(r".*/capture$"))


LAYOUT_SHIFT = """() => new Promise((resolve) => {
  let total = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
  }).observe({ type: "layout-shift", buffered: true });
  setTimeout(() => resolve(total), 500);
})"""


def test_the_capture_form_does_not_move_under_the_finger(
    live_server: LiveServer, page: Page
) -> None:
    """What the script adds after loading (the outbox count) must not push the form down while
    the user reaches for the name field: the page's layout shift stays near zero."""
    sign_in(live_server, page, "ines")
    page.goto(f"{live_server.url}/capture")
    expect(page.locator("#outbox")).to_be_visible()
    assert page.evaluate(LAYOUT_SHIFT) < 0.01


def test_when_the_server_answers_again_everything_waiting_goes_at_once(
    live_server: LiveServer, page: Page
) -> None:
    """Forty captures and a give for one of them wait while the server cannot be reached (the
    hall's Wi-Fi is up, the server is not): their back-off grows to a minute. The next capture
    that gets through takes all of them along at once (several in flight), and the give goes
    after its person, never refused for lack of them."""
    client = live_server.api(sign_in(live_server, page, "zoe"))
    page.goto(f"{live_server.url}/capture")
    wait_until_controlled(page)
    page.route("**/api/v1/**", lambda route: route.abort())
    ids = page.evaluate(
        """async () => {
            const outbox = await import("/static/js/outbox.js");
            const ids = [];
            for (let n = 0; n < 40; n += 1) {
                const id = crypto.randomUUID();
                ids.push(id);
                await outbox.enqueue({ method: "PUT", url: `/api/v1/contacts/${id}`,
                                       body: { full_name: `Personne ${n}` } });
            }
            await outbox.enqueue({ method: "PUT", url: `/api/v1/gives/${crypto.randomUUID()}`,
                                   body: { contact_id: ids[39], kind: "resource", title: "Le guide" } });
            // Six failed rounds: each entry now backs off for about a minute.
            for (let round = 0; round < 6; round += 1) await outbox.flush({ force: true });
            return ids;
        }"""
    )
    wait_for_badge(page, 41)
    page.unroute("**/api/v1/**")
    page.evaluate(
        """async () => {
            const outbox = await import("/static/js/outbox.js");
            await outbox.enqueue({ method: "PUT", url: `/api/v1/contacts/${crypto.randomUUID()}`,
                                   body: { full_name: "La suivante" } });
        }"""
    )
    wait_for_badge(page, 0)
    people = client.get("/api/v1/contacts", params={"limit": 200}).json()["items"]
    assert {person["id"] for person in people} >= set(ids)
    assert len(people) == 41
    gives = client.get("/api/v1/gives").json()
    assert [g["contact_id"] for g in gives] == [ids[39]]
    expect(page.locator("#attention")).to_be_hidden()


def test_back_after_save_and_open_shows_an_empty_form_for_the_next_person(
    live_server: LiveServer, page: Page
) -> None:
    """ "Save and open", then back: the form is empty (name first), so the next person never
    inherits what was said with the previous one."""
    client = live_server.api(sign_in(live_server, page, "zoe"))
    page.goto(f"{live_server.url}/capture")
    wait_until_controlled(page)
    expect(page.locator("#f-full_name")).to_be_focused()
    page.fill("#f-full_name", "Léa Roux")
    page.fill("#f-hook", "vélos cargo")
    page.get_by_role("button", name="Enregistrer et ouvrir").click()
    page.wait_for_url(re.compile(r"/people/[0-9a-f-]{36}$"))
    page.go_back()
    expect(page.locator("h1")).to_have_text("Saisir une personne")
    for field in ("#f-full_name", "#f-hook", "#f-company", "#f-needs"):
        expect(page.locator(field)).to_have_value("")
    page.fill("#f-full_name", "Paul Petit")
    page.get_by_role("button", name="Enregistrer et suivant").click()
    wait_for_badge(page, 0)

    def people() -> dict[str, str | None]:
        items = client.get("/api/v1/contacts").json()["items"]
        return {p["full_name"]: p["hook"] for p in items}

    eventually(lambda: len(people()) == 2, "two people on the server")
    assert people() == {"Léa Roux": "vélos cargo", "Paul Petit": None}


def test_someone_on_the_want_to_meet_list_is_recognised_at_capture_offline(
    live_server: LiveServer, page: Page
) -> None:
    client = live_server.api(sign_in(live_server, page, "wish"))
    event_id = event_on_now(client)
    for name, why in (("Sophie Durand", "elle cherche des formateurs"), ("Kiosque", "")):
        answer = client.post(
            f"/api/v1/events/{event_id}/want-to-meet", json={"name": name, "why": why}
        )
        assert answer.status_code == 201, answer.text
    page.goto(f"{live_server.url}/capture?event_id={event_id}")
    wait_until_controlled(page)
    page.context.set_offline(True)
    # Case and accents do not matter, and the list is on the phone.
    page.fill("#f-full_name", "SOPHIE durând")
    page.get_by_role("button", name="Voici Sophie Durand, que vous vouliez rencontrer").click()
    expect(page.locator("#matches")).to_contain_text("Votre souhait de rencontrer Sophie Durand")
    page.fill("#f-hook", "parlé de sa formation")
    page.get_by_role("button", name="Enregistrer et suivant").click()
    expect(page.locator("#f-full_name")).to_have_value("")
    # A company on the list is recognised from the company field.
    page.fill("#f-full_name", "Marc Leroy")
    page.fill("#f-company", "kiosque")
    expect(
        page.get_by_role("button", name="Voici Kiosque, que vous vouliez rencontrer")
    ).to_be_visible()
    page.context.set_offline(False)
    page.get_by_role("button", name="Synchroniser", exact=True).click()
    wait_for_badge(page, 0)
    wishes = client.get(f"/api/v1/events/{event_id}/want-to-meet").json()
    sophie = next(wish for wish in wishes if wish["name"] == "Sophie Durand")
    assert sophie["contact_id"], "the entry points to the person captured"
    person = client.get(f"/api/v1/contacts/{sophie['contact_id']}").json()
    assert person["full_name"] == "SOPHIE durând"
    assert "elle cherche des formateurs" in person["notes"]
    assert [m["event_id"] for m in person["meetings"]] == [event_id]
    page.goto(f"{live_server.url}/events/{event_id}")
    expect(page.locator("#want-to-meet-section li", has_text="Sophie Durand")).to_contain_text(
        "Rencontre"
    )
    expect(page.locator("#want-to-meet-section li", has_text="Kiosque")).not_to_contain_text(
        "Rencontre"
    )


def badge_photo_with_qr(text: str) -> bytes:
    """A badge as a phone photographs it: a QR code among other things, on a larger picture."""
    code = io.BytesIO()
    segno.make(text, error="m").save(code, kind="png", scale=8, border=4)
    photo = Image.new("RGB", (1200, 900), (235, 232, 225))
    photo.paste(Image.open(code).convert("RGB"), (700, 300))
    out = io.BytesIO()
    photo.save(out, "PNG")
    return out.getvalue()


def test_a_qr_code_is_read_without_the_browsers_barcode_detector_and_offline(
    live_server: LiveServer, page: Page
) -> None:
    """Safari, Firefox and desktops have no BarcodeDetector: the decoder served by the app reads a
    badge photo's QR code, from the app itself only, and again offline once it was used."""
    page.add_init_script("delete window.BarcodeDetector")
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((live_server.url, "blob:", "data:"))
            else elsewhere.append(request.url)
        ),
    )
    sign_in(live_server, page, "noqr")
    page.goto(f"{live_server.url}/capture")
    wait_until_controlled(page)
    assert page.evaluate("'BarcodeDetector' in window") is False
    vcard = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Hélène Dupont\r\nORG:Atelier Lumière\r\nEMAIL:helene@atelier.example\r\nEND:VCARD"
    page.fill("#f-company", "typed first")
    page.set_input_files(
        "#f-photo",
        files=[
            {"name": "badge.png", "mimeType": "image/png", "buffer": badge_photo_with_qr(vcard)}
        ],
    )
    expect(page.locator("#f-full_name")).to_have_value("Hélène Dupont", timeout=20000)
    expect(page.locator("#f-email")).to_have_value("helene@atelier.example")
    expect(page.locator("#f-company")).to_have_value("typed first")  # what was typed stays
    expect(page.locator("#toast")).to_contain_text("Le QR code de la photo a rempli la fiche.")
    assert elsewhere == []

    page.context.set_offline(True)
    page.reload()
    mecard = "MECARD:N:Petit,Bruno;EMAIL:bruno@example.org;;"
    page.set_input_files(
        "#f-photo",
        files=[{"name": "b.png", "mimeType": "image/png", "buffer": badge_photo_with_qr(mecard)}],
    )
    expect(page.locator("#f-full_name")).to_have_value("Bruno Petit", timeout=20000)
    page.context.set_offline(False)


def test_a_vcard_pasted_into_the_name_fills_the_form(live_server: LiveServer, page: Page) -> None:
    sign_in(live_server, page, "paste")
    page.goto(f"{live_server.url}/capture")
    vcard = "BEGIN:VCARD\nVERSION:4.0\nFN:Chloé Bernard\nORG:Meetup Python Lyon\nTITLE:Organisatrice\nTEL:+33 6 00 00 00 00\nEND:VCARD"
    page.locator("#f-full_name").focus()
    page.evaluate(
        """(text) => {
          const data = new DataTransfer();
          data.setData('text/plain', text);
          document.getElementById('f-full_name').dispatchEvent(
            new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
        }""",
        vcard,
    )
    expect(page.locator("#f-full_name")).to_have_value("Chloé Bernard")
    expect(page.locator("#f-company")).to_have_value("Meetup Python Lyon")
    expect(page.locator("#f-role")).to_have_value("Organisatrice")
    expect(page.locator("#f-phone")).to_have_value("+33 6 00 00 00 00")


def camera_video(path: Path, text: str) -> Path:
    """A Y4M video of a QR code held in front of the camera, for Chromium's fake camera."""
    code = io.BytesIO()
    segno.make(text, error="m").save(code, kind="png", scale=6, border=4)
    frame = Image.new("RGB", (640, 480), (120, 130, 140))
    qr = Image.open(code).convert("RGB")
    frame.paste(qr, ((640 - qr.width) // 2, (480 - qr.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (320, 240)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    path.write_bytes(b"YUV4MPEG2 W640 H480 F5:1 Ip A1:1 C420jpeg\n" + (b"FRAME\n" + planes) * 5)
    return path


def test_the_camera_reads_a_qr_code_without_the_browsers_barcode_detector(
    live_server: LiveServer, playwright: Playwright, tmp_path: Path
) -> None:
    video = camera_video(
        tmp_path / "qr.y4m", "MECARD:N:Roux,Inès;ORG:Atelier Roux;TEL:0611223344;;"
    )
    browser = playwright.chromium.launch(
        executable_path=chromium_path(),
        args=[*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream",
              "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"],
    )  # fmt: skip
    try:
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
        context.add_init_script("delete window.BarcodeDetector")
        page = context.new_page()
        sign_in(live_server, page, "camera")
        page.goto(f"{live_server.url}/capture")
        page.get_by_role("button", name="Scanner un QR code").click()
        expect(page.locator("#f-full_name")).to_have_value("Inès Roux", timeout=20000)
        expect(page.locator("#f-phone")).to_have_value("0611223344")
        expect(page.locator("#scanner")).not_to_be_visible()
        expect(page.locator("#f-full_name")).to_be_focused()
    finally:
        browser.close()


def test_the_outbox_lists_what_waits_by_name_with_its_state(
    live_server: LiveServer, page: Page
) -> None:
    client = live_server.api(sign_in(live_server, page, "states"))
    page.goto(f"{live_server.url}/capture")
    wait_until_controlled(page)
    page.context.set_offline(True)
    expect(page.locator("#status")).to_be_visible()  # "you are offline"
    in_page = "e => e.getBoundingClientRect().top + scrollY"  # where it is laid out, not scrolled
    form_top = page.locator("#f-full_name").evaluate(in_page)
    page.fill("#f-full_name", "Ana Lopes")
    page.locator("#more-fields > summary").click()
    page.fill("#f-give_title", "lui envoyer l’article")
    page.get_by_role("button", name="Enregistrer et suivant").click()
    toast = page.locator("#toast")
    expect(toast).to_contain_text("Fiche de Ana Lopes enregistrée sur ce téléphone.")
    assert page.locator("#f-full_name").evaluate(in_page) == form_top, "the message moved the form"
    assert "rgb(22, 101, 52)" in toast.evaluate("e => getComputedStyle(e).borderColor")  # success
    page.fill("#f-full_name", "Ben Morel")
    page.get_by_role("button", name="Enregistrer et suivant").click()
    counter = page.locator("#outbox-count")
    expect(counter).to_have_text("À envoyer\u00a0: 2 personnes et 1 geste")
    items = page.locator("#outbox-list li")
    expect(items).to_have_text(
        [re.compile(r"Ana Lopes\s+personne\s*en attente"),
         re.compile(r"lui envoyer l’article\s+geste\s*en attente"),
         re.compile(r"Ben Morel\s+personne\s*en attente")]
    )  # fmt: skip

    # Signed out meanwhile: each says it waits for a sign-in, and why.
    page.context.route("**/api/v1/**", lambda route: route.fulfill(status=401, body="{}"))
    page.context.set_offline(False)
    page.get_by_role("button", name="Synchroniser", exact=True).click()
    # (generous timeouts: on a loaded CI machine the flush and the list's repaint take seconds)
    expect(page.locator("#outbox-signin")).to_contain_text(
        "Votre session a pris fin.", timeout=15000
    )
    expect(items.first).to_contain_text("attend votre connexion", timeout=15000)

    # Sending: held on the way, then sent. The hold is in place before the 401s
    # end (the later route runs first), so a retry the outbox schedules on its own
    # cannot slip a capture through in between.
    held: list[Route] = []
    page.context.route("**/api/v1/contacts/*", lambda route: held.append(route))
    page.context.unroute("**/api/v1/**")
    page.get_by_role("button", name="Synchroniser", exact=True).click()
    expect(items.filter(has_text="Ana Lopes")).to_contain_text("envoi en cours…", timeout=15000)
    for route in held:
        route.continue_()
    page.context.unroute("**/api/v1/contacts/*")
    page.get_by_role("button", name="Synchroniser", exact=True).click()
    expect(counter).to_have_text("Tout est envoyé.", timeout=15000)
    expect(items).to_have_count(3)
    for item in items.all():
        expect(item).to_contain_text("envoyé")
    names = sorted(p["full_name"] for p in client.get("/api/v1/contacts").json()["items"])
    assert names == ["Ana Lopes", "Ben Morel"]
    assert_accessible(page)


def test_the_essentials_first_and_more_as_the_user_left_it(
    live_server: LiveServer, page: Page
) -> None:
    sign_in(live_server, page, "more")
    page.goto(f"{live_server.url}/capture")
    more = page.locator("#more-fields")
    # Name, company, role and the hook stand first; the rest waits behind one control.
    for field in ("#f-full_name", "#f-company", "#f-role", "#f-hook"):
        expect(page.locator(field)).to_be_visible()
    expect(page.locator("#f-email")).to_be_hidden()
    expect(page.locator("#f-full_name")).to_be_focused()
    summary = page.locator("#more-fields > summary")
    expect(summary).to_contain_text("Plus")
    summary.click()
    expect(page.locator("#f-email")).to_be_visible()
    page.reload()
    expect(more).to_have_attribute("open", "")
    page.fill("#f-full_name", "Léa Roux")
    page.fill("#f-email", "lea@example.org")
    page.get_by_role("button", name="Enregistrer et suivant").click()
    expect(page.locator("#toast")).to_contain_text("Léa Roux")
    expect(page.locator("#f-email")).to_have_value("")
    expect(page.locator("#f-email")).to_be_visible()  # still open for the next person
    expect(page.locator("#f-full_name")).to_be_focused()
    summary.click()
    page.reload()
    expect(page.locator("#f-email")).to_be_hidden()
    # A pasted card with an e-mail opens it, so nothing filled is hidden.
    page.locator("#f-full_name").focus()
    page.evaluate(
        """() => { const data = new DataTransfer();
        data.setData("text", "MECARD:N:Petit,Marc;EMAIL:marc@example.org;;");
        document.querySelector("#f-full_name").dispatchEvent(
          new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
        }"""
    )
    expect(page.locator("#f-email")).to_have_value("marc@example.org")
    expect(page.locator("#f-email")).to_be_visible()
    assert_accessible(page)
