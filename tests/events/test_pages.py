"""The event pages through their HTML forms: list, add, edit, status, delete, want-to-meet, import."""

import json
from datetime import date, timedelta
from typing import Any

import pytest
from bs4 import Tag
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.helpers import (
    FROZEN_AT,
    LocalSite,
    create_user,
    one,
    parse,
    select_all,
    selected,
    sign_in,
    text_of,
    texts_of,
)

# On the frozen clock, next year's March is always ahead.
pytestmark = pytest.mark.usefixtures("clock")
YEAR = FROZEN_AT.year + 1


def value(page: Tag, name: str) -> str | None:
    """The value of the input with this name."""
    found = one(page, f"input[name='{name}']").get("value")
    return None if found is None else str(found)


def checked(page: Tag, name: str) -> bool:
    return one(page, f"input[name='{name}']").has_attr("checked")


FORM = {
    "name": "Salon des Entrepreneurs",
    "kind": "salon",
    "starts_at": f"{YEAR}-03-10T09:00",
    "ends_at": f"{YEAR}-03-10T18:00",
    "timezone": "Europe/Paris",
    "venue": "Palais des Congrès",
    "address": "2 place de la Porte Maillot",
    "city": "Paris",
    "country": "France",
    "url": "https://salon.example.org/2027",
    "description": "Deux jours de conférences.\nStand B12.",
    "status": "going",
    "notes": "Apporter des cartes",
    "public": "on",
}


