"""Gives in the calendar: planned gives with a due day in the private feed as all-day items with
a morning alarm (read by icalendar and by ical.js), one give as .ics, and the digest's sections."""

import uuid
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts import service as accounts
from app.calendar import digest
from app.wiring import wiring
from tests.calendar.icaljs import parse_with_icaljs
from tests.gives.test_api import event, paris_today, person, put_give
from tests.helpers import Clock

SECTIONS = wiring().digest_sections
# Due dates count in days from now: on a fixed instant, never across a midnight mid-test.
pytestmark = pytest.mark.usefixtures("clock")


def opt_in_gives(owner: TestClient, *, name_people: bool = True) -> None:
    """Gives are opt-in: the feed holds events only until the user asks for gives; and they name
    their people only when asked too."""
    answer = owner.patch(
        "/api/v1/calendar", json={"include_gives": True, "name_people": name_people}
    )
    assert answer.status_code == 200
    assert answer.json()["include_gives"] is True
    assert answer.json()["name_people"] is name_people


def feed(client: TestClient, owner: TestClient) -> bytes:
    path = urlsplit(owner.get("/api/v1/calendar").json()["url"]).path
    response = client.get(path)
    assert response.status_code == 200
    return response.content


def test_planned_gives_are_all_day_items_with_a_morning_alarm(
    alice: TestClient, client: TestClient
) -> None:
    lea, marc = person(alice, "Léa Martin"), person(alice, "Marc Petit")
    opt_in_gives(alice)
    days = [paris_today() + timedelta(days=n) for n in (0, 3, 40)]
    planned = [
        put_give(alice, contact_id=lea, kind="resource", title=f"Geste {n}", due_on=day.isoformat())
        for n, day in enumerate(days)
    ]
    intro = put_give(
        alice,
        contact_id=lea,
        other_contact_id=marc,
        kind="introduction",
        title="Présenter Léa à Marc",
        due_on=days[1].isoformat(),
    )
    done = put_give(alice, contact_id=marc, kind="resource", title="Déjà fait", status="done")
    idea = put_give(alice, contact_id=marc, kind="help", title="Une idée", status="idea")
    body = feed(client, alice)
    parsed = icalendar.Calendar.from_ical(body)
    gives = {str(v["uid"]): v for v in parsed.walk("VEVENT") if str(v["uid"]).startswith("give-")}
    expected = {f"give-{g['id']}@givefirst": g for g in [*planned, intro]}
    assert set(gives) == set(expected)
    for uid, give in expected.items():
        vevent = gives[uid]
        start, end = vevent.decoded("dtstart"), vevent.decoded("dtend")
        assert isinstance(start, date) and start.isoformat() == give["due_on"]
        assert end == start + timedelta(days=1)
        alarm = vevent.walk("VALARM")[0]
        assert alarm.decoded("trigger") == timedelta(hours=8)
        assert "ATTENDEE" not in vevent
    assert "Léa Martin ↔ Marc Petit" in str(gives[f"give-{intro['id']}@givefirst"]["description"])
    assert (
        f"give-{done['id']}@givefirst" not in gives and f"give-{idea['id']}@givefirst" not in gives
    )
    # Thunderbird's parser reads the same days.
    seen = {item["uid"]: item for item in parse_with_icaljs(body)["events"]}
    for uid, give in expected.items():
        assert seen[uid]["all_day"] is True
        assert seen[uid]["start"] == give["due_on"]


def test_a_change_bumps_sequence_and_etag_and_done_leaves(
    alice: TestClient, client: TestClient
) -> None:
    lea = person(alice, "Léa")
    opt_in_gives(alice)
    give = put_give(
        alice,
        contact_id=lea,
        kind="resource",
        title="Envoyer le guide",
        due_on=paris_today().isoformat(),
    )
    path = urlsplit(alice.get("/api/v1/calendar").json()["url"]).path
    first = client.get(path)
    alice.patch(f"/api/v1/gives/{give['id']}", json={"title": "Envoyer le guide complet"})
    second = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200 and second.headers["etag"] != first.headers["etag"]
    vevent = next(
        v
        for v in icalendar.Calendar.from_ical(second.content).walk("VEVENT")
        if str(v["uid"]).startswith("give-")
    )
    assert int(vevent["sequence"]) == 1
    assert client.get(path, headers={"If-None-Match": second.headers["etag"]}).status_code == 304
    alice.patch(f"/api/v1/gives/{give['id']}", json={"status": "done"})
    third = client.get(path, headers={"If-None-Match": second.headers["etag"]})
    assert third.status_code == 200 and third.headers["etag"] != second.headers["etag"]
    assert b"give-" not in third.content


