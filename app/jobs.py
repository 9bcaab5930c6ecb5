"""Periodic work for `givefirst jobs run`, safe to start from cron on several hosts at once."""

import logging
from collections.abc import Sequence

from sqlalchemy import delete
from sqlmodel import Session, col

from app.accounts.models import AuthSession, LoginFailure
from app.accounts.service import THROTTLE_WINDOW
from app.calendar import digest
from app.config import Settings
from app.db import utcnow
from app.events import service as events
from app.events.importing import service as imports

log = logging.getLogger("givefirst.jobs")


def refresh_feeds(session: Session, *, settings: Settings) -> str:
    """Refresh subscribed feeds; each is claimed, then committed on its own."""
    refreshed = failed = 0
    for feed_id in imports.due_feeds(session):
        won = imports.claim_feed(session, feed_id=feed_id)
        session.commit()
        if not won:
            continue
        try:
            ok = imports.refresh_feed(
                session, feed_id=feed_id, allow_private=settings.allow_private_urls
            )
            session.commit()
        except Exception:
            # One broken feed must never block the others; the claim expires by itself.
            session.rollback()
            log.exception("feed %s could not be refreshed", feed_id)
            ok = False
        refreshed, failed = (refreshed + 1, failed) if ok else (refreshed, failed + 1)
    return f"feeds refreshed: {refreshed}, failed: {failed}"


def send_digests(
    session: Session, *, settings: Settings, sections: Sequence[digest.SectionSource]
) -> str:
    """Send the morning digests that are due; a failure here never stops the other tasks."""
    try:
        return digest.send_digests(session, settings=settings, sections=sections)
    except Exception:
        session.rollback()
        log.exception("digests could not be sent")
        return "digests: failed"


def run_all(
    session: Session, *, settings: Settings, sections: Sequence[digest.SectionSource]
) -> str:
    """Run every periodic task; each commits its own work so one failure never blocks another."""
    now = utcnow()
    # Deletes are idempotent: two hosts running them at once do no harm.
    counters = session.exec(
        delete(LoginFailure).where(col(LoginFailure.at) < now - THROTTLE_WINDOW)
    )  # type: ignore[call-overload]
    sessions = session.exec(delete(AuthSession).where(col(AuthSession.expires_at) < now))  # type: ignore[call-overload]
    attended = events.mark_attended(session, now=now)
    session.commit()
    report = [
        f"expired sign-in counters removed: {counters.rowcount}",
        f"expired sessions removed: {sessions.rowcount}",
        f"events marked attended: {attended}",
        # Digests first: feeds wait on other sites (each fetch bounded by one deadline and by
        # fetching.MAX_CONCURRENT_FETCHES), and one slow feed must never delay the mornings.
        send_digests(session, settings=settings, sections=sections),
        refresh_feeds(session, settings=settings),
    ]
    return "; ".join(report)