def add(client: TestClient, **fields: str) -> str:
    """Add an event through the form; its id."""
    form = FORM | fields
    response = client.post(
        "/events", data={k: v for k, v in form.items() if v is not None}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/events/")
    return location.removeprefix("/events/")


def names_listed(html: str) -> list[str]:
    """The names of the events on a list page, in order."""
    return texts_of(html, "a.title")


def in_month(html: str, label: str) -> list[str]:
    """The names listed under one month heading."""
    return texts_of(html, f"section[aria-label='{label}'] a.title")


def wishes(html: str) -> list[str]:
    """Who is on an event's want-to-meet list."""
    return texts_of(html, "section#want-to-meet-section strong")


# --- the list -----------------------------------------------------------------------------------


def test_empty_events_page_in_french(zoe: TestClient) -> None:
    upcoming = zoe.get("/events")
    assert upcoming.status_code == 200
    html = upcoming.text
    page = parse(html)
    assert select_all(page, "html[lang=fr]")
    assert text_of(html, "h1") == "Événements"
    assert texts_of(html, "nav.tabbar a") == ["À venir", "Passés"]
    assert text_of(html, "p.empty").startswith("Aucun événement à venir. Collez le lien")
    # The empty state offers both ways in.
    assert texts_of(html, "section.card a") == [
        "Importer depuis un lien",
        "Ajouter un événement",
    ]
    assert select_all(page, "a[href='/events/import'].button.primary")
    assert select_all(page, "a[href='/events/new'].button")
    assert names_listed(html) == []

    past = zoe.get("/events?when=past")
    assert past.status_code == 200
    assert text_of(past.text, "h1") == "Événements"
    assert names_listed(past.text) == []


def test_empty_events_page_in_english(ann: TestClient) -> None:
    html = ann.get("/events").text
    assert select_all(html, "html[lang=en]")
    assert text_of(html, "h1") == "Events"
    assert texts_of(html, "nav.tabbar a") == ["Upcoming", "Past"]
    assert text_of(html, "p.empty").startswith("No upcoming event. Paste the link")
    assert texts_of(html, "section.card a") == [
        "Import from a link",
        "Add an event",
    ]
    past = ann.get("/events?when=past")
    assert past.status_code == 200 and names_listed(past.text) == []


# list.html imports the macro `when` from events/_macros.html; Jinja's import then hides the
# `when` variable the page is rendered with ("upcoming" or "past"), so the template compares
# and prints the macro instead of the tab.


def test_past_tab_shows_its_own_empty_state_in_both_languages(zoe: TestClient) -> None:
    html = zoe.get("/events?when=past").text
    assert text_of(html, "p.empty").startswith("Aucun événement passé pour l’instant.")
    zoe.post("/language", data={"locale": "en", "next": "/events"})
    html = zoe.get("/events?when=past").text
    assert text_of(html, "p.empty").startswith("No past event yet.")


def test_the_list_knows_which_tab_it_shows(zoe: TestClient) -> None:
    upcoming = zoe.get("/events").text
    assert texts_of(upcoming, "nav.tabbar a[aria-current=page]") == ["À venir"]
    past = zoe.get("/events?when=past&q=zzz").text
    assert texts_of(past, "nav.tabbar a[aria-current=page]") == ["Passés"]
    # Filtering on the past tab stays on it, and "show all" goes back to it.
    assert one(past, "input[name=when][type=hidden]")["value"] == "past"
    assert select_all(past, "a[href='/events?when=past']")
    assert select_all(past, "a[href='/events?when=past'][aria-current=page]")


def test_events_need_a_signed_in_user(client: TestClient) -> None:
    response = client.get("/events", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/signin")


# --- add, show, edit ----------------------------------------------------------------------------


def test_new_event_form_names_its_fields_like_the_api(zoe: TestClient) -> None:
    html = zoe.get("/events/new").text
    page = parse(html)
    assert select_all(page, "form[action='/events'][method=post]")
    for name in ("name", "venue", "address", "city", "country"):
        assert select_all(page, f"input[name='{name}']"), name
    assert one(page, "input[name=starts_at]")["type"] == "datetime-local"
    assert one(page, "input[name=ends_at]")["type"] == "datetime-local"
    assert one(page, "input[name=url]")["type"] == "url"
    assert select_all(page, "input[name=all_day][type=checkbox]")
    assert select_all(page, "input[name=public][type=checkbox]")
    for name in ("kind", "timezone", "status"):
        assert select_all(page, f"select[name='{name}']"), name
    for name in ("description", "notes"):
        assert select_all(page, f"textarea[name='{name}']"), name
    # The user's own zone and sensible defaults are preselected.
    assert selected(html, "f-timezone") == "Europe/Paris"
    assert selected(html, "f-status") == "interested"
    assert selected(html, "f-kind") == "other"


def test_added_event_shows_in_its_zone_and_under_its_month(zoe: TestClient) -> None:
    event_id = add(zoe)
    detail = zoe.get(f"/events/{event_id}")
    html = detail.text
    page = parse(html)
    assert text_of(html, "p.flash") == "L’événement est enregistré."
    assert text_of(html, "h1") == "Salon des Entrepreneurs"
    # Stored as 08:00 UTC; shown as the wall-clock time in Paris.
    lead = text_of(html, "p.lead")
    assert "10 mars" in lead and str(YEAR) in lead
    assert "09:00 – 18:00" in lead
    assert "08:00" not in lead
    assert not select_all(page, "p.muted")  # same zone as the user: no conversion note
    assert text_of(html, "span.badge") == "Salon"
    where = text_of(html, "section[aria-labelledby=where-title]")
    assert "Palais des Congrès" in where and "Paris, France" in where
    link = one(page, "a[href='https://salon.example.org/2027']")
    assert link["rel"] == "noopener noreferrer"
    assert "Stand B12." in text_of(html, "section[aria-labelledby=about-title]")
    assert "Apporter des cartes" in text_of(html, "section[aria-labelledby=notes-title]")
    pressed = one(page, "button[name=status][aria-pressed=true]")
    assert pressed["value"] == "going"
    # The flash shows once.
    assert not select_all(zoe.get(f"/events/{event_id}").text, "p.flash")

    listed = zoe.get("/events").text
    assert texts_of(listed, "h2.month") == [f"Mars {YEAR}"]
    assert names_listed(listed) == ["Salon des Entrepreneurs"]
    assert in_month(listed, f"Mars {YEAR}") == ["Salon des Entrepreneurs"]
    meta = texts_of(listed, "p.meta")[0]
    assert "10 mars" in meta and "09:00 – 18:00" in meta and meta.endswith("· Paris")
    assert "J’y vais" in texts_of(listed, "span.status-going")
    assert select_all(listed, f"a[href='/events/{event_id}']")
    # The API agrees on the instant.
    api = zoe.get(f"/api/v1/events/{event_id}").json()
    assert api["starts_at"] == f"{YEAR}-03-10T09:00:00+01:00"
    assert api["public"] is True and api["kind"] == "salon"


def test_events_are_grouped_by_month_in_order_and_in_english(ann: TestClient) -> None:
    add(ann, name="April meetup", kind="meetup", starts_at=f"{YEAR}-04-02T19:00", ends_at="")
    add(ann, name="March fair", starts_at=f"{YEAR}-03-10T09:00", ends_at="")
    add(ann, name="March talk", starts_at=f"{YEAR}-03-20T14:00", ends_at="")
    html = ann.get("/events").text
    assert texts_of(html, "h2.month") == [f"March {YEAR}", f"April {YEAR}"]
    assert in_month(html, f"March {YEAR}") == ["March fair", "March talk"]
    assert in_month(html, f"April {YEAR}") == ["April meetup"]
    assert "Meetup" in texts_of(html, "span.badge")


def test_an_event_in_another_zone_keeps_its_own_times(zoe: TestClient) -> None:
    event_id = add(
        zoe,
        name="NYC Tech Day",
        timezone="America/New_York",
        starts_at=f"{YEAR}-03-02T09:00",
        ends_at=f"{YEAR}-03-02T17:00",
    )
    html = zoe.get(f"/events/{event_id}").text
    assert "09:00 – 17:00" in text_of(html, "p.lead")
    note = text_of(html, "p.muted")
    assert note.startswith("Heures de America/New_York.")
    assert "Pour vous" in note and "15:00" in note  # 09:00 in New York is 15:00 in Paris
    edit = parse(zoe.get(f"/events/{event_id}/edit").text)
    assert value(edit, "starts_at") == f"{YEAR}-03-02T09:00"
    assert zoe.get(f"/api/v1/events/{event_id}").json()["starts_at"].endswith("09:00:00-05:00")


def test_an_all_day_salon_entered_as_dates_keeps_its_last_day(zoe: TestClient) -> None:
    event_id = add(
        zoe,
        name="Salon du Livre",
        all_day="on",
        starts_at=f"{YEAR}-03-10",
        ends_at=f"{YEAR}-03-12",
    )
    lead = text_of(zoe.get(f"/events/{event_id}").text, "p.lead")
    assert "10 mars" in lead and "12 mars" in lead and "13 mars" not in lead
    assert ":" not in lead  # no time for an all-day event
    api = zoe.get(f"/api/v1/events/{event_id}").json()
    assert api["all_day"] is True
    assert api["starts_at"] == f"{YEAR}-03-10T00:00:00+01:00"
    assert api["ends_at"] == f"{YEAR}-03-13T00:00:00+01:00"  # stored exclusive, as iCalendar

    def edit_form() -> Tag:
        return parse(zoe.get(f"/events/{event_id}/edit").text)

    page = edit_form()
    assert checked(page, "all_day")
    assert one(page, "input[name=starts_at]")["type"] == "date"
    assert value(page, "starts_at") == f"{YEAR}-03-10"
    assert one(page, "input[name=ends_at]")["type"] == "date"
    assert value(page, "ends_at") == f"{YEAR}-03-12"  # shown inclusive

    # Saving the edit form unchanged must not move the last day.
    unchanged = FORM | {
        "name": "Salon du Livre",
        "all_day": "on",
        "starts_at": value(page, "starts_at"),
        "ends_at": value(page, "ends_at"),
    }
    response = zoe.post(f"/events/{event_id}/edit", data=unchanged, follow_redirects=False)
    assert response.status_code == 303
    assert value(edit_form(), "ends_at") == f"{YEAR}-03-12"
    assert zoe.get(f"/api/v1/events/{event_id}").json()["ends_at"] == f"{YEAR}-03-13T00:00:00+01:00"
    listed = zoe.get("/events").text
    assert "12 mars" in text_of(listed, "li.event")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "   "}, "name", "Donnez un nom à l’événement."),
        ({"starts_at": ""}, "starts_at", "Indiquez une date."),
        ({"starts_at": "le 10 mars"}, "starts_at", "Cette date n’est pas valide."),
        (
            {"starts_at": f"{YEAR}-03-10T18:00", "ends_at": f"{YEAR}-03-10T09:00"},
            "ends_at",
            "La fin doit venir après le début.",
        ),
        (
            {"url": "javascript:alert(1)"},
            "url",
            "Un lien web doit commencer par http:// ou https://.",
        ),
        ({"url": "ftp://salon.example.org"}, "url", "Un lien web doit commencer par http://"),
    ],
)
def test_invalid_event_refills_the_form_and_marks_the_field(
    zoe: TestClient, changes: dict[str, str], field: str, message: str
) -> None:
    form = FORM | changes
    response = zoe.post("/events", data=form, follow_redirects=False)
    assert response.status_code == 422
    html = response.text
    page = parse(html)
    assert select_all(page, "form[action='/events']")
    marked = one(page, f"input[name='{field}']")
    assert marked["aria-invalid"] == "true"
    assert marked["aria-describedby"] == f"e-{field}"
    assert text_of(html, f"small#e-{field}").startswith(message)
    assert text_of(html, "p[role=alert]").startswith(message)
    # Exactly one field is marked, and what was typed comes back.
    assert len(select_all(page, "input[aria-invalid=true]")) == 1
    for name in ("venue", "city", "country", "url"):
        assert value(page, name) == form[name]
    assert value(page, "name") == form["name"]
    assert value(page, "starts_at") == form["starts_at"]
    assert "Stand B12." in text_of(html, "textarea[name=description]")
    assert text_of(html, "textarea[name=notes]") == "Apporter des cartes"
    assert selected(html, "f-kind") == "salon" and selected(html, "f-status") == "going"
    assert checked(page, "public")
    assert zoe.get("/api/v1/events?when=all").json() == []