def test_renaming_a_person_changes_the_feed_of_their_gives(
    alice: TestClient, client: TestClient, clock: Clock
) -> None:
    lea = person(alice, "Léa")
    opt_in_gives(alice)
    put_give(alice, contact_id=lea, kind="resource", due_on=paris_today().isoformat())
    path = urlsplit(alice.get("/api/v1/calendar").json()["url"]).path
    first = client.get(path)
    assert client.get(path, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    # The feed's version sees a change through `updated_at`, which moves with the real clock.
    clock.set(clock.now() + timedelta(seconds=1))
    assert alice.patch(f"/api/v1/contacts/{lea}", json={"full_name": "Léa Durand"}).is_success
    second = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200 and second.headers["etag"] != first.headers["etag"]
    assert "Léa Durand" in second.content.decode()


def test_gives_stay_out_when_the_user_says_so(alice: TestClient, client: TestClient) -> None:
    put_give(
        alice, contact_id=person(alice, "Léa"), kind="resource", due_on=paris_today().isoformat()
    )
    assert b"give-" not in feed(client, alice), "gives are opt-in: events only by default"
    opt_in_gives(alice)
    assert b"give-" in feed(client, alice)
    alice.patch("/api/v1/calendar", json={"include_gives": False})
    assert b"give-" not in feed(client, alice)


def _give_texts(body: bytes) -> list[str]:
    """The SUMMARY and DESCRIPTION of every give in a feed, unfolded and unescaped."""
    return [
        str(vevent.get(name, ""))
        for vevent in icalendar.Calendar.from_ical(body).walk("VEVENT")
        if str(vevent["uid"]).startswith("give-")
        for name in ("summary", "description")
    ]


def test_gives_name_nobody_unless_the_user_asks(alice: TestClient, client: TestClient) -> None:
    lea = person(alice, "Léa Martin", company="Atelier Lumière")
    marc = person(alice, "Marc Petit")
    salon = event(alice, name="Salon des Indépendants")
    today = paris_today().isoformat()
    put_give(
        alice, contact_id=lea, other_contact_id=marc, event_id=salon["id"], kind="introduction",
        title="Présenter Léa Martin à Marc Petit", details="Léa cherche un graphiste", due_on=today,
    )  # fmt: skip
    put_give(alice, contact_id=marc, kind="resource", due_on=today)  # a title made from the name
    assert alice.get("/api/v1/calendar").status_code == 200
    answer = alice.patch("/api/v1/calendar", json={"include_gives": True})
    assert answer.json()["name_people"] is False, "off by default"
    texts = _give_texts(feed(client, alice))
    assert len(texts) == 4
    for text in texts:
        for name in ("Léa", "Martin", "Marc", "Petit", "graphiste", "Atelier"):
            assert name not in text, (name, text)
    summaries = texts[::2]
    # Useful without the name: what kind of give, after which event, in the owner's language.
    assert "Mise en relation · suite à Salon des Indépendants" in summaries
    assert "Geste\u00a0: ressource" in summaries or "Geste\u00a0: Ressource" in summaries
    # On: they are named as before (and the feed's validators move).
    path = urlsplit(alice.get("/api/v1/calendar").json()["url"]).path
    etag = client.get(path).headers["etag"]
    assert alice.patch("/api/v1/calendar", json={"name_people": True}).json()["name_people"]
    named = client.get(path, headers={"If-None-Match": etag})
    assert named.status_code == 200 and named.headers["etag"] != etag
    texts = _give_texts(named.content)
    assert "Présenter Léa Martin à Marc Petit" in texts
    assert any("Léa Martin ↔ Marc Petit" in text and "graphiste" in text for text in texts)
    assert any("Marc Petit" in summary for summary in texts[::2] if summary != texts[0])


def test_an_anonymous_give_follows_its_events_name(
    alice: TestClient, client: TestClient, clock: Clock
) -> None:
    salon = event(alice, name="Salon Pro")
    opt_in_gives(alice, name_people=False)
    put_give(
        alice, contact_id=person(alice, "Léa"), event_id=salon["id"], kind="help",
        due_on=paris_today().isoformat(),
    )  # fmt: skip
    path = urlsplit(alice.get("/api/v1/calendar").json()["url"]).path
    first = client.get(path)
    assert "suite à Salon Pro" in first.content.decode()
    clock.set(clock.now() + timedelta(seconds=1))
    assert alice.patch(f"/api/v1/events/{salon['id']}", json={"name": "Salon Pro 2027"}).is_success
    second = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200
    assert "suite à Salon Pro 2027" in second.content.decode()


def test_anonymous_gives_speak_the_owners_language(ann: TestClient, client: TestClient) -> None:
    opt_in_gives(ann, name_people=False)
    put_give(
        ann, contact_id=person(ann, "Lea Martin"), kind="check_in", due_on=paris_today().isoformat()
    )
    path = urlsplit(ann.get("/api/v1/calendar").json()["url"]).path
    texts = _give_texts(client.get(path, headers={"Accept-Language": "fr"}).content)
    assert texts[0] == "Give: Check-in"
    assert "Lea" not in texts[1] and "Givefirst" in texts[1]


def test_another_users_gives_never_appear(
    alice: TestClient, bob: TestClient, client: TestClient
) -> None:
    put_give(
        bob,
        contact_id=person(bob, "Bob's friend"),
        kind="resource",
        title="Bob's give",
        due_on=paris_today().isoformat(),
    )
    assert b"Bob" not in feed(client, alice)


def test_one_give_as_an_ics_file_and_a_google_link(zoe: TestClient) -> None:
    lea = person(zoe, "Léa")
    give = put_give(
        zoe, contact_id=lea, kind="resource", title="Envoyer l’article", due_on="2027-03-02"
    )
    response = zoe.get(f"/api/v1/gives/{give['id']}.ics")
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "text/calendar"
    )
    assert "attachment" in response.headers["content-disposition"]
    vevent = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert vevent.decoded("dtstart") == date(2027, 3, 2)
    assert zoe.get(f"/api/v1/gives/{uuid.uuid4()}.ics").status_code == 404
    page = zoe.get(f"/gives/{give['id']}").text
    link = next(
        part.split('"')[0]
        for part in page.split('href="')
        if part.startswith("https://calendar.google.com")
    )
    query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert query["dates"] == ["20270302/20270303"] and query["text"] == ["Envoyer l’article"]


