"""Each user's private calendar feed, its preferences, and the morning digest's bookkeeping."""

import uuid
from datetime import date, datetime

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
    include_gives: bool = True
    include_notes: bool = False
    digest: bool = False
    # The user's local day of the last digest sent (or being sent): the claim that makes it once.
    last_digest_on: date | None = None
    digest_failures: int = 0
    # What the feed answered last, so that Last-Modified moves only when the content does.
    content_etag: str = Field(default="", max_length=64)
    content_changed_at: datetime = InstantField(default_factory=utcnow)
    created_at: datetime = InstantField(default_factory=utcnow)
    updated_at: datetime = InstantField(default_factory=utcnow)


class CalendarLink(SQLModel):
    url: str


class CalendarPreferences(SQLModel):
    include_gives: bool | None = None
    include_notes: bool | None = None
    digest: bool | None = None
