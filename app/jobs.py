"""Periodic work for `givefirst jobs run`, safe to start from cron on several hosts at once."""

from sqlalchemy import delete
from sqlmodel import Session, col

from app.accounts.models import LoginFailure
from app.accounts.service import THROTTLE_WINDOW
from app.config import Settings
from app.db import utcnow


def run_all(session: Session, *, settings: Settings) -> str:
    """Run every periodic task; each commits its own work so one failure never blocks another."""
    cutoff = utcnow() - THROTTLE_WINDOW
    result = session.exec(delete(LoginFailure).where(col(LoginFailure.at) < cutoff))  # type: ignore[call-overload]
    session.commit()
    return f"expired sign-in counters removed: {result.rowcount}"
