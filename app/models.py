"""Every feature's tables, imported in one place for Alembic and the application."""

from app.accounts.models import AccessToken, AuthSession, LoginFailure, User
from app.calendar.models import CalendarFeed
from app.contacts.models import Contact, ContactPhoto, ContactTerm, Interaction, Meeting
from app.events.models import Event, EventFeed, WantToMeet

__all__ = [
    "AccessToken", "AuthSession", "CalendarFeed", "Contact", "ContactPhoto", "ContactTerm",
    "Event", "EventFeed", "Interaction", "LoginFailure", "Meeting", "User", "WantToMeet",
]  # fmt: skip
