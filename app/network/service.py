"""The network profile and the keeping-in-touch rules that people and gives both follow."""

import uuid
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import inspect as sa_inspect
from sqlmodel import Session

from app.accounts.models import User
from app.db import utcnow
from app.network.models import NetworkProfile, NetworkProfileUpdate

CADENCE_MAX_DAYS = 3650


class CadenceListener(Protocol):
    """Told when the keeping-in-touch defaults change (people recompute their next touch):
    wired in `app.wiring`."""

    def __call__(self, session: Session, *, owner: User) -> None: ...


def profile_of(session: Session, *, user_id: uuid.UUID) -> NetworkProfile:
    """The user's network profile; the defaults (not stored) until they fill it in. Kept for
    the session, so that a request asks once even while nothing is stored."""
    key = ("network_profile", user_id)
    profile = session.info.get(key)
    if profile is None or sa_inspect(profile).detached:
        profile = session.get(NetworkProfile, user_id) or NetworkProfile(user_id=user_id)
        session.info[key] = profile
    return profile


def cadence_for(
    profile: NetworkProfile, *, own_days: int | None, tags: Sequence[str], met_at_event: bool
) -> int | None:
    """Days between touches: the person's own, else their first tag's default, else the default
    for people met at events; None when no reminder is wanted."""
    days = own_days
    if days is None:
        by_tag = {tag.casefold(): value for tag, value in (profile.tag_cadences or {}).items()}
        days = next((by_tag[t.casefold()] for t in tags if t.casefold() in by_tag), None)
    if days is None and met_at_event:
        days = profile.event_cadence_days
    return days or None


def update_profile(
    session: Session,
    *,
    owner: User,
    data: NetworkProfileUpdate,
    listeners: Sequence[CadenceListener] = (),
) -> NetworkProfile:
    """Change the specialty, who I help, the trigger keyword, the referral offer, and the
    keeping-in-touch defaults (the listeners then recompute every person's next touch)."""
    profile = profile_of(session, user_id=owner.id)
    changes = data.model_dump(exclude_unset=True)
    for name, value in changes.items():
        if value is None:
            continue
        if name == "tag_cadences":
            value = {
                str(k).strip()[:50]: max(0, min(int(v), CADENCE_MAX_DAYS))
                for k, v in value.items()
                if str(k).strip()
            }
        setattr(profile, name, value.strip() if isinstance(value, str) else value)
    profile.updated_at = utcnow()
    session.add(profile)
    session.flush()
    if {"event_cadence_days", "tag_cadences"} & changes.keys():
        for listener in listeners:
            listener(session, owner=owner)
    return profile
