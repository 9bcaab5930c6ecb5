"""My card: off by default, field-by-field publishing, its address, vCard, QR, and the settings
preview; "leave your details" with consent, anti-spam and the inbox; where I'll be."""

import hashlib
import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
import vobject
from fastapi.testclient import TestClient

from tests.card.helpers import CARD, PROFILE, form_of, leave, turn_on
from tests.helpers import Clock, one, select_all, text_of, texts_of

pytestmark = pytest.mark.db

PUBLIC = (
    "/c/{slug}",
    "/c/{slug}.vcf",
    "/c/{slug}/qr.svg",
    "/c/{slug}/events",
    "/c/{slug}/events.ics",
)
VISITOR = {"full_name": "Léa Dubois", "company": "Boulangerie Dubois", "email": "lea@dubois.fr",
           "needs": "Un nouveau logo", "message": "Ravie de vous avoir rencontré"}  # fmt: skip


def _inbox(owner: TestClient) -> list[dict[str, Any]]:
    answer = owner.get("/api/v1/card/inbox")
    assert answer.status_code == 200
    items: list[dict[str, Any]] = answer.json()
    return items


def test_a_card_is_off_until_turned_on(alice: TestClient, client: TestClient) -> None:
    card = alice.get("/api/v1/card").json()
    assert card["enabled"] is False and card["published"] == []
    assert re.fullmatch(r"alice-martin-[0-9a-f]{6}", card["slug"])
    for path in PUBLIC:
        assert client.get(path.format(slug=card["slug"])).status_code == 404, path
    alice.patch("/api/v1/card", json={"enabled": True})
    assert client.get(f"/c/{card['slug']}").status_code == 200
    alice.patch("/api/v1/card", json={"enabled": False})
    for path in PUBLIC:
        assert client.get(path.format(slug=card["slug"])).status_code == 404, path


