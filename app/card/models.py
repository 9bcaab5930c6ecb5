"""The card (what the user publishes, under which address) and what visitors leave on it."""

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import StrictBool
from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import JSON, Field, SQLModel

from app.db import InstantField, empty_list, utcnow
from app.web.fields import Instant

SLUG_MIN, SLUG_MAX = 3, 40
# Every field a card can publish, in the order the page shows them (the contract's names).
CARD_FIELDS = (
    "full_name", "photo", "specialty", "helps", "trigger", "referral_offer",
    "company", "role", "email", "phone", "url", "city",
)  # fmt: skip
# What a visitor may agree to, one checkbox each; `follow_up` is required to store anything.
PURPOSES = ("follow_up", "events")
REQUIRED_PURPOSE = "follow_up"


class SubmissionStatus(StrEnum):
    new = "new"
    accepted = "accepted"
    discarded = "discarded"


class CardDetails(SQLModel):
    """The card's own values, for what the account and the network profile do not hold."""

    company: str = Field(default="", max_length=200)
    role: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=50)
    url: str = Field(default="", max_length=2000)
    city: str = Field(default="", max_length=120)


class Card(CardDetails, table=True):
    """A user's public card: off until turned on; only the `published` fields ever leave."""

    __tablename__ = "card"

    user_id: uuid.UUID = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    enabled: bool = False
    slug: str = Field(max_length=SLUG_MAX, unique=True)
    published: list[str] = Field(default_factory=empty_list, sa_type=JSON)
    indexable: bool = False
    photo_type: str | None = Field(default=None, max_length=20)
    photo: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    # Kiosk mode: a PIN (hashed) unlocks the app again; without one, the password does.
    kiosk_pin_hash: str | None = Field(default=None, max_length=255)
    updated_at: datetime = InstantField(default_factory=utcnow)


class CardPublic(CardDetails):
    enabled: bool
    slug: str
    url_path: str
    published: list[str]
    indexable: bool
    has_photo: bool


class CardUpdate(SQLModel):
    enabled: StrictBool | None = None
    slug: str | None = Field(default=None, max_length=SLUG_MAX)
    published: list[str] | None = Field(default=None, max_length=len(CARD_FIELDS) * 2)
    indexable: StrictBool | None = None
    company: str | None = Field(default=None, max_length=200)
    role: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=50)
    url: str | None = Field(default=None, max_length=2000)
    city: str | None = Field(default=None, max_length=120)


class LeftDetails(SQLModel):
    """What a visitor types in "leave your details" (the contract's input names)."""

    full_name: str = Field(default="", max_length=200)
    company: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=50)
    needs: str = Field(default="", max_length=1000)
    message: str = Field(default="", max_length=2000)


class CardSubmission(LeftDetails, table=True):
    """What a visitor left on the card, with the receipt of their consent, waiting in the inbox."""

    __tablename__ = "card_submission"
    __table_args__ = (
        UniqueConstraint("owner_id", "client_key", name="uq_card_submission_owner_id_client_key"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    # The form's one-time key (or the kiosk's client id): a replayed request stores one person.
    client_key: str = Field(max_length=64)
    event_id: uuid.UUID | None = Field(
        default=None, foreign_key="event.id", index=True, ondelete="SET NULL"
    )
    consents: list[str] = Field(default_factory=empty_list, sa_type=JSON)
    consent_text: str = Field(max_length=4000)
    consent_sha256: str = Field(max_length=64)
    language: str = Field(max_length=5)
    consented_at: datetime = InstantField(default_factory=utcnow)
    source: str = Field(default="card", max_length=10)
    status: str = Field(default=SubmissionStatus.new.value, max_length=10, index=True)
    contact_id: uuid.UUID | None = Field(
        default=None, foreign_key="contact.id", index=True, ondelete="SET NULL"
    )
    created_contact: bool = False
    created_at: datetime = InstantField(default_factory=utcnow)


class SubmissionPublic(LeftDetails):
    id: uuid.UUID
    event_id: uuid.UUID | None
    consents: list[str]
    consent_text: str
    consent_sha256: str
    consented_at: datetime
    language: str
    source: str
    status: SubmissionStatus
    contact_id: uuid.UUID | None
    created_at: datetime


class KioskSubmission(LeftDetails):
    """A visitor's details typed on the user's own phone (kiosk mode), sent through the outbox."""

    event_id: uuid.UUID | None = None
    consents: list[str] = Field(default_factory=empty_list, max_length=len(PURPOSES) * 2)
    language: str = Field(default="fr", max_length=5)
    consented_at: Instant | None = None


class AcceptBody(SQLModel):
    """Accept as a new person, or merge into one already known (`contact_id`)."""

    contact_id: uuid.UUID | None = None
