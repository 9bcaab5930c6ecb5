"""People the user met: the person, where and when they met (meetings), interactions, photos,
and the search terms that make 100,000 people searchable in milliseconds."""

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import StrictBool, field_validator
from sqlalchemy import Column, Index, LargeBinary, String, UniqueConstraint, func, text
from sqlmodel import JSON, Field, SQLModel

from app.db import InstantField, empty_list, utcnow
from app.web.fields import Instant

NAME_MAX = 200
LINE_MAX = 500
TEXT_MAX = 10_000
TAG_MAX = 50
TAGS_MAX = 30

# A person's free-text fields, in the order forms, imports and exports show them.
TEXT_FIELDS = (
    "full_name", "company", "role", "email", "phone", "url", "hook", "needs", "notes",
)  # fmt: skip


class AddressAs(StrEnum):
    """How prepared messages address a person in French: *vous* (the default) or *tu*."""

    tu = "tu"
    vous = "vous"


class InteractionKind(StrEnum):
    coffee = "coffee"
    call = "call"
    message = "message"
    note = "note"


def clean_tags(value: list[str] | None) -> list[str]:
    """Tags as the user means them: trimmed, without '#', without repeats (case-insensitively)."""
    seen: set[str] = set()
    tags: list[str] = []
    for raw in value or []:
        tag = " ".join(str(raw).strip().lstrip("#").split())[:TAG_MAX]
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags[:TAGS_MAX]


class ContactFields(SQLModel):
    """What a user can write about a person, in the API and in the forms alike."""

    full_name: str = Field(default="", max_length=NAME_MAX)
    company: str | None = Field(default=None, max_length=NAME_MAX)
    role: str | None = Field(default=None, max_length=NAME_MAX)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=50)
    url: str | None = Field(default=None, max_length=2000)
    hook: str | None = Field(default=None, max_length=LINE_MAX * 4)
    needs: str | None = Field(default=None, max_length=LINE_MAX * 4)
    notes: str | None = Field(default=None, max_length=TEXT_MAX)


