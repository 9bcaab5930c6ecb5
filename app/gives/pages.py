"""Give pages: every give, an event's follow-up list, a give with its prepared messages, and
the give form (which also works offline through the outbox, with JavaScript)."""

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from app.accounts.deps import CurrentUser
from app.accounts.models import User
from app.contacts import picking
from app.contacts import service as contacts
from app.contacts.models import Contact
from app.db import SessionDep, committing_router, utcnow
from app.errors import Invalid
from app.events import service as events
from app.gives import calendar as give_calendar
from app.gives import messages, network_pages
from app.gives import service as gives
from app.gives.models import FollowUpList, Give, GiveKind, GiveStatus, GiveWrite, IntroState
from app.network.service import profile_of
from app.text import safe_next
from app.web.forms import invalid_from, optional_uuid, refill
from app.web.i18n import lazy_gettext
from app.web.templating import redirect, register_flash, render

router = committing_router(include_in_schema=False)

register_flash("give_saved", lazy_gettext("The give is planned."))
register_flash("give_done", lazy_gettext("Done. Thank you for giving first."))
register_flash("give_snoozed", lazy_gettext("Moved to later."))
register_flash("give_skipped", lazy_gettext("Skipped."))
register_flash("give_deleted", lazy_gettext("The give is deleted."))
register_flash("follow_up_sent", lazy_gettext("Sent and marked done."))

KIND_LABELS = gives.KIND_LABELS
STATUS_LABELS = {
    "idea": lazy_gettext("Idea"),
    "planned": lazy_gettext("Planned"),
    "done": lazy_gettext("Done"),
    "skipped": lazy_gettext("Skipped"),
}
INTRO_LABELS = {
    "draft": lazy_gettext("Not asked yet"),
    "asked": lazy_gettext("Asked, waiting for an answer"),
    "accepted": lazy_gettext("Accepted"),
    "declined": lazy_gettext("Declined"),
    "introduced": lazy_gettext("Introduced"),
}


def labels() -> dict[str, Any]:
    """The labels every give template uses."""
    return {"give_kinds": KIND_LABELS, "give_statuses": STATUS_LABELS, "intro_states": INTRO_LABELS}


class GiveForm(BaseModel):
    id: str = ""
    contact_id: str = ""
    contact_id_q: str = ""  # what the pickers' fields show (see contacts.picking)
    other_contact_id: str = ""
    other_contact_id_q: str = ""
    event_id: str = ""
    kind: str = "resource"
    title: str = ""
    details: str = ""
    due_on: str = ""
    status: str = "planned"
    intro_why: str = ""
    next: str = ""


def _to_write(form: GiveForm, *, editing: bool) -> GiveWrite:
    values: dict[str, Any] = {
        "contact_id": optional_uuid(form.contact_id, "contact_id"),
        "kind": form.kind if form.kind in GiveKind.__members__ else "resource",
        "title": form.title.strip(),
        "details": form.details.strip() or None,
        "status": form.status if form.status in GiveStatus.__members__ else "planned",
    }
    if form.other_contact_id.strip() or editing:
        values["other_contact_id"] = optional_uuid(form.other_contact_id, "other_contact_id")
    if form.event_id.strip():
        values["event_id"] = optional_uuid(form.event_id, "event_id")
    if form.intro_why.strip() or editing:
        values["intro_why"] = form.intro_why.strip() or None
    if form.due_on.strip():
        try:
            values["due_on"] = date.fromisoformat(form.due_on.strip())
        except ValueError:
            raise Invalid(lazy_gettext("This date is not valid."), field="due_on") from None
    elif editing:
        values["due_on"] = None
    if not values["title"] and not editing:
        values.pop("title")
    try:
        return GiveWrite.model_validate(values)
    except ValidationError as error:
        raise invalid_from(error) from None


def _pick_people(session: Session, user: User, form: GiveForm) -> None:
    """The give's person and the one they are introduced to, from what the pickers show."""
    person = picking.pick(
        session, owner=user, field="contact_id", chosen=form.contact_id,
        typed=form.contact_id_q, required=True,
    )  # fmt: skip
    other = picking.pick(
        session, owner=user, field="other_contact_id", chosen=form.other_contact_id,
        typed=form.other_contact_id_q, exclude=person,
    )  # fmt: skip
    form.contact_id, form.other_contact_id = str(person or ""), str(other or "")


def _id_or_none(values: dict[str, Any], name: str) -> uuid.UUID | None:
    """An id the form carried back, or None when it is missing or not an id."""
    try:
        return uuid.UUID(str(values[name])) if values.get(name) else None
    except ValueError:
        return None


