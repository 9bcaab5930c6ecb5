"""JSON API for people: idempotent capture, search with a cursor, photos, interactions, merge,
and vCard / CSV import and export."""

import uuid
from typing import Annotated, Any

from fastapi import Query, Request, Response, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel
from starlette.concurrency import run_in_threadpool

from app.accounts.deps import CurrentUser
from app.accounts.models import User
from app.contacts import exchange, picking, want_to_meet
from app.contacts import service as contacts
from app.contacts.models import (
    Contact,
    ContactPage,
    ContactPublic,
    ContactWrite,
    InteractionCreate,
    InteractionPublic,
    MatchPublic,
    MeetingPublic,
    WantToMeetCreate,
    WantToMeetPublic,
)
from app.contacts.picking import PersonChoice
from app.db import SessionDep, committing_router
from app.errors import Invalid
from app.events import service as events
from app.web.i18n import lazy_gettext
from app.web.responses import json_response

router = committing_router(prefix="/api/v1", tags=["people"])


def to_public(
    session: Session, owner: User, contact: Contact, *, full: bool = False
) -> ContactPublic:
    """A person as the API shows them; `full` adds where and when they were met."""
    meetings = []
    if full:
        meetings = [
            MeetingPublic(
                id=view.meeting.id,
                event_id=view.meeting.event_id,
                event_name=view.event.name if view.event else None,
                met_at=view.meeting.met_at,
                note=view.meeting.note,
            )  # fmt: skip
            for view in contacts.meetings_of(session, owner=owner, contact=contact)
        ]
    stamp = int(contact.updated_at.timestamp())
    return ContactPublic.model_validate(
        {
            **contact.model_dump(),
            "has_photo": contact.photo_type is not None,
            "photo_url": f"/api/v1/contacts/{contact.id}/photo?v={stamp}"
            if contact.photo_type
            else None,
            "meetings": meetings,
        }
    )


@router.get("/contacts", response_model=ContactPage)
def list_contacts(
    session: SessionDep,
    user: CurrentUser,
    q: Annotated[str | None, Query(max_length=200)] = None,
    event_id: uuid.UUID | None = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    sort: Annotated[str, Query(pattern="^(recent|name)$")] = "recent",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=contacts.PAGE_MAX)] = contacts.PAGE_SIZE,
) -> Response:
    """The user's people, a page at a time: search (case and accents ignored), filter by event
    or tag, sort by last met or by name; pass `next_cursor` back as `cursor` for the next page."""
    query = contacts.PeopleQuery(
        q=q, event_id=event_id, tag=tag, sort=sort, cursor=cursor, limit=limit
    )
    found, next_cursor = contacts.list_contacts(session, owner=user, query=query)
    items = [to_public(session, user, c) for c in found]
    return json_response(ContactPage(items=items, next_cursor=next_cursor))


@router.get("/contacts/matches", response_model=list[MatchPublic])
def likely_matches(
    session: SessionDep,
    user: CurrentUser,
    full_name: Annotated[str, Query(max_length=200)] = "",
    email: Annotated[str, Query(max_length=254)] = "",
    company: Annotated[str, Query(max_length=200)] = "",
    exclude: uuid.UUID | None = None,
) -> Response:
    """People already known who may be the one being captured (same e-mail, or similar name)."""
    matches = contacts.find_matches(
        session, owner=user, full_name=full_name, email=email, company=company, exclude=exclude
    )
    return json_response([
        MatchPublic(
            id=m.contact.id,
            full_name=m.contact.full_name,
            company=m.contact.company,
            email=m.contact.email,
            reason=m.reason,
        )
        for m in matches
    ])  # fmt: skip


@router.get("/contacts/choices", response_model=list[PersonChoice])
def person_choices(
    session: SessionDep,
    user: CurrentUser,
    q: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=picking.CHOICES_MAX)] = 8,
    exclude: uuid.UUID | None = None,
) -> list[PersonChoice]:
    """People to choose from as the user types (a picker): each word begins a word of theirs;
    with nothing typed, the most recently met."""
    return picking.choices(session, owner=user, q=q, limit=limit, exclude=exclude)


@router.get("/contacts/export.vcf", response_class=StreamingResponse)
def export_vcf(request: Request, user: CurrentUser) -> StreamingResponse:
    """Everyone as one vCard 3.0 file, streamed as it is written."""
    pages = contacts.export_pages(request.app.state.engine, owner_id=user.id)
    return StreamingResponse(
        # One chunk per page: each chunk is a hop to a thread and back.
        ("".join(exchange.vcards(rows)) for rows in pages),
        media_type="text/vcard; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="givefirst-people.vcf"'},
    )


