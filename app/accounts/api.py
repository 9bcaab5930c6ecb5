"""JSON API for the signed-in user: profile and personal access tokens."""

import uuid

from fastapi import status
from sqlmodel import SQLModel

from app.accounts import service as accounts
from app.accounts.deps import CurrentUser
from app.accounts.models import AccessTokenCreated, AccessTokenPublic, User, UserPublic, UserUpdate
from app.db import SessionDep, committing_router

router = committing_router(prefix="/api/v1", tags=["me"])


class TokenCreate(SQLModel):
    name: str = ""


@router.get("/me", response_model=UserPublic)
def read_me(user: CurrentUser) -> User:
    """The signed-in user's profile."""
    return user


@router.patch("/me", response_model=UserPublic)
def update_me(session: SessionDep, user: CurrentUser, body: UserUpdate) -> User:
    """Change the display name, language or time zone."""
    return accounts.update_profile(
        session,
        user=user,
        display_name=body.display_name,
        locale=body.locale,
        timezone=body.timezone,
    )


@router.get("/tokens", response_model=list[AccessTokenPublic])
def list_tokens(session: SessionDep, user: CurrentUser) -> list[AccessTokenPublic]:
    """The personal access tokens, without their secrets."""
    return [
        AccessTokenPublic.model_validate(token, from_attributes=True)
        for token in accounts.list_tokens(session, user=user)
    ]


@router.post("/tokens", response_model=AccessTokenCreated, status_code=status.HTTP_201_CREATED)
def create_token(session: SessionDep, user: CurrentUser, body: TokenCreate) -> AccessTokenCreated:
    """A new token; its secret is in this answer only."""
    token, secret = accounts.create_token(session, user=user, name=body.name)
    public = AccessTokenPublic.model_validate(token, from_attributes=True)
    return AccessTokenCreated(**public.model_dump(), token=secret)


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(session: SessionDep, user: CurrentUser, token_id: uuid.UUID) -> None:
    """Revoke a token: it stops working at once."""
    accounts.revoke_token(session, user=user, token_id=token_id)
