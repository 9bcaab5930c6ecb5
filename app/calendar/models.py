"""Each user's private calendar feed, its preferences, and the morning digest's bookkeeping."""

import uuid
from datetime import date, datetime

from pydantic import StrictBool
from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from app.db import InstantField, utcnow


class CalendarFeed(SQLModel, table=True):
    """One row per user who turned the feed (or the digest) on; the feed's secret is never stored.

    The URL's token is derived from the app's secret and `salt` (see app.calendar.service);
    `token_hash` finds the feed from a URL, and a new salt kills the old URL at once.
    """

    __tablename__ = "calendar_feed"

    user_id: uuid.UUID = Field(primary_key=True, foreign_key="user_account.id", ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    salt: str = Field(max_length=64)
    # Private by default: events only; gives (with the people they are for) are opt-in.
    include_gives: bool = False
    include_notes: bool = False
    # Gives name the person (and carry the give's own words) only when asked: off, a give reads
    # as its kind and its event ("Introduction · after Salon X"), so a shared or synced calendar
    # names nobody.
    name_people: bool = False
    digest: bool = False
    # The user's local day of the last digest sent (or being sent): the claim that makes it once.
    last_digest_on: date | None = None
    digest_failures: int = 0
    # What the feed answered last, so that Last-Modified moves only when the content does.
    content_etag: str = Field(default="", max_length=64)
    # The version of the feed's inputs that answer was built from (see `service.feed_version`):
    # while it is unchanged, the validators above still hold and a revalidation needs no build.
    content_version: str = Field(default="", max_length=64)
    content_changed_at: datetime = InstantField(default_factory=utcnow)
    created_at: datetime = InstantField(default_factory=utcnow)
    updated_at: datetime = InstantField(default_factory=utcnow)


class CalendarItemCache(SQLModel, table=True):
    """An item's VEVENT as icalendar wrote it, with a digest of everything written: shared by
    every app process, so that a feed is fast after a restart and on any host."""

    __tablename__ = "calendar_item_cache"

    owner_id: uuid.UUID = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    uid: str = Field(primary_key=True, max_length=200)
    digest: str = Field(max_length=32)
    ics: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class CalendarLink(SQLModel):
    url: str


class CalendarPreferences(SQLModel):
    include_gives: StrictBool | None = None
    include_notes: StrictBool | None = None
    name_people: StrictBool | None = None
    digest: StrictBool | None = None
