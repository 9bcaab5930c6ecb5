"""The settings section of the calendar feed and the digest, without JavaScript."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.calendar.models import CalendarFeed
from tests.helpers import create_user, one, parse, select_all, sign_in, text_of, texts_of


def _signed_in(app: FastAPI, client: TestClient) -> None:
    create_user(app, "zoe@example.org", "Zoé")
    sign_in(client, "zoe@example.org")


def test_settings_create_show_and_rotate_the_feed_link(app: FastAPI, client: TestClient) -> None:
    _signed_in(app, client)
    page = parse(client.get("/settings").text)
    assert select_all(page, "form[action='/settings/calendar/rotate']")
    assert not select_all(page, "input#calendar-url")
    assert client.post("/settings/calendar/rotate", follow_redirects=False).status_code == 303
    page = parse(client.get("/settings").text)
    url = one(page, "input#calendar-url")["value"]
    assert (
        url is not None and url.startswith("http://testserver/calendar/") and url.endswith(".ics")
    )
    assert url == client.get("/api/v1/calendar").json()["url"]
    webcal = "webcal://" + url.removeprefix("http://")
    assert select_all(page, f"a[href='{webcal}']")
    apps = texts_of(page, "#calendar details li strong")
    assert "Google Agenda / Google Calendar" in apps and "Thunderbird" in apps and "Outlook" in apps
    copy = one(page, "button[data-copy='#calendar-url']")
    assert copy.has_attr("hidden")
    page = parse(client.post("/settings/calendar/rotate").text)
    assert text_of(page, "p.flash").startswith("Votre agenda a un nouveau lien")
    assert one(page, "input#calendar-url")["value"] != url
    assert client.get(url.removeprefix("http://testserver")).status_code == 404


def test_settings_save_what_the_feed_holds_and_the_digest(
    app: FastAPI, client: TestClient, db: Session
) -> None:
    _signed_in(app, client)
    client.post("/settings/calendar/rotate")
    answer = client.post(
        "/settings/calendar", data={"include_notes": "on", "digest": "on"}, follow_redirects=False
    )
    assert answer.status_code == 303
    feed = db.exec(select(CalendarFeed)).one()
    assert (feed.include_gives, feed.include_notes, feed.digest) == (False, True, True)
    page = parse(client.get("/settings").text)
    assert one(page, "input#f-include_notes").has_attr("checked")
    assert not one(page, "input#f-include_gives").has_attr("checked")
    # No SMTP settings on this instance: the page says so.
    assert select_all(page, "small#digest-off")


def test_settings_in_english(app: FastAPI, client: TestClient) -> None:
    create_user(app, "sam@example.org", "Sam", locale="en")
    sign_in(client, "sam@example.org")
    client.post("/settings/calendar/rotate")
    page = parse(client.get("/settings").text)
    assert text_of(page, "label[for=calendar-url]") == "Your private calendar link"
    assert text_of(page, "label[for=f-digest]") == "Send me a morning email with my day"
    assert text_of(page, "label[for=f-name_people]") == "Name the person in give titles"
    assert text_of(page, "small#name-people-help").startswith("Off, a give in your calendar")


def test_naming_people_in_the_feed_is_off_until_ticked(
    app: FastAPI, client: TestClient, db: Session
) -> None:
    _signed_in(app, client)
    client.post("/settings/calendar/rotate")
    page = parse(client.get("/settings").text)
    box = one(page, "input#f-name_people")
    assert not box.has_attr("checked") and box["aria-describedby"] == "name-people-help"
    assert (
        text_of(page, "label[for=f-name_people]") == "Nommer la personne dans le titre des gestes"
    )
    assert "ne nomme personne" in text_of(page, "small#name-people-help")
    data = {"include_gives": "on", "name_people": "on"}
    assert client.post("/settings/calendar", data=data, follow_redirects=False).status_code == 303
    feed = db.exec(select(CalendarFeed)).one()
    assert (feed.include_gives, feed.name_people) == (True, True)
    assert one(parse(client.get("/settings").text), "input#f-name_people").has_attr("checked")
    client.post("/settings/calendar", data={"include_gives": "on"})
    db.expire_all()
    assert db.exec(select(CalendarFeed)).one().name_people is False
