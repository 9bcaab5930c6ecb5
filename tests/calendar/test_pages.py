"""The settings section of the calendar feed and the digest, without JavaScript."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.calendar.models import CalendarFeed
from tests.helpers import Page, create_user, sign_in


def _signed_in(app: FastAPI, client: TestClient) -> None:
    create_user(app, "zoe@example.org", "Zoé")
    sign_in(client, "zoe@example.org")


def test_settings_create_show_and_rotate_the_feed_link(app: FastAPI, client: TestClient) -> None:
    _signed_in(app, client)
    page = Page(client.get("/settings").text)
    assert page.find("form", action="/settings/calendar/rotate") is not None
    assert page.find("input", id="calendar-url") is None
    assert client.post("/settings/calendar/rotate", follow_redirects=False).status_code == 303
    page = Page(client.get("/settings").text)
    url = page.find("input", id="calendar-url")["value"]  # type: ignore[index]
    assert (
        url is not None and url.startswith("http://testserver/calendar/") and url.endswith(".ics")
    )
    assert url == client.get("/api/v1/calendar").json()["url"]
    webcal = "webcal://" + url.removeprefix("http://")
    assert page.find("a", href=webcal) is not None
    assert "Google Agenda" in page.text and "Thunderbird" in page.text and "Outlook" in page.text
    copy = page.find("button", **{"data-copy": "#calendar-url"})
    assert copy is not None and "hidden" in copy
    page = Page(client.post("/settings/calendar/rotate").text)
    assert "Votre agenda a un nouveau lien" in page.text
    assert page.find("input", id="calendar-url")["value"] != url  # type: ignore[index]
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
    page = Page(client.get("/settings").text)
    assert "checked" in page.find("input", id="f-include_notes")  # type: ignore[operator]
    assert "checked" not in page.find("input", id="f-include_gives")  # type: ignore[operator]
    # No SMTP settings on this instance: the page says so.
    assert page.find("small", id="digest-off") is not None


def test_settings_in_english(app: FastAPI, client: TestClient) -> None:
    create_user(app, "sam@example.org", "Sam", locale="en")
    sign_in(client, "sam@example.org")
    client.post("/settings/calendar/rotate")
    page = Page(client.get("/settings").text)
    assert "Your private calendar link" in page.text
    assert "Send me a morning email with my day" in page.text
