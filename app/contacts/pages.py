"""People pages: capture (works without JavaScript too), the list, a person, edit, delete, merge."""

import base64
import uuid
from collections.abc import Mapping
from typing import Annotated, Any, Protocol

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from app.accounts.deps import CurrentUser
from app.accounts.models import User
from app.contacts import picking, want_to_meet
from app.contacts import service as contacts
from app.contacts.models import (
    Contact,
    ContactWrite,
    InteractionCreate,
    InteractionKind,
    WantToMeetCreate,
)  # fmt: skip
from app.db import SessionDep, committing_router
from app.errors import Invalid
from app.events import pages as event_pages
from app.events import service as events
from app.events.models import Event
from app.web.forms import invalid_from, optional_uuid, refill
from app.web.i18n import lazy_gettext
from app.web.templating import redirect, register_flash, render

router = committing_router(include_in_schema=False)

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
    met_through_id_q: str = ""  # what the picker's field shows (see contacts.picking)
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


class CaptureHook(Protocol):
    """What another feature does with a capture's own fields (gives: "a give to plan"), inside
    the capture's transaction: wired in `app.wiring`."""

    def __call__(
        self, session: Session, *, owner: User, contact: Contact, event_id: uuid.UUID | None,
        form: Mapping[str, str],
    ) -> None: ...  # fmt: skip


def _capture_context(
    session: Session, user: User, event_id: uuid.UUID | None, **extra: Any
) -> dict[str, Any]:
    current, options = events.capture_events(session, owner=user, event_id=event_id)
    return {
        "current": current,
        "options": options,
        "wishes": want_to_meet.wishes_for_capture(
            session, owner=user, event_ids=[event.id for event in options]
        ),
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
    saved_id = optional_uuid(saved, "saved") if saved else None
    context["last"] = contacts.find_contact(session, owner=user, contact_id=saved_id)
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

    def again(session: Session) -> dict[str, Any]:
        context = _capture_context(session, user, event_id, values=form.model_dump())
        context["new_id"] = form.id or context["new_id"]
        return context

    hooks: list[CaptureHook] = request.app.state.wiring.capture_hooks
    with refill("contacts/capture.html", again):
        person_id = optional_uuid(form.id, "id") or uuid.uuid4()
        _pick_met_through(session, user, form, person_id)
        data = _to_write(form, keep_empty=False, photo=_read_photo(photo))
        contact, _ = contacts.put_contact(session, owner=user, contact_id=person_id, data=data)
        for hook in hooks:
            hook(session, owner=user, contact=contact, event_id=event_id, form=form.model_dump())
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


class PersonSection(Protocol):
    """What another feature shows on a person's page (their gives, keeping in touch, referrals);
    `timeline` entries, if any, join the person's timeline: wired in `app.wiring`."""

    def __call__(self, session: Session, user: User, contact: Contact) -> dict[str, Any]: ...


def person_context(
    request: Request, session: Session, user: User, contact: Contact
) -> dict[str, Any]:
    """A person's page: details, timeline, who introduced whom, likely doubles, and sections."""
    view = contacts.person_view(session, owner=user, contact=contact)
    timeline = list(view.timeline)
    context: dict[str, Any] = {
        "person": contact, "through": view.through, "introduced": view.introduced,
        "matches": view.matches, "reasons": MATCH_REASONS, "kinds": INTERACTION_LABELS,
    }  # fmt: skip
    sections: list[PersonSection] = request.app.state.wiring.person_sections
    for section in sections:
        extra = section(session, user, contact)
        timeline.extend(extra.pop("timeline", []))
        context |= extra
    timeline.sort(key=lambda entry: entry["at"], reverse=True)
    return context | {"timeline": timeline}


BESIDE_COUNT = 20


@router.get("/people/{contact_id}")
def person_page(
    request: Request, session: SessionDep, user: CurrentUser, contact_id: uuid.UUID
) -> Response:
    contact = contacts.get_contact(session, owner=user, contact_id=contact_id)
    context = person_context(request, session, user, contact)
    # From 1024 px the latest people stand beside the person (hidden on a phone).
    beside, _cursor = contacts.list_contacts(
        session, owner=user, query=contacts.PeopleQuery(limit=BESIDE_COUNT)
    )
    return render(request, "contacts/detail.html", context | {"beside": beside})


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


def _form_values(session: Session, owner: User, contact: Contact) -> dict[str, Any]:
    values = contact.model_dump()
    values["tags"] = ", ".join(contact.tags)
    values["met_through_id"] = str(contact.met_through_id or "")
    through = contacts.find_contact(session, owner=owner, contact_id=contact.met_through_id)
    values["met_through_id_q"] = picking.label_of(through) if through else ""
    return values


def _pick_met_through(
    session: Session, owner: User, form: ContactForm, person: uuid.UUID | None
) -> None:
    """The "met through" picker's person, resolved from what its field shows."""
    chosen = picking.pick(
        session, owner=owner, field="met_through_id", chosen=form.met_through_id,
        typed=form.met_through_id_q, exclude=person,
    )  # fmt: skip
    form.met_through_id = str(chosen or "")


@router.get("/people/{contact_id}/edit")
def edit_page(
    request: Request, session: SessionDep, user: CurrentUser, contact_id: uuid.UUID
) -> Response:
    contact = contacts.get_contact(session, owner=user, contact_id=contact_id)
    context = {"person": contact, "values": _form_values(session, user, contact)}
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
    contacts.get_contact(session, owner=user, contact_id=contact_id)

    def again(session: Session) -> dict[str, Any]:
        person = contacts.get_contact(session, owner=user, contact_id=contact_id)
        return {"person": person, "values": form.model_dump()}

    with refill("contacts/form.html", again):
        _pick_met_through(session, user, form, contact_id)
        data = _to_write(form, keep_empty=True, photo=_read_photo(photo))
        if remove_photo and not data.photo:
            contacts.delete_photo(session, owner=user, contact_id=contact_id)
            if not (data.full_name or "").strip():
                raise Invalid(
                    lazy_gettext("Please give a name, or take a photo."), field="full_name"
                )
        contacts.put_contact(session, owner=user, contact_id=contact_id, data=data, create=False)
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
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    contact_id: uuid.UUID,
    other_id: Annotated[str, Form()] = "",
) -> Response:
    contacts.get_contact(session, owner=user, contact_id=contact_id)  # 404 first for another's id
    other = optional_uuid(other_id, "other_id")
    if other is None:
        raise Invalid(lazy_gettext("Choose two different people."), field="other_id")
    hooks = request.app.state.wiring.merge_hooks
    contacts.merge_contacts(session, owner=user, keep_id=contact_id, other_id=other, hooks=hooks)
    return redirect(f"/people/{contact_id}", flash_key="people_merged")