@router.get("/contacts/export.csv", response_class=Response)
def export_csv(session: SessionDep, user: CurrentUser) -> Response:
    """Everyone as CSV with the documented header (UTF-8 with a BOM, for spreadsheets)."""
    return Response(
        exchange.csv_text(contacts.export_rows(session, owner=user)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="givefirst-people.csv"'},
    )


IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "dry_run": {"type": "boolean"},
                        "on_match": {"type": "string", "enum": ["merge", "skip"]},
                    },
                    "required": ["file"],
                }
            }
        },
    }
}


@router.post("/contacts/import", response_model=exchange.ImportReport, openapi_extra=IMPORT_BODY)
async def import_contacts(
    request: Request, session: SessionDep, user: CurrentUser
) -> exchange.ImportReport:
    """Import a .vcf (2.1, 3.0, 4.0), LinkedIn's Connections.csv or a CSV with the documented
    header. People already known are completed (`on_match=merge`) or left (`skip`), never doubled;
    each rejected record comes back with its reason; a broken file imports nothing."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise Invalid(lazy_gettext("Please choose a file."), field="file")
    form = await request.form(max_files=1, max_fields=5, max_part_size=exchange.MAX_UPLOAD + 1)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise Invalid(lazy_gettext("Please choose a file."), field="file")
    data = await upload.read(exchange.MAX_UPLOAD + 1)
    dry_run = str(form.get("dry_run", "")).lower() in {"1", "true", "on", "yes"}
    on_match = "skip" if str(form.get("on_match", "")) == "skip" else "merge"
    # Parsing and applying a big file take seconds: off the event loop, so nothing else waits.
    parsed = await run_in_threadpool(
        exchange.parse_file, data, filename=upload.filename or "", locale=user.locale
    )
    return await run_in_threadpool(
        exchange.apply,
        session,
        owner=user,
        parsed=parsed,
        dry_run=dry_run,
        on_match=on_match,
        locale=user.locale,
        secret=request.app.state.settings.secret,
    )


@router.get("/contacts/{contact_id}.vcf", response_class=Response)
def export_one(session: SessionDep, user: CurrentUser, contact_id: uuid.UUID) -> Response:
    """One person as a vCard that a phone's contacts app accepts ("save to my phone")."""
    contact = contacts.get_contact(session, owner=user, contact_id=contact_id)
    name = exchange.safe_filename(contact.full_name or "contact")
    return Response(
        exchange.one_vcard(contacts.contact_row(session, contact)),
        media_type="text/vcard; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.vcf"'},
    )


@router.put(
    "/contacts/{contact_id}",
    response_model=ContactPublic,
    responses={201: {"description": "Created", "model": ContactPublic}},
)
def put_contact(
    session: SessionDep,
    user: CurrentUser,
    contact_id: uuid.UUID,
    body: ContactWrite,
) -> Response:
    """Create or update a person under the client's id (offline capture); replaying changes
    nothing. Fields left out stay as they are; `event_id` records where they were met."""
    try:
        contact, created = contacts.put_contact(
            session, owner=user, contact_id=contact_id, data=body
        )
    except IntegrityError:
        # The same capture sent twice at once (two tabs flushing one outbox): the other copy
        # created the person between our lookup and our INSERT. Replayed, it is an update.
        session.rollback()
        contact, created = contacts.put_contact(
            session, owner=user, contact_id=contact_id, data=body
        )
    # Someone just created and met nowhere has no meeting to read: no query for it.
    public = to_public(session, user, contact, full=not created or body.event_id is not None)
    return json_response(
        public, status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK
    )


@router.get("/contacts/{contact_id}", response_model=ContactPublic)
def read_contact(session: SessionDep, user: CurrentUser, contact_id: uuid.UUID) -> Response:
    """One person, with where and when they were met."""
    contact = contacts.get_contact(session, owner=user, contact_id=contact_id)
    return json_response(to_public(session, user, contact, full=True))


@router.patch("/contacts/{contact_id}", response_model=ContactPublic)
def update_contact(
    session: SessionDep, user: CurrentUser, contact_id: uuid.UUID, body: ContactWrite
) -> Response:
    """Change some fields of a person."""
    contact, _ = contacts.put_contact(
        session, owner=user, contact_id=contact_id, data=body, create=False
    )
    return json_response(to_public(session, user, contact, full=True))


@router.delete("/contacts/{contact_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_contact(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    contact_id: uuid.UUID,
    erase: bool = False,
    do_not_bring_back: bool = False,
) -> None:
    """Delete a person with their meetings, interactions and photo. With `erase=true`, erase
    them and all that derives from them (gives to or about them, introductions, referrals,
    cached calendar items); with `do_not_bring_back=true` too, later imports skip them."""
    if erase:
        eraser: contacts.Eraser = request.app.state.wiring.person_eraser
        eraser(
            session, owner=user, contact_id=contact_id, secret=request.app.state.settings.secret,
            do_not_bring_back=do_not_bring_back,
        )  # fmt: skip
        return
    contacts.delete_contact(session, owner=user, contact_id=contact_id)


