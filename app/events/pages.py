"""Event pages: the list, add and edit, one event with its people, and import from a link or a file."""

import json
import uuid
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import Annotated, Any, Protocol
from zoneinfo import ZoneInfo

from babel.dates import format_date
from fastapi import File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from app.accounts.deps import CurrentUser, SettingsDep
from app.accounts.models import User
from app.accounts.service import common_timezones
from app.db import SessionDep, committing_router, utcnow
from app.errors import Invalid, PageContext
from app.events import calendar as event_calendar
from app.events import service as events
from app.events.importing import ImportedEvent, ImportResult
from app.events.importing import service as imports
from app.events.models import (
    Event,
    EventCreate,
    EventKind,
    EventStatus,
    EventUpdate,
    ImportedEventPublic,
)
from app.events.places import place_lines
from app.web.forms import refill
from app.web.i18n import babel_locale, gettext, lazy_gettext, use_locale
from app.web.templating import redirect, register_flash, render

router = committing_router(include_in_schema=False)

register_flash("event_saved", lazy_gettext("The event is saved."))
register_flash("event_deleted", lazy_gettext("The event is deleted."))
register_flash("events_imported", lazy_gettext("The events are imported."))
register_flash("feed_removed", lazy_gettext("You no longer follow this feed; its events stay."))

KIND_LABELS = {
    "salon": lazy_gettext("Trade show"),
    "conference": lazy_gettext("Conference"),
    "meetup": lazy_gettext("Meetup"),
    "workshop": lazy_gettext("Workshop"),
    "other": lazy_gettext("Other"),
}
STATUS_LABELS = {
    "interested": lazy_gettext("Interested"),
    "going": lazy_gettext("Going"),
    "attended": lazy_gettext("Attended"),
    "skipped": lazy_gettext("Not going"),
}
# Once an event is over, "going" and "interested" mean nothing: was the user there or not.
PAST_STATUS_LABELS = {
    "attended": lazy_gettext("I was there"),
    "skipped": lazy_gettext("I was not there"),
}
MAX_UPLOAD = 2_000_000


class EventForm(BaseModel):
    """The event form as the browser sends it: every field a string, checked by the service."""

    name: str = ""
    kind: str = "other"
    starts_at: str = ""
    ends_at: str = ""
    all_day: str = ""
    timezone: str = ""
    venue: str = ""
    address: str = ""
    city: str = ""
    country: str = ""
    url: str = ""
    description: str = ""
    status: str = "interested"
    notes: str = ""
    public: str = ""


def _parse_local(value: str, field: str, *, required: bool) -> datetime | None:
    value = value.strip()
    if not value:
        if required:
            raise Invalid(lazy_gettext("Please give a date."), field=field)
        return None
    try:
        parsed = (
            datetime.fromisoformat(value)
            if "T" in value
            else datetime.combine(date.fromisoformat(value), datetime.min.time())
        )
    except ValueError:
        raise Invalid(lazy_gettext("This date is not valid."), field=field) from None
    if not events.in_range(parsed):
        raise Invalid(lazy_gettext("Please give a date between 1900 and 2200."), field=field)
    return parsed


def _to_create(form: EventForm, user: User) -> EventCreate:
    if not form.name.strip():
        raise Invalid(lazy_gettext("Please give the event a name."), field="name")
    all_day = form.all_day in {"on", "true", "1"}
    starts_at = _parse_local(form.starts_at, "starts_at", required=True)
    ends_at = _parse_local(form.ends_at, "ends_at", required=False)
    if all_day and ends_at is not None:
        # The form shows the last day; storage keeps the exclusive end.
        ends_at = datetime.combine(ends_at.date() + timedelta(days=1), datetime.min.time())
    try:
        return EventCreate(
            name=form.name.strip(),
            kind=EventKind(form.kind) if form.kind in EventKind.__members__ else EventKind.other,
            starts_at=starts_at,  # type: ignore[arg-type]
            ends_at=ends_at,
            all_day=all_day,
            timezone=form.timezone or user.timezone,
            venue=form.venue.strip() or None,
            address=form.address.strip() or None,
            city=form.city.strip() or None,
            country=form.country.strip() or None,
            url=form.url.strip() or None,
            description=form.description.strip() or None,
            status=EventStatus(form.status)
            if form.status in EventStatus.__members__
            else EventStatus.interested,
            notes=form.notes.strip() or None,
            public=form.public in {"on", "true", "1"},
        )
    except ValidationError as error:
        field = str(error.errors()[0]["loc"][0]) if error.errors() else None
        raise Invalid(lazy_gettext("Please check this value."), field=field) from None


