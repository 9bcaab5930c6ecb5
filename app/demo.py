"""Sample data for `givefirst demo`: each feature adds its part to fill()."""

import secrets

from sqlmodel import Session, select

from app.accounts import service as accounts
from app.accounts.models import User
from app.contacts import demo as demo_people
from app.events import demo as demo_events
from app.gives import demo as demo_gives

DEMO_EMAIL = "demo@givefirst.invalid"


def demo_account(session: Session, *, email: str | None, timezone: str) -> tuple[User, str | None]:
    """The account to fill: the one named, the only one, or a new demo account (with its password)."""
    if email:
        return accounts.user_by_email(session, email=email), None
    users = list(session.exec(select(User).limit(2)))
    if len(users) == 1:
        return users[0], None
    existing = session.exec(select(User).where(User.email == DEMO_EMAIL)).first()
    if existing:
        return existing, None
    password = secrets.token_urlsafe(12)
    user = accounts.create_user(
        session,
        email=DEMO_EMAIL,
        password=password,
        display_name="Camille Martin",
        timezone=timezone,
    )
    return user, password


def fill(session: Session, *, user: User) -> str:
    """Fill the account with realistic sample data; returns a one-line summary."""
    if not user.display_name:
        user.display_name = "Camille Martin"
        session.add(user)
    added = demo_events.add_events(session, user=user)
    session.flush()
    people = demo_people.add_people(session, user=user)
    session.flush()
    given = demo_gives.add_gives(session, user=user)
    return (
        f"demo data ready for {user.email}: {added} events added, {people} people added, "
        f"{given} gives added"
    )
