"""The people the user wants to meet at an event: a free name, or a person already known."""

import uuid

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.contacts.models import Contact, WantToMeet, WantToMeetCreate
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
