"""JSON API for events, their imports and subscribed feeds."""

import json
import uuid
from typing import Annotated, Any

from fastapi import Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, StrictBool, ValidationError
from sqlmodel import Session, SQLModel

from app.accounts.deps import CurrentUser, SettingsDep
from app.accounts.models import User
from app.calendar.api import ICS_RESPONSE, ics_attachment
from app.config import Settings
from app.db import SessionDep, committing_router
from app.errors import Invalid, error_responses
from app.events import calendar as event_calendar
from app.events import service as events
from app.events.importing import ImportedEvent
from app.events.importing import service as imports
from app.events.models import (
    Event,
    EventCreate,
    EventFeedPublic,
    EventKind,
    EventPublic,
    EventStatus,
    EventUpdate,
    ImportedEventPublic,
)
from app.web.i18n import lazy_gettext

router = committing_router(prefix="/api/v1", tags=["events"])


@router.get("/events", response_model=list[EventPublic])
def list_events(
    session: SessionDep,
    user: CurrentUser,
    when: Annotated[str, Query(pattern="^(upcoming|past|all)$")] = "upcoming",
    status: EventStatus | None = None,
    kind: EventKind | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> list[Event]:
    """The user's events: upcoming (soonest first), past (latest first) or all."""
    filters = events.EventFilters(
        when=when, status=status.value if status else None, kind=kind.value if kind else None, q=q
    )
    return events.list_events(session, owner=user, filters=filters)


@router.post(
    "/events",
    response_model=EventPublic,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(409),  # the id is taken
)
def create_event(session: SessionDep, user: CurrentUser, body: EventCreate) -> Event:
    """Add an event (the client may choose its id)."""
    return events.create_event(session, owner=user, data=body)


# Before /events/{event_id}: the .ics path must not be read as an id.
@router.get("/events/{event_id}.ics", response_class=Response, responses=ICS_RESPONSE)
def event_file(session: SessionDep, user: CurrentUser, event_id: uuid.UUID) -> Response:
    """One event as an .ics file, to add to any calendar."""
    event, body = event_calendar.event_file(session, owner=user, event_id=event_id)
    return ics_attachment(body, name=event.name)


@router.get("/events/{event_id}", response_model=EventPublic)
def read_event(session: SessionDep, user: CurrentUser, event_id: uuid.UUID) -> Event:
    """One event."""
    return events.get_event(session, owner=user, event_id=event_id)


@router.patch("/events/{event_id}", response_model=EventPublic)
def update_event(
    session: SessionDep, user: CurrentUser, event_id: uuid.UUID, body: EventUpdate
) -> Event:
    """Change some fields of an event."""
    return events.update_event(session, owner=user, event_id=event_id, data=body)


@router.delete("/events/{event_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_event(session: SessionDep, user: CurrentUser, event_id: uuid.UUID) -> None:
    """Delete an event."""
    events.delete_event(session, owner=user, event_id=event_id)


class ImportRequest(BaseModel):
    url: str
    dry_run: StrictBool = False
    subscribe: StrictBool = False


class SkippedPublic(SQLModel):
    what: str
    reason: str


class ImportResponse(SQLModel):
    dry_run: bool
    events: list[ImportedEventPublic]
    created: int
    updated: int
    unchanged: int
    skipped: list[SkippedPublic]
    feed_id: uuid.UUID | None = None
    calendar_name: str | None = None


def _preview(item: ImportedEvent) -> ImportedEventPublic:
    return ImportedEventPublic.model_validate(item, from_attributes=True)


def _run_import(
    session: Session,
    user: User,
    settings: Settings,
    *,
    url: str | None,
    data: bytes | None,
    content_type: str | None,
    dry_run: bool,
    subscribe: bool,
) -> ImportResponse:
    if url is not None:
        parsed = imports.fetch(
            url, allow_private=settings.allow_private_urls, timezone=user.timezone
        )
    else:
        assert data is not None
        parsed = imports.parse(
            data, content_type=content_type, source_url=None, timezone=user.timezone
        )
    skipped = [SkippedPublic(what=what, reason=reason) for what, reason in parsed.skipped]
    previews = [_preview(item) for item in parsed.result.events]
    response = ImportResponse(
        dry_run=dry_run,
        events=previews,
        created=0,
        updated=0,
        unchanged=0,
        skipped=skipped,
        calendar_name=parsed.result.calendar_name,
    )
    if subscribe and not parsed.result.is_feed:
        raise Invalid(
            lazy_gettext("Only a calendar (.ics) can be followed: this link is a page."),
            field="subscribe",
        )
    if dry_run:
        return response
    if subscribe and url is not None:
        feed = imports.subscribe(session, owner=user, url=url, name=parsed.result.calendar_name)
        summary = imports.apply_feed(session, owner=user, feed=feed, parsed=parsed)
        response.feed_id = feed.id
    else:
        summary = events.save_imported(session, owner=user, items=parsed.result.events)
    response.created, response.updated, response.unchanged = (
        len(summary.created),
        len(summary.updated),
        len(summary.unchanged),
    )
    return response


IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": ImportRequest.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "dry_run": {"type": "boolean"},
                    },
                    "required": ["file"],
                }
            },
        },
    }
}
MAX_UPLOAD = 2_000_000


@router.post("/events/import", response_model=ImportResponse, openapi_extra=IMPORT_BODY)
async def import_events(
    request: Request, session: SessionDep, user: CurrentUser, settings: SettingsDep
) -> ImportResponse:
    """Import from a link (an event page or an .ics feed, JSON `{"url": ...}`) or an uploaded .ics
    file (multipart `file`). `dry_run` previews; re-importing updates, never duplicates."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=5, max_part_size=MAX_UPLOAD + 1)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise Invalid(lazy_gettext("Please choose a file."), field="file")
        data = await upload.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise imports.ImportRefused("too_large", field="file")
        dry_run = str(form.get("dry_run", "")).lower() in {"1", "true", "on", "yes"}
        return await run_in_threadpool(
            _run_import,
            session,
            user,
            settings,
            url=None,
            data=data,
            content_type=upload.content_type,
            dry_run=dry_run,
            subscribe=False,
        )
    try:
        body = ImportRequest.model_validate(json.loads(await request.body() or b"null"))
    except (ValueError, ValidationError) as error:
        errors = (
            error.errors()
            if isinstance(error, ValidationError)
            else [{"loc": ("body",), "msg": "JSON expected", "type": "json_invalid"}]
        )
        raise RequestValidationError(errors) from None
    return await run_in_threadpool(
        _run_import,
        session,
        user,
        settings,
        url=body.url,
        data=None,
        content_type=None,
        dry_run=body.dry_run,
        subscribe=body.subscribe,
    )


@router.get("/feeds", response_model=list[EventFeedPublic])
def list_feeds(session: SessionDep, user: CurrentUser) -> Any:
    """The calendar feeds the user subscribed to."""
    return imports.list_feeds(session, owner=user)


@router.delete("/feeds/{feed_id}", status_code=status.HTTP_204_NO_CONTENT)
def unsubscribe(session: SessionDep, user: CurrentUser, feed_id: uuid.UUID) -> None:
    """Stop refreshing a feed; its events stay."""
    imports.unsubscribe(session, owner=user, feed_id=feed_id)