def test_digest_sections_for_gives_and_follow_ups(
    app: FastAPI, zoe: TestClient, db: Session
) -> None:
    lea = person(zoe, "Léa Martin")
    put_give(
        zoe,
        contact_id=lea,
        kind="resource",
        title="Envoyer le guide",
        due_on=paris_today().isoformat(),
    )
    put_give(
        zoe,
        contact_id=lea,
        kind="check_in",
        title="En retard",
        due_on=(paris_today() - timedelta(days=2)).isoformat(),
    )
    put_give(
        zoe,
        contact_id=lea,
        kind="check_in",
        title="Plus tard",
        due_on=(paris_today() + timedelta(days=2)).isoformat(),
    )
    met = event(zoe, ends_days_ago=1, name="Salon Lumière")
    person(zoe, "Marc", event_id=met["id"])
    user = accounts.user_by_email(db, email="zoe@example.org")
    sections = {
        s.title: s
        for s in digest.digest_sections(
            db, user=user, day=paris_today(), base_url="https://gf.example", sources=SECTIONS
        )
    }
    gives = sections["Gestes pour aujourd’hui"]
    assert [(line.title, line.detail) for line in gives.lines] == [
        ("En retard", "Léa Martin · en retard"),
        ("Envoyer le guide", "Léa Martin"),
    ]
    assert gives.lines[0].url is not None and gives.lines[0].url.startswith(
        "https://gf.example/gives/"
    )
    follow = sections["Personnes à relancer"]
    assert [(line.title, line.detail) for line in follow.lines] == [
        ("Salon Lumière", "Relances faites\u00a0: 0 sur 1")
    ]
    user.locale = "en"
    english = [
        s.title
        for s in digest.digest_sections(
            db, user=user, day=paris_today(), base_url="https://gf.example", sources=SECTIONS
        )
    ]
    assert "Gives for today" in english and "People to follow up" in english


def test_items_written_once_are_shared_through_the_database(
    alice: TestClient, client: TestClient, db: Session
) -> None:
    """After a restart (or on another host) the feed reads its items back, checked by digest."""
    opt_in_gives(alice)
    from sqlmodel import select

    from app.calendar import ical
    from app.calendar import service as calendar
    from app.calendar.models import CalendarItemCache

    def new_process() -> None:
        ical.clear_cache()
        calendar.forget_built_feeds()

    lea = person(alice, "Léa")
    give = put_give(
        alice, contact_id=lea, kind="resource", title="Avant", due_on=paris_today().isoformat()
    )
    first = feed(client, alice)
    db.expire_all()
    rows = {row.uid: row for row in db.exec(select(CalendarItemCache))}
    assert f"give-{give['id']}@givefirst" in rows
    new_process()
    assert feed(client, alice) == first
    alice.patch(f"/api/v1/gives/{give['id']}", json={"title": "Après"})
    new_process()
    assert "SUMMARY:Après" in feed(client, alice).decode()
    alice.patch(f"/api/v1/gives/{give['id']}", json={"status": "done"})
    feed(client, alice)
    db.expire_all()
    assert f"give-{give['id']}@givefirst" not in {
        row.uid for row in db.exec(select(CalendarItemCache))
    }
