"""People pages: capture (works without JavaScript too), the list, a person, edit, delete, merge."""

import base64
import uuid
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session, col, select

from app.accounts.deps import CurrentUser
from app.accounts.models import User
from app.contacts import service as contacts
from app.contacts.models import Contact, ContactWrite, InteractionCreate, InteractionKind
from app.db import SessionDep, utcnow
from app.errors import AppError, Invalid
from app.events import service as events
from app.events.models import Event
from app.gives import network_pages
from app.gives import pages as give_pages
from app.gives import service as gives
from app.gives.models import GiveKind, GiveWrite
from app.web.forms import invalid_from, optional_uuid
from app.web.i18n import lazy_gettext
from app.web.templating import redirect, register_flash, render

router = APIRouter(include_in_schema=False)

register_flash("person_saved", lazy_gettext("The person is saved."))
register_flash("person_deleted", lazy_gettext("The person is deleted."))
register_flash("people_merged", lazy_gettext("The two people are merged; nothing was lost."))
register_flash("interaction_logged", lazy_gettext("Noted."))
register_flash("captured", lazy_gettext("Saved. Next person?"))

INTERACTION_LABELS = {
    "coffee": lazy_gettext("Coffee"),
    "call": lazy_gettext("Call"),
    "message": lazy_gettext("Message"),
    "note": lazy_gettext("Note"),
}
MATCH_REASONS = {
    "email": lazy_gettext("same e-mail address"),
    "name": lazy_gettext("same name"),
    "name_company": lazy_gettext("same name and company"),
}
MAX_PHOTO_UPLOAD = contacts.PHOTO_MAX_BYTES


class ContactForm(BaseModel):
    """The person form as the browser sends it: every field a string."""

    id: str = ""
    full_name: str = ""
    company: str = ""
    role: str = ""
    email: str = ""
    phone: str = ""
    url: str = ""
    hook: str = ""
    needs: str = ""
    notes: str = ""
    tags: str = ""
    met_through_id: str = ""
    event_id: str = ""
    give_title: str = ""
    next: str = ""


def _to_write(form: ContactForm, *, keep_empty: bool, photo: bytes | None) -> ContactWrite:
    """A form as an API body: on capture, empty fields are left out; on edit, they clear."""
    values: dict[str, Any] = {}
    for name in ("full_name", "company", "role", "email", "phone", "url", "hook", "needs", "notes"):
        value = getattr(form, name).strip()
        if value or keep_empty:
            values[name] = value
    if form.tags.strip() or keep_empty:
        values["tags"] = [tag for tag in form.tags.split(",") if tag.strip()]
    through = optional_uuid(form.met_through_id, "met_through_id")
    if through is not None or keep_empty:
        values["met_through_id"] = through
    event_id = optional_uuid(form.event_id, "event_id")
    if event_id is not None:
        values["event_id"] = event_id
    if photo:
        values["photo"] = base64.b64encode(photo).decode()
    try:
        return ContactWrite.model_validate(values)
    except ValidationError as error:
        raise invalid_from(error) from None


def _read_photo(photo: UploadFile | None) -> bytes | None:
    if photo is None or not photo.filename:
        return None
    data = photo.file.read(MAX_PHOTO_UPLOAD + 1)
    if len(data) > MAX_PHOTO_UPLOAD:
        raise Invalid(lazy_gettext("This photo is too large."), field="photo")
    return data or None


def capture_events(session: Session, owner: User) -> list[Event]:
    """The events one may be capturing at: on now, recent and soon, nearest first."""
    now = utcnow()
    rows = session.exec(
        select(Event)
        .where(
            Event.owner_id == owner.id,
            col(Event.starts_at) > now - timedelta(days=21),
            col(Event.starts_at) < now + timedelta(days=60),
            col(Event.cancelled).is_(False),
        )
        .order_by(col(Event.starts_at))
        .limit(30)
    )
    return sorted(rows, key=lambda event: abs((event.starts_at - now).total_seconds()))


def _recent_people(session: Session, owner: User) -> list[Contact]:
    return contacts.recent_people(session, owner=owner, limit=200)


def _capture_context(
    session: Session, user: User, event_id: uuid.UUID | None, **extra: Any
) -> dict[str, Any]:
    options = capture_events(session, user)
    current = None
    if event_id is not None:
        current = next((event for event in options if event.id == event_id), None)
        if current is None:
            chosen = session.get(Event, event_id)
            if chosen is not None and chosen.owner_id == user.id:
                current, options = chosen, [chosen, *options]
    if current is None and event_id is None:
        current = events.current_event(session, owner=user)
    return {
        "current": current,
        "options": options,
        "people": _recent_people(session, user),
        "new_id": uuid.uuid4(),
        "values": {},
        **extra,
    }


