"""Who is asking: the user from the session cookie or a bearer token, as dependency aliases."""

from typing import Annotated

from fastapi import Depends, Request

from app.accounts import service as accounts
from app.accounts.models import User
from app.config import Settings
from app.db import SessionDep
from app.errors import NotAuthenticated

SESSION_COOKIE = "gf_session"


def get_settings(request: Request) -> Settings:
    """The application's settings."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_optional_user(request: Request, session: SessionDep, settings: SettingsDep) -> User | None:
    """The signed-in user, if any; a bearer token that does not match is refused outright."""
    user: User | None = None
    authorization = request.headers.get("authorization", "")
    if authorization:
        scheme, _, secret = authorization.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise NotAuthenticated()
        user = accounts.user_for_token(session, secret=secret.strip())
        if user is None:
            raise NotAuthenticated()
        request.state.auth = "token"
    elif token := request.cookies.get(SESSION_COOKIE):
        user = accounts.resume_session(session, token=token, days=settings.session_days)
        request.state.auth = "cookie"
    if user is not None:
        request.state.user = user
        request.state.locale = user.locale
        request.state.timezone = user.timezone
    return user


def get_current_user(user: Annotated[User | None, Depends(get_optional_user)]) -> User:
    """The signed-in user; 401 for the API, a redirect to sign-in for pages."""
    if user is None:
        raise NotAuthenticated()
    return user


OptionalUser = Annotated[User | None, Depends(get_optional_user)]
CurrentUser = Annotated[User, Depends(get_current_user)]
