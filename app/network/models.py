"""The network profile: what the user does, for whom, and the keeping-in-touch defaults."""

import uuid
from datetime import datetime
from typing import Literal

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from app.db import InstantField, empty_dict, utcnow


class NetworkProfileFields(SQLModel):
    specialty: str = Field(default="", max_length=200)
    who_i_help: str = Field(default="", max_length=500)
    trigger_keyword: str = Field(default="", max_length=100)
    referral_offer: str = Field(default="", max_length=500)
    # Days between touches for people met at events (0: no reminder), and per tag.
    event_cadence_days: int = Field(default=90, ge=0, le=3650)
    tag_cadences: dict[str, int] = Field(default_factory=empty_dict, sa_type=JSON)
    # How prepared messages address people in French unless a person says otherwise.
    address_as: str = Field(default="vous", max_length=4)


class NetworkProfile(NetworkProfileFields, table=True):
    """What the user does and for whom: it feeds the prepared messages (the second article:
    people refer you when they know what you do and think of you at the right moment)."""

    __tablename__ = "network_profile"

    user_id: uuid.UUID = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    updated_at: datetime = InstantField(default_factory=utcnow)


class NetworkProfileUpdate(SQLModel):
    specialty: str | None = Field(default=None, max_length=200)
    who_i_help: str | None = Field(default=None, max_length=500)
    trigger_keyword: str | None = Field(default=None, max_length=100)
    referral_offer: str | None = Field(default=None, max_length=500)
    event_cadence_days: int | None = Field(default=None, ge=0, le=3650)
    tag_cadences: dict[str, int] | None = None
    address_as: Literal["tu", "vous"] | None = None
