"""The morning digest against a real local SMTP server: content, language, once a day, unsubscribe."""

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app import jobs
from app.accounts import service as accounts
from app.calendar import digest
from app.calendar.models import CalendarFeed
from app.config import Settings
from app.wiring import wiring
from tests.helpers import Clock, create_user, one, text_of

SECTIONS = wiring().digest_sections

PARIS = ZoneInfo("Europe/Paris")
MORNING = datetime(2027, 3, 10, 8, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _morning(clock: Clock) -> None:
    """The app's clock reads the digest's morning, as the job would when it runs."""
    clock.set(MORNING)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)
            )
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def mail_settings(settings: Settings, inbox: tuple[Inbox, int]) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": inbox[1],
            "smtp_starttls": False,
            "smtp_from": "Givefirst <givefirst@example.org>",
            "base_url": "https://givefirst.example.org",
        }
    )


def _user_with_digest(
    app: FastAPI, settings: Settings, email_address: str, locale: str, timezone: str
) -> None:
    create_user(app, email_address, "Zoé" if locale == "fr" else "Sam", locale=locale)
    with Session(app.state.engine) as session:
        user = accounts.user_by_email(session, email=email_address)
        user.timezone = timezone
        session.add(user)
        from app.calendar import service as calendar
        from app.events import service as events
        from app.events.models import EventCreate

        calendar.set_preferences(session, user=user, secret=settings.secret, digest=True)
        events.create_event(
            session,
            owner=user,
            data=EventCreate(
                name="Salon des Entrepreneurs",
                starts_at=datetime(2027, 3, 10, 10, 0),
                ends_at=datetime(2027, 3, 10, 18, 0),
                timezone=timezone,
                venue="Palais des Congrès",
                status="going",  # type: ignore[arg-type]
            ),
        )
        events.create_event(
            session,
            owner=user,
            data=EventCreate(
                name="Demain, pas aujourd’hui",
                starts_at=datetime(2027, 3, 11, 10, 0),
                timezone=timezone,
                status="going",  # type: ignore[arg-type]
            ),
        )
        session.commit()


def _parts(message: Message) -> tuple[str, str]:
    assert message.get_content_type() == "multipart/alternative"
    text = html = ""
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if part.get_content_type() == "text/plain":
            text = payload.decode(part.get_content_charset() or "utf-8")  # type: ignore[union-attr]
        elif part.get_content_type() == "text/html":
            html = payload.decode(part.get_content_charset() or "utf-8")  # type: ignore[union-attr]
    return text, html


