"""The calendar feed (needs only its secret token) and its JSON API."""

from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, SettingsDep
from app.calendar import service as calendar
from app.calendar.models import CalendarLink, CalendarPreferences
from app.config import Settings
from app.db import SessionDep, committing_router
from app.security import client_scheme

router = committing_router(prefix="/api/v1", tags=["calendar"])
feed_router = committing_router(include_in_schema=False)

ICS = "text/calendar; charset=utf-8"


ICS_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": {"text/calendar": {}}}}


def ics_attachment(body: bytes, *, name: str) -> Response:
    """An .ics file to download, named after what it holds."""
    filename = calendar.safe_filename(name)
    return Response(
        body, media_type=ICS, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def public_url(request: Request, settings: Settings, path: str) -> str:
    """An absolute URL on this server, as people reach it (BASE_URL when set)."""
    if settings.base_url:
        return settings.base_url.rstrip("/") + path
    return f"{client_scheme(request, settings)}://{request.headers.get('host', 'localhost')}{path}"


@router.get("/calendar", response_model=CalendarLink)
def read_calendar(
    request: Request, session: SessionDep, settings: SettingsDep, user: CurrentUser
) -> CalendarLink:
    """The private feed's URL (created on first call); it can be asked again at any time."""
    _feed, token = calendar.ensure_feed(session, user=user, secret=settings.secret)
    return CalendarLink(url=public_url(request, settings, calendar.feed_path(token)))


@router.post("/calendar/rotate", response_model=CalendarLink)
def rotate_calendar(
    request: Request, session: SessionDep, settings: SettingsDep, user: CurrentUser
) -> CalendarLink:
    """A new URL for the feed; the old one answers 404 at once."""
    token = calendar.rotate_feed(session, user=user, secret=settings.secret)
    return CalendarLink(url=public_url(request, settings, calendar.feed_path(token)))


@router.patch("/calendar", response_model=CalendarPreferences)
def update_calendar(
    session: SessionDep, settings: SettingsDep, user: CurrentUser, body: CalendarPreferences
) -> CalendarPreferences:
    """Choose whether gives and private notes go into the feed, and the morning digest."""
    feed = calendar.set_preferences(
        session,
        user=user,
        secret=settings.secret,
        include_gives=body.include_gives,
        include_notes=body.include_notes,
        digest=body.digest,
    )
    return CalendarPreferences(
        include_gives=feed.include_gives, include_notes=feed.include_notes, digest=feed.digest
    )


def _not_modified(request: Request, etag: str, last_modified_http: str) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return f'"{etag}"' in tags or "*" in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
            return since >= parsedate_to_datetime(last_modified_http)
        except (TypeError, ValueError):
            return False
    return False


@feed_router.get("/calendar/{token}.ics")
def feed(request: Request, session: SessionDep, token: str) -> Response:
    """The user's private feed: events going, interested or attended, and planned gives."""
    found, owner = calendar.feed_by_token(session, token=token)
    sources = request.app.state.wiring.calendar_sources
    built = calendar.render_feed(session, feed=found, user=owner, sources=sources)
    last_modified = format_datetime(built.last_modified, usegmt=True)
    headers = {
        "ETag": f'"{built.etag}"',
        "Last-Modified": last_modified,
        "Cache-Control": "private, no-cache",
        "X-Robots-Tag": "noindex",
    }
    if _not_modified(request, built.etag, last_modified):
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = 'inline; filename="givefirst.ics"'
    return Response(built.body, media_type=ICS, headers=headers)
