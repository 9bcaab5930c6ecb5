"""The morning digest: one email a day, in the user's language and time zone, for those who opt in.

`givefirst jobs run` may start on several hosts at the same moment: each user's day is claimed by
one conditional UPDATE (`last_digest_on < today`), committed before the email leaves, so only one
run sends it. A failed send gives the claim back (and counts the failure) so the next run retries.
"""

import hashlib
import hmac
import logging
import smtplib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.calendar.models import CalendarFeed
from app.config import Settings
from app.db import utcnow
from app.errors import NotFound
from app.web.i18n import babel_locale, gettext, use_locale
from app.web.templating import env

log = logging.getLogger("givefirst.digest")

SEND_AFTER = time(7, 0)
MAX_FAILURES = 5
UNSUBSCRIBE_CONTEXT = b"givefirst-digest-unsubscribe\x00"


@dataclass
class DigestLine:
    title: str
    detail: str = ""
    url: str | None = None


@dataclass
class DigestSection:
    title: str
    lines: list[DigestLine] = field(default_factory=list)


class SectionSource(Protocol):
    """A section a feature adds to every digest (events today, gives due): wired in `app.wiring`."""

    def __call__(
        self, session: Session, user: User, day: date, base_url: str
    ) -> DigestSection | None: ...


def digest_sections(
    session: Session, *, user: User, day: date, base_url: str, sources: Sequence[SectionSource]
) -> list[DigestSection]:
    """What the user's digest says for this day, in their language; empty when nothing."""
    with use_locale(user.locale):
        found = (source(session, user, day, base_url) for source in sources)
        return [section for section in found if section is not None]


def unsubscribe_key(*, secret: str, user_id: uuid.UUID) -> str:
    """The signature that lets an unsubscribe link work without signing in."""
    return hmac.new(
        secret.encode(), UNSUBSCRIBE_CONTEXT + user_id.bytes, hashlib.sha256
    ).hexdigest()


def unsubscribe_url(*, base_url: str, secret: str, user_id: uuid.UUID) -> str:
    """The link at the bottom of every digest."""
    key = unsubscribe_key(secret=secret, user_id=user_id)
    return f"{base_url}/digest/unsubscribe?" + urlencode({"user": str(user_id), "key": key})


def check_unsubscribe(session: Session, *, user_id: str, key: str, secret: str) -> CalendarFeed:
    """The feed settings an unsubscribe link is for; 404 when the link is not genuine."""
    try:
        parsed = uuid.UUID(user_id)
    except ValueError:
        raise NotFound() from None
    expected = unsubscribe_key(secret=secret, user_id=parsed)
    feed = session.get(CalendarFeed, parsed)
    if feed is None or not hmac.compare_digest(expected, key):
        raise NotFound()
    return feed


def unsubscribe(session: Session, *, user_id: str, key: str, secret: str) -> None:
    """Stop the digest for the link's user."""
    feed = check_unsubscribe(session, user_id=user_id, key=key, secret=secret)
    feed.digest = False
    feed.updated_at = utcnow()
    session.add(feed)


def compose(
    *,
    user: User,
    day: date,
    sections: list[DigestSection],
    sender: str,
    unsubscribe_link: str,
    base_url: str,
) -> EmailMessage:
    """The digest email: plain text and HTML, with a List-Unsubscribe header."""
    with use_locale(user.locale):
        day_text = format_date(day, "full", locale=babel_locale(user.locale))
        subject = gettext("Your day: %(day)s") % {"day": day_text}
        context = {
            "user": user,
            "day": day_text,
            "sections": sections,
            "unsubscribe": unsubscribe_link,
            "base_url": base_url,
        }
        text = env.get_template("calendar/digest.txt").render(context)
        html = env.get_template("calendar/digest.html").render(context | {"locale": user.locale})
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = user.email
    message["List-Unsubscribe"] = f"<{unsubscribe_link}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def smtp_send(settings: Settings, message: EmailMessage) -> None:
    """Hand one email to the configured SMTP server."""
    assert settings.smtp_host
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        smtp.send_message(message)


def local_day(user: User, now: datetime) -> tuple[date, bool]:
    """The user's local date, and whether their morning has come."""
    local = now.astimezone(ZoneInfo(user.timezone))
    return local.date(), local.time() >= SEND_AFTER


def claim(session: Session, *, user_id: uuid.UUID, day: date) -> bool:
    """Take this user's digest for the day; only one caller wins (committed by the caller)."""
    result = session.exec(  # type: ignore[call-overload]
        update(CalendarFeed)
        .where(
            col(CalendarFeed.user_id) == user_id,
            col(CalendarFeed.digest).is_(True),
            or_(col(CalendarFeed.last_digest_on).is_(None), col(CalendarFeed.last_digest_on) < day),
        )
        .values(last_digest_on=day)
    )
    return bool(result.rowcount == 1)


def release(session: Session, *, user_id: uuid.UUID, day: date, previous: date | None) -> None:
    """Give a claimed day back after a failed send, so that the next run retries (a few times)."""
    feed = session.get(CalendarFeed, user_id)
    if feed is None or feed.last_digest_on != day:
        return
    feed.digest_failures += 1
    if feed.digest_failures < MAX_FAILURES:
        feed.last_digest_on = previous
    else:
        feed.digest_failures = 0  # today is given up; tomorrow starts afresh
    session.add(feed)


Sender = Callable[[Settings, EmailMessage], None]


def send_digests(
    session: Session,
    *,
    settings: Settings,
    sections: Sequence[SectionSource],
    now: datetime | None = None,
    send: Sender = smtp_send,
) -> str:
    """Send the morning digests that are due; each user is claimed and committed on its own."""
    if not settings.smtp_host or not settings.smtp_from:
        return "digests: no SMTP settings"
    if not settings.base_url:
        return "digests: GIVEFIRST_BASE_URL is needed for the links"
    base_url = settings.base_url.rstrip("/")
    now = now or utcnow()
    candidates = [
        (feed.user_id, feed.last_digest_on, user.timezone)
        for feed, user in session.exec(
            select(CalendarFeed, User)
            .join(User, col(User.id) == CalendarFeed.user_id)
            .where(col(CalendarFeed.digest).is_(True))
        )
    ]
    session.rollback()
    sent = empty = failed = 0
    for user_id, previous, timezone in candidates:
        local = now.astimezone(ZoneInfo(timezone))
        day = local.date()
        if local.time() < SEND_AFTER or (previous is not None and previous >= day):
            continue
        won = claim(session, user_id=user_id, day=day)
        session.commit()
        if not won:
            continue
        try:
            user = session.get(User, user_id)
            assert user is not None
            found = digest_sections(
                session, user=user, day=day, base_url=base_url, sources=sections
            )
            if not found:
                empty += 1
                continue
            message = compose(
                user=user,
                day=day,
                sections=found,
                sender=settings.smtp_from,
                unsubscribe_link=unsubscribe_url(
                    base_url=base_url, secret=settings.secret, user_id=user_id
                ),
                base_url=base_url,
            )
            send(settings, message)
            feed = session.get(CalendarFeed, user_id)
            if feed is not None and feed.digest_failures:
                feed.digest_failures = 0
                session.add(feed)
            session.commit()
            sent += 1
        except Exception:
            # One failure never blocks the others; the day is given back for the next run.
            session.rollback()
            log.exception("digest for %s could not be sent", user_id)
            release(session, user_id=user_id, day=day, previous=previous)
            session.commit()
            failed += 1
    return f"digests sent: {sent}, nothing to say: {empty}, failed: {failed}"