def test_digest_says_todays_events_in_the_users_language_and_zone(
    app: FastAPI, db: Session, mail_settings: Settings, inbox: tuple[Inbox, int]
) -> None:
    _user_with_digest(app, mail_settings, "zoe@example.org", "fr", "Europe/Paris")
    _user_with_digest(app, mail_settings, "sam@example.org", "en", "America/New_York")
    report = digest.send_digests(db, settings=mail_settings, sections=SECTIONS, now=MORNING)
    # 08:00 in Paris is 02:00 in New York: Sam's morning has not come.
    assert report.startswith("digests sent: 1,")
    (message,) = inbox[0].messages
    assert message["To"] == "zoe@example.org"
    assert message["Subject"] == "Votre journée\u00a0: mercredi 10 mars 2027"
    text, html = _parts(message)
    assert "Bonjour Zoé," in text
    assert "Les événements du jour" in text
    assert "Salon des Entrepreneurs (10:00 · Palais des Congrès)" in text
    assert "Demain" not in text
    assert "Palais des Congrès" in html and "<a href=" in html
    assert message["List-Unsubscribe"].startswith("<https://givefirst.example.org/digest/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    sam_morning = datetime(2027, 3, 10, 7, 30, tzinfo=ZoneInfo("America/New_York"))
    digest.send_digests(db, settings=mail_settings, sections=SECTIONS, now=sam_morning)
    english = inbox[0].messages[-1]
    assert english["To"] == "sam@example.org"
    assert english["Subject"] == "Your day: Wednesday, 10 March 2027"
    text, _html = _parts(english)
    assert "Good morning Sam," in text and "Salon des Entrepreneurs (10:00" in text
    # Both had theirs today: nothing more.
    assert digest.send_digests(
        db, settings=mail_settings, sections=SECTIONS, now=sam_morning
    ).startswith("digests sent: 0,")
    assert len(inbox[0].messages) == 2


def test_two_overlapping_runs_send_one_email(
    app: FastAPI, mail_settings: Settings, inbox: tuple[Inbox, int]
) -> None:
    _user_with_digest(app, mail_settings, "zoe@example.org", "fr", "Europe/Paris")
    barrier = threading.Barrier(2)
    reports: list[str] = []

    def run() -> None:
        with Session(app.state.engine) as session:
            barrier.wait()
            reports.append(
                digest.send_digests(session, settings=mail_settings, sections=SECTIONS, now=MORNING)
            )

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(reports) == 2
    assert len(inbox[0].messages) == 1


def test_only_one_claim_wins_a_day(app: FastAPI, mail_settings: Settings) -> None:
    _user_with_digest(app, mail_settings, "zoe@example.org", "fr", "Europe/Paris")
    with Session(app.state.engine) as first, Session(app.state.engine) as second:
        user_id = accounts.user_by_email(first, email="zoe@example.org").id
        first.rollback()
        assert digest.claim(first, user_id=user_id, day=MORNING.date())
        first.commit()
        assert not digest.claim(second, user_id=user_id, day=MORNING.date())
        second.commit()


def test_a_failed_send_is_retried_on_the_next_run(
    app: FastAPI, db: Session, mail_settings: Settings, inbox: tuple[Inbox, int]
) -> None:
    _user_with_digest(app, mail_settings, "zoe@example.org", "fr", "Europe/Paris")

    def broken(settings: Settings, message: EmailMessage) -> None:
        raise ConnectionRefusedError("the mail server is down")

    report = digest.send_digests(
        db, settings=mail_settings, sections=SECTIONS, now=MORNING, send=broken
    )
    assert report.endswith("failed: 1")
    feed = db.exec(__import__("sqlmodel").select(CalendarFeed)).one()
    db.refresh(feed)
    assert feed.last_digest_on is None and feed.digest_failures == 1
    assert digest.send_digests(
        db, settings=mail_settings, sections=SECTIONS, now=MORNING
    ).startswith("digests sent: 1,")
    assert len(inbox[0].messages) == 1


def test_jobs_run_sends_the_digest(
    app: FastAPI, db: Session, mail_settings: Settings, inbox: tuple[Inbox, int]
) -> None:
    _user_with_digest(app, mail_settings, "zoe@example.org", "fr", "Europe/Paris")
    report = jobs.run_all(db, settings=mail_settings, sections=SECTIONS)
    assert "digests sent:" in report


def test_without_smtp_settings_nothing_is_sent(db: Session, settings: Settings) -> None:
    assert (
        digest.send_digests(db, settings=settings, sections=SECTIONS, now=MORNING)
        == "digests: no SMTP settings"
    )


def test_unsubscribe_works_without_signing_in(
    app: FastAPI,
    db: Session,
    mail_settings: Settings,
    inbox: tuple[Inbox, int],
    client: TestClient,
) -> None:
    _user_with_digest(app, mail_settings, "zoe@example.org", "fr", "Europe/Paris")
    digest.send_digests(db, settings=mail_settings, sections=SECTIONS, now=MORNING)
    link = inbox[0].messages[0]["List-Unsubscribe"].strip("<>")
    parts = urlsplit(link)
    local = f"{parts.path}?{parts.query}"
    # The app under test uses the same secret as the mail settings.
    page = client.get(local)
    assert page.status_code == 200
    form = one(page, "main form[method=post]")
    assert form["action"] == local
    tampered = local[:-4] + "0000"
    assert client.post(tampered).status_code == 404
    done = client.post(local)
    assert done.status_code == 200
    assert "vous ne recevrez plus" in text_of(done, "main p[role=status]")
    feed = db.exec(__import__("sqlmodel").select(CalendarFeed)).one()
    db.refresh(feed)
    assert feed.digest is False
    later = datetime(2027, 3, 11, 8, 0, tzinfo=PARIS)
    digest.send_digests(db, settings=mail_settings, sections=SECTIONS, now=later)
    assert len(inbox[0].messages) == 1
    assert datetime.now(UTC)  # the link stays valid: it carries no expiry
