"""Users, their sign-in sessions, personal access tokens and sign-in throttling."""

import uuid
from datetime import datetime
from zoneinfo import available_timezones

from sqlmodel import Field, SQLModel

from app.db import InstantField, utcnow
from app.web.i18n import LOCALES

TIMEZONE_MAX = 64


class UserBase(SQLModel):
    email: str = Field(max_length=254)
    display_name: str = Field(default="", max_length=120)
    locale: str = Field(default="fr", max_length=5)
    timezone: str = Field(default="Europe/Paris", max_length=TIMEZONE_MAX)


class User(UserBase, table=True):
    __tablename__ = "user_account"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    created_at: datetime = InstantField(default_factory=utcnow)
    updated_at: datetime = InstantField(default_factory=utcnow)


class UserPublic(UserBase):
    id: uuid.UUID
    created_at: datetime


class UserUpdate(SQLModel):
    """A change of profile; the schema lists the languages and zones the server takes (it checks
    them itself, to answer in the user's language)."""

    display_name: str | None = Field(default=None, max_length=120)
    locale: str | None = Field(
        default=None, max_length=5, schema_extra={"json_schema_extra": {"enum": [*LOCALES, None]}}
    )
    timezone: str | None = Field(
        default=None,
        max_length=TIMEZONE_MAX,
        schema_extra={"json_schema_extra": {"enum": [*sorted(available_timezones()), None]}},
    )


class AuthSession(SQLModel, table=True):
    """A signed-in browser: the cookie holds a random token, the table only its digest."""

    __tablename__ = "auth_session"

    id: str = Field(primary_key=True, max_length=64)
    user_id: uuid.UUID = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    created_at: datetime = InstantField(default_factory=utcnow)
    last_seen_at: datetime = InstantField(default_factory=utcnow)
    expires_at: datetime = InstantField(index=True)
    user_agent: str = Field(default="", max_length=255)


class AccessToken(SQLModel, table=True):
    """A personal access token for the API, stored as a digest; shown once when created."""

    __tablename__ = "access_token"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    name: str = Field(default="", max_length=120)
    token_hash: str = Field(max_length=64, unique=True)
    hint: str = Field(max_length=16)
    created_at: datetime = InstantField(default_factory=utcnow)
    last_used_at: datetime | None = InstantField(default=None)


class AccessTokenPublic(SQLModel):
    id: uuid.UUID
    name: str
    hint: str
    created_at: datetime
    last_used_at: datetime | None


class AccessTokenCreated(AccessTokenPublic):
    token: str


class LoginFailure(SQLModel, table=True):
    """One failed sign-in, counted per account and per address; kept in the database so that
    every app process sees the same counts."""

    __tablename__ = "login_failure"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, index=True)
    at: datetime = InstantField(default_factory=utcnow, index=True)