def _form_context(
    session: Session, user: User, values: dict[str, Any], give: Give | None = None, **extra: Any
) -> dict[str, Any]:
    person = contacts.find_contact(
        session, owner=user, contact_id=_id_or_none(values, "contact_id")
    )
    event = events.find_event(session, owner=user, event_id=_id_or_none(values, "event_id"))
    other = contacts.find_contact(
        session, owner=user, contact_id=_id_or_none(values, "other_contact_id")
    )
    for name, chosen in (("contact_id", person), ("other_contact_id", other)):
        if f"{name}_q" not in values:
            values[f"{name}_q"] = picking.label_of(chosen) if chosen else ""
    return {
        **labels(), "values": values, "give": give, "person": person, "event": event, **extra,
    }  # fmt: skip


@router.get("/gives/new")
def new_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    contact_id: str = "",
    event_id: str = "",
    other_contact_id: str = "",
    kind: str = "resource",
    title: str = "",
    next: str = "",
) -> Response:
    kind = kind if kind in GiveKind.__members__ else "resource"
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()), "contact_id": contact_id, "event_id": event_id,
        "other_contact_id": other_contact_id, "kind": kind, "title": title[:200],
        "status": "planned", "next": safe_next(next),
    }  # fmt: skip
    context = _form_context(session, user, values)
    if context["person"] is not None:
        event = context["event"]
        values["due_on"] = gives.default_due(
            kind, event=event, today=gives.local_today(user)
        ).isoformat()
    return render(request, "gives/form.html", context)


@router.post("/gives")
def create(
    request: Request, session: SessionDep, user: CurrentUser, form: Annotated[GiveForm, Form()]
) -> Response:
    with refill("gives/form.html", lambda again: _form_context(again, user, form.model_dump())):
        give_id = optional_uuid(form.id, "id") or uuid.uuid4()
        _pick_people(session, user, form)
        give, _ = gives.put_give(
            session, owner=user, give_id=give_id, data=_to_write(form, editing=False)
        )
    return redirect(safe_next(form.next) or f"/gives/{give.id}", flash_key="give_saved")


def _give_context(session: Session, user: User, give: Give) -> dict[str, Any]:
    person = contacts.get_contact(session, owner=user, contact_id=give.contact_id)
    other = contacts.find_contact(session, owner=user, contact_id=give.other_contact_id)
    event = events.find_event(session, owner=user, event_id=give.event_id)
    profile = profile_of(session, user_id=user.id)
    prepared = messages.prepared_messages(
        give=give, person=person, other=other, user=user, profile=profile
    )
    today = gives.local_today(user)
    people = {c.id: c for c in (person, other) if c is not None}
    google = give_calendar.google_calendar_link_for_give(give, people, today)
    return {**labels(), "give": give, "person": person, "other": other, "event": event,
            "prepared": prepared, "today": today, "google_calendar": google}  # fmt: skip


@router.get("/gives/{give_id}")
def give_page(
    request: Request, session: SessionDep, user: CurrentUser, give_id: uuid.UUID
) -> Response:
    give = gives.get_give(session, owner=user, give_id=give_id)
    return render(request, "gives/detail.html", _give_context(session, user, give))


@router.get("/gives/{give_id}/edit")
def edit_page(
    request: Request, session: SessionDep, user: CurrentUser, give_id: uuid.UUID
) -> Response:
    give = gives.get_give(session, owner=user, give_id=give_id)
    values = {
        name: ("" if value is None else str(value)) for name, value in give.model_dump().items()
    }
    return render(request, "gives/form.html", _form_context(session, user, values, give))


@router.post("/gives/{give_id}/edit")
def edit(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    give_id: uuid.UUID,
    form: Annotated[GiveForm, Form()],
) -> Response:
    gives.get_give(session, owner=user, give_id=give_id)

    def again(session: Session) -> dict[str, Any]:
        give = gives.get_give(session, owner=user, give_id=give_id)
        return _form_context(session, user, {**form.model_dump(), "id": str(give_id)}, give)

    with refill("gives/form.html", again):
        _pick_people(session, user, form)
        gives.put_give(
            session, owner=user, give_id=give_id, data=_to_write(form, editing=True), create=False
        )
    return redirect(f"/gives/{give_id}", flash_key="give_saved")


