"""The give pages through their HTML forms: the post-event follow-up list, suggestions, the give
form and page with prepared messages, introductions, and Today's one-tap actions."""

import uuid
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from app.clock import now
from tests.contacts.test_pages import capture_form
from tests.gives.test_api import event, paris_today, person, put_give
from tests.helpers import one, parse, select_all, text_of, texts_of

# Due dates count in days from now: on a fixed instant, never across a midnight mid-test.
pytestmark = pytest.mark.usefixtures("clock")


def test_follow_up_list_progress_suggestions_accept_and_ignore(zoe: TestClient) -> None:
    met = event(zoe, ends_days_ago=0.5)
    lea = person(
        zoe,
        "Léa Martin",
        event_id=met["id"],
        needs="Cherche un développeur Python",
        hook="son projet de SaaS",
    )
    marc = person(zoe, "Marc Petit", event_id=met["id"], needs="Un bon article sur la CSRD")
    ines = person(zoe, "Inès Roy", event_id=met["id"])
    html = zoe.get(f"/events/{met['id']}/follow-up").text
    assert text_of(html, "h2#progress-title") == "Relances faites : 0 sur 3"
    assert text_of(html, "section[aria-labelledby=progress-title] h2 ~ p").startswith(
        "Objectif : tout le monde dans les 72 heures"
    )
    assert len(select_all(html, "div.suggestion")) == 3
    # Accept Marc's suggestion in one tap: a planned resource after this event.
    page = parse(html)
    accept = [
        f
        for f in select_all(page, "form")
        if f.get("action") == f"/events/{met['id']}/follow-up/{marc}/accept"
    ]
    assert accept
    assert (
        zoe.post(
            f"/events/{met['id']}/follow-up/{marc}/accept",
            data={"kind": "resource", "title": "Envoyer le guide CSRD"},
            follow_redirects=False,
        ).status_code
        == 303
    )
    planned = zoe.get("/api/v1/gives", params={"contact_id": marc}).json()
    assert [(g["kind"], g["title"], g["event_id"], g["status"]) for g in planned] == [
        ("resource", "Envoyer le guide CSRD", met["id"], "planned")
    ]
    # Léa's suggestion is an introduction: accepting asks for the second person.
    response = zoe.post(
        f"/events/{met['id']}/follow-up/{lea}/accept",
        data={"kind": "introduction"},
        follow_redirects=False,
    )
    assert response.headers["location"].startswith(f"/gives/new?contact_id={lea}")
    # Ignore Inès's suggestion.
    zoe.post(f"/events/{met['id']}/follow-up/{ines}/dismiss")
    html = zoe.get(f"/events/{met['id']}/follow-up").text
    suggested = [s for s in select_all(html, "li") if s.get("id") == f"person-{ines}"]
    assert suggested and "Suggestion" not in texts_of(html, f"li#person-{ines} span")
    # A give done counts as followed up.
    zoe.post(f"/gives/{planned[0]['id']}/status", data={"status": "done"})
    html = zoe.get(f"/events/{met['id']}/follow-up").text
    assert text_of(html, "h2#progress-title") == "Relances faites : 1 sur 3"