def test_the_page_shows_only_the_published_fields(alice: TestClient, client: TestClient) -> None:
    turn_on(alice, ["full_name", "specialty", "city"])
    page = client.get("/c/alice-martin", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert text_of(page, ".visiting-card .p-name") == "Alice Martin"
    assert PROFILE["specialty"] in page.text and "Lyon" in page.text
    for hidden in (PROFILE["who_i_help"], PROFILE["referral_offer"], *CARD.values()):
        if hidden != "Lyon":
            assert hidden not in page.text, hidden
    assert one(page, "meta[name=robots]")["content"] == "noindex"
    assert page.headers["x-robots-tag"] == "noindex"
    assert one(page, "meta[property='og:title']")["content"] == "Alice Martin"
    assert one(page, "meta[property='og:description']")["content"] == PROFILE["specialty"]
    assert one(page, "html")["lang"] == "en"
    assert text_of(page, "#details-title") == "Leave your details"
    french = client.get("/c/alice-martin", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert text_of(french, "#details-title") == "Laisser vos coordonnées"
    # Chosen by the owner: then search engines may list it.
    alice.patch("/api/v1/card", json={"indexable": True})
    listed = client.get("/c/alice-martin")
    assert not select_all(listed, "meta[name=robots]") and "x-robots-tag" not in listed.headers


def test_the_page_is_in_the_visitors_language_not_the_owners(
    alice: TestClient, client: TestClient
) -> None:
    turn_on(alice, ["full_name"])
    alice.patch("/api/v1/me", json={"locale": "en"})
    page = client.get("/c/alice-martin", headers={"Accept-Language": "fr"})
    assert one(page, "html")["lang"] == "fr"
    assert one(client.get("/c/alice-martin?lang=en"), "html")["lang"] == "en"


def test_a_new_address_stops_the_old_one_at_once(
    alice: TestClient, bob: TestClient, client: TestClient
) -> None:
    turn_on(alice, ["full_name"])
    assert (
        alice.patch("/api/v1/card", json={"slug": "atelier-lyon"}).json()["url_path"]
        == "/c/atelier-lyon"
    )
    for path in PUBLIC:
        assert client.get(path.format(slug="alice-martin")).status_code == 404, path
    assert client.get("/c/atelier-lyon").status_code == 200
    taken = bob.patch("/api/v1/card", json={"slug": "atelier-lyon"})
    assert taken.status_code == 409 and taken.json()["field"] == "slug"
    assert bob.patch("/api/v1/card", json={"slug": "Café Bob"}).json()["slug"] == "cafe-bob"
    for bad in ("a", "with space!", "api", "-dash", "x" * 41, "a/b"):
        answer = bob.patch("/api/v1/card", json={"slug": bad})
        assert answer.status_code == 422, bad
    assert bob.patch("/api/v1/card", json={"published": ["notes"]}).status_code == 422


def test_the_vcard_holds_only_the_published_fields(alice: TestClient, client: TestClient) -> None:
    turn_on(alice, ["full_name", "email", "company"])
    answer = client.get("/c/alice-martin.vcf")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/vcard")
    card = vobject.readOne(answer.text)
    assert card.fn.value == "Alice Martin"
    assert card.email.value == CARD["email"]
    assert card.org.value == [CARD["company"]]
    names = {child.name.lower() for child in card.getChildren()}
    assert names <= {"version", "fn", "n", "email", "org"}, names
    for hidden in (CARD["phone"], CARD["city"], CARD["url"], PROFILE["specialty"]):
        assert hidden not in answer.text


def test_the_qr_code_is_an_svg_of_the_cards_address(alice: TestClient, client: TestClient) -> None:
    turn_on(alice, ["full_name"])
    answer = client.get("/c/alice-martin/qr.svg")
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert "<desc>http://testserver/c/alice-martin</desc>" in answer.text
    page = client.get("/c/alice-martin")
    assert one(page, "[data-card-url]")["href"] == "http://testserver/c/alice-martin"
    assert "<desc>http://testserver/c/alice-martin</desc>" in page.text


def test_settings_preview_the_card_in_both_languages(zoe: TestClient) -> None:
    page = zoe.get("/settings")
    previews = select_all(page, "[data-card-preview]")
    assert [p["data-card-preview"] for p in previews] == ["fr", "en"]
    zoe.post("/settings/card", data={"enabled": "on", "slug": "zoe-card", "published": ["full_name"],
                                     "company": "Zoé SAS", "city": "Nantes"})  # fmt: skip
    page = zoe.get("/settings")
    assert texts_of(page, "[data-card-preview] .p-name") == ["Zoé", "Zoé"]
    assert "Zoé SAS" not in " ".join(texts_of(page, "[data-card-preview]"))
    assert one(page, "#c-enabled").has_attr("checked")
    assert zoe.get("/c/zoe-card").status_code == 200


def test_show_my_card_is_one_tap_from_today_and_capture(zoe: TestClient, alice: TestClient) -> None:
    for path in ("/", "/capture"):
        link = one(zoe.get(path), "a[data-show-card]")
        assert link["href"] == "/card/show" and link.has_attr("data-keep-offline")
    off = zoe.get("/card/show")
    assert off.status_code == 200 and "/settings#card" in off.text
    zoe.post(
        "/settings/card", data={"enabled": "on", "slug": "zoe-card", "published": ["full_name"]}
    )
    shown = zoe.get("/card/show")
    assert one(shown, "[data-card-url]")["href"] == "http://testserver/c/zoe-card"
    assert "<svg" in one(shown, "[data-card-qr]").decode()
    event = zoe.post("/events", data={"name": "Salon", "kind": "salon", "public": "on",
                                       "starts_at": "2027-05-01T09:00", "timezone": "Europe/Paris"})  # fmt: skip
    event_id = event.url.path.rsplit("/", 1)[-1]
    assert one(zoe.get(f"/events/{event_id}"), "a[data-show-card-for-event]")
    # Ticked public in the event form: listed on "where I'll be".
    assert "Salon" in texts_of(TestClient(zoe.app).get("/c/zoe-card/events"), ".h-event .p-name")
    for_event = zoe.get(f"/card/show?event_id={event_id}")
    assert (
        one(for_event, "[data-card-url]")["href"]
        == f"http://testserver/c/zoe-card?event={event_id}"
    )
    # Another user's event is not carried by the QR.
    theirs = alice.post(
        "/api/v1/events", json={"name": "A", "starts_at": "2027-05-01T09:00:00+02:00"}
    )
    other = zoe.get(f"/card/show?event_id={theirs.json()['id']}")
    assert one(other, "[data-card-url]")["href"] == "http://testserver/c/zoe-card"


# --- leave your details --------------------------------------------------------------------------


def test_details_left_with_consent_arrive_once_with_their_receipt(
    alice: TestClient, client: TestClient, clock: Clock
) -> None:
    turn_on(alice, ["full_name"])
    sent = leave(client, clock, "alice-martin", VISITOR)
    assert sent.status_code == 303, sent.text
    receipt = sent.headers["location"]
    assert receipt.startswith("/left/")
    [item] = _inbox(alice)
    assert item["full_name"] == "Léa Dubois" and item["email"] == "lea@dubois.fr"
    assert item["language"] == "fr" and item["source"] == "card"
    assert "Alice Martin peut garder ces coordonnées" in item["consent_text"]
    assert item["consent_sha256"] == hashlib.sha256(item["consent_text"].encode()).hexdigest()
    assert item["consented_at"].startswith("2027-03-10T10:30:05")
    page = client.get(receipt)
    assert page.status_code == 200
    assert text_of(page, "[data-consent-text]") == item["consent_text"]
    assert one(page, "[data-receipt-url]")["href"].endswith(receipt.split("?")[0])


def test_without_the_required_consent_nothing_is_stored(
    alice: TestClient, client: TestClient, clock: Clock
) -> None:
    turn_on(alice, ["full_name"])
    refused = leave(client, clock, "alice-martin", VISITOR, consents=("events",))
    assert refused.status_code == 422
    assert one(refused, "#d-full_name")["value"] == "Léa Dubois"  # the form is filled again
    assert not one(refused, "#d-consent_follow_up").has_attr("checked")
    assert _inbox(alice) == []
    nothing = leave(client, clock, "alice-martin", {"full_name": "Léa"})
    assert nothing.status_code == 422 and _inbox(alice) == []


def test_consent_boxes_are_unchecked_and_state_each_purpose(
    alice: TestClient, client: TestClient
) -> None:
    turn_on(alice, ["full_name"])
    page = client.get("/c/alice-martin", headers={"Accept-Language": "en"})
    boxes = select_all(page, "input[type=checkbox][name^=consent_]")
    assert [box["name"] for box in boxes] == ["consent_follow_up", "consent_events"]
    assert not any(box.has_attr("checked") for box in boxes)
    labels = texts_of(page, ".consent label")
    assert labels[0].startswith("Alice Martin may keep these details")


def test_a_bot_stores_nothing_honeypot_or_too_fast(
    alice: TestClient, client: TestClient, clock: Clock
) -> None:
    turn_on(alice, ["full_name"])
    trapped = leave(client, clock, "alice-martin", {**VISITOR, "website": "http://spam.example"})
    assert trapped.status_code == 200 and "/left/" not in trapped.text
    fast = leave(client, clock, "alice-martin", VISITOR, wait=0.5)
    assert fast.status_code == 422
    forged = leave(client, clock, "alice-martin", {**VISITOR, "token": "1.2.3"})
    assert forged.status_code == 422
    old = leave(client, clock, "alice-martin", VISITOR, wait=13 * 3600)
    assert old.status_code == 422
    assert _inbox(alice) == []


def test_a_token_of_another_card_is_refused(
    alice: TestClient, bob: TestClient, client: TestClient, clock: Clock
) -> None:
    turn_on(alice, ["full_name"])
    turn_on(bob, ["full_name"], slug="bob-durand")
    hidden = form_of(client, "/c/bob-durand")
    clock.set(clock.now() + timedelta(seconds=5))
    answer = client.post(
        "/c/alice-martin/details", data={**hidden, **VISITOR, "consent_follow_up": "on"}
    )
    assert answer.status_code == 422 and _inbox(alice) == [] and _inbox(bob) == []


def test_a_double_submit_or_a_replay_stores_one_person(
    alice: TestClient, client: TestClient, clock: Clock
) -> None:
    turn_on(alice, ["full_name"])
    hidden = form_of(client, "/c/alice-martin")
    clock.set(clock.now() + timedelta(seconds=5))
    body = {**hidden, **VISITOR, "consent_follow_up": "on"}
    first = client.post("/c/alice-martin/details", data=body, follow_redirects=False)
    again = client.post("/c/alice-martin/details", data=body, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert len(_inbox(alice)) == 1


def test_rate_limits_per_address_hold_in_the_database(
    alice: TestClient, client: TestClient, clock: Clock
) -> None:
    from app.card import service as cards

    turn_on(alice, ["full_name"])
    statuses = [
        leave(client, clock, "alice-martin", {**VISITOR, "email": f"v{n}@example.org"}).status_code
        for n in range(cards.LIMIT_PER_ADDRESS + 1)
    ]
    assert statuses[:-1] == [303] * cards.LIMIT_PER_ADDRESS and statuses[-1] == 429
    assert len(_inbox(alice)) == cards.LIMIT_PER_ADDRESS


def test_a_too_large_form_is_refused(alice: TestClient, client: TestClient, clock: Clock) -> None:
    turn_on(alice, ["full_name"])
    big = leave(client, clock, "alice-martin", {**VISITOR, "message": "x" * 20_000})
    assert big.status_code == 400
    long = leave(client, clock, "alice-martin", {**VISITOR, "full_name": "x" * 300})
    assert long.status_code == 422
    assert _inbox(alice) == []


def test_the_visitor_sees_and_erases_what_they_left(
    alice: TestClient, client: TestClient, clock: Clock
) -> None:
    turn_on(alice, ["full_name"])
    receipt = leave(client, clock, "alice-martin", VISITOR).headers["location"].split("?")[0]
    submission_id = receipt.split("/")[2]
    assert client.get(receipt[:-1] + ("0" if receipt[-1] != "0" else "1")).status_code == 404
    assert client.get(f"/left/{uuid.uuid4()}/{receipt.split('/')[3]}").status_code == 404
    alice.post(f"/api/v1/card/inbox/{submission_id}/accept")
    assert len(alice.get("/api/v1/contacts").json()["items"]) == 1
    assert client.post(f"{receipt}/erase").status_code == 200
    assert client.get(receipt).status_code == 404
    assert _inbox(alice) == [] and alice.get("/api/v1/contacts").json()["items"] == []


# --- the inbox -----------------------------------------------------------------------------------


def _public_event(
    owner: TestClient, name: str = "Salon des Artisans", **extra: Any
) -> dict[str, Any]:
    body = {"name": name, "starts_at": "2027-03-20T09:00:00+01:00",
            "ends_at": "2027-03-21T18:00:00+01:00", "city": "Lyon", "public": True,
            "url": "https://salon-artisans.example/2027", **extra}  # fmt: skip
    answer = owner.post("/api/v1/events", json=body)
    assert answer.status_code == 201, answer.text
    event: dict[str, Any] = answer.json()
    return event


def test_accepted_details_become_a_person_met_at_the_event(
    alice: TestClient, client: TestClient, clock: Clock
) -> None:
    turn_on(alice, ["full_name"])
    event = _public_event(alice)
    page = client.get(f"/c/alice-martin?event={event['id']}")
    assert "Salon des Artisans" in text_of(page, "#details-title")
    leave(client, clock, "alice-martin", VISITOR, event=event["id"])
    [item] = _inbox(alice)
    assert item["event_id"] == event["id"]
    person = alice.post(f"/api/v1/card/inbox/{item['id']}/accept").json()
    assert person["full_name"] == "Léa Dubois" and person["needs"] == "Un nouveau logo"
    assert [m["event_id"] for m in person["meetings"]] == [event["id"]]
    follow_up = alice.get(f"/api/v1/events/{event['id']}/follow-up").json()
    assert "Léa Dubois" in str(follow_up)
    assert _inbox(alice) == []
    # Accepting twice answers the same person and makes no other.
    again = alice.post(f"/api/v1/card/inbox/{item['id']}/accept")
    assert again.json()["id"] == person["id"]
    assert len(alice.get("/api/v1/contacts").json()["items"]) == 1


def test_details_can_be_merged_into_a_known_person_or_discarded(
    alice: TestClient, client: TestClient, clock: Clock
) -> None:
    turn_on(alice, ["full_name"])
    known = str(uuid.uuid4())
    alice.put(f"/api/v1/contacts/{known}", json={"full_name": "Léa Dubois", "notes": "Vue en 2026"})
    leave(client, clock, "alice-martin", VISITOR)
    leave(client, clock, "alice-martin", {**VISITOR, "full_name": "Spam Person"})
    first, second = sorted(_inbox(alice), key=lambda item: item["full_name"])
    inbox_page = alice.get("/card/inbox")
    assert len(select_all(inbox_page, "[data-inbox-item]")) == 2
    merged = alice.post(
        f"/api/v1/card/inbox/{first['id']}/accept", json={"contact_id": known}
    ).json()
    assert merged["id"] == known and merged["email"] == "lea@dubois.fr"
    assert "Vue en 2026" in merged["notes"] and "Ravie" in merged["notes"]
    assert alice.post(f"/api/v1/card/inbox/{second['id']}/discard").status_code == 204
    assert _inbox(alice) == [] and len(alice.get("/api/v1/contacts").json()["items"]) == 1


def test_today_counts_what_is_new_from_my_card(clock: Clock, zoe: TestClient) -> None:
    zoe.post(
        "/settings/card", data={"enabled": "on", "slug": "zoe-card", "published": ["full_name"]}
    )
    assert not select_all(zoe.get("/"), "[data-card-inbox]")
    visitor = TestClient(zoe.app)
    leave(visitor, clock, "zoe-card", VISITOR)
    assert text_of(zoe.get("/"), "[data-card-inbox]") == "1 nouveau venu de ma carte"


def test_kiosk_submissions_are_idempotent_and_keep_their_consent(alice: TestClient) -> None:
    client_id = uuid.uuid4()
    body = {**VISITOR, "consents": ["follow_up"], "language": "en",
            "consented_at": "2027-03-10T09:00:00+00:00"}  # fmt: skip
    first = alice.put(f"/api/v1/card/kiosk/{client_id}", json=body)
    again = alice.put(f"/api/v1/card/kiosk/{client_id}", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    [item] = _inbox(alice)
    assert item["source"] == "kiosk" and item["consent_text"].startswith(
        "[x] Alice Martin may keep"
    )
    refused = alice.put(f"/api/v1/card/kiosk/{uuid.uuid4()}", json={**body, "consents": []})
    assert refused.status_code == 422 and len(_inbox(alice)) == 1


def test_kiosk_mode_locks_the_app_until_unlocked(zoe: TestClient) -> None:
    started = zoe.post("/card/kiosk/start", data={"pin": "2468"}, follow_redirects=False)
    assert started.status_code == 303 and started.headers["location"] == "/card/kiosk"
    assert one(zoe.get("/card/kiosk"), "#kiosk-form")
    for path in ("/", "/people", "/settings", "/events"):
        locked = zoe.get(path, follow_redirects=False)
        assert (locked.status_code, locked.headers.get("location")) == (303, "/card/kiosk"), path
    wrong = zoe.post("/card/kiosk/unlock", data={"secret": "1111"}, follow_redirects=False)
    assert wrong.status_code == 422
    assert zoe.get("/", follow_redirects=False).status_code == 303
    unlocked = zoe.post("/card/kiosk/unlock", data={"secret": "2468"}, follow_redirects=False)
    assert unlocked.status_code == 303
    assert zoe.get("/", follow_redirects=False).status_code == 200


def test_a_published_photo_shows_on_the_page_the_vcard_and_the_link_preview(
    zoe: TestClient, client: TestClient
) -> None:
    from tests.contacts.test_pages import jpeg

    zoe.post(
        "/settings/card", data={"enabled": "on", "slug": "zoe-card", "published": ["full_name"]}
    )
    uploaded = zoe.post("/settings/card/photo", files={"photo": ("me.jpg", jpeg(), "image/jpeg")})
    assert uploaded.status_code == 200
    # Added but not published: nowhere.
    assert client.get("/c/zoe-card/photo").status_code == 404
    assert "PHOTO" not in client.get("/c/zoe-card.vcf").text
    assert not select_all(client.get("/c/zoe-card"), "meta[property='og:image']")
    zoe.post(
        "/settings/card",
        data={"enabled": "on", "slug": "zoe-card", "published": ["full_name", "photo"]},
    )
    photo = client.get("/c/zoe-card/photo")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    page = client.get("/c/zoe-card")
    assert one(page, "meta[property='og:image']")["content"] == "http://testserver/c/zoe-card/photo"
    assert one(page, ".visiting-card img.u-photo")["src"] == "http://testserver/c/zoe-card/photo"
    card = vobject.readOne(client.get("/c/zoe-card.vcf").text)
    assert card.photo.value == photo.content
    refused = zoe.post(
        "/settings/card/photo", files={"photo": ("x.jpg", b"not a photo", "image/jpeg")}
    )
    assert refused.status_code == 422
