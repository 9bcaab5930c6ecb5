"""The user's network profile, read by people (keeping-in-touch defaults) and gives (messages)."""

import uuid

from sqlmodel import Session

from app.gives.models import NetworkProfile


def profile_of(session: Session, *, user_id: uuid.UUID) -> NetworkProfile:
    """The user's network profile; the defaults (not stored) until they fill it in."""
    return session.get(NetworkProfile, user_id) or NetworkProfile(user_id=user_id)
