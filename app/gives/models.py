"""Gives (what the user offers, with nothing expected back), referrals received, and the user's
network profile (specialty, who they help, trigger keyword, keeping-in-touch defaults).

Nothing here records what a contact owes, gave back or "should" do, and no person has a score.
"""

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.db import InstantField, utcnow
from app.web.fields import Day, Instant

TITLE_MAX = 200
TEXT_MAX = 10_000


class GiveKind(StrEnum):
    introduction = "introduction"
    resource = "resource"
    recommendation = "recommendation"
    invitation = "invitation"
    help = "help"
    congratulation = "congratulation"
    check_in = "check_in"


class GiveStatus(StrEnum):
    idea = "idea"
    planned = "planned"
    done = "done"
    skipped = "skipped"


class IntroState(StrEnum):
    """An introduction with double opt-in: ask B first, introduce once B agrees."""

    draft = "draft"
    asked = "asked"
    accepted = "accepted"
    declined = "declined"
    introduced = "introduced"


class Give(SQLModel, table=True):
    __table_args__ = (
        Index("ix_give_owner_id_status_due_on", "owner_id", "status", "due_on"),
        Index("ix_give_owner_id_event_id", "owner_id", "event_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="user_account.id", ondelete="CASCADE")
    contact_id: uuid.UUID = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    other_contact_id: uuid.UUID | None = Field(
        default=None, foreign_key="contact.id", index=True, ondelete="SET NULL"
    )
    event_id: uuid.UUID | None = Field(default=None, foreign_key="event.id", ondelete="SET NULL")
    kind: str = Field(default="resource", max_length=20)
    title: str = Field(max_length=TITLE_MAX)
    details: str | None = Field(default=None, max_length=TEXT_MAX)
    due_on: date | None = None
    status: str = Field(default="planned", max_length=10)
    done_at: datetime | None = InstantField(default=None)
    intro_state: str | None = Field(default=None, max_length=12)
    intro_why: str | None = Field(default=None, max_length=2000)
    sequence: int = 0
    created_at: datetime = InstantField(default_factory=utcnow)
    updated_at: datetime = InstantField(default_factory=utcnow)


class GiveWrite(SQLModel):
    """PUT (create or update) and PATCH: fields left out stay as they are. Without `due_on`, a
    planned give is due on a sensible day for its kind (e.g. two days after the event ends)."""

    contact_id: uuid.UUID | None = None
    other_contact_id: uuid.UUID | None = None
    event_id: uuid.UUID | None = None
    kind: GiveKind | None = None
    title: str | None = Field(default=None, max_length=TITLE_MAX)
    details: str | None = Field(default=None, max_length=TEXT_MAX)
    due_on: Day | None = None
    status: GiveStatus | None = None
    done_at: Instant | None = None
    intro_state: IntroState | None = None
    intro_why: str | None = Field(default=None, max_length=2000)


class GivePublic(SQLModel):
    id: uuid.UUID
    contact_id: uuid.UUID
    other_contact_id: uuid.UUID | None
    event_id: uuid.UUID | None
    kind: GiveKind
    title: str
    details: str | None
    due_on: date | None
    status: GiveStatus
    done_at: datetime | None
    intro_state: IntroState | None
    intro_why: str | None
    created_at: datetime
    updated_at: datetime


class Referral(SQLModel, table=True):
    """Someone sent business the user's way: when, whom they sent, a note. Shown as a thank-you
    reminder and in monthly totals, never as a balance against that person."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    contact_id: uuid.UUID = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    received_on: date
    whom: str = Field(default="", max_length=TITLE_MAX)
    note: str | None = Field(default=None, max_length=TEXT_MAX)
    created_at: datetime = InstantField(default_factory=utcnow)


class ReferralCreate(SQLModel):
    id: uuid.UUID | None = None
    received_on: Day | None = None
    whom: str = Field(default="", max_length=TITLE_MAX)
    note: str | None = Field(default=None, max_length=TEXT_MAX)


class ReferralPublic(SQLModel):
    id: uuid.UUID
    contact_id: uuid.UUID
    received_on: date
    whom: str
    note: str | None


class FollowUpPerson(SQLModel):
    """Someone met at an event, with what they said and the gives planned or done for them."""

    contact_id: uuid.UUID
    full_name: str
    company: str | None
    hook: str | None
    needs: str | None
    met_at: datetime
    followed_up: bool
    gives: list[GivePublic]
    suggestion: dict[str, str] | None


class FollowUpList(SQLModel):
    event_id: uuid.UUID
    event_name: str
    ends_at: datetime
    deadline: datetime
    followed_up: int
    total: int
    people: list[FollowUpPerson]