@router.get("/capture")
def capture_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    event_id: str = "",
    saved: str = "",
) -> Response:
    chosen = optional_uuid(event_id, "event_id") if event_id else None
    context = _capture_context(session, user, chosen)
    last = None
    if saved:
        saved_id = optional_uuid(saved, "saved")
        found = session.get(Contact, saved_id) if saved_id else None
        last = found if found is not None and found.owner_id == user.id else None
    context["last"] = last
    return render(request, "contacts/capture.html", context)


@router.post("/capture")
def capture(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    form: Annotated[ContactForm, Form()],
    photo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """The capture form without JavaScript: the page carries a fresh id, so a double submit
    saves one person."""
    event_id = optional_uuid(form.event_id, "event_id") if form.event_id else None
    try:
        person_id = optional_uuid(form.id, "id") or uuid.uuid4()
        data = _to_write(form, keep_empty=False, photo=_read_photo(photo))
        contact, _ = contacts.put_contact(session, owner=user, contact_id=person_id, data=data)
        if form.give_title.strip():
            # Derived from the person's id, so that a double submit plans one give.
            give = GiveWrite(contact_id=contact.id, event_id=event_id, kind=GiveKind.resource,
                             title=form.give_title.strip()[:200])  # fmt: skip
            gives.put_give(
                session, owner=user, give_id=uuid.uuid5(contact.id, "capture"), data=give
            )
    except AppError as error:
        session.rollback()
        context = _capture_context(
            session, user, event_id, values=form.model_dump(),
            error=error.detail(request.state.locale), error_field=error.field,
        )  # fmt: skip
        context["new_id"] = form.id or context["new_id"]
        return render(request, "contacts/capture.html", context, status_code=error.status_code)
    if form.next == "person":
        return redirect(f"/people/{contact.id}", flash_key="person_saved")
    query = f"saved={contact.id}" + (f"&event_id={event_id}" if event_id else "")
    return redirect(f"/capture?{query}", flash_key="captured")


@router.get("/people")
def list_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    q: str = "",
    event_id: str = "",
    tag: str = "",
    sort: str = "recent",
    cursor: str = "",
) -> Response:
    event_uuid = optional_uuid(event_id, "event_id") if event_id else None
    query = contacts.PeopleQuery(
        q=q.strip()[:200] or None, event_id=event_uuid, tag=tag.strip()[:50] or None,
        sort=sort if sort in {"recent", "name"} else "recent", cursor=cursor or None,
    )  # fmt: skip
    found, next_cursor = contacts.list_contacts(session, owner=user, query=query)
    met_events = contacts.events_with_meetings(session, owner=user)
    context = {
        "people": found, "next_cursor": next_cursor, "q": q, "event_id": event_id, "tag": tag,
        "sort": query.sort, "cursor": cursor, "tags": contacts.all_tags(session, owner=user),
        "met_events": met_events, "filtered": bool(query.q or query.tag or query.event_id),
        "total": contacts.count_contacts(session, owner=user),
    }  # fmt: skip
    return render(request, "contacts/list.html", context)


def _person_context(session: Session, user: User, contact: Contact, **extra: Any) -> dict[str, Any]:
    timeline: list[dict[str, Any]] = []
    for view in contacts.meetings_of(session, owner=user, contact=contact):
        timeline.append({"kind": "meeting", "at": view.meeting.met_at, "event": view.event,
                         "note": view.meeting.note, "id": view.meeting.id})  # fmt: skip
    for item in contacts.interactions_of(session, owner=user, contact=contact):
        timeline.append(
            {"kind": item.kind, "at": item.happened_at, "note": item.note, "id": item.id}
        )
    their_gives = gives.list_gives(session, owner=user, contact_id=contact.id, limit=100)
    for give in their_gives:
        if give.status == "done" and give.done_at is not None:
            timeline.append({"kind": "give", "at": give.done_at, "give": give, "id": give.id})
    timeline.sort(key=lambda entry: entry["at"], reverse=True)
    through = session.get(Contact, contact.met_through_id) if contact.met_through_id else None
    introduced = session.exec(
        select(Contact)
        .where(Contact.owner_id == user.id, Contact.met_through_id == contact.id)
        .order_by(col(Contact.sort_name))
        .limit(50)
    ).all()
    matches = contacts.find_matches(
        session, owner=user, full_name=contact.full_name, email=contact.email or "",
        company=contact.company or "", exclude=contact.id,
    )  # fmt: skip
    return {
        "person": contact, "timeline": timeline, "through": through, "introduced": introduced,
        "matches": matches, "reasons": MATCH_REASONS, "kinds": INTERACTION_LABELS,
        "gives": their_gives, "give_people": gives.people_of(session, owner=user, gives=their_gives),
        **give_pages.labels(), **network_pages.person_context(session, user, contact), **extra,
    }  # fmt: skip


