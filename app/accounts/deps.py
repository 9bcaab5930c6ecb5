"""Who is asking: the user from the session cookie or a bearer token, as dependency aliases."""

from typing import Annotated

from fastapi import Depends, Request, Response
from sqlmodel import Session

from app.accounts import service as accounts
from app.accounts.models import User
from app.config import Settings
from app.errors import NotAuthenticated
from app.security import SESSION_COOKIE as SESSION_COOKIE
from app.security import client_scheme


def set_session_cookie(
    response: Response, request: Request, settings: Settings, token: str
) -> None:
    """The session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS, lasting the session's days."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=client_scheme(request, settings) == "https",
        path="/",
    )


def get_settings(request: Request) -> Settings:
    """The application's settings."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_optional_user(request: Request, settings: SettingsDep) -> User | None:
    """The signed-in user, if any; a bearer token that does not match is refused outright.

    Read on a short session of its own (its rare writes, a token's last use and a session's
    renewal, committed at once): no connection is held while the request waits for its route."""
    user: User | None = None
    authorization = request.headers.get("authorization")
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        if authorization is not None:
            scheme, _, secret = authorization.partition(" ")
            if scheme.lower() != "bearer" or not secret.strip():
                raise NotAuthenticated()
            user = accounts.user_for_token(session, secret=secret.strip())
            if user is None:
                raise NotAuthenticated()
            request.state.auth = "token"
        elif token := request.cookies.get(SESSION_COOKIE):
            user, renewed = accounts.resume_session(
                session, token=token, days=settings.session_days
            )
            request.state.auth = "cookie"
            if renewed:
                # The cookie's own lifetime slides too (added to the response by RequestContext).
                carrier = Response()
                set_session_cookie(carrier, request, settings, token)
                request.state.renewed_cookie = carrier.headers["set-cookie"]
        session.commit()
    if user is not None:
        request.state.user = user
        request.state.account = user.id.hex[:12]
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
