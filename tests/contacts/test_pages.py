"""The people pages through their HTML forms: capture without JavaScript, list, person, edit,
interactions, delete, merge, and the event page's people."""

import io
import uuid
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from PIL import Image

from tests.helpers import one, parse, select_all, selected, text_of, texts_of


def event_on_now(client: TestClient, name: str = "Salon des Entrepreneurs") -> str:
    now = datetime.now(UTC)
    response = client.post(
        "/api/v1/events",
        json={
            "name": name, "status": "going",
            "starts_at": (now - timedelta(hours=2)).isoformat(),
            "ends_at": (now + timedelta(hours=6)).isoformat(),
        },
    )  # fmt: skip
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def capture_form(client: TestClient, path: str = "/capture") -> tuple[str, dict[str, str]]:
    """The capture page, and the hidden values its form carries."""
    html = client.get(path).text
    page = parse(html)
    hidden = one(page, "input[name=id]")
    return html, {"id": str(hidden["value"])}


def jpeg(size: tuple[int, int] = (800, 600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 90)).save(out, "JPEG")
    return out.getvalue()


def test_capture_without_javascript_knows_the_current_event_and_saves_once(zoe: TestClient) -> None:
    event_id = event_on_now(zoe)
    html, hidden = capture_form(zoe)
    assert selected(html, "f-event_id") == event_id
    form = {**hidden, "event_id": event_id, "full_name": "Hélène Dupont", "company": "Atelier",
            "hook": "vélos cargo", "needs": "cherche un comptable", "tags": "artisan, Lyon",
            "next": "capture"}  # fmt: skip
    first = zoe.post("/capture", data=form, follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"].startswith("/capture?saved=")
    # The same form sent twice (a double tap) saves one person.
    assert zoe.post("/capture", data=form, follow_redirects=False).status_code == 303
    people = zoe.get("/api/v1/contacts").json()["items"]
    assert [p["full_name"] for p in people] == ["Hélène Dupont"]
    assert people[0]["tags"] == ["artisan", "Lyon"]
    after = zoe.get(first.headers["location"])
    assert text_of(after, "p.alert.ok[role=status]").startswith(
        "Fiche de Hélène Dupont enregistrée."
    )
    # The event stays chosen for the next capture, with a fresh id.
    assert selected(after.text, "f-event_id") == event_id
    assert one(after.text, "input[name=id]")["value"] != hidden["id"]
    # The event page lists her.
    event_page = zoe.get(f"/events/{event_id}").text
    assert "Hélène Dupont" in texts_of(event_page, "section[aria-labelledby=met-title] a")


def test_capture_with_only_a_photo(zoe: TestClient) -> None:
    _html, hidden = capture_form(zoe)
    response = zoe.post(
        "/capture", data={**hidden, "next": "person"},
        files={"photo": ("badge.jpg", jpeg(), "image/jpeg")}, follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    person = zoe.get(response.headers["location"]).text
    assert "Sans nom (photo)" in text_of(person, "h1")
    assert select_all(person, "img.photo")


def test_capture_errors_are_shown_in_the_form_and_nothing_is_saved(zoe: TestClient) -> None:
    _html, hidden = capture_form(zoe)
    response = zoe.post("/capture", data={**hidden, "full_name": "", "company": "Kiosque"})
    assert response.status_code == 422
    page = parse(response.text)
    assert select_all(page, "input[name=full_name][aria-invalid=true]")
    assert (
        text_of(page, "p.alert[role=alert]:not([hidden])") == "Donnez un nom, ou prenez une photo."
    )
    assert one(page, "input[name=company]")["value"] == "Kiosque"
    bad_mail = zoe.post("/capture", data={**hidden, "full_name": "Léa", "email": "léa@"})
    assert bad_mail.status_code == 422
    assert select_all(bad_mail.text, "input[name=email][aria-invalid=true]")
    # The field in error is never hidden behind the closed "more" control.
    assert one(bad_mail.text, "#more-fields").has_attr("open")
    # Closed when nothing in it holds a value or an error.
    assert not one(response.text, "#more-fields").has_attr("open")
    assert zoe.get("/api/v1/contacts").json()["items"] == []


def test_people_list_searches_filters_and_pages(zoe: TestClient) -> None:
    event_id = event_on_now(zoe)
    for index in range(55):
        zoe.put(f"/api/v1/contacts/{uuid.uuid4()}", json={"full_name": f"Personne {index:02d}"})
    zoe.put(
        f"/api/v1/contacts/{uuid.uuid4()}",
        json={"full_name": "Hélène Dupont", "tags": ["client"], "event_id": event_id},
    )
    first = zoe.get("/people?sort=name").text
    names = texts_of(first, "a.title")
    assert len(names) == 50
    assert names[0] == "Hélène Dupont"
    assert text_of(first, "p.muted[role=status]") == "56 personnes au total"
    more = one(first, "a[rel=next]")
    second = zoe.get(str(more["href"])).text
    assert len(texts_of(second, "a.title")) == 6
    assert texts_of(zoe.get("/people?q=helene").text, "a.title") == ["Hélène Dupont"]
    assert texts_of(zoe.get("/people?tag=client").text, "a.title") == ["Hélène Dupont"]
    assert texts_of(zoe.get(f"/people?event_id={event_id}").text, "a.title") == ["Hélène Dupont"]
    empty = zoe.get("/people?q=zzzz").text
    assert text_of(empty, "p.empty").startswith("Personne ne correspond à cette recherche.")


def test_empty_people_list_says_what_to_do_in_english(ann: TestClient) -> None:
    page = parse(ann.get("/people").text)
    assert text_of(page, "p.empty").startswith("Nobody yet.")
    assert select_all(page, "a[href='/capture'].button.primary")


def test_person_page_timeline_interactions_edit_and_delete(zoe: TestClient) -> None:
    event_id = event_on_now(zoe)
    person_id = str(uuid.uuid4())
    zoe.put(
        f"/api/v1/contacts/{person_id}",
        json={
            "full_name": "Léa Martin",
            "hook": "le salon du vélo",
            "needs": "un graphiste",
            "event_id": event_id,
            "email": "lea@example.org",
        },
    )
    page = zoe.get(f"/people/{person_id}").text
    assert text_of(page, "h1") == "Léa Martin"
    remember = text_of(page, "section[aria-labelledby=hook-title]")
    assert "le salon du vélo" in remember and "un graphiste" in remember
    assert select_all(page, f"a[href='/api/v1/contacts/{person_id}.vcf']")
    # Two taps: a coffee.
    logged = zoe.post(
        f"/people/{person_id}/interactions",
        data={"kind": "coffee", "note": "au Café Lumière"},
        follow_redirects=False,
    )
    assert logged.status_code == 303
    page = zoe.get(f"/people/{person_id}").text
    kinds = [found.get("data-kind") for found in select_all(page, "li") if found.get("data-kind")]
    assert kinds == ["coffee", "meeting"]
    assert zoe.get(f"/api/v1/contacts/{person_id}").json()["last_interaction_at"] is not None
    # Edit: a field cleared, a field changed.
    form = parse(zoe.get(f"/people/{person_id}/edit").text)
    assert one(form, "input[name=full_name]")["value"] == "Léa Martin"
    edited = zoe.post(
        f"/people/{person_id}/edit",
        data={"full_name": "Léa Martin-Roy", "email": "", "hook": "vélo", "tags": "design"},
        follow_redirects=False,
    )
    assert edited.status_code == 303
    person = zoe.get(f"/api/v1/contacts/{person_id}").json()
    assert (person["full_name"], person["email"], person["tags"], person["needs"]) == (
        "Léa Martin-Roy",
        None,
        ["design"],
        None,
    )
    # Delete, after a confirmation page.
    assert "Supprimer" in text_of(zoe.get(f"/people/{person_id}/delete").text, "h1")
    assert zoe.post(f"/people/{person_id}/delete", follow_redirects=False).status_code == 303
    assert zoe.get(f"/api/v1/contacts/{person_id}").status_code == 404


def test_possible_duplicate_is_offered_and_merged(zoe: TestClient) -> None:
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    zoe.put(f"/api/v1/contacts/{first}", json={"full_name": "Marc Petit", "company": "Kiosque"})
    zoe.put(
        f"/api/v1/contacts/{second}", json={"full_name": "marc petit", "email": "marc@kiosque.fr"}
    )
    page = parse(zoe.get(f"/people/{first}").text)
    link = one(page, f"a[href='/people/{first}/merge?other={second}']")
    confirm = zoe.get(str(link["href"]))
    assert confirm.status_code == 200
    merged = zoe.post(f"/people/{first}/merge", data={"other_id": second}, follow_redirects=False)
    assert merged.status_code == 303
    person = zoe.get(f"/api/v1/contacts/{first}").json()
    assert (person["company"], person["email"]) == ("Kiosque", "marc@kiosque.fr")
    assert zoe.get(f"/api/v1/contacts/{second}").status_code == 404


def test_want_to_meet_someone_already_known(zoe: TestClient) -> None:
    event_id = event_on_now(zoe)
    person_id = str(uuid.uuid4())
    zoe.put(f"/api/v1/contacts/{person_id}", json={"full_name": "Inès Roy"})
    response = zoe.post(
        f"/events/{event_id}/want-to-meet",
        data={
            "contact_id": person_id,
            "contact_id_q": "Inès Roy",
            "why": "elle cherche un associé",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    wishes = zoe.get(f"/api/v1/events/{event_id}/want-to-meet").json()
    assert [(w["name"], w["contact_id"]) for w in wishes] == [("Inès Roy", person_id)]
    page = parse(zoe.get(f"/events/{event_id}").text)
    assert select_all(page, f"a[href='/people/{person_id}']")


def test_people_met_at_earlier_editions_show_on_the_event(zoe: TestClient) -> None:
    last_year = zoe.post(
        "/api/v1/events",
        json={
            "name": "VivaTech 2025",
            "starts_at": "2025-06-11T09:00:00+02:00",
            "status": "attended",
        },
    ).json()["id"]
    this_year = zoe.post(
        "/api/v1/events", json={"name": "VivaTech 2026", "starts_at": "2026-06-17T09:00:00+02:00"}
    ).json()["id"]
    zoe.put(
        f"/api/v1/contacts/{uuid.uuid4()}",
        json={"full_name": "Yasmine Haddad", "event_id": last_year},
    )
    page = zoe.get(f"/events/{this_year}").text
    assert "Yasmine Haddad" in texts_of(page, "section[aria-labelledby=editions-title] a")
    assert text_of(page, "section[aria-labelledby=editions-title] h3") == (
        "Personnes rencontrées aux éditions précédentes"
    )