@router.get("/people/{contact_id}")
def person_page(
    request: Request, session: SessionDep, user: CurrentUser, contact_id: uuid.UUID
) -> Response:
    contact = contacts.get_contact(session, owner=user, contact_id=contact_id)
    return render(request, "contacts/detail.html", _person_context(session, user, contact))


@router.post("/people/{contact_id}/interactions")
def log_interaction(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    contact_id: uuid.UUID,
    kind: Annotated[str, Form()] = "note",
    note: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    chosen = InteractionKind(kind) if kind in InteractionKind.__members__ else InteractionKind.note
    contacts.log_interaction(
        session, owner=user, contact_id=contact_id, data=InteractionCreate(kind=chosen, note=note)
    )
    return redirect(f"/people/{contact_id}#timeline", flash_key="interaction_logged")


@router.post("/people/{contact_id}/interactions/{interaction_id}/delete")
def delete_interaction(
    session: SessionDep, user: CurrentUser, contact_id: uuid.UUID, interaction_id: uuid.UUID
) -> Response:
    contacts.delete_interaction(
        session, owner=user, contact_id=contact_id, interaction_id=interaction_id
    )
    return redirect(f"/people/{contact_id}#timeline")


def _form_values(contact: Contact) -> dict[str, Any]:
    values = contact.model_dump()
    values["tags"] = ", ".join(contact.tags)
    values["met_through_id"] = str(contact.met_through_id or "")
    return values


@router.get("/people/{contact_id}/edit")
def edit_page(
    request: Request, session: SessionDep, user: CurrentUser, contact_id: uuid.UUID
) -> Response:
    contact = contacts.get_contact(session, owner=user, contact_id=contact_id)
    context = {
        "person": contact,
        "values": _form_values(contact),
        "people": _recent_people(session, user),
    }
    return render(request, "contacts/form.html", context)


@router.post("/people/{contact_id}/edit")
def edit(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    contact_id: uuid.UUID,
    form: Annotated[ContactForm, Form()],
    photo: Annotated[UploadFile | None, File()] = None,
    remove_photo: Annotated[str, Form()] = "",
) -> Response:
    contact = contacts.get_contact(session, owner=user, contact_id=contact_id)
    try:
        data = _to_write(form, keep_empty=True, photo=_read_photo(photo))
        if remove_photo and not data.photo:
            contacts.delete_photo(session, owner=user, contact_id=contact_id)
            if not (data.full_name or "").strip():
                raise Invalid(
                    lazy_gettext("Please give a name, or take a photo."), field="full_name"
                )
        contacts.put_contact(session, owner=user, contact_id=contact_id, data=data, create=False)
    except AppError as error:
        session.rollback()
        context = {
            "person": contact, "values": form.model_dump(), "people": _recent_people(session, user),
            "error": error.detail(request.state.locale), "error_field": error.field,
        }  # fmt: skip
        return render(request, "contacts/form.html", context, status_code=error.status_code)
    return redirect(f"/people/{contact_id}", flash_key="person_saved")


@router.get("/people/{contact_id}/delete")
def delete_page(
    request: Request, session: SessionDep, user: CurrentUser, contact_id: uuid.UUID
) -> Response:
    contact = contacts.get_contact(session, owner=user, contact_id=contact_id)
    return render(request, "contacts/delete.html", {"person": contact})


@router.post("/people/{contact_id}/delete")
def delete(session: SessionDep, user: CurrentUser, contact_id: uuid.UUID) -> Response:
    contacts.delete_contact(session, owner=user, contact_id=contact_id)
    return redirect("/people", flash_key="person_deleted")


@router.get("/people/{contact_id}/merge")
def merge_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    contact_id: uuid.UUID,
    other: str = "",
) -> Response:
    contact = contacts.get_contact(session, owner=user, contact_id=contact_id)
    other_id = optional_uuid(other, "other")
    if other_id is None:
        raise Invalid(lazy_gettext("Choose two different people."), field="other")
    second = contacts.get_contact(session, owner=user, contact_id=other_id)
    return render(request, "contacts/merge.html", {"person": contact, "other": second})


@router.post("/people/{contact_id}/merge")
def merge(
    session: SessionDep,
    user: CurrentUser,
    contact_id: uuid.UUID,
    other_id: Annotated[str, Form()] = "",
) -> Response:
    contacts.get_contact(session, owner=user, contact_id=contact_id)  # 404 first for another's id
    other = optional_uuid(other_id, "other_id")
    if other is None:
        raise Invalid(lazy_gettext("Choose two different people."), field="other_id")
    contacts.merge_contacts(session, owner=user, keep_id=contact_id, other_id=other)
    return redirect(f"/people/{contact_id}", flash_key="people_merged")