def _form_values(event: Event | None, user: User) -> dict[str, Any]:
    """What the form shows: wall-clock times in the event's own zone, all-day ends inclusive."""
    if event is None:
        return {"timezone": user.timezone, "status": "interested", "kind": "other"}
    zone = ZoneInfo(event.timezone)
    values = event.model_dump()
    start = event.starts_at.astimezone(zone)
    end = event.ends_at.astimezone(zone) if event.ends_at else None
    if event.all_day:
        values["starts_at"] = start.date().isoformat()
        values["ends_at"] = (end - timedelta(days=1)).date().isoformat() if end else ""
    else:
        values["starts_at"] = start.strftime("%Y-%m-%dT%H:%M")
        values["ends_at"] = end.strftime("%Y-%m-%dT%H:%M") if end else ""
    return values


def _context(**extra: Any) -> dict[str, Any]:
    return {"kinds": KIND_LABELS, "statuses": STATUS_LABELS, "past_statuses": PAST_STATUS_LABELS,
            "ended": events.ended, "now": utcnow(), **extra}  # fmt: skip


def _month_groups(
    request: Request, items: list[Event], user: User, now: datetime
) -> list[tuple[str, list[Event]]]:
    zone = ZoneInfo(user.timezone)
    locale = babel_locale(request.state.locale)

    def key(event: Event) -> str:
        if event.starts_at <= now:
            return "now"
        return event.starts_at.astimezone(zone).strftime("%Y-%m")

    groups = []
    for month, group in groupby(items, key=key):
        if month == "now":
            with use_locale(request.state.locale):
                label = gettext("On now")
        else:
            first = datetime.strptime(month, "%Y-%m").date()
            label = format_date(first, "LLLL y", locale=locale).capitalize()
        groups.append((label, list(group)))
    return groups


@router.get("/events")
def list_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    when: str = "upcoming",
    status: str = "",
    kind: str = "",
    q: str = "",
) -> Response:
    when = when if when in events.WHEN else "upcoming"
    filters = events.EventFilters(
        when=when,
        status=status if status in STATUS_LABELS else None,
        kind=kind if kind in KIND_LABELS else None,
        q=q.strip()[:200] or None,
    )
    now = utcnow()
    found = events.list_events(session, owner=user, filters=filters, now=now)
    groups = _month_groups(request, found, user, now) if when == "upcoming" else [("", found)]
    filtered = bool(filters.status or filters.kind or filters.q)
    return render(
        request, "events/list.html",
        _context(groups=groups, count=len(found), when=when, status=status, kind=kind, q=q, filtered=filtered),
    )  # fmt: skip


@router.get("/events/new")
def new_page(request: Request, user: CurrentUser) -> Response:
    return render(
        request,
        "events/form.html",
        _context(event=None, values=_form_values(None, user), timezones=common_timezones()),
    )


@router.post("/events")
def create(
    request: Request, session: SessionDep, user: CurrentUser, form: Annotated[EventForm, Form()]
) -> Response:
    with refill("events/form.html", _form_again(form)):
        event = events.create_event(session, owner=user, data=_to_create(form, user))
    return redirect(f"/events/{event.id}", flash_key="event_saved")


def _form_again(form: EventForm, event_id: uuid.UUID | None = None) -> PageContext:
    """The event form again, filled with what was typed."""

    def context(session: Session) -> dict[str, Any]:
        event = session.get(Event, event_id) if event_id else None
        return _context(event=event, values=form.model_dump(), timezones=common_timezones())

    return context


@router.get("/events/import")
def import_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    return render(
        request,
        "events/import.html",
        _context(feeds=imports.list_feeds(session, owner=user), values={}),
    )


