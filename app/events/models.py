"""Events the user will attend (or did), the people they want to meet there, and subscribed feeds."""

import uuid
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import StrictBool, field_serializer
from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import InstantField, utcnow
from app.web.fields import Instant

NAME_MAX = 200
TEXT_MAX = 10_000


class EventKind(StrEnum):
    salon = "salon"
    conference = "conference"
    meetup = "meetup"
    workshop = "workshop"
    other = "other"


class EventStatus(StrEnum):
    interested = "interested"
    going = "going"
    attended = "attended"
    skipped = "skipped"


class EventFields(SQLModel):
    """What a user can write about an event, in the API and in the forms alike."""

    name: str = Field(min_length=1, max_length=NAME_MAX)
    all_day: bool = False
    timezone: str = Field(default="Europe/Paris", max_length=64)
    venue: str | None = Field(default=None, max_length=NAME_MAX)
    address: str | None = Field(default=None, max_length=500)
    city: str | None = Field(default=None, max_length=120)
    country: str | None = Field(default=None, max_length=120)
    url: str | None = Field(default=None, max_length=2000)
    description: str | None = Field(default=None, max_length=TEXT_MAX)
    notes: str | None = Field(default=None, max_length=TEXT_MAX)
    public: bool = False


class Event(EventFields, table=True):
    __table_args__ = (
        UniqueConstraint("owner_id", "source_uid", name="uq_event_owner_id_source_uid"),
        Index("ix_event_owner_id_starts_at", "owner_id", "starts_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    kind: str = Field(default="other", max_length=20)
    status: str = Field(default="interested", max_length=20)
    starts_at: datetime = InstantField()
    ends_at: datetime | None = InstantField(default=None)
    cancelled: bool = False
    source_uid: str | None = Field(default=None, max_length=500)
    feed_id: uuid.UUID | None = Field(
        default=None, foreign_key="event_feed.id", index=True, ondelete="SET NULL"
    )
    series_name: str = Field(default="", max_length=NAME_MAX, index=True)
    series_link: str = Field(default="", max_length=500, index=True)
    # Set once the status moved from going to attended by itself, so a user's correction sticks.
    auto_attended: bool = False
    sequence: int = 0
    created_at: datetime = InstantField(default_factory=utcnow)
    updated_at: datetime = InstantField(default_factory=utcnow)


class EventCreate(EventFields):
    id: uuid.UUID | None = None
    all_day: StrictBool = False
    public: StrictBool = False
    kind: EventKind = EventKind.other
    status: EventStatus = EventStatus.interested
    starts_at: Instant
    ends_at: Instant | None = None


class EventUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    kind: EventKind | None = None
    starts_at: Instant | None = None
    ends_at: Instant | None = None
    all_day: StrictBool | None = None
    timezone: str | None = Field(default=None, max_length=64)
    venue: str | None = Field(default=None, max_length=NAME_MAX)
    address: str | None = Field(default=None, max_length=500)
    city: str | None = Field(default=None, max_length=120)
    country: str | None = Field(default=None, max_length=120)
    url: str | None = Field(default=None, max_length=2000)
    description: str | None = Field(default=None, max_length=TEXT_MAX)
    status: EventStatus | None = None
    notes: str | None = Field(default=None, max_length=TEXT_MAX)
    public: StrictBool | None = None


class EventPublic(EventFields):
    id: uuid.UUID
    kind: EventKind
    status: EventStatus
    starts_at: datetime
    ends_at: datetime | None
    cancelled: bool
    source_uid: str | None
    feed_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime

    @field_serializer("starts_at", "ends_at")
    def _in_event_zone(self, value: datetime | None) -> str | None:
        """Instants are given with the event's own offset (09:00+01:00 for a Paris morning)."""
        return value.astimezone(ZoneInfo(self.timezone)).isoformat() if value else None


class EventFeed(SQLModel, table=True):
    """A calendar feed the user subscribed to; `givefirst jobs run` refreshes it."""

    __tablename__ = "event_feed"
    __table_args__ = (UniqueConstraint("owner_id", "url", name="uq_event_feed_owner_id_url"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    url: str = Field(max_length=2000)
    name: str = Field(default="", max_length=NAME_MAX)
    last_refreshed_at: datetime | None = InstantField(default=None)
    last_error: str | None = Field(default=None, max_length=100)
    # A claim so that two hosts running the jobs at once never refresh the same feed twice.
    claimed_until: datetime | None = InstantField(default=None)
    created_at: datetime = InstantField(default_factory=utcnow)


class EventFeedPublic(SQLModel):
    id: uuid.UUID
    url: str
    name: str
    last_refreshed_at: datetime | None
    last_error: str | None


class ImportedEventPublic(SQLModel):
    source_uid: str | None
    name: str
    kind: EventKind
    starts_at: datetime
    ends_at: datetime | None
    all_day: bool
    timezone: str
    venue: str | None
    address: str | None
    city: str | None
    country: str | None
    url: str | None
    description: str | None
    cancelled: bool
