"""The people the user wants to meet at an event: a free name, or a person already known."""

import uuid

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.contacts.models import Contact, Meeting, WantToMeet, WantToMeetCreate
from app.errors import Invalid, NotFound
from app.events import service as events
from app.events.models import Event
from app.web.i18n import lazy_gettext


def list_want_to_meet(session: Session, *, owner: User, event: Event) -> list[WantToMeet]:
    """Who the user wants to meet at this event."""
    query = select(WantToMeet).where(
        WantToMeet.owner_id == owner.id, WantToMeet.event_id == event.id
    )
    return list(session.exec(query.order_by(col(WantToMeet.created_at))))


def add_want_to_meet(
    session: Session, *, owner: User, event_id: uuid.UUID, data: WantToMeetCreate
) -> WantToMeet:
    """Note someone to meet at an event, with why."""
    event = events.get_event(session, owner=owner, event_id=event_id)
    name = data.name.strip()
    if data.contact_id is not None:
        known = session.get(Contact, data.contact_id)
        if known is None or known.owner_id != owner.id:
            raise Invalid(lazy_gettext("Choose someone from your people."), field="contact_id")
        name = name or known.full_name or known.company or known.email or ""
    if not name:
        raise Invalid(lazy_gettext("Please give a name."), field="name")
    wish = WantToMeet(
        owner_id=owner.id,
        event_id=event.id,
        name=name,
        contact_id=data.contact_id,
        why=(data.why or "").strip() or None,
    )
    session.add(wish)
    session.flush()
    return wish


def remove_want_to_meet(
    session: Session, *, owner: User, event_id: uuid.UUID, wish_id: uuid.UUID
) -> None:
    """Take someone off an event's want-to-meet list."""
    wish = session.get(WantToMeet, wish_id)
    if wish is None or wish.owner_id != owner.id or wish.event_id != event_id:
        raise NotFound()
    session.delete(wish)


def wishes_for_capture(
    session: Session, *, owner: User, event_ids: list[uuid.UUID]
) -> list[dict[str, str | None]]:
    """The want-to-meet entries of the events one may be capturing at, not yet met there, as the
    capture page keeps them for recognising people offline (with a known person's company)."""
    if not event_ids:
        return []
    rows = session.exec(
        select(WantToMeet, Contact)
        .outerjoin(Contact, col(Contact.id) == col(WantToMeet.contact_id))
        .where(WantToMeet.owner_id == owner.id, col(WantToMeet.event_id).in_(event_ids))
        .order_by(col(WantToMeet.created_at))
        .limit(500)
    ).all()
    met = set(
        session.exec(
            select(Meeting.contact_id, Meeting.event_id).where(
                Meeting.owner_id == owner.id, col(Meeting.event_id).in_(event_ids)
            )
        ).all()
    )
    return [
        {
            "id": str(wish.id),
            "event_id": str(wish.event_id),
            "name": wish.name,
            "why": wish.why,
            "contact_id": str(wish.contact_id) if wish.contact_id else None,
            "company": known.company if known else None,
        }
        for wish, known in rows
        if (wish.contact_id, wish.event_id) not in met
    ]


def met_wishes(session: Session, *, owner: User, event: Event) -> set[uuid.UUID]:
    """The want-to-meet entries of this event whose person was met there."""
    met = select(Meeting.contact_id).where(
        Meeting.owner_id == owner.id, Meeting.event_id == event.id
    )
    rows = session.exec(
        select(WantToMeet.id).where(
            WantToMeet.owner_id == owner.id,
            WantToMeet.event_id == event.id,
            col(WantToMeet.contact_id).in_(met),
        )
    )
    return set(rows)


def link_wish(session: Session, *, owner: User, wish_id: uuid.UUID, contact: Contact) -> WantToMeet:
    """ "This is X you wanted to meet": the entry points to the person captured, and why the user
    wanted to meet them goes to the person's notes (once)."""
    wish = session.get(WantToMeet, wish_id)
    if wish is None or wish.owner_id != owner.id:
        raise Invalid(
            lazy_gettext("This want-to-meet entry does not exist."), field="want_to_meet_id"
        )
    wish.contact_id = contact.id
    if wish.why and wish.why not in (contact.notes or ""):
        contact.notes = "\n".join(part for part in (contact.notes, wish.why) if part)
    session.add_all([wish, contact])
    return wish
