"""Settings for the calendar feed and the morning digest, and the digest's unsubscribe page."""

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.accounts.deps import CurrentUser, SettingsDep
from app.accounts.models import User
from app.calendar import digest
from app.calendar import service as calendar
from app.calendar.api import public_url
from app.config import Settings
from app.db import SessionDep, committing_router
from app.web.i18n import lazy_gettext
from app.web.templating import redirect, register_flash, render

router = committing_router(include_in_schema=False)

register_flash(
    "calendar_rotated", lazy_gettext("Your calendar has a new link. The old one no longer works.")
)
register_flash("calendar_saved", lazy_gettext("Your calendar settings are saved."))

FormStr = Annotated[str, Form()]


def settings_section(request: Request, session: Session, user: User) -> dict[str, Any]:
    """What the settings page shows about the feed and the digest (a `SettingsSection`)."""
    settings: Settings = request.app.state.settings
    feed = calendar.get_feed(session, user=user)
    context: dict[str, Any] = {
        "calendar_feed": feed,
        "digest_available": bool(settings.smtp_host and settings.smtp_from),
    }
    if feed is not None:
        _feed, token = calendar.ensure_feed(session, user=user, secret=settings.secret)
        url = public_url(request, settings, calendar.feed_path(token))
        context["calendar_url"] = url
        context["calendar_webcal"] = "webcal://" + url.split("://", 1)[1]
    return context


@router.post("/settings/calendar/rotate")
def rotate(session: SessionDep, settings: SettingsDep, user: CurrentUser) -> Response:
    had_feed = calendar.get_feed(session, user=user) is not None
    calendar.rotate_feed(session, user=user, secret=settings.secret)
    return redirect("/settings#calendar", flash_key="calendar_rotated" if had_feed else None)


@router.post("/settings/calendar")
def save_preferences(
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    include_gives: FormStr = "",
    include_notes: FormStr = "",
    name_people: FormStr = "",
    digest: FormStr = "",
) -> Response:
    calendar.set_preferences(
        session,
        user=user,
        secret=settings.secret,
        include_gives=bool(include_gives),
        include_notes=bool(include_notes),
        name_people=bool(name_people),
        digest=bool(digest),
    )
    return redirect("/settings#calendar", flash_key="calendar_saved")


@router.get("/digest/unsubscribe")
def unsubscribe_page(
    request: Request, session: SessionDep, settings: SettingsDep, user: str = "", key: str = ""
) -> Response:
    # A link opened by a mail scanner must not unsubscribe: the page asks for one click.
    digest.check_unsubscribe(session, user_id=user, key=key, secret=settings.secret)
    return render(
        request, "calendar/unsubscribe.html", {"user_id": user, "key": key, "done": False}
    )


@router.post("/digest/unsubscribe")
def unsubscribe(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: str = "",
    key: str = "",
) -> Response:
    # One-click unsubscribe (RFC 8058) posts to the link itself, with the values in its query.
    digest.unsubscribe(session, user_id=user, key=key, secret=settings.secret)
    return render(request, "calendar/unsubscribe.html", {"done": True})
