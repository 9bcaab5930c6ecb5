"""Every feature's tables, imported in one place for Alembic and the application."""

from app.accounts.models import AccessToken, AuthSession, LoginFailure, User
from app.calendar.models import CalendarFeed, CalendarItemCache
from app.card.models import Card, CardSubmission
from app.contacts.models import (
    Contact,
    ContactPhoto,
    ContactTerm,
    DoNotBringBack,
    Interaction,
    Meeting,
    WantToMeet,
)  # fmt: skip
from app.events.models import Event, EventFeed
from app.gives.models import Give, Referral
from app.network.models import NetworkProfile

__all__ = [
    "AccessToken", "AuthSession", "CalendarFeed", "CalendarItemCache", "Card", "CardSubmission",
    "Contact", "ContactPhoto", "ContactTerm", "DoNotBringBack",
    "Event", "EventFeed", "Give", "Interaction", "LoginFailure", "Meeting", "NetworkProfile",
    "Referral", "User", "WantToMeet",
]  # fmt: skip
