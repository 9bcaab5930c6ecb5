"""Who is asking: the user from the session cookie or a bearer token, as dependency aliases."""

from typing import Annotated

from fastapi import Depends, Request, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.accounts import service as accounts
from app.accounts.models import User
from app.accounts.recent import RecentUsers
from app.config import Settings
from app.errors import NotAuthenticated
from app.security import SESSION_COOKIE as SESSION_COOKIE
from app.security import client_scheme, token_digest


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


# The dependencies that compute nothing are `async`: FastAPI runs a plain function on a worker
# thread, a hop of its own for every request.
async def get_settings(request: Request) -> Settings:
    """The application's settings."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_optional_user(request: Request, settings: SettingsDep) -> User | None:
    """The signed-in user, if any; a bearer token that does not match is refused outright.

    A credential seen less than a second ago is answered from `RecentUsers`, on the event loop.
    Otherwise it is read on a short session of its own (its rare writes, a token's last use and
    a session's renewal, committed at once): no connection is held while the request waits for
    its route."""
    authorization = request.headers.get("authorization")
    if authorization is not None:
        scheme, _, secret = authorization.partition(" ")
        secret = secret.strip()
        if scheme.lower() != "bearer" or not secret:
            raise NotAuthenticated()
        auth = "token"
    elif secret := request.cookies.get(SESSION_COOKIE, ""):
        auth = "cookie"
    else:
        return None
    recent: RecentUsers = request.app.state.recent_users
    key = f"{auth}:{token_digest(secret)}"
    found = recent.get(key)
    if found is not None:
        user: User | None = found.user()
    else:
        generation = recent.generation()
        user = await run_in_threadpool(_read_user, request, settings, auth, secret)
        if user is not None:
            recent.put(key, user, generation=generation)
    if user is None:
        if auth == "token":
            raise NotAuthenticated()
        return None
    request.state.user = user
    request.state.account = user.id.hex[:12]
    request.state.locale = user.locale
    request.state.timezone = user.timezone
    return user


def _read_user(request: Request, settings: Settings, auth: str, secret: str) -> User | None:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        if auth == "token":
            user = accounts.user_for_token(session, secret=secret)
        else:
            user, renewed = accounts.resume_session(
                session, token=secret, days=settings.session_days
            )
            if renewed:
                # The cookie's own lifetime slides too (added to the response by RequestContext).
                carrier = Response()
                set_session_cookie(carrier, request, settings, secret)
                request.state.renewed_cookie = carrier.headers["set-cookie"]
        session.commit()
    return user


async def get_current_user(user: Annotated[User | None, Depends(get_optional_user)]) -> User:
    """The signed-in user; 401 for the API, a redirect to sign-in for pages."""
    if user is None:
        raise NotAuthenticated()
    return user


OptionalUser = Annotated[User | None, Depends(get_optional_user)]
CurrentUser = Annotated[User, Depends(get_current_user)]
