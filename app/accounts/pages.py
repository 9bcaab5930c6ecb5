"""Sign-up, sign-in, sign-out and the settings page."""

import uuid
from typing import Annotated, Any, Protocol

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.accounts import service as accounts
from app.accounts.deps import (
    SESSION_COOKIE,
    CurrentUser,
    OptionalUser,
    SettingsDep,
    set_session_cookie,
)
from app.accounts.models import User
from app.config import Settings
from app.db import SessionDep, committing_router
from app.errors import PageContext
from app.security import client_address
from app.text import safe_next
from app.web.forms import refill
from app.web.i18n import lazy_gettext
from app.web.templating import flash, redirect, register_flash, render

router = committing_router(include_in_schema=False)

register_flash("signed_out", lazy_gettext("You are signed out."))
register_flash("signed_out_everywhere", lazy_gettext("You are signed out on every device."))
register_flash("profile_saved", lazy_gettext("Your profile is saved."))
register_flash(
    "password_changed", lazy_gettext("Your password is changed. Other devices were signed out.")
)
register_flash("token_revoked", lazy_gettext("The token is revoked."))
register_flash("welcome", lazy_gettext("Welcome to Givefirst!"))

FormStr = Annotated[str, Form()]


def _signed_in(request: Request, settings: Settings, token: str, target: str) -> Response:
    response = RedirectResponse(safe_next(target, default="/"), status_code=303)
    set_session_cookie(response, request, settings, token)
    return response


class SettingsSection(Protocol):
    """What another feature shows on the settings page (the calendar link, the network profile):
    wired in `app.wiring`."""

    def __call__(self, request: Request, session: Session, user: User) -> dict[str, Any]: ...


@router.get("/signup")
def signup_page(
    request: Request, session: SessionDep, settings: SettingsDep, user: OptionalUser
) -> Response:
    if user is not None:
        return RedirectResponse("/", status_code=303)
    is_open = accounts.signup_open(session, allow_signup=settings.allow_signup)
    return render(request, "accounts/signup.html", {"signup_open": is_open, "values": {}})


@router.post("/signup")
def signup(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: FormStr = "",
    password: FormStr = "",
    display_name: FormStr = "",
) -> Response:
    values = {"email": email, "display_name": display_name}

    def again(session: Session) -> dict[str, Any]:
        is_open = accounts.signup_open(session, allow_signup=settings.allow_signup)
        return {"values": values, "signup_open": is_open}

    with refill("accounts/signup.html", again):
        # Counted first, before the request reads or writes anything (see keep_attempts).
        accounts.count_attempt(session, key=f"signup:{client_address(request, settings)}", limit=10)
        accounts.require_signup_open(session, allow_signup=settings.allow_signup)
        user = accounts.create_user(
            session,
            email=email,
            password=password,
            display_name=display_name,
            locale=request.state.locale,
            timezone=settings.default_timezone,
        )
    token = accounts.start_session(
        session,
        user=user,
        days=settings.session_days,
        user_agent=request.headers.get("user-agent", ""),
    )
    response = _signed_in(request, settings, token, "/")
    flash(response, "welcome")
    return response


@router.get("/signin")
def signin_page(request: Request, user: OptionalUser, next: str = "/") -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next, default="/"), status_code=303)
    return render(
        request, "accounts/signin.html", {"next": safe_next(next, default="/"), "values": {}}
    )


@router.post("/signin")
def signin(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: FormStr = "",
    password: FormStr = "",
    next: FormStr = "/",
) -> Response:
    again = {"values": {"email": email}, "next": safe_next(next, default="/")}
    with refill("accounts/signin.html", lambda _session: again):
        user = accounts.authenticate(
            session, email=email, password=password, address=client_address(request, settings)
        )
    token = accounts.start_session(
        session,
        user=user,
        days=settings.session_days,
        user_agent=request.headers.get("user-agent", ""),
    )
    return _signed_in(request, settings, token, next)


@router.post("/signout")
def signout(request: Request, session: SessionDep) -> Response:
    if token := request.cookies.get(SESSION_COOKIE):
        accounts.end_session(session, token=token)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    flash(response, "signed_out")
    return response


@router.post("/language")
def choose_language(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    locale: FormStr = "fr",
    next: FormStr = "/",
) -> Response:
    """Switch language: saved on the account, or in a cookie before signing in."""
    response = RedirectResponse(safe_next(next, default="/"), status_code=303)
    if user is not None:
        accounts.update_profile(session, user=user, display_name=None, locale=locale, timezone=None)
    response.set_cookie(
        "gf_lang",
        locale if locale in ("fr", "en") else "fr",
        max_age=365 * 86400,
        samesite="lax",
        path="/",
    )
    return response


def settings_context(request: Request, session: Session, user: User) -> dict[str, Any]:
    """The settings page: profile, tokens, and the other features' sections."""
    context: dict[str, Any] = {
        "tokens": accounts.list_tokens(session, user=user),
        "timezones": accounts.common_timezones(),
    }
    sections: list[SettingsSection] = request.app.state.wiring.settings_sections
    for section in sections:
        context |= section(request, session, user)
    return context


def _settings_again(request: Request, user: User) -> PageContext:
    return lambda session: settings_context(request, session, user)


@router.get("/settings")
def settings_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    return render(request, "accounts/settings.html", settings_context(request, session, user))


@router.post("/settings/profile")
def save_profile(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    display_name: FormStr = "",
    locale: FormStr = "fr",
    timezone: FormStr = "Europe/Paris",
) -> Response:
    with refill("accounts/settings.html", _settings_again(request, user)):
        accounts.update_profile(
            session, user=user, display_name=display_name, locale=locale, timezone=timezone
        )
    return redirect("/settings", flash_key="profile_saved")


@router.post("/settings/password")
def save_password(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    current_password: FormStr = "",
    new_password: FormStr = "",
) -> Response:
    again = _settings_again(request, user)
    with refill("accounts/settings.html", again, message_key="password_error"):
        accounts.change_password(session, user=user, current=current_password, new=new_password)
    token = accounts.start_session(
        session,
        user=user,
        days=settings.session_days,
        user_agent=request.headers.get("user-agent", ""),
    )
    response = _signed_in(request, settings, token, "/settings")
    flash(response, "password_changed")
    return response


@router.post("/settings/signout-everywhere")
def signout_everywhere(session: SessionDep, user: CurrentUser) -> Response:
    accounts.end_all_sessions(session, user=user)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    flash(response, "signed_out_everywhere")
    return response


@router.post("/settings/tokens")
def create_token(
    request: Request, session: SessionDep, user: CurrentUser, name: FormStr = ""
) -> Response:
    _token, secret = accounts.create_token(session, user=user, name=name)
    # The secret is shown on this one response and never again.
    context = settings_context(request, session, user) | {"new_token": secret}
    return render(request, "accounts/settings.html", context)


@router.post("/settings/tokens/{token_id}/revoke")
def revoke_token(session: SessionDep, user: CurrentUser, token_id: uuid.UUID) -> Response:
    accounts.revoke_token(session, user=user, token_id=token_id)
    return redirect("/settings#tokens", flash_key="token_revoked")