@router.post("/events/import")
def import_preview(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    url: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    def again(session: Session) -> dict[str, Any]:
        return _context(feeds=imports.list_feeds(session, owner=user), values={"url": url})

    with refill("events/import.html", again):
        if file is not None and file.filename:
            data = file.file.read(MAX_UPLOAD + 1)
            if len(data) > MAX_UPLOAD:
                raise imports.ImportRefused("too_large", field="file")
            parsed = imports.parse(
                data, content_type=file.content_type, source_url=None, timezone=user.timezone
            )
        elif url.strip():
            parsed = imports.fetch(
                url, allow_private=settings.allow_private_urls, timezone=user.timezone
            )
        else:
            raise Invalid(lazy_gettext("Paste a link or choose a file."), field="url")
    previews = [
        ImportedEventPublic.model_validate(item, from_attributes=True)
        for item in parsed.result.events
    ]
    payload = json.dumps([preview.model_dump(mode="json") for preview in previews])
    context = _context(
        previews=previews, payload=payload, skipped=parsed.skipped, source_url=url.strip() if url.strip() else "",
        calendar_name=parsed.result.calendar_name, can_follow=bool(url.strip()) and parsed.result.is_feed,
    )  # fmt: skip
    return render(request, "events/preview.html", context)


@router.post("/events/import/save")
def import_save(
    session: SessionDep,
    user: CurrentUser,
    payload: Annotated[str, Form()] = "[]",
    pick: Annotated[list[int] | None, Form()] = None,
    source_url: Annotated[str, Form()] = "",
    subscribe: Annotated[str, Form()] = "",
    calendar_name: Annotated[str, Form()] = "",
) -> Response:
    try:
        items = [
            ImportedEvent(**ImportedEventPublic.model_validate(raw).model_dump())
            for raw in json.loads(payload)
        ]
    except (ValueError, TypeError, ValidationError):
        raise Invalid(
            lazy_gettext("This preview could not be read. Please import again.")
        ) from None
    if subscribe and source_url:
        feed = imports.subscribe(session, owner=user, url=source_url, name=calendar_name or None)
        parsed = imports.Parsed(result=ImportResult(events=items))
        imports.apply_feed(session, owner=user, feed=feed, parsed=parsed)
    else:
        chosen = [items[index] for index in sorted(set(pick or [])) if 0 <= index < len(items)]
        if not chosen:
            raise Invalid(lazy_gettext("Choose at least one event."), field="pick")
        events.save_imported(session, owner=user, items=chosen)
    return redirect("/events", flash_key="events_imported")


@router.post("/events/feeds/{feed_id}/delete")
def unsubscribe(session: SessionDep, user: CurrentUser, feed_id: uuid.UUID) -> Response:
    imports.unsubscribe(session, owner=user, feed_id=feed_id)
    return redirect("/events/import", flash_key="feed_removed")


@router.get("/events/{event_id}")
def event_page(
    request: Request, session: SessionDep, user: CurrentUser, event_id: uuid.UUID
) -> Response:
    event = events.get_event(session, owner=user, event_id=event_id)
    return render(request, "events/detail.html", detail_context(request, session, user, event))


class EventSection(Protocol):
    """What another feature shows on an event's page (the people met there, who I want to meet):
    wired in `app.wiring`."""

    def __call__(self, session: Session, user: User, event: Event) -> dict[str, Any]: ...


def detail_context(request: Request, session: Session, user: User, event: Event) -> dict[str, Any]:
    """An event's page: its details, its earlier editions, and the other features' sections."""
    context = _context(
        event=event,
        editions=events.earlier_editions(session, owner=user, event=event),
        other_zone=event.timezone != user.timezone,
        google_calendar=event_calendar.google_calendar_link(event),
        place=place_lines(event),
    )
    sections: list[EventSection] = request.app.state.wiring.event_sections
    for section in sections:
        context |= section(session, user, event)
    return context


@router.get("/events/{event_id}/edit")
def edit_page(
    request: Request, session: SessionDep, user: CurrentUser, event_id: uuid.UUID
) -> Response:
    event = events.get_event(session, owner=user, event_id=event_id)
    return render(
        request,
        "events/form.html",
        _context(event=event, values=_form_values(event, user), timezones=common_timezones()),
    )


@router.post("/events/{event_id}/edit")
def edit(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    event_id: uuid.UUID,
    form: Annotated[EventForm, Form()],
) -> Response:
    events.get_event(session, owner=user, event_id=event_id)
    with refill("events/form.html", _form_again(form, event_id)):
        data = _to_create(form, user)
        update = EventUpdate.model_validate(data.model_dump(exclude={"id"}))
        events.update_event(session, owner=user, event_id=event_id, data=update)
    return redirect(f"/events/{event_id}", flash_key="event_saved")


@router.post("/events/{event_id}/status")
def change_status(
    session: SessionDep,
    user: CurrentUser,
    event_id: uuid.UUID,
    status: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    events.set_status(session, owner=user, event_id=event_id, status=status)
    target = "/events" if next == "list" else f"/events/{event_id}"
    return RedirectResponse(target, status_code=303)


@router.get("/events/{event_id}/delete")
def delete_page(
    request: Request, session: SessionDep, user: CurrentUser, event_id: uuid.UUID
) -> Response:
    event = events.get_event(session, owner=user, event_id=event_id)
    return render(request, "events/delete.html", _context(event=event))


@router.post("/events/{event_id}/delete")
def delete(session: SessionDep, user: CurrentUser, event_id: uuid.UUID) -> Response:
    events.delete_event(session, owner=user, event_id=event_id)
    return redirect("/events", flash_key="event_deleted")