@router.post("/gives/{give_id}/status")
def change_status(
    session: SessionDep,
    user: CurrentUser,
    give_id: uuid.UUID,
    status: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    gives.get_give(session, owner=user, give_id=give_id)
    if status not in GiveStatus.__members__:
        raise Invalid(lazy_gettext("Unknown status."), field="status")
    gives.set_status(session, owner=user, give_id=give_id, status=GiveStatus(status))
    flashes = {"done": "give_done", "skipped": "give_skipped"}
    return redirect(
        safe_next(next) or f"/gives/{give_id}", flash_key=flashes.get(status, "give_saved")
    )


@router.post("/gives/{give_id}/snooze")
def snooze(
    session: SessionDep,
    user: CurrentUser,
    give_id: uuid.UUID,
    days: Annotated[int, Form(ge=1, le=365)] = 1,
    next: Annotated[str, Form()] = "",
) -> Response:
    gives.snooze(session, owner=user, give_id=give_id, days=days)
    return redirect(safe_next(next) or f"/gives/{give_id}", flash_key="give_snoozed")


@router.post("/gives/{give_id}/intro")
def intro_step(
    session: SessionDep,
    user: CurrentUser,
    give_id: uuid.UUID,
    state: Annotated[str, Form()] = "",
) -> Response:
    gives.get_give(session, owner=user, give_id=give_id)
    if state not in IntroState.__members__:
        raise Invalid(lazy_gettext("Unknown status."), field="state")
    gives.set_intro_state(session, owner=user, give_id=give_id, state=IntroState(state))
    return redirect(f"/gives/{give_id}", flash_key="give_saved")


@router.get("/gives/{give_id}/delete")
def delete_page(
    request: Request, session: SessionDep, user: CurrentUser, give_id: uuid.UUID
) -> Response:
    give = gives.get_give(session, owner=user, give_id=give_id)
    return render(request, "gives/delete.html", {"give": give})


@router.post("/gives/{give_id}/delete")
def delete(session: SessionDep, user: CurrentUser, give_id: uuid.UUID) -> Response:
    gives.delete_give(session, owner=user, give_id=give_id)
    return redirect("/gives", flash_key="give_deleted")


@router.get("/follow-ups")
def old_gives_address() -> Response:
    """The list of gives was called "follow-ups" once: old bookmarks and kept pages still work."""
    return RedirectResponse("/gives", status_code=308)


@router.get("/gives")
def gives_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Every give: due now and soon, ideas, later, and recently done; events to follow up."""
    agenda = gives.agenda(session, owner=user)
    ideas = gives.list_gives(session, owner=user, status="idea", limit=50)
    later = [
        give for give in gives.list_gives(session, owner=user, status="planned", limit=200)
        if give not in agenda.all
    ]  # fmt: skip
    done = list(reversed(gives.list_gives(session, owner=user, status="done", limit=500)))[:20]
    shown = agenda.all + ideas + later + done
    context = {
        **labels(), "agenda": agenda, "ideas": ideas, "later": later, "done": done,
        "people": gives.people_of(session, owner=user, gives=shown),
        "events_to_follow": gives.to_follow_up(session, owner=user, days=14),
        "today": gives.local_today(user),
    }  # fmt: skip
    return render(request, "gives/list.html", context)


def _next_person(listing: FollowUpList, after: uuid.UUID | None) -> uuid.UUID | None:
    """The next person not followed up after `after` in the list (around to the start)."""
    ids = [person.contact_id for person in listing.people]
    start = ids.index(after) + 1 if after in ids else 0
    for person in listing.people[start:] + listing.people[:start]:
        if not person.followed_up and person.contact_id != after:
            return person.contact_id
    return None


@router.get("/events/{event_id}/follow-up")
def event_follow_up(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    event_id: uuid.UUID,
    person: str = "",
) -> Response:
    """The follow-up session: everyone met at the event, one at a time, the message ready to
    send; and the list of everyone with their gives."""
    event = events.get_event(session, owner=user, event_id=event_id)
    listing = gives.follow_up(session, owner=user, event=event)
    everyone = [g for one in listing.people for g in one.gives]
    others = gives.people_of(session, owner=user, gives=everyone)
    met = contacts.contacts_by_id(
        session, owner=user, ids={one.contact_id for one in listing.people}
    )
    profile = profile_of(session, user_id=user.id)
    prepared: dict[uuid.UUID, messages.SessionMessage] = {}
    for one in listing.people:
        give = next((g for g in one.gives if g.event_id == event.id and g.status in
                     ("planned", "idea") and g.kind != "introduction"), None)  # fmt: skip
        prepared[one.contact_id] = messages.follow_up_message(
            person=met[one.contact_id], event_name=event.name, hook=one.hook,
            details=give.details if give else None, user=user, profile=profile,
        )  # fmt: skip
    ids = {str(one.contact_id): one.contact_id for one in listing.people}
    current = ids.get(person) or _next_person(listing, None)
    context = {
        **labels(), "event": event, "listing": listing, "others": others, "now": utcnow(),
        "hours_left": max(0, int((listing.deadline - utcnow()).total_seconds() // 3600)),
        "prepared": prepared, "current": current,
    }  # fmt: skip
    return render(request, "gives/event_follow_up.html", context)


@router.post("/events/{event_id}/follow-up/{contact_id}/sent")
def follow_up_sent(
    session: SessionDep,
    user: CurrentUser,
    event_id: uuid.UUID,
    contact_id: uuid.UUID,
    channel: Annotated[str, Form()] = "other",
) -> Response:
    """Without JavaScript: the message was sent; the session moves to the next person."""
    event = events.get_event(session, owner=user, event_id=event_id)
    how = gives.SendChannel(channel) if channel in gives.SendChannel.__members__ else None
    gives.mark_sent(session, owner=user, event=event, contact_id=contact_id,
                    channel=how or gives.SendChannel.other)  # fmt: skip
    listing = gives.follow_up(session, owner=user, event=event)
    following = _next_person(listing, contact_id)
    where = f"?person={following}#session" if following else "#session"
    return redirect(f"/events/{event.id}/follow-up{where}", flash_key="follow_up_sent")


@router.post("/events/{event_id}/follow-up/{contact_id}/accept")
def accept_suggestion(
    session: SessionDep,
    user: CurrentUser,
    event_id: uuid.UUID,
    contact_id: uuid.UUID,
    kind: Annotated[str, Form()] = "resource",
    title: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    event = events.get_event(session, owner=user, event_id=event_id)
    contacts.get_contact(session, owner=user, contact_id=contact_id)
    if kind == "introduction":
        # An introduction needs the second person: the form asks for them.
        return redirect(f"/gives/new?contact_id={contact_id}&event_id={event.id}&kind=introduction"
                        f"&next=/events/{event.id}/follow-up")  # fmt: skip
    data = GiveWrite(
        contact_id=contact_id, event_id=event.id,
        kind=GiveKind(kind) if kind in GiveKind.__members__ else GiveKind.resource,
        title=title.strip() or None, status=GiveStatus.planned,
    )  # fmt: skip
    gives.put_give(session, owner=user, give_id=uuid.uuid4(), data=data)
    return redirect(f"/events/{event.id}/follow-up#person-{contact_id}", flash_key="give_saved")


@router.post("/events/{event_id}/follow-up/{contact_id}/dismiss")
def dismiss_suggestion(
    session: SessionDep, user: CurrentUser, event_id: uuid.UUID, contact_id: uuid.UUID
) -> Response:
    events.get_event(session, owner=user, event_id=event_id)
    gives.dismiss_suggestion(session, owner=user, event_id=event_id, contact_id=contact_id)
    return redirect(f"/events/{event_id}/follow-up#person-{contact_id}")


def person_section(session: Session, user: User, contact: Contact) -> dict[str, Any]:
    """What a person's page shows of giving (a `PersonSection`): their gives (done ones join the
    timeline), keeping in touch, the network stages and referrals."""
    their_gives = gives.list_gives(session, owner=user, contact_id=contact.id, limit=100)
    done = [
        {"kind": "give", "at": give.done_at, "give": give, "id": give.id}
        for give in their_gives
        if give.status == GiveStatus.done.value and give.done_at is not None
    ]
    return {
        "gives": their_gives, "give_people": gives.people_of(session, owner=user, gives=their_gives),
        "timeline": done, **labels(), **network_pages.person_context(session, user, contact),
    }  # fmt: skip


def plan_from_capture(
    session: Session,
    *,
    owner: User,
    contact: Contact,
    event_id: uuid.UUID | None,
    form: Mapping[str, str],
) -> None:
    """The capture form's "a give to plan" (a `CaptureHook`)."""
    title = form.get("give_title", "").strip()
    if not title:
        return
    data = GiveWrite(
        contact_id=contact.id, event_id=event_id, kind=GiveKind.resource, title=title[:200]
    )
    # Derived from the person's id, so that a double submit plans one give.
    gives.put_give(session, owner=owner, give_id=uuid.uuid5(contact.id, "capture"), data=data)