def test_give_form_plans_with_the_default_due_day_and_shows_prepared_messages(
    zoe: TestClient,
) -> None:
    zoe.patch("/api/v1/network/profile", json={"specialty": "Comptable des artisans"})
    met = event(zoe, ends_days_ago=-1)
    lea = person(
        zoe, "Léa Martin", hook="les vélos cargo", email="lea@example.org", event_id=met["id"]
    )
    form = parse(zoe.get(f"/gives/new?contact_id={lea}&event_id={met['id']}&kind=resource").text)
    due = one(form, "input[name=due_on]")
    assert (
        due is not None
        and due["value"]
        == (datetime.fromisoformat(met["ends_at"]).date() + timedelta(days=1)).isoformat()
    )
    give_id = one(form, "input[name=id]")["value"]
    data = {
        "id": give_id,
        "contact_id": lea,
        "contact_id_q": one(form, "input[name=contact_id_q]")["value"],  # the picker shows Léa
        "event_id": met["id"],
        "kind": "resource",
        "title": "Le guide du vélo cargo",
        "due_on": due["value"],
        "status": "planned",
    }
    created = zoe.post("/gives", data=data, follow_redirects=False)
    assert created.headers["location"] == f"/gives/{give_id}"
    assert zoe.post("/gives", data=data, follow_redirects=False).status_code == 303  # double submit
    assert len(zoe.get("/api/v1/gives").json()) == 1
    page = zoe.get(f"/gives/{give_id}").text
    message = texts_of(page, "textarea")[0]
    assert message.startswith("Bonjour Léa,")
    assert (
        "les vélos cargo" in message
        and "Le guide du vélo cargo" in message
        and "Comptable des artisans" in message
    )
    mail = [
        a
        for a in select_all(page, "a")
        if (a.get("href") or "").startswith("mailto:lea@example.org?subject=")
    ]
    assert mail


def test_give_form_errors_are_shown(zoe: TestClient) -> None:
    lea = person(zoe, "Léa")
    response = zoe.post(
        "/gives",
        data={
            "id": str(uuid.uuid4()),
            "contact_id": lea,
            "contact_id_q": "Léa",
            "kind": "introduction",
            "status": "planned",
        },
    )
    assert response.status_code == 422
    page = parse(response.text)
    assert select_all(page, "input[name=other_contact_id_q][aria-invalid=true]")
    assert (
        text_of(page, "p[role=alert]") == "Une mise en relation a besoin de la deuxième personne."
    )


def test_introduction_steps_in_english(ann: TestClient) -> None:
    lea = person(ann, "Lea Martin", needs="looking for a designer", email="lea@example.org")
    sam = person(ann, "Sam Green", role="Designer", email="sam@example.org")
    give = put_give(
        ann,
        contact_id=lea,
        other_contact_id=sam,
        kind="introduction",
        intro_why="Lea needs a designer; Sam is one",
    )
    page = ann.get(f"/gives/{give['id']}").text
    assert [t for t in texts_of(page, "h3")] == [
        "Step 1 — ask Sam Green",
        "Step 2 — introduce them to each other",
    ]
    ask = texts_of(page, "textarea")[0]
    assert ask.startswith("Hello Sam,") and "Lea Martin" in ask and "Lea needs a designer" in ask
    for state, shown in (
        ("asked", "Asked, waiting for an answer"),
        ("accepted", "Accepted"),
        ("introduced", "Introduced"),
    ):
        assert (
            ann.post(
                f"/gives/{give['id']}/intro", data={"state": state}, follow_redirects=False
            ).status_code
            == 303
        )
        assert (
            text_of(
                ann.get(f"/gives/{give['id']}"),
                "section[aria-labelledby=intro-title] ol.steps + p[role=status]",
            )
            == f"Now: {shown}"
        )
    assert ann.get(f"/api/v1/gives/{give['id']}").json()["status"] == "done"