@router.get("/contacts/{contact_id}/photo", response_class=Response)
def read_photo(session: SessionDep, user: CurrentUser, contact_id: uuid.UUID) -> Response:
    """A person's photo."""
    photo = contacts.get_photo(session, owner=user, contact_id=contact_id)
    return Response(
        photo.data,
        media_type=photo.content_type,
        headers={"Cache-Control": "private, max-age=31536000, immutable"},
    )


@router.put("/contacts/{contact_id}/photo", status_code=status.HTTP_204_NO_CONTENT)
async def put_photo(
    request: Request, session: SessionDep, user: CurrentUser, contact_id: uuid.UUID
) -> None:
    """Set a person's photo from the request body (JPEG, PNG, WebP or GIF; checked by content,
    shrunk and stripped of its metadata)."""
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > contacts.PHOTO_MAX_BYTES:
            raise Invalid(lazy_gettext("This photo is too large."), field="photo")

    def store() -> None:
        contact = contacts.get_contact(session, owner=user, contact_id=contact_id)
        contacts.set_photo(session, owner=user, contact=contact, data=bytes(data))

    # Decoding and re-encoding an image is CPU work: off the event loop.
    await run_in_threadpool(store)


@router.delete("/contacts/{contact_id}/photo", status_code=status.HTTP_204_NO_CONTENT)
def delete_photo(session: SessionDep, user: CurrentUser, contact_id: uuid.UUID) -> None:
    """Remove a person's photo."""
    contacts.delete_photo(session, owner=user, contact_id=contact_id)


@router.get("/contacts/{contact_id}/interactions", response_model=list[InteractionPublic])
def list_interactions(session: SessionDep, user: CurrentUser, contact_id: uuid.UUID) -> Any:
    """A person's coffees, calls, messages and notes, latest first."""
    contact = contacts.get_contact(session, owner=user, contact_id=contact_id)
    return contacts.interactions_of(session, owner=user, contact=contact)


@router.post(
    "/contacts/{contact_id}/interactions",
    response_model=InteractionPublic,
    status_code=status.HTTP_201_CREATED,
)
def log_interaction(
    session: SessionDep, user: CurrentUser, contact_id: uuid.UUID, body: InteractionCreate
) -> Any:
    """Log an interaction (the client may choose its id, so a replay is harmless)."""
    return contacts.log_interaction(session, owner=user, contact_id=contact_id, data=body)


@router.delete(
    "/contacts/{contact_id}/interactions/{interaction_id}",
    status_code=status.HTTP_204_NO_CONTENT,
)
def delete_interaction(
    session: SessionDep, user: CurrentUser, contact_id: uuid.UUID, interaction_id: uuid.UUID
) -> None:
    """Remove an interaction."""
    contacts.delete_interaction(
        session, owner=user, contact_id=contact_id, interaction_id=interaction_id
    )


class MergeRequest(BaseModel):
    other_id: uuid.UUID


class Merged(SQLModel):
    contact: ContactPublic
    removed_id: uuid.UUID


@router.post("/contacts/{contact_id}/merge", response_model=Merged)
def merge(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    contact_id: uuid.UUID,
    body: MergeRequest,
) -> Merged:
    """Merge another person into this one, keeping every meeting, note, tag and give."""
    kept = contacts.merge_contacts(
        session, owner=user, keep_id=contact_id, other_id=body.other_id,
        hooks=request.app.state.wiring.merge_hooks,
    )  # fmt: skip
    return Merged(contact=to_public(session, user, kept, full=True), removed_id=body.other_id)


@router.get("/events/{event_id}/want-to-meet", response_model=list[WantToMeetPublic])
def list_want_to_meet(session: SessionDep, user: CurrentUser, event_id: uuid.UUID) -> Any:
    """Who the user wants to meet at this event."""
    event = events.get_event(session, owner=user, event_id=event_id)
    return want_to_meet.list_want_to_meet(session, owner=user, event=event)


@router.post(
    "/events/{event_id}/want-to-meet",
    response_model=WantToMeetPublic,
    status_code=status.HTTP_201_CREATED,
)
def add_want_to_meet(
    session: SessionDep, user: CurrentUser, event_id: uuid.UUID, body: WantToMeetCreate
) -> Any:
    """Add someone to meet at this event, with why."""
    return want_to_meet.add_want_to_meet(session, owner=user, event_id=event_id, data=body)


@router.delete("/events/{event_id}/want-to-meet/{wish_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_want_to_meet(
    session: SessionDep, user: CurrentUser, event_id: uuid.UUID, wish_id: uuid.UUID
) -> None:
    """Take someone off the list."""
    want_to_meet.remove_want_to_meet(session, owner=user, event_id=event_id, wish_id=wish_id)
