"""The calendar feed (needs only its secret token) and its JSON API."""

from datetime import datetime
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
    """Choose whether gives (and the people they are for) and private notes go into the feed,
    and the morning digest."""
    feed = calendar.set_preferences(
        session,
        user=user,
        secret=settings.secret,
        include_gives=body.include_gives,
        include_notes=body.include_notes,
        name_people=body.name_people,
        digest=body.digest,
    )
    return CalendarPreferences(
        include_gives=feed.include_gives,
        include_notes=feed.include_notes,
        name_people=feed.name_people,
        digest=feed.digest,
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


def accepts_gzip(request: Request) -> bool:
    """Whether the client takes a gzip body (`gzip` or `*` in Accept-Encoding, not at q=0)."""
    for part in request.headers.get("accept-encoding", "").split(","):
        name, _sep, params = part.partition(";")
        if name.strip().lower() not in ("gzip", "*"):
            continue
        quality = params.strip().removeprefix("q=").strip()
        try:
            return not quality or float(quality) > 0
        except ValueError:
            return False
    return False


@feed_router.get("/calendar/{token}.ics")
def feed(request: Request, session: SessionDep, token: str) -> Response:
    """The user's private feed: events going, interested or attended, and planned gives.

    A revalidation whose inputs did not change (the stored version matches) answers 304 from
    the stored validators, building nothing; otherwise the file this process built for that
    version is served, or it is built. The body is sent gzip-compressed by this route when the
    client accepts it (GZipMiddleware passes a response with Content-Encoding through untouched).
    """
    found, owner = calendar.feed_by_token(session, token=token)
    sources = request.app.state.wiring.calendar_sources
    version = calendar.feed_version(session, feed=found, user=owner, sources=sources)
    known = calendar.known_validators(feed=found, version=version)
    if known is not None:
        headers = _validator_headers(known.etag, known.last_modified)
        if _not_modified(request, known.etag, headers["Last-Modified"]):
            return Response(status_code=304, headers=headers)
    built = calendar.feed_file(session, feed=found, user=owner, sources=sources, version=version)
    headers = _validator_headers(built.etag, built.last_modified)
    if _not_modified(request, built.etag, headers["Last-Modified"]):
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = 'inline; filename="givefirst.ics"'
    if accepts_gzip(request):
        # GZipMiddleware adds this Vary to the responses it passes through, not to this one.
        headers["Content-Encoding"] = "gzip"
        headers["Vary"] = "Accept-Encoding"
        return Response(built.gzipped, media_type=ICS, headers=headers)
    return Response(built.body, media_type=ICS, headers=headers)


def _validator_headers(etag: str, last_modified: datetime) -> dict[str, str]:
    return {
        "ETag": f'"{etag}"',
        "Last-Modified": format_datetime(last_modified, usegmt=True),
        "Cache-Control": "private, no-cache",
        "X-Robots-Tag": "noindex",
    }