def test_today_lists_gives_and_one_tap_actions(zoe: TestClient) -> None:
    lea = person(zoe, "Léa")
    overdue = put_give(
        zoe,
        contact_id=lea,
        kind="resource",
        title="En retard",
        due_on=(paris_today() - timedelta(days=2)).isoformat(),
    )
    today = put_give(
        zoe, contact_id=lea, kind="check_in", title="Aujourd’hui", due_on=paris_today().isoformat()
    )
    week = put_give(
        zoe,
        contact_id=lea,
        kind="invitation",
        title="Cette semaine",
        due_on=(paris_today() + timedelta(days=3)).isoformat(),
    )
    html = zoe.get("/").text
    assert texts_of(html, "section[aria-labelledby=today-overdue] a")[0] == "En retard"
    assert ">Léa</a> · <span" in html  # "Léa · pour le …", not "Léa· pour le …"
    assert "Aujourd’hui" in texts_of(html, "section[aria-labelledby=today-today] a")
    assert "Cette semaine" in texts_of(html, "section[aria-labelledby=today-week] a")
    done = zoe.post(
        f"/gives/{overdue['id']}/status",
        data={"status": "done", "next": "/"},
        follow_redirects=False,
    )
    assert done.headers["location"] == "/"
    zoe.post(f"/gives/{today['id']}/snooze", data={"days": "7", "next": "/"})
    zoe.post(f"/gives/{week['id']}/status", data={"status": "skipped", "next": "/"})
    assert (
        zoe.get(f"/api/v1/gives/{today['id']}").json()["due_on"]
        == (paris_today() + timedelta(days=7)).isoformat()
    )
    html = zoe.get("/").text
    assert not select_all(html, "section[aria-labelledby=today-overdue]")
    assert not select_all(html, "p.flash")  # the flash ("Fait. Merci…") was shown once, earlier


def test_today_shows_events_to_follow_up_and_people_losing_touch(zoe: TestClient) -> None:
    zoe.patch("/api/v1/network/profile", json={"event_cadence_days": 30})
    met = event(zoe, ends_days_ago=1, name="Salon Lumière")
    person(zoe, "Léa", event_id=met["id"])
    old = event(zoe, ends_days_ago=90, name="Vieux salon")
    person(
        zoe,
        "Marc Ancien",
        event_id=old["id"],
        met_at=(now() - timedelta(days=90)).isoformat(),
    )
    html = zoe.get("/").text
    # Over yesterday: first on Today, no longer in the list of events to follow up.
    assert "Salon Lumière" in texts_of(html, "section[data-after-event] h2")[0]
    assert "Marc Ancien" in texts_of(html, "section[aria-labelledby=losing-title] a")


def test_capture_without_javascript_can_plan_a_give(zoe: TestClient) -> None:
    met = event(zoe, ends_days_ago=-0.2)
    _html, hidden = capture_form(zoe)
    form = {
        **hidden,
        "full_name": "Chloé",
        "event_id": met["id"],
        "give_title": "Lui envoyer l’article",
    }
    zoe.post("/capture", data=form)
    zoe.post("/capture", data=form)
    planned = zoe.get("/api/v1/gives").json()
    assert [(g["title"], g["event_id"]) for g in planned] == [("Lui envoyer l’article", met["id"])]


def test_person_page_plans_a_give_in_two_taps(zoe: TestClient) -> None:
    lea = person(zoe, "Léa")
    page = parse(zoe.get(f"/people/{lea}").text)
    link = one(
        page, f"a[href='/gives/new?contact_id={lea}&kind=recommendation&next=/people/{lea}']"
    )
    form = parse(zoe.get(str(link["href"])).text)
    chosen = one(form, "input[name=kind][value=recommendation]")
    assert chosen.has_attr("checked")
    give_id = one(form, "input[name=id]")["value"]
    due = one(form, "input[name=due_on]")["value"]
    response = zoe.post(
        "/gives",
        data={
            "id": give_id,
            "contact_id": lea,
            "contact_id_q": one(form, "input[name=contact_id_q]")["value"],
            "kind": "recommendation",
            "due_on": due,
            "status": "planned",
            "next": f"/people/{lea}",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == f"/people/{lea}"
    assert "Recommander Léa" in texts_of(
        zoe.get(f"/people/{lea}").text, "section[aria-labelledby=gives-title] a"
    )


def test_a_done_give_shows_on_the_persons_timeline(zoe: TestClient) -> None:
    lea = person(zoe, "Léa")
    give = put_give(zoe, contact_id=lea, kind="resource", title="Le guide", status="done")
    page = zoe.get(f"/people/{lea}").text
    kinds = [item.get("data-kind") for item in select_all(page, "li") if item.get("data-kind")]
    assert kinds == ["give"]
    assert select_all(page, f"a[href='/gives/{give['id']}']")