def event_section(session: Session, user: User, event: Event) -> dict[str, Any]:
    """What an event's page shows of people (an `EventSection`): who I want to meet there, who
    I met there and at its earlier editions."""
    editions = events.earlier_editions(session, owner=user, event=event)
    return {
        "wants": want_to_meet.list_want_to_meet(session, owner=user, event=event),
        "wants_met": want_to_meet.met_wishes(session, owner=user, event=event),
        "met": contacts.people_met_at(session, owner=user, event_ids=[event.id]),
        "met_before": contacts.people_met_at(
            session, owner=user, event_ids=[edition.id for edition in editions]
        ),
    }


@router.post("/events/{event_id}/want-to-meet")
def add_want(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    event_id: uuid.UUID,
    name: Annotated[str, Form()] = "",
    why: Annotated[str, Form()] = "",
    contact_id: Annotated[str, Form()] = "",
    contact_id_q: Annotated[str, Form()] = "",
) -> Response:
    def again(session: Session) -> dict[str, Any]:
        event = events.get_event(session, owner=user, event_id=event_id)
        typed = {"name": name, "why": why, "contact_id": contact_id, "contact_id_q": contact_id_q}
        return event_pages.detail_context(request, session, user, event) | {"values": typed}

    with refill("events/detail.html", again, message_key="want_error"):
        known = picking.pick(
            session, owner=user, field="contact_id", chosen=contact_id, typed=contact_id_q
        )
        want_to_meet.add_want_to_meet(
            session,
            owner=user,
            event_id=event_id,
            data=WantToMeetCreate(name=name[:200], why=why[:1000], contact_id=known),
        )
    return RedirectResponse(f"/events/{event_id}#want-to-meet", status_code=303)


@router.post("/events/{event_id}/want-to-meet/{wish_id}/delete")
def remove_want(
    session: SessionDep, user: CurrentUser, event_id: uuid.UUID, wish_id: uuid.UUID
) -> Response:
    want_to_meet.remove_want_to_meet(session, owner=user, event_id=event_id, wish_id=wish_id)
    return RedirectResponse(f"/events/{event_id}#want-to-meet", status_code=303)