class Contact(ContactFields, table=True):
    """A person the user met. `recent_at` (last met, else added) orders the list."""

    __table_args__ = (
        Index("ix_contact_owner_id_sort_name", "owner_id", "sort_name", "id"),
        Index("ix_contact_owner_id_recent_at", "owner_id", "recent_at", "id"),
        Index("ix_contact_owner_id_email", "owner_id", "email"),
        # E-mail addresses are matched ignoring case (duplicates, imports).
        Index("ix_contact_owner_id_lower_email", "owner_id", func.lower(text("email"))),
        Index("ix_contact_owner_id_source_uid", "owner_id", "source_uid"),
        Index("ix_contact_owner_id_touch_due_on", "owner_id", "touch_due_on"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="user_account.id", ondelete="CASCADE")
    tags: list[str] = Field(default_factory=empty_list, sa_type=JSON)
    met_through_id: uuid.UUID | None = Field(
        default=None, foreign_key="contact.id", ondelete="SET NULL", index=True
    )
    sort_name: str = Field(default="", max_length=NAME_MAX)
    source_uid: str | None = Field(default=None, max_length=500)
    photo_type: str | None = Field(default=None, max_length=20)
    last_met_at: datetime | None = InstantField(default=None)
    last_interaction_at: datetime | None = InstantField(default=None)
    recent_at: datetime = InstantField(default_factory=utcnow)
    # Keeping in touch: days between touches (None: the defaults of the settings, 0: never),
    # the day the next touch is due (kept up to date), and a snooze.
    cadence_days: int | None = None
    touch_due_on: date | None = None
    touch_snoozed_until: date | None = None
    # The second article's stages, ticked by the user: they know what I do, they would
    # recommend me. Never a score.
    knows_what_i_do: bool = False
    would_recommend: bool = False
    # "tu" or "vous" in prepared messages; None: the user's default (network profile).
    address_as: str | None = Field(default=None, max_length=4)
    created_at: datetime = InstantField(default_factory=utcnow)
    updated_at: datetime = InstantField(default_factory=utcnow)


class ContactWrite(SQLModel):
    """A body for PUT (create or update) and PATCH: fields left out stay as they are.

    With `event_id`, the person is recorded as met at that event, at `met_at` (default: now), with
    `meeting_note` (default: the hook) on that meeting: met again, a known person keeps their hook.
    `photo` is a data URL (`data:image/jpeg;base64,...`) so that an offline capture is one request.
    `want_to_meet_id` says "this is someone I wanted to meet": the entry then points to this
    person, and why the user wanted to meet them is added to the person's notes.
    """

    full_name: str | None = Field(default=None, max_length=NAME_MAX)
    company: str | None = Field(default=None, max_length=NAME_MAX)
    role: str | None = Field(default=None, max_length=NAME_MAX)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=50)
    url: str | None = Field(default=None, max_length=2000)
    hook: str | None = Field(default=None, max_length=LINE_MAX * 4)
    needs: str | None = Field(default=None, max_length=LINE_MAX * 4)
    notes: str | None = Field(default=None, max_length=TEXT_MAX)
    tags: list[str] | None = Field(default=None, max_length=TAGS_MAX * 2)
    met_through_id: uuid.UUID | None = None
    want_to_meet_id: uuid.UUID | None = None
    cadence_days: int | None = Field(default=None, ge=0, le=3650)
    knows_what_i_do: StrictBool | None = None
    would_recommend: StrictBool | None = None
    address_as: AddressAs | None = None
    event_id: uuid.UUID | None = None
    met_at: Instant | None = None
    meeting_note: str | None = Field(default=None, max_length=LINE_MAX * 4)
    photo: str | None = Field(default=None, max_length=3_000_000)

    @field_validator("tags")
    @classmethod
    def _clean_tags(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else clean_tags(value)


class MeetingPublic(SQLModel):
    id: uuid.UUID
    event_id: uuid.UUID | None
    event_name: str | None = None
    met_at: datetime
    note: str | None


class ContactPublic(ContactFields):
    id: uuid.UUID
    tags: list[str]
    met_through_id: uuid.UUID | None
    cadence_days: int | None
    touch_due_on: date | None
    knows_what_i_do: bool
    would_recommend: bool
    address_as: AddressAs | None = None
    has_photo: bool
    photo_url: str | None
    last_met_at: datetime | None
    last_interaction_at: datetime | None
    created_at: datetime
    updated_at: datetime
    meetings: list[MeetingPublic] = []


class ContactPage(SQLModel):
    """One page of people; `next_cursor` asks for the next page, null on the last one."""

    items: list[ContactPublic]
    next_cursor: str | None


class Meeting(SQLModel, table=True):
    """The user met this person at this event (or elsewhere), at this moment."""

    __table_args__ = (
        UniqueConstraint("contact_id", "event_id", name="uq_meeting_contact_id_event_id"),
        Index("ix_meeting_owner_id_event_id", "owner_id", "event_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="user_account.id", ondelete="CASCADE")
    contact_id: uuid.UUID = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    event_id: uuid.UUID | None = Field(default=None, foreign_key="event.id", ondelete="SET NULL")
    met_at: datetime = InstantField(default_factory=utcnow)
    note: str | None = Field(default=None, max_length=LINE_MAX * 4)
    # The user ignored the give suggested for this meeting on the follow-up list.
    suggestion_dismissed: bool = False


class Interaction(SQLModel, table=True):
    """A coffee, a call, a message or a note with a person; it updates "last interaction"."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    contact_id: uuid.UUID = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    kind: str = Field(default="note", max_length=20)
    happened_at: datetime = InstantField(default_factory=utcnow)
    note: str | None = Field(default=None, max_length=TEXT_MAX)


class InteractionCreate(SQLModel):
    id: uuid.UUID | None = None
    kind: InteractionKind = InteractionKind.note
    happened_at: Instant | None = None
    note: str | None = Field(default=None, max_length=TEXT_MAX)


class InteractionPublic(SQLModel):
    id: uuid.UUID
    contact_id: uuid.UUID
    kind: InteractionKind
    happened_at: datetime
    note: str | None


class ContactPhoto(SQLModel, table=True):
    """A person's photo, re-encoded by the server (no location metadata survives).

    Kept in the database, not on disk, so that several app processes on several hosts share it.
    """

    __tablename__ = "contact_photo"

    contact_id: uuid.UUID = Field(foreign_key="contact.id", primary_key=True, ondelete="CASCADE")
    owner_id: uuid.UUID = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    content_type: str = Field(max_length=20)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    updated_at: datetime = InstantField(default_factory=utcnow)


# Prefix ranges ('hel' <= term < 'hem') need byte order: under a linguistic collation (fr-FR)
# 'hezz' does not sort before 'he{', so PostgreSQL compares terms in the "C" collation.
TERM_TYPE = String(60).with_variant(String(60, collation="C"), "postgresql")


class ContactTerm(SQLModel, table=True):
    """One folded word of a person's fields ("helene", "#client"): the search index."""

    __tablename__ = "contact_term"
    __table_args__ = (Index("ix_contact_term_contact_id_term", "contact_id", "term"),)

    owner_id: uuid.UUID = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    term: str = Field(primary_key=True, sa_type=TERM_TYPE)
    contact_id: uuid.UUID = Field(foreign_key="contact.id", primary_key=True, ondelete="CASCADE")


class MatchPublic(SQLModel):
    """A person already known who may be the one being captured, and why."""

    id: uuid.UUID
    full_name: str
    company: str | None
    email: str | None
    reason: str


class WantToMeet(SQLModel, table=True):
    """Someone the user wants to meet at an event: a free name, or a person already known."""

    __tablename__ = "want_to_meet"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    event_id: uuid.UUID = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    contact_id: uuid.UUID | None = Field(
        default=None, index=True, foreign_key="contact.id", ondelete="SET NULL"
    )
    why: str | None = Field(default=None, max_length=1000)
    created_at: datetime = InstantField(default_factory=utcnow)


class WantToMeetCreate(SQLModel):
    name: str = Field(default="", max_length=200)
    contact_id: uuid.UUID | None = None
    why: str | None = Field(default=None, max_length=1000)


class WantToMeetPublic(SQLModel):
    id: uuid.UUID
    event_id: uuid.UUID
    name: str
    contact_id: uuid.UUID | None
    why: str | None


class DoNotBringBack(SQLModel, table=True):
    """A person erased with "do not bring back": a keyed hash (HMAC with the instance's secret)
    of their normalised e-mail or phone, never the value itself, that later imports skip."""

    __tablename__ = "do_not_bring_back"

    owner_id: uuid.UUID = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    key_hash: str = Field(primary_key=True, max_length=64)
    created_at: datetime = InstantField(default_factory=utcnow)
