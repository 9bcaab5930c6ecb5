"""Choosing a person in a form ("met through", the people of a give or an introduction, a
want-to-meet entry): by typing, at any size of address book. With JavaScript the page asks
`choices` as the user types; without it, the form sends the typed text and `pick` resolves it,
asking "which one?" when several people match."""

import uuid

from sqlmodel import Session, SQLModel, col, select

from app.accounts.models import User
from app.contacts import service as contacts
from app.contacts.models import Contact, Meeting
from app.errors import Ambiguous, Invalid
from app.events.models import Event
from app.text import fold
from app.web.i18n import lazy_gettext

CHOICES_MAX = 10


class PersonChoice(SQLModel):
    """A person as a picker offers them: the name (or what stands for it), and what tells them
    apart: the company, and the event where they were last met (a photo-only person has no name)."""

    id: uuid.UUID
    label: str
    full_name: str
    company: str | None
    met_at_event: str | None
    photo_url: str | None


def label_of(contact: Contact) -> str:
    """What a picker's field shows for a chosen person."""
    return contact.full_name or contact.company or contact.email or ""


def choices(
    session: Session,
    *,
    owner: User,
    q: str,
    limit: int = CHOICES_MAX,
    exclude: uuid.UUID | None = None,
) -> list[PersonChoice]:
    """The owner's people that the typed words designate (every word begins a word of theirs), the
    most recently met first; with nothing typed, the most recent people."""
    limit = max(1, min(limit, CHOICES_MAX + 1))
    query = contacts.PeopleQuery(q=q.strip() or None, sort="recent", limit=limit + 1)
    found = [
        c for c in contacts.list_contacts(session, owner=owner, query=query)[0] if c.id != exclude
    ]
    found = found[:limit]
    events = _last_events(session, owner=owner, ids=[c.id for c in found])
    return [
        PersonChoice(
            id=c.id,
            label=label_of(c),
            full_name=c.full_name,
            company=c.company,
            met_at_event=events.get(c.id),
            photo_url=f"/api/v1/contacts/{c.id}/photo" if c.photo_type else None,
        )
        for c in found
    ]


def _last_events(session: Session, *, owner: User, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = session.exec(
        select(Meeting.contact_id, Event.name)
        .join(Event, col(Event.id) == col(Meeting.event_id))
        .where(Meeting.owner_id == owner.id, col(Meeting.contact_id).in_(ids))
        .order_by(col(Meeting.met_at))
    )
    return dict(rows.all())  # the last meeting of each person wins


def pick(
    session: Session,
    *,
    owner: User,
    field: str,
    chosen: str,
    typed: str,
    required: bool = False,
    exclude: uuid.UUID | None = None,
) -> uuid.UUID | None:
    """The person a picker designates: the one chosen (`chosen`, an id) if the field still shows
    them, else the one person the typed text designates. An empty field is nobody, whatever id
    is left beside it (refused when `required`); nobody found, or several, is refused with the
    field named (several: with them, to choose from)."""
    chosen_id = _uuid(chosen, field)
    typed = " ".join(typed.split())
    if not typed:
        if required:
            raise Invalid(lazy_gettext("Choose a person."), field=field)
        return None
    if chosen_id is not None:
        person = contacts.find_contact(session, owner=owner, contact_id=chosen_id)
        if person is not None and fold(label_of(person)) == fold(typed) and person.id != exclude:
            return person.id
    found = choices(session, owner=owner, q=typed, exclude=exclude)
    if chosen_id is not None and chosen_id in {choice.id for choice in found}:
        return chosen_id  # chosen among those the text designates ("which one?")
    exact = [choice for choice in found if fold(choice.label) == fold(typed)]
    if len(found) == 1 or len(exact) == 1:
        return (exact or found)[0].id
    if not found:
        raise Invalid(lazy_gettext("Nobody by this name among your people."), field=field)
    raise Ambiguous(field=field, choices=found[:CHOICES_MAX])


def _uuid(value: str, field: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value.strip()) if value.strip() else None
    except ValueError:
        raise Invalid(lazy_gettext("Please check this value."), field=field) from None