def test_validation_error_speaks_the_users_language(ann: TestClient) -> None:
    response = ann.post("/events", data=FORM | {"name": ""})
    assert response.status_code == 422
    assert text_of(response.text, "small#e-name") == "Please give the event a name."


def test_edit_changes_the_event_and_refuses_bad_values(zoe: TestClient) -> None:
    event_id = add(zoe)
    page = parse(zoe.get(f"/events/{event_id}/edit").text)
    assert select_all(page, f"form[action='/events/{event_id}/edit']")
    assert value(page, "name") == "Salon des Entrepreneurs"
    assert value(page, "starts_at") == f"{YEAR}-03-10T09:00"
    assert value(page, "ends_at") == f"{YEAR}-03-10T18:00"
    assert select_all(page, f"a[href='/events/{event_id}']")  # cancel goes back

    changed = FORM | {"name": "Salon des Entrepreneurs Lyon", "city": "Lyon", "starts_at": f"{YEAR}-03-11T10:30", "ends_at": ""}  # fmt: skip
    response = zoe.post(f"/events/{event_id}/edit", data=changed, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/events/{event_id}"
    html = zoe.get(f"/events/{event_id}").text
    assert text_of(html, "h1") == "Salon des Entrepreneurs Lyon"
    assert text_of(html, "p.flash") == "L’événement est enregistré."
    lead = text_of(html, "p.lead")
    assert "11 mars" in lead and "10:30" in lead and "18:00" not in lead
    assert "Lyon" in text_of(html, "section[aria-labelledby=where-title]")

    refused = zoe.post(f"/events/{event_id}/edit", data=changed | {"url": "javascript:x"})
    assert refused.status_code == 422
    page = parse(refused.text)
    assert select_all(page, f"form[action='/events/{event_id}/edit']")
    assert one(page, "input[name=url]")["aria-invalid"] == "true"
    assert text_of(refused.text, "h1") == "Modifier l’événement"
    assert zoe.get(f"/api/v1/events/{event_id}").json()["url"] == FORM["url"]


def test_another_users_event_pages_are_not_found(app: FastAPI, zoe: TestClient) -> None:
    event_id = add(zoe)
    zoe.cookies.clear()
    create_user(app, "bob@example.org")
    sign_in(zoe, "bob@example.org")
    for url in (f"/events/{event_id}", f"/events/{event_id}/edit", f"/events/{event_id}/delete"):
        assert zoe.get(url).status_code == 404, url
    assert zoe.post(f"/events/{event_id}/delete").status_code == 404
    assert zoe.post(f"/events/{event_id}/status", data={"status": "skipped"}).status_code == 404


# --- status, delete, want-to-meet ---------------------------------------------------------------


def test_one_tap_status_change(zoe: TestClient) -> None:
    event_id = add(zoe, status="interested")
    html = zoe.get(f"/events/{event_id}").text
    page = parse(html)
    assert select_all(page, f"form[action='/events/{event_id}/status'][method=post]")
    buttons = select_all(page, "button[name=status]")
    assert [b["value"] for b in buttons] == ["interested", "going", "attended", "skipped"]
    assert [b["aria-pressed"] for b in buttons] == ["true", "false", "false", "false"]

    response = zoe.post(
        f"/events/{event_id}/status", data={"status": "going"}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == f"/events/{event_id}"
    buttons = select_all(zoe.get(f"/events/{event_id}").text, "button[name=status]")
    assert [b["aria-pressed"] for b in buttons] == ["false", "true", "false", "false"]

    back = zoe.post(
        f"/events/{event_id}/status",
        data={"status": "skipped", "next": "list"},
        follow_redirects=False,
    )
    assert back.headers["location"] == "/events"
    assert texts_of(zoe.get("/events").text, "span.status-skipped") == ["Je n’y vais pas"]

    refused = zoe.post(f"/events/{event_id}/status", data={"status": "maybe"})
    assert refused.status_code == 422
    assert zoe.get(f"/api/v1/events/{event_id}").json()["status"] == "skipped"


def test_delete_through_the_confirmation_page(zoe: TestClient) -> None:
    event_id = add(zoe)
    html = zoe.get(f"/events/{event_id}").text
    assert select_all(html, f"a[href='/events/{event_id}/delete']")
    confirm = zoe.get(f"/events/{event_id}/delete")
    assert confirm.status_code == 200
    assert text_of(confirm.text, "h1") == "Supprimer « Salon des Entrepreneurs » ?"
    page = parse(confirm.text)
    assert select_all(page, f"form[action='/events/{event_id}/delete'][method=post]")
    assert select_all(page, f"a[href='/events/{event_id}']")  # cancel
    # Seeing the confirmation deletes nothing.
    assert zoe.get(f"/events/{event_id}").status_code == 200

    response = zoe.post(f"/events/{event_id}/delete", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/events"
    listed = zoe.get("/events").text
    assert text_of(listed, "p.flash") == "L’événement est supprimé."
    assert names_listed(listed) == []
    assert zoe.get(f"/events/{event_id}").status_code == 404


def test_want_to_meet_add_remove_and_empty_name(zoe: TestClient) -> None:
    event_id = add(zoe)
    html = zoe.get(f"/events/{event_id}").text
    assert wishes(html) == []
    assert text_of(html, "section#want-to-meet-section p.empty").startswith(
        "Personne pour l’instant."
    )
    assert select_all(html, f"form[action='/events/{event_id}/want-to-meet']")

    response = zoe.post(
        f"/events/{event_id}/want-to-meet",
        data={"name": "  Nora Benali ", "why": "Elle organise le salon"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/events/{event_id}#want-to-meet"
    zoe.post(f"/events/{event_id}/want-to-meet", data={"name": "Paul Girard"})
    html = zoe.get(f"/events/{event_id}").text
    assert wishes(html) == ["Nora Benali", "Paul Girard"]
    assert texts_of(html, "ul.list small") == ["Elle organise le salon"]
    assert select_all(html, "button[aria-label='Retirer Nora Benali']")
    forms = [
        form["action"] or ""
        for form in select_all(html, "form[method=post]")
        if "/want-to-meet/" in (form["action"] or "")
    ]
    assert len(forms) == 2

    response = zoe.post(forms[0], follow_redirects=False)
    assert response.status_code == 303
    assert wishes(zoe.get(f"/events/{event_id}").text) == ["Paul Girard"]
    assert zoe.post(forms[0]).status_code == 404  # already removed

    refused = zoe.post(f"/events/{event_id}/want-to-meet", data={"name": "   ", "why": "x"})
    assert refused.status_code == 422
    assert text_of(refused.text, "p[role=alert]") == "Indiquez un nom."
    assert text_of(refused.text, "h1") == "Salon des Entrepreneurs"  # still the event page
    assert select_all(refused.text, "input#f-want-name")
    assert wishes(refused.text) == ["Paul Girard"]


# --- filters ------------------------------------------------------------------------------------


def test_filters_by_status_kind_and_accent_insensitive_search(zoe: TestClient) -> None:
    add(zoe, name="Salon de l’Été", kind="salon", status="going", city="Besançon", starts_at=f"{YEAR}-03-01T09:00", ends_at="")  # fmt: skip
    add(zoe, name="Meetup Python", kind="meetup", status="interested", city="Lyon", starts_at=f"{YEAR}-03-02T19:00", ends_at="")  # fmt: skip
    add(zoe, name="Conférence Web", kind="conference", status="skipped", city="Nantes", starts_at=f"{YEAR}-03-03T09:00", ends_at="")  # fmt: skip
    add(zoe, name="Vieux salon", kind="salon", status="attended", city="Paris", starts_at=f"{YEAR - 2}-03-03T09:00", ends_at=f"{YEAR - 2}-03-03T18:00")  # fmt: skip

    def names(query: str) -> list[str]:
        response = zoe.get(f"/events?{query}")
        assert response.status_code == 200
        return names_listed(response.text)

    assert names("") == ["Salon de l’Été", "Meetup Python", "Conférence Web"]
    assert names("when=past") == ["Vieux salon"]
    assert names("status=going") == ["Salon de l’Été"]
    assert names("kind=meetup") == ["Meetup Python"]
    assert names("kind=salon") == ["Salon de l’Été"]
    assert names("kind=salon&when=past") == ["Vieux salon"]
    assert names("q=ete") == ["Salon de l’Été"]
    assert names("q=BESANCON") == ["Salon de l’Été"]
    assert names("q=conference") == ["Conférence Web"]
    assert names("q=Conférence&status=going") == []
    assert names("status=nonsense") == names("")  # an unknown filter is ignored

    html = zoe.get("/events?kind=meetup&status=interested&q=pyth%C3%B4n").text
    assert names_listed(html) == ["Meetup Python"]
    # The form shows the filters in force.
    assert selected(html, "f-kind") == "meetup" and selected(html, "f-status") == "interested"
    assert value(parse(html), "q") == "pythôn"

    none = zoe.get("/events?q=zzz").text
    assert names_listed(none) == []
    assert text_of(none, "p.empty").startswith("Aucun événement ne correspond à ces filtres.")
    assert "Tout afficher" in texts_of(none, "p.empty a")


# --- import -------------------------------------------------------------------------------------


def ics(*events: str, name: str = "Salons pro") -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tests//EN", f"X-WR-CALNAME:{name}"]
    return ("\r\n".join([*lines, *events, "END:VCALENDAR"]) + "\r\n").encode()


def vevent(uid: str, summary: str, day: date, extra: str = "") -> str:
    stamp = day.strftime("%Y%m%d")
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"SUMMARY:{summary}",
        f"DTSTART;TZID=Europe/Paris:{stamp}T100000",
        f"DTEND;TZID=Europe/Paris:{stamp}T170000",
        *([extra] if extra else []),
        "END:VEVENT",
    ]
    return "\r\n".join(lines)


def soon(days: int) -> date:
    return (FROZEN_AT + timedelta(days=days)).date()


CALENDAR = ics(
    vevent("a@tests", "Salon Alpha", soon(30), "LOCATION:Parc des expositions"),
    vevent("b@tests", "Forum Bêta", soon(40)),
    vevent("c@tests", "Rencontres Gamma", soon(50), "URL:https://gamma.example.org/"),
)


# One preview item as the preview page writes it.
ITEM = {
    "source_uid": "z@tests",
    "name": "Forged",
    "kind": "salon",
    "starts_at": f"{YEAR}-03-10T10:00:00+01:00",
    "ends_at": None,
    "all_day": False,
    "timezone": "Europe/Paris",
    "venue": None,
    "address": None,
    "city": None,
    "country": None,
    "url": None,
    "description": None,
    "cancelled": False,
}


def preview(client: TestClient, data: bytes, filename: str = "salons.ics") -> Any:
    return client.post(
        "/events/import", files={"file": (filename, data, "text/calendar")}, data={"url": ""}
    )


def test_import_page_offers_a_link_and_a_file(zoe: TestClient) -> None:
    html = zoe.get("/events/import").text
    page = parse(html)
    form = one(page, "form[action='/events/import']")
    assert form["enctype"] == "multipart/form-data" and form["method"] == "post"
    assert select_all(page, "input[name=url][type=url]")
    assert one(page, "input[name=file][type=file]")["accept"] == ".ics,text/calendar"
    assert text_of(html, "h2#feeds-title") == "Calendriers suivis"
    assert "Aucun" in text_of(html, "p.empty")


def test_import_a_file_preview_then_save_only_the_picked_events(zoe: TestClient) -> None:
    response = preview(zoe, CALENDAR)
    assert response.status_code == 200, response.text
    html = response.text
    page = parse(html)
    assert text_of(html, "h1") == "Aperçu"
    assert text_of(html, "h1 + p") == "3 événements trouvés. (Salons pro)"
    picks = select_all(page, "input[name=pick][type=checkbox]")
    assert [p["value"] for p in picks] == ["0", "1", "2"]
    assert all(p.has_attr("checked") for p in picks)
    labels = texts_of(html, "label[for=pick-1]")
    assert labels[0].startswith("Forum Bêta") and "10:00 – 17:00" in labels[0]
    payload = one(page, "input[name=payload][type=hidden]")["value"]
    items = json.loads(payload)
    assert [item["name"] for item in items] == ["Salon Alpha", "Forum Bêta", "Rencontres Gamma"]
    assert one(page, "input[name=source_url]")["value"] == ""
    assert not select_all(page, "input[name=subscribe]")  # nothing to follow for a file
    assert select_all(page, "form[action='/events/import/save']")
    # The preview saved nothing.
    assert zoe.get("/api/v1/events?when=all").json() == []

    saved = zoe.post(
        "/events/import/save",
        data={"payload": payload, "pick": ["0", "2"], "source_url": "", "calendar_name": ""},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/events"
    listed = zoe.get("/events").text
    assert text_of(listed, "p.flash") == "Les événements sont importés."
    assert names_listed(listed) == ["Salon Alpha", "Rencontres Gamma"]
    events = {e["name"]: e for e in zoe.get("/api/v1/events?when=all").json()}
    assert events["Salon Alpha"]["starts_at"].endswith("T10:00:00+01:00") or events["Salon Alpha"][
        "starts_at"
    ].endswith("T10:00:00+02:00")
    assert events["Rencontres Gamma"]["url"] == "https://gamma.example.org/"
    assert zoe.get("/api/v1/feeds").json() == []

    # Importing the same calendar again updates, never doubles.
    again = one(preview(zoe, CALENDAR).text, "input[name=payload]")["value"]
    zoe.post("/events/import/save", data={"payload": again, "pick": ["0", "1", "2"]})
    assert names_listed(zoe.get("/events").text) == [
        "Salon Alpha",
        "Forum Bêta",
        "Rencontres Gamma",
    ]


def test_saving_a_preview_without_a_pick_is_refused(zoe: TestClient) -> None:
    payload = one(preview(zoe, CALENDAR).text, "input[name=payload]")["value"]
    response = zoe.post("/events/import/save", data={"payload": payload})
    assert response.status_code == 422
    assert text_of(response, "h1 + p") == "Choisissez au moins un événement."
    assert zoe.get("/api/v1/events?when=all").json() == []


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        '{"name": "x"}',
        "5",
        "null",
        '[{"name": "Forged"}]',
        json.dumps([ITEM | {"starts_at": "yesterday-ish"}]),
        json.dumps([ITEM | {"all_day": "sometimes"}]),
        json.dumps([{k: v for k, v in ITEM.items() if k != "timezone"}]),
    ],
)
def test_a_tampered_preview_is_refused_clearly(zoe: TestClient, payload: str) -> None:
    response = zoe.post("/events/import/save", data={"payload": payload, "pick": ["0"]})
    assert response.status_code == 422
    assert text_of(response.text, "h1") == "Cela n’a pas fonctionné"
    assert text_of(response, "h1 + p") == "Cet aperçu n’a pas pu être lu. Importez à nouveau."
    assert zoe.get("/api/v1/events?when=all").json() == []


def test_an_imported_link_is_only_ever_http(zoe: TestClient) -> None:
    calendar = ics(vevent("x@tests", "Piège", soon(20), "URL:javascript:alert(document.cookie)"))
    payload = one(preview(zoe, calendar).text, "input[name=payload]")["value"]
    zoe.post("/events/import/save", data={"payload": payload, "pick": ["0"]})
    (event,) = zoe.get("/api/v1/events?when=all").json()
    assert event["name"] == "Piège" and event["url"] is None
    html = zoe.get(f"/events/{event['id']}").text
    hrefs = [a["href"] or "" for a in select_all(html, "a")]
    assert not any(href.lower().startswith("javascript:") for href in hrefs)
    # A preview forged to carry such a link is neutralised as well.
    forged = json.dumps([ITEM | {"name": "Forgé", "url": "JavaScript:alert(1)"}])
    zoe.post("/events/import/save", data={"payload": forged, "pick": ["0"]})
    saved = {e["name"]: e for e in zoe.get("/api/v1/events?when=all").json()}
    assert saved["Forgé"]["url"] is None


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (
            b"Hello, this is a plain text note.\n",
            "notes.ics",
            "Ce n’est ni un calendrier (.ics) ni une page web.",
        ),  # fmt: skip
        (b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "empty.ics", "Aucun événement n’a été trouvé."),
    ],
)
def test_a_file_that_is_not_a_calendar_gets_a_clear_error(
    zoe: TestClient, data: bytes, filename: str, message: str
) -> None:
    response = preview(zoe, data, filename)
    assert response.status_code == 422
    html = response.text
    page = parse(html)
    assert text_of(html, "h1") == "Importer des événements"
    assert text_of(html, "p[role=alert]") == message
    assert one(page, "input[name=file]")["aria-invalid"] == "true"
    assert one(page, "input[name=url]").get("aria-invalid") is None
    assert zoe.get("/api/v1/events?when=all").json() == []


def test_import_with_neither_link_nor_file_names_the_link(zoe: TestClient) -> None:
    # What a browser sends when no file is chosen: an empty part without a file name.
    empty = {"file": ("", b"", "application/octet-stream")}
    response = zoe.post("/events/import", data={"url": "  "}, files=empty)
    assert response.status_code == 422
    assert text_of(response.text, "p[role=alert]") == "Collez un lien ou choisissez un fichier."
    assert one(response.text, "input[name=url]")["aria-invalid"] == "true"


def test_subscribe_to_a_calendar_link_then_stop_following(
    zoe: TestClient, local_site: LocalSite
) -> None:
    url = local_site.add("/salons.ics", CALENDAR)
    response = zoe.post("/events/import", data={"url": url})
    assert response.status_code == 200, response.text
    page = parse(response.text)
    assert one(page, "input[name=source_url]")["value"] == url
    assert one(page, "input[name=calendar_name]")["value"] == "Salons pro"
    assert select_all(page, "input[name=subscribe][type=checkbox]")
    payload = one(page, "input[name=payload]")["value"]

    saved = zoe.post(
        "/events/import/save",
        data={
            "payload": payload,
            "pick": ["0"],
            "source_url": url,
            "calendar_name": "Salons pro",
            "subscribe": "on",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    # Following a calendar saves all its events.
    assert names_listed(zoe.get("/events").text) == [
        "Salon Alpha",
        "Forum Bêta",
        "Rencontres Gamma",
    ]

    html = zoe.get("/events/import").text
    feeds = text_of(html, "section[aria-labelledby=feeds-title]")
    assert "Salons pro" in feeds and url in feeds and "Mis à jour le" in feeds
    (feed,) = zoe.get("/api/v1/feeds").json()
    assert select_all(html, f"form[action='/events/feeds/{feed['id']}/delete'][method=post]")

    response = zoe.post(f"/events/feeds/{feed['id']}/delete", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/events/import"
    html = zoe.get("/events/import").text
    assert text_of(html, "p.flash").startswith("Vous ne suivez plus ce calendrier")
    assert url not in text_of(html, "section[aria-labelledby=feeds-title]")
    assert zoe.get("/api/v1/feeds").json() == []
    # Its events stay.
    assert len(names_listed(zoe.get("/events").text)) == 3
    assert zoe.post(f"/events/feeds/{feed['id']}/delete").status_code == 404


def test_a_link_that_answers_an_error_is_explained_on_the_import_page(
    zoe: TestClient, local_site: LocalSite
) -> None:
    base = local_site.url
    response = zoe.post("/events/import", data={"url": f"{base}/missing.ics"})
    assert response.status_code == 422
    page = parse(response.text)
    assert text_of(response.text, "p[role=alert]") == "Ce site a répondu par une erreur."
    assert one(page, "input[name=url]")["value"] == f"{base}/missing.ics"
    assert one(page, "input[name=url]")["aria-invalid"] == "true"


def test_following_is_offered_only_for_a_calendar_not_for_a_page(
    zoe: TestClient, alice: TestClient, local_site: LocalSite
) -> None:
    page_url = local_site.add(
        "/salon.html",
        (
            '<html><head><title>Salon</title></head><body><script type="application/ld+json">'
            '{"@context": "https://schema.org", "@type": "Event", "name": "Salon Pro",'
            f' "startDate": "{soon(20).isoformat()}"}}</script></body></html>'
        ).encode(),
        "text/html; charset=utf-8",
    )
    response = zoe.post("/events/import", data={"url": page_url})
    assert response.status_code == 200, response.text
    assert "Salon Pro" in response.text
    assert not select_all(response.text, "input[name=subscribe]")
    refused = alice.post("/api/v1/events/import", json={"url": page_url, "subscribe": True})
    assert refused.status_code == 422
    assert refused.json()["field"] == "subscribe"
    assert alice.get("/api/v1/events").json() == []
