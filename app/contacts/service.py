"""People: capture (idempotent create-or-update), search, meetings, interactions, photos, merge."""

import base64
import binascii
import functools
import io
import json
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import (
    Engine,
    bindparam,
    delete,
    func,
    insert,
    inspect,
    literal,
    or_,
    tuple_,
    update,
)
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.contacts import photos, want_to_meet
from app.contacts.models import (
    TEXT_FIELDS,
    TEXT_MAX,
    Contact,
    ContactPhoto,
    ContactTerm,
    ContactWrite,
    Interaction,
    InteractionCreate,
    Meeting,
    WantToMeet,
    clean_tags,
)
from app.db import built, utcnow
from app.errors import Invalid, NotFound
from app.events.models import Event
from app.network import service as network
from app.network.models import NetworkProfile
from app.text import fold
from app.web.i18n import lazy_gettext

PAGE_SIZE = 50
PAGE_MAX = 200
MAX_TERMS = 400
TERM_MAX = 60
PHOTO_MAX_BYTES = 8_000_000
PHOTO_MAX_SIDE = 1024
# The fields a person's search terms come from.
SEARCHED = ("full_name", "company", "role", "email", "hook", "needs", "notes")
_WORD = re.compile(r"\w+")
# Other fields whose change makes the person "updated".
OTHER_FIELDS = ("tags", "met_through_id", "cadence_days", "knows_what_i_do", "would_recommend")
LIMITS = {"full_name": 200, "company": 200, "role": 200, "email": 254, "phone": 50, "url": 2000,
          "hook": 2000, "needs": 2000}  # fmt: skip


def words(text: str) -> list[str]:
    """The folded words of a text, each cut to the length the index keeps."""
    return [word[:TERM_MAX] for word in _WORD.findall(fold(text))]


def terms_for(contact: Contact) -> set[str]:
    """The search terms of a person: the words of their fields, and '#tag' for each tag."""
    terms: set[str] = set()
    for name in SEARCHED:
        value = getattr(contact, name)
        if value:
            terms.update(words(value))
    for tag in contact.tags or []:
        terms.update(words(tag))
        terms.add(tag_term(tag))
    return set(sorted(terms)[:MAX_TERMS]) if len(terms) > MAX_TERMS else terms


def tag_term(tag: str) -> str:
    """The index term that finds exactly one tag."""
    return ("#" + " ".join(words(tag)))[:TERM_MAX]


def display_name(contact: Contact) -> str:
    """The name shown for a person; a photo-only capture has none yet."""
    return contact.full_name or contact.company or contact.email or ""


def sort_name_for(contact: Contact) -> str:
    return fold(display_name(contact)).strip()[:200] or "\uffff"


def _reindex(session: Session, contact: Contact) -> None:
    session.exec(delete(ContactTerm).where(col(ContactTerm.contact_id) == contact.id))  # type: ignore[call-overload]
    session.add_all(
        ContactTerm(owner_id=contact.owner_id, term=term, contact_id=contact.id)
        for term in terms_for(contact)
    )


# Built once: a statement's cache key is then computed once, not on every capture.
_CONTACT_BY_ID = select(Contact).where(col(Contact.id) == bindparam("contact_id"))
_ID_TAKEN = select(literal(1)).where(col(Contact.id) == bindparam("contact_id"))
_INSERT_CONTACT = insert(Contact)
_INSERT_TERMS = insert(ContactTerm)
_CONTACT_COLUMNS = tuple(column.key for column in Contact.__table__.columns)  # type: ignore[attr-defined]


# What a new person holds before a body sets anything: each field's plain default; those with
# a factory (the id, the tags, the instants) are given by `new_contact`.
_CONTACT_DEFAULTS = {
    name: field.default
    for name, field in Contact.model_fields.items()
    if field.default_factory is None and not field.is_required()
}


def new_contact(contact_id: uuid.UUID, owner_id: uuid.UUID, now: datetime) -> Contact:
    """A new person with nothing set yet (`app.db.built`: a capture is the hot write)."""
    return built(
        Contact,
        {**_CONTACT_DEFAULTS, "id": contact_id, "owner_id": owner_id, "tags": [],
         "created_at": now, "recent_at": now, "updated_at": now},
    )  # fmt: skip


def _lookup(session: Session, contact_id: uuid.UUID) -> Contact | None:
    # Most PUTs create: a Core query answers "nobody yet" at a quarter of an ORM load's cost.
    if session.connection().execute(_ID_TAKEN, {"contact_id": contact_id}).first() is None:
        return None
    return session.exec(_CONTACT_BY_ID, params={"contact_id": contact_id}).first()


def _insert_new(session: Session, contact: Contact) -> None:
    """Write a new, complete person and their search terms in two INSERTs, past the unit of
    work (a capture is the hot write at a salon); the person then joins the session as if read,
    so that a photo or a meeting added next is an ordinary update."""
    connection = session.connection()
    connection.execute(_INSERT_CONTACT, [{key: getattr(contact, key) for key in _CONTACT_COLUMNS}])
    owner_id, contact_id = contact.owner_id, contact.id
    terms = [
        {"owner_id": owner_id, "term": term, "contact_id": contact_id}
        for term in terms_for(contact)
    ]
    if terms:
        connection.execute(_INSERT_TERMS, terms)
    make_transient_to_detached(contact)
    session.add(contact)


def reindex(session: Session, contact: Contact) -> None:
    """Rebuild a person's search terms (after a restore wrote the person directly)."""
    _reindex(session, contact)


class Eraser(Protocol):
    """Erases a person and everything derived from them (wired in `app.wiring`): answers
    what was erased, by kind."""

    def __call__(
        self,
        session: Session,
        *,
        owner: User,
        contact_id: uuid.UUID,
        secret: str,
        do_not_bring_back: bool = False,
    ) -> dict[str, int]: ...


def owned_by(owner: User) -> Any:
    """The condition "one of the owner's people" for a query that picks people by id.

    Wrapping owner_id keeps the planner (SQLite's above all) from walking the owner's whole
    (owner_id, ...) index, 100,000 rows, instead of seeking the few ids in the primary key."""
    return func.coalesce(Contact.owner_id, None) == owner.id


def contacts_by_id(
    session: Session, *, owner: User, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Contact]:
    """The owner's people among these ids, by id (another user's ids are left out)."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.exec(select(Contact).where(col(Contact.id).in_(wanted), owned_by(owner)))
    return {contact.id: contact for contact in rows}


def find_contact(session: Session, *, owner: User, contact_id: uuid.UUID | None) -> Contact | None:
    """One of the owner's people, or None (for no id, an unknown id or another user's)."""
    found = session.get(Contact, contact_id) if contact_id is not None else None
    return found if found is not None and found.owner_id == owner.id else None


def get_contact(session: Session, *, owner: User, contact_id: uuid.UUID) -> Contact:
    """One of the owner's people."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.owner_id != owner.id:
        raise NotFound()
    return contact


def _clean_url(value: str) -> str:
    value = value.strip()
    if not value:
        return value
    if "://" not in value and "." in value and " " not in value:
        value = "https://" + value  # "linkedin.com/in/lea" is what people type
    if urlsplit(value).scheme not in {"http", "https"} or not urlsplit(value).hostname:
        raise Invalid(lazy_gettext("A web link must start with http:// or https://."), field="url")
    return value


def _clean_email(value: str) -> str:
    value = value.strip()
    if not value:
        return value
    normalized = _normalized_email(value)
    if normalized is None:
        raise Invalid(lazy_gettext("This e-mail address is not valid."), field="email")
    return normalized


@functools.lru_cache(maxsize=4096)
def _normalized_email(value: str) -> str | None:
    """An address as email-validator normalises it, or None; an import checks each one twice
    (its field, then the person's values), at 0.1 ms a check."""
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def clean_values(
    session: Session, owner: User, contact_id: uuid.UUID, data: ContactWrite
) -> dict[str, Any]:
    """The fields a body sets, trimmed and checked; empty strings clear a field."""
    changes = data.model_dump(
        exclude_unset=True,
        exclude={"event_id", "met_at", "photo", "meeting_note", "want_to_meet_id"},
    )
    for name in TEXT_FIELDS:
        if name in changes:
            value = (changes[name] or "").strip()
            if name == "url":
                value = _clean_url(value)
            elif name == "email":
                value = _clean_email(value)
            elif name == "full_name":
                value = " ".join(value.split())
            changes[name] = value or (None if name != "full_name" else "")
    if "tags" in changes and changes["tags"] is None:
        changes["tags"] = []
    if changes.get("address_as") is not None:
        changes["address_as"] = str(changes["address_as"].value)
    for name in ("knows_what_i_do", "would_recommend"):
        if name in changes and changes[name] is None:
            raise Invalid(lazy_gettext("This field cannot be empty."), field=name)
    if changes.get("met_through_id") is not None:
        through = session.get(Contact, changes["met_through_id"])
        if through is None or through.owner_id != owner.id or through.id == contact_id:
            raise Invalid(lazy_gettext("Choose someone from your people."), field="met_through_id")
    return changes


def _event_of(session: Session, owner: User, event_id: uuid.UUID) -> Event:
    event = session.get(Event, event_id)
    if event is None or event.owner_id != owner.id:
        raise Invalid(lazy_gettext("This event does not exist."), field="event_id")
    return event


def put_contact(
    session: Session,
    *,
    owner: User,
    contact_id: uuid.UUID,
    data: ContactWrite,
    create: bool = True,
    now: datetime | None = None,
) -> tuple[Contact, bool]:
    """Create or update a person under the client's id; replaying the same body changes nothing.

    Fields left out of the body stay as they are. With `event_id`, the person is recorded as met
    there (once per event). Another user's id is refused as not found.
    """
    now = now or utcnow()
    existing = _lookup(session, contact_id)
    if existing is not None and existing.owner_id != owner.id:
        raise NotFound()
    if existing is None and not create:
        raise NotFound()
    changes = clean_values(session, owner, contact_id, data)
    photo = decode_data_url(data.photo) if data.photo else None
    event = _event_of(session, owner, data.event_id) if data.event_id else None
    created = existing is None
    contact = existing or new_contact(contact_id, owner.id, now)
    before = {name: getattr(contact, name) for name in (*TEXT_FIELDS, *OTHER_FIELDS)}
    for name, value in changes.items():
        setattr(contact, name, value)
    nameless = not contact.full_name and photo is None and contact.photo_type is None
    if nameless and (created or "full_name" in changes):
        raise Invalid(lazy_gettext("Please give a name, or take a photo."), field="full_name")
    after = {name: getattr(contact, name) for name in (*TEXT_FIELDS, *OTHER_FIELDS)}
    contact.sort_name = sort_name_for(contact)
    if created or after != before:
        contact.updated_at = now
    if created or {"tags", "cadence_days"} & changes.keys():
        _set_touch_due(session, contact)
    if created:
        _insert_new(session, contact)
    elif after != before:
        _reindex(session, contact)
        session.add(contact)
    if photo is not None:
        set_photo(session, owner=owner, contact=contact, data=photo)
    if data.want_to_meet_id is not None:
        want_to_meet.link_wish(session, owner=owner, wish_id=data.want_to_meet_id, contact=contact)
    if event is not None:
        record_meeting(
            session, owner=owner, contact=contact, event=event, met_at=data.met_at or now,
            note=(data.meeting_note or "").strip() or changes.get("hook"),
        )  # fmt: skip
    session.flush()
    return contact, created


def record_meeting(
    session: Session,
    *,
    owner: User,
    contact: Contact,
    event: Event | None,
    met_at: datetime,
    note: str | None = None,
) -> Meeting:
    """Record that the user met this person at an event; once per event, replays change nothing."""
    if event is not None:
        found = session.exec(
            select(Meeting).where(Meeting.contact_id == contact.id, Meeting.event_id == event.id)
        ).first()
        if found is not None:
            return found
    meeting = Meeting(
        owner_id=owner.id,
        contact_id=contact.id,
        event_id=event.id if event else None,
        met_at=met_at,
        note=note,
    )
    session.add(meeting)
    if contact.last_met_at is None or met_at > contact.last_met_at:
        contact.last_met_at = met_at
    contact.recent_at = max(contact.recent_at, met_at)
    refresh_touch(session, contact=contact)
    session.add(contact)
    session.flush()
    return meeting


def delete_contact(session: Session, *, owner: User, contact_id: uuid.UUID) -> None:
    """Delete a person with their meetings, interactions, photo and search terms."""
    contact = get_contact(session, owner=owner, contact_id=contact_id)
    session.exec(
        update(WantToMeet).where(col(WantToMeet.contact_id) == contact.id).values(contact_id=None)  # type: ignore[call-overload]
    )
    session.delete(contact)
    session.flush()


@dataclass
class PeopleQuery:
    q: str | None = None
    event_id: uuid.UUID | None = None
    tag: str | None = None
    sort: str = "recent"
    cursor: str | None = None
    limit: int = PAGE_SIZE


def _decode_cursor(cursor: str | None, sort: str) -> tuple[Any, uuid.UUID] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key, raw_id = json.loads(base64.urlsafe_b64decode(padded))
        value = datetime.fromisoformat(key) if sort == "recent" else str(key)
        return value, uuid.UUID(raw_id)
    except (ValueError, TypeError, binascii.Error):
        raise Invalid(lazy_gettext("This page link is not valid."), field="cursor") from None


def _encode_cursor(contact: Contact, sort: str) -> str:
    key = contact.recent_at.isoformat() if sort == "recent" else contact.sort_name
    raw = json.dumps([key, str(contact.id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _prefix_range(term: str) -> tuple[str, str]:
    return term, term[:-1] + chr(ord(term[-1]) + 1)


# How a search runs depends on how many people each of its filters (word, tag, event) matches,
# counted in the index up to INTERSECT_MAX:
# - at most DRIVE_MAX: those few people are fetched by id and sorted;
# - more: the (owner_id, sort key) index is walked until the page is full, which takes about
#   page size / share of matching people rows, so it costs the same at 10,000 and 100,000 people;
#   a filter matching up to INTERSECT_MAX index rows is checked against its list of ids, built
#   once; a commoner one (a 1-letter prefix) person by person, as nearly everyone matches;
# - two common words with few people in common ("marie dupont") intersect their lists first.
DRIVE_MAX = 1000
INTERSECT_MAX = 10_000


@dataclass
class _Filter:
    ids: Any  # a SELECT of the matching contact ids (the owner's only)
    probe: Any  # the same condition for one contact row (correlated EXISTS)
    count: int = 0


def _term_filter(owner: User, low: str, high: str | None = None) -> _Filter:
    """People with a term in [low, high), or exactly `low` when `high` is None."""
    term, mine = col(ContactTerm.term), col(ContactTerm.owner_id) == owner.id
    where = [term >= low, term < high] if high is not None else [term == low]
    # A range is probed through the index on contact_id (the contact is the owner's already); an
    # exact term through the primary key (owner_id, term, contact_id), in one seek.
    probed = [col(ContactTerm.contact_id) == col(Contact.id), *where]
    return _Filter(
        ids=select(ContactTerm.contact_id).where(mine, *where),
        probe=select(ContactTerm.contact_id)
        .where(*probed, *([mine] if high is None else []))
        .exists(),
    )


def _event_filter(owner: User, event_id: uuid.UUID) -> _Filter:
    return _Filter(
        ids=select(Meeting.contact_id).where(
            Meeting.owner_id == owner.id, Meeting.event_id == event_id
        ),
        probe=select(Meeting.id)
        .where(col(Meeting.contact_id) == col(Contact.id), Meeting.event_id == event_id)
        .exists(),
    )


def _count(session: Session, ids: Any, most: int) -> int:
    """How many rows `ids` has, counted up to `most` (so a common word costs `most` at worst)."""
    return session.exec(select(func.count()).select_from(ids.limit(most).subquery())).one()


def list_contacts(
    session: Session, *, owner: User, query: PeopleQuery
) -> tuple[list[Contact], str | None]:
    """One page of the owner's people, searched and filtered, with the cursor of the next page.

    Each word of `q` must begin a word of the person's name, company, role, e-mail, tags, hook,
    needs or notes, ignoring case and accents; the search uses the term index, so it stays fast.
    """
    sort = query.sort if query.sort in {"recent", "name"} else "recent"
    limit = max(1, min(query.limit, PAGE_MAX))
    filters = [
        _term_filter(owner, *_prefix_range(word))
        for word in list(dict.fromkeys(words(query.q or "")))[:8]
    ]
    if query.tag:
        filters.append(_term_filter(owner, tag_term(query.tag)))
    if query.event_id:
        filters.append(_event_filter(owner, query.event_id))
    for found in filters:
        found.count = _count(session, found.ids, INTERSECT_MAX + 1)
    filters.sort(key=lambda found: found.count)
    moderate = [found for found in filters if found.count <= INTERSECT_MAX]
    driver = None
    if filters and filters[0].count <= DRIVE_MAX:
        driver, rest = filters[0].ids, filters[1:]
    elif len(moderate) > 1:
        common = moderate[0].ids.intersect(*(found.ids for found in moderate[1:]))
        if _count(session, common, DRIVE_MAX + 1) <= DRIVE_MAX:
            driver, rest = select(common.subquery().c[0]), filters[len(moderate) :]
    if driver is not None:
        # Few people: fetched by id, then sorted.
        statement = select(Contact).where(col(Contact.id).in_(driver), owned_by(owner))
        statement = statement.where(*(found.probe for found in rest))
    else:
        statement = select(Contact).where(Contact.owner_id == owner.id)
        statement = statement.where(
            *(
                col(Contact.id).in_(found.ids) if found.count <= INTERSECT_MAX else found.probe
                for found in filters
            )
        )
    after = _decode_cursor(query.cursor, sort)
    if sort == "recent":
        if after is not None:
            statement = statement.where(tuple_(Contact.recent_at, Contact.id) < tuple_(*after))
        statement = statement.order_by(col(Contact.recent_at).desc(), col(Contact.id).desc())
    else:
        if after is not None:
            statement = statement.where(tuple_(Contact.sort_name, Contact.id) > tuple_(*after))
        statement = statement.order_by(col(Contact.sort_name), col(Contact.id))
    page = list(session.exec(statement.limit(limit + 1)))
    next_cursor = _encode_cursor(page[limit - 1], sort) if len(page) > limit else None
    return page[:limit], next_cursor


def count_contacts(session: Session, *, owner: User) -> int:
    """How many people the owner has."""
    return session.exec(
        select(func.count()).select_from(Contact).where(Contact.owner_id == owner.id)
    ).one()


def all_tags(session: Session, *, owner: User, limit: int = 300) -> list[str]:
    """The tags the owner uses, for the filter: every one from the index, spelled as the user
    wrote it by one person who has it (bounded, so it stays fast at 100,000)."""
    mine, term = ContactTerm.owner_id == owner.id, col(ContactTerm.term)
    # A skip scan of the term index: from each tag term straight to the next one, one seek per
    # tag rather than a pass over every tagged person's row.
    tags = (select(func.min(term).label("term")).where(mine, term >= "#", term < "$")).cte(
        "tags", recursive=True
    )
    following = select(func.min(term)).where(mine, term > tags.c.term, term < "$")
    tags = tags.union_all(select(following.scalar_subquery()).where(tags.c.term.is_not(None)))
    someone = select(ContactTerm.contact_id).where(mine, term == tags.c.term).limit(1)
    rows = session.exec(
        select(tags.c.term, someone.scalar_subquery()).where(tags.c.term.is_not(None)).limit(limit)
    ).all()
    spelled: dict[str, str] = {}
    for person in contacts_by_id(session, owner=owner, ids=[who for _, who in rows]).values():
        for tag in person.tags or []:
            spelled.setdefault(tag_term(tag), tag)
    return sorted((spelled.get(found, found.removeprefix("#")) for found, _ in rows), key=fold)


@dataclass
class MeetingView:
    meeting: Meeting
    event: Event | None


@dataclass
class PersonView:
    """What a person's page shows beyond the person: their timeline (meetings and interactions,
    latest first), who introduced them, whom they introduced, and likely doubles."""

    timeline: list[dict[str, Any]]
    through: Contact | None
    introduced: list[Contact]
    matches: list["Match"]


def person_view(session: Session, *, owner: User, contact: Contact) -> PersonView:
    """A person's page, in a fixed number of queries."""
    timeline: list[dict[str, Any]] = [
        {"kind": "meeting", "at": view.meeting.met_at, "event": view.event,
         "note": view.meeting.note, "id": view.meeting.id}
        for view in meetings_of(session, owner=owner, contact=contact)
    ]  # fmt: skip
    timeline += [
        {"kind": item.kind, "at": item.happened_at, "note": item.note, "id": item.id}
        for item in interactions_of(session, owner=owner, contact=contact)
    ]
    timeline.sort(key=lambda entry: entry["at"], reverse=True)
    through = (
        find_contact(session, owner=owner, contact_id=contact.met_through_id)
        if contact.met_through_id
        else None
    )
    introduced = session.exec(
        select(Contact)
        .where(owned_by(owner), Contact.met_through_id == contact.id)
        .order_by(col(Contact.sort_name))
        .limit(50)
    ).all()
    matches = find_matches(
        session, owner=owner, full_name=contact.full_name, email=contact.email or "",
        company=contact.company or "", exclude=contact.id,
    )  # fmt: skip
    return PersonView(timeline, through, list(introduced), matches)


def meetings_of(session: Session, *, owner: User, contact: Contact) -> list[MeetingView]:
    """Where and when the user met this person, latest first."""
    rows = session.exec(
        select(Meeting, Event)
        .join(Event, col(Meeting.event_id) == col(Event.id), isouter=True)
        # The person's own index drives, not the owner's (owner_id, event_id) one.
        .where(func.coalesce(Meeting.owner_id, None) == owner.id, Meeting.contact_id == contact.id)
        .order_by(col(Meeting.met_at).desc())
    )
    return [MeetingView(meeting=meeting, event=event) for meeting, event in rows]


def people_met_at(
    session: Session, *, owner: User, event_ids: list[uuid.UUID]
) -> list[tuple[Contact, Meeting]]:
    """The people met at these events (one event, or a series' earlier editions), in meeting order."""
    if not event_ids:
        return []
    rows = session.exec(
        select(Contact, Meeting)
        .join(Meeting, col(Meeting.contact_id) == col(Contact.id))
        .where(Meeting.owner_id == owner.id, col(Meeting.event_id).in_(event_ids))
        .order_by(col(Meeting.met_at).desc())
        .limit(500)
    )
    return list(rows)


def events_with_meetings(session: Session, *, owner: User, limit: int = 100) -> list[Event]:
    """The events where the owner met someone, latest first (for the list's filter)."""
    # One seek in (owner_id, event_id) per event, not a pass over every meeting of the owner.
    met = (
        select(Meeting.id)
        .where(Meeting.owner_id == owner.id, col(Meeting.event_id) == col(Event.id))
        .exists()
    )
    return list(
        session.exec(
            select(Event)
            .where(Event.owner_id == owner.id, met)
            .order_by(col(Event.starts_at).desc())
            .limit(limit)
        )
    )


def log_interaction(
    session: Session, *, owner: User, contact_id: uuid.UUID, data: InteractionCreate
) -> Interaction:
    """Log a coffee, a call, a message or a note; it becomes the person's last interaction."""
    contact = get_contact(session, owner=owner, contact_id=contact_id)
    if data.id is not None and (found := session.get(Interaction, data.id)) is not None:
        if found.owner_id != owner.id or found.contact_id != contact.id:
            raise NotFound()
        return found  # a replay of the same interaction
    happened_at = data.happened_at or utcnow()
    if happened_at.tzinfo is None:
        raise Invalid(lazy_gettext("Please give a time with its offset."), field="happened_at")
    interaction = Interaction(
        id=data.id or uuid.uuid4(),
        owner_id=owner.id,
        contact_id=contact.id,
        kind=data.kind.value,
        happened_at=happened_at,
        note=(data.note or "").strip()[:TEXT_MAX] or None,
    )
    session.add(interaction)
    touched(session, contact=contact, at=happened_at)
    session.flush()
    return interaction


def interactions_of(session: Session, *, owner: User, contact: Contact) -> list[Interaction]:
    """A person's interactions, latest first."""
    return list(
        session.exec(
            select(Interaction)
            .where(
                func.coalesce(Interaction.owner_id, None) == owner.id,
                Interaction.contact_id == contact.id,
            )
            .order_by(col(Interaction.happened_at).desc())
        )
    )


def delete_interaction(
    session: Session, *, owner: User, contact_id: uuid.UUID, interaction_id: uuid.UUID
) -> None:
    """Remove one interaction from a person's timeline."""
    found = session.get(Interaction, interaction_id)
    if found is None or found.owner_id != owner.id or found.contact_id != contact_id:
        raise NotFound()
    session.delete(found)


# --- keeping in touch ----------------------------------------------------------------------------


def cadence_for(contact: Contact, profile: NetworkProfile) -> int | None:
    """Days between touches for this person (see `app.network.service.cadence_for`)."""
    return network.cadence_for(
        profile,
        own_days=contact.cadence_days,
        tags=contact.tags,
        met_at_event=contact.last_met_at is not None,
    )


def refresh_touch(
    session: Session, *, contact: Contact, profile: NetworkProfile | None = None
) -> None:
    """Keep `touch_due_on` = last touch (meeting, interaction, done give) + cadence."""
    # The profile's defaults only count for a person with tags or met at an event and no cadence
    # of their own: a fresh capture needs no query for them.
    _set_touch_due(session, contact, profile)
    session.add(contact)


def _set_touch_due(
    session: Session, contact: Contact, profile: NetworkProfile | None = None
) -> None:
    if profile is None and contact.cadence_days is None and (contact.tags or contact.last_met_at):
        profile = network.profile_of(session, user_id=contact.owner_id)
    set_touch_due(contact, profile)


def set_touch_due(contact: Contact, profile: NetworkProfile | None) -> None:
    """`refresh_touch` on the object alone, with the owner's profile already read (an import);
    without a profile, only the person's own cadence counts."""
    days = cadence_for(contact, profile) if profile is not None else contact.cadence_days or None
    if days is None:
        contact.touch_due_on = None
    else:
        moments = [m for m in (contact.last_met_at, contact.last_interaction_at) if m is not None]
        last = max(moments) if moments else contact.created_at
        contact.touch_due_on = last.date() + timedelta(days=days)


def touched(session: Session, *, contact: Contact, at: datetime) -> None:
    """Something happened with this person (an interaction, a give done): it resets the cadence."""
    if contact.last_interaction_at is None or at > contact.last_interaction_at:
        contact.last_interaction_at = at
    refresh_touch(session, contact=contact)


def refresh_all_touch(session: Session, *, owner: User) -> None:
    """Recompute every person's next touch after the defaults changed (a `CadenceListener`)."""
    profile = network.profile_of(session, user_id=owner.id)
    statement = select(Contact).where(Contact.owner_id == owner.id)
    for contact in session.exec(statement.execution_options(yield_per=500)):
        refresh_touch(session, contact=contact, profile=profile)


def has_people(session: Session, *, owner: User) -> bool:
    """Whether the user has captured anyone yet (a first-day step)."""
    query = select(Contact.id).where(Contact.owner_id == owner.id).limit(1)
    return session.exec(query).first() is not None


def losing_touch(session: Session, *, owner: User, today: date, limit: int = 20) -> list[Contact]:
    """People whose next touch is due (and not snoozed), the longest overdue first."""
    return list(
        session.exec(
            select(Contact)
            .where(
                Contact.owner_id == owner.id,
                col(Contact.touch_due_on) <= today,
                or_(
                    col(Contact.touch_snoozed_until).is_(None),
                    col(Contact.touch_snoozed_until) <= today,
                ),
            )
            .order_by(col(Contact.touch_due_on))
            .limit(limit)
        )
    )


def snooze_touch(
    session: Session, *, owner: User, contact_id: uuid.UUID, days: int, today: date
) -> Contact:
    """Stop reminding about this person for some days."""
    contact = get_contact(session, owner=owner, contact_id=contact_id)
    contact.touch_snoozed_until = today + timedelta(days=max(1, min(days, 365)))
    session.add(contact)
    return contact


# --- photos --------------------------------------------------------------------------------------


def decode_data_url(value: str) -> bytes:
    """The bytes of a `data:image/...;base64,` URL (or of bare base64)."""
    _, _, payload = value.partition(",") if value.startswith("data:") else ("", "", value)
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid(lazy_gettext("This photo could not be read."), field="photo") from None


def clean_photo(data: bytes) -> tuple[bytes, str]:
    """Check that the bytes are an image (by content, not by name), turn it upright, shrink it and
    re-encode it, which drops every metadata block (GPS position included)."""
    if len(data) > PHOTO_MAX_BYTES:
        raise Invalid(lazy_gettext("This photo is too large."), field="photo")
    try:
        if photos.image_type(data) is None:
            raise Invalid(lazy_gettext("This file is not a photo."), field="photo")
        try:
            probe = photos.open_for_badge(data, PHOTO_MAX_SIDE)
        except photos.TooManyPixels:
            raise Invalid(lazy_gettext("This photo is too large."), field="photo") from None
        with probe:
            image = ImageOps.exif_transpose(probe) or probe
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            out = io.BytesIO()
            if (
                image.mode in {"RGBA", "LA", "P"}
                and "transparency" in image.info
                or image.mode in {"RGBA", "LA"}
            ):
                image.save(out, "PNG", optimize=True)
                return out.getvalue(), "image/png"
            image.convert("RGB").save(out, "JPEG", quality=82, optimize=True)
            return out.getvalue(), "image/jpeg"
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise Invalid(lazy_gettext("This file is not a photo."), field="photo") from None


def set_photo(session: Session, *, owner: User, contact: Contact, data: bytes) -> None:
    """Store a person's photo, cleaned; the same photo twice changes nothing."""
    cleaned, content_type = clean_photo(data)
    photo = session.get(ContactPhoto, contact.id)
    if photo is None:
        photo = ContactPhoto(
            contact_id=contact.id, owner_id=owner.id, content_type=content_type, data=cleaned
        )
    elif photo.data == cleaned:
        return
    else:
        photo.data, photo.content_type, photo.updated_at = cleaned, content_type, utcnow()
    contact.photo_type = content_type
    session.add(photo)
    session.add(contact)


def get_photo(session: Session, *, owner: User, contact_id: uuid.UUID) -> ContactPhoto:
    """A person's photo."""
    contact = get_contact(session, owner=owner, contact_id=contact_id)
    photo = session.get(ContactPhoto, contact.id)
    if photo is None:
        raise NotFound()
    return photo


def delete_photo(session: Session, *, owner: User, contact_id: uuid.UUID) -> None:
    """Remove a person's photo."""
    contact = get_contact(session, owner=owner, contact_id=contact_id)
    photo = session.get(ContactPhoto, contact.id)
    if photo is not None:
        session.delete(photo)
    contact.photo_type = None
    session.add(contact)


# --- likely duplicates and merging ---------------------------------------------------------------


@dataclass
class Match:
    contact: Contact
    reason: str


def find_matches(
    session: Session,
    *,
    owner: User,
    full_name: str = "",
    email: str = "",
    company: str = "",
    exclude: uuid.UUID | None = None,
) -> list[Match]:
    """People who may be this one: the same e-mail, or a similar name (with the same company
    when both have one)."""
    found: dict[uuid.UUID, Match] = {}
    others = [Contact.id != exclude] if exclude is not None else []
    email = email.strip().lower()
    if email:
        by_email = select(Contact).where(
            Contact.owner_id == owner.id, func.lower(Contact.email) == email, *others
        )  # in the (owner_id, lower(email)) index
        for contact in session.exec(by_email.limit(5)):
            found[contact.id] = Match(contact, "email")
    name_words = list(dict.fromkeys(words(full_name)))
    if name_words:
        # The people with every word, intersected in the term index, then fetched by id.
        with_word = [
            select(ContactTerm.contact_id).where(
                ContactTerm.owner_id == owner.id, ContactTerm.term == word
            )
            for word in name_words[:4]
        ]
        ids = with_word[0].intersect(*with_word[1:]) if len(with_word) > 1 else with_word[0]
        if len(with_word) > 1:
            ids = select(ids.subquery().c[0])
        statement = select(Contact).where(col(Contact.id).in_(ids), owned_by(owner), *others)
        wanted_company = fold(company).strip()
        for contact in session.exec(statement.limit(20)):
            if contact.id in found:
                continue
            theirs = fold(contact.company or "").strip()
            if wanted_company and theirs and wanted_company != theirs:
                continue
            same_name = set(words(contact.full_name)) == set(name_words)
            if same_name or (wanted_company and wanted_company == theirs):
                found[contact.id] = Match(
                    contact, "name_company" if wanted_company == theirs and theirs else "name"
                )
    return list(found.values())[:5]


def extras_note(person: Any, existing: Contact | None) -> str | None:
    """The second e-mails and phones of an imported record, which have no field of their own,
    as lines of its notes ("Other e-mail: …"), so none is dropped; those already known are not
    repeated."""
    known = {
        fold(value)
        for value in (person.email, person.phone, getattr(existing, "email", None),
                      getattr(existing, "phone", None), getattr(existing, "notes", None))
        if value
    }  # fmt: skip
    lines = []
    for label, values in (
        (lazy_gettext("Other e-mail: {value}"), getattr(person, "extra_emails", None) or []),
        (lazy_gettext("Other phone: {value}"), getattr(person, "extra_phones", None) or []),
    ):
        for value in values:
            if value and not any(fold(value) in text for text in known):
                lines.append(str(label).format(value=value))
                known.add(fold(value))
    return "\n".join(lines) or None


# A person's settings that our own exports write (X-GIVEFIRST-… properties, CSV columns).
SETTING_FIELDS = ("cadence_days", "address_as", "knows_what_i_do", "would_recommend")


def imported_settings(person: Any, existing: Contact | None) -> dict[str, Any]:
    """The settings an imported record brings (our exports' cadence, tu or vous, ticked stages):
    a person already known keeps those they have, and takes the others."""

    def unset(value: Any) -> bool:
        return value is None or value is False  # a cadence of 0 (never) is a setting

    return {
        name: getattr(person, name)
        for name in SETTING_FIELDS
        if not unset(getattr(person, name, None))
        and (existing is None or unset(getattr(existing, name)))
    }


def joined_text(first: str | None, second: str | None) -> str | None:
    if not first or not second or fold(second) in fold(first):
        return first or second
    return f"{first}\n\n{second}"[:TEXT_MAX]


class MergeHook(Protocol):
    """What a feature does when two people become one, beyond moving its rows (which happens for
    every table by itself, see `_repoint_references`): wired in `app.wiring`."""

    def __call__(self, session: Session, *, keep: uuid.UUID, other: uuid.UUID) -> None: ...


# Tables this module moves by itself on a merge (a meeting per event, one photo, search terms).
_MERGED_HERE = {"meeting", "contact_photo", "contact_term"}


def _repoint_references(session: Session, *, keep: uuid.UUID, other: uuid.UUID) -> None:
    """Every row of any feature that points at `other` now points at `keep`.

    The references are read from the database's own schema, not from the models loaded in this
    process: a feature that was not imported, or that forgot a merge hook, still cannot lose rows
    to the `ON DELETE CASCADE` that follows."""
    connection = session.connection()
    postgresql = connection.dialect.name == "postgresql"
    # Plain tables know no UUID type: SQLite stores SQLModel's UUIDs as 32 hex digits.
    old: Any = other if postgresql else other.hex
    new: Any = keep if postgresql else keep.hex
    inspector = inspect(connection)
    for table_name in inspector.get_table_names():
        if table_name in _MERGED_HERE:
            continue
        for foreign_key in inspector.get_foreign_keys(table_name):
            if foreign_key["referred_table"] != Contact.__tablename__:
                continue
            name = foreign_key["constrained_columns"][0]
            table = sa_table(table_name, sa_column(name))
            session.execute(update(table).where(table.c[name] == old).values({name: new}))


def merge_contacts(
    session: Session,
    *,
    owner: User,
    keep_id: uuid.UUID,
    other_id: uuid.UUID,
    hooks: Sequence[MergeHook] = (),
) -> Contact:
    """Merge `other` into `keep`: every meeting, interaction, note, tag and introduction is kept;
    `keep`'s own values win where both have one, texts are joined."""
    keep = get_contact(session, owner=owner, contact_id=keep_id)
    other = get_contact(session, owner=owner, contact_id=other_id)
    if keep.id == other.id:
        raise Invalid(lazy_gettext("Choose two different people."), field="other_id")
    for name in ("full_name", "company", "role", "email", "phone", "url"):
        if not getattr(keep, name) and getattr(other, name):
            setattr(keep, name, getattr(other, name))
    for name in ("hook", "needs", "notes"):
        setattr(keep, name, joined_text(getattr(keep, name), getattr(other, name)))
    keep.tags = clean_tags([*keep.tags, *other.tags])
    if keep.met_through_id is None and other.met_through_id not in (None, keep.id):
        keep.met_through_id = other.met_through_id
    keep.source_uid = keep.source_uid or other.source_uid
    for name in ("last_met_at", "last_interaction_at"):
        values = [v for v in (getattr(keep, name), getattr(other, name)) if v is not None]
        setattr(keep, name, max(values) if values else None)
    keep.recent_at = max(keep.recent_at, other.recent_at)
    keep.created_at = min(keep.created_at, other.created_at)
    kept_events = set(
        session.exec(select(Meeting.event_id).where(Meeting.contact_id == keep.id)).all()
    )
    for meeting in session.exec(select(Meeting).where(Meeting.contact_id == other.id)).all():
        if meeting.event_id is not None and meeting.event_id in kept_events:
            session.delete(meeting)  # the same event twice: one meeting is enough
        else:
            meeting.contact_id = keep.id
            session.add(meeting)
    _repoint_references(session, keep=keep.id, other=other.id)
    for hook in hooks:
        hook(session, keep=keep.id, other=other.id)
    photo = session.get(ContactPhoto, other.id)
    if photo is not None and keep.photo_type is None:
        session.add(
            ContactPhoto(
                contact_id=keep.id,
                owner_id=owner.id,
                content_type=photo.content_type,
                data=photo.data,
            )
        )
        keep.photo_type = photo.content_type
    if keep.met_through_id in (keep.id, other.id):  # the kept person met through themself
        keep.met_through_id = None
    session.flush()
    session.delete(other)
    session.flush()
    keep.sort_name = sort_name_for(keep)
    keep.updated_at = utcnow()
    _reindex(session, keep)
    session.add(keep)
    session.flush()
    return keep


# --- import --------------------------------------------------------------------------------------


@dataclass
class ImportSummary:
    created: list[Contact] = field(default_factory=list)
    updated: list[Contact] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    # Photos left out because the import had brought as many as one import may.
    photos_left_out: int = 0


def imported_value(name: str, value: str) -> str | None:
    try:
        cleaned = _clean_email(value) if name == "email" else _clean_url(value)
    except Invalid:
        return None
    return cleaned if len(cleaned) <= LIMITS[name] else None


def valid_import_email(value: str) -> bool:
    """Whether an imported e-mail address is kept (a bad one is dropped, the person kept)."""
    return imported_value("email", value) is not None


def existing_for(session: Session, *, owner: User, person: Any) -> Contact | None:
    """The person an imported record refers to: same UID, else e-mail, else the same name with
    the same company or a company on one side only."""
    # Each lookup is one seek: (owner_id, source_uid), (owner_id, lower(email)), the term index.
    base = select(Contact).where(Contact.owner_id == owner.id)
    if person.source_uid:
        found = session.exec(base.where(Contact.source_uid == person.source_uid[:500])).first()
        if found is not None:
            return found
    if person.email:
        found = session.exec(base.where(func.lower(Contact.email) == person.email.lower())).first()
        if found is not None:
            return found
    if person.full_name:
        matches = find_matches(
            session, owner=owner, full_name=person.full_name, company=person.company or ""
        )
        theirs = fold(person.company or "").strip()
        for match in matches:
            # The same name, folded for case and accents, with the same company or with a
            # company on one side only (a person captured with a name only at a salon).
            mine = fold(match.contact.company or "").strip()
            same_company = mine == theirs or not mine or not theirs
            same_name = sorted(words(match.contact.full_name)) == sorted(words(person.full_name))
            if same_name and same_company:
                return match.contact
    return None


EXPORT_PAGE = 2000


def _export_page(
    session: Session,
    *,
    owner_id: uuid.UUID,
    after: tuple[str, uuid.UUID] | None,
    size: int,
    with_photos: bool,
) -> tuple[list[dict[str, Any]], tuple[str, uuid.UUID] | None]:
    """One page of export rows after `after` (sort name, id), and the key to read the next."""
    statement = select(Contact).where(Contact.owner_id == owner_id)
    if after is not None:
        statement = statement.where(tuple_(Contact.sort_name, Contact.id) > tuple_(*after))
    found = list(
        session.exec(statement.order_by(col(Contact.sort_name), col(Contact.id)).limit(size))
    )
    photos: dict[uuid.UUID, ContactPhoto] = {}
    with_photo = [contact.id for contact in found if with_photos and contact.photo_type]
    if with_photo:  # one query per page, not one per person
        photos = {
            photo.contact_id: photo
            for photo in session.exec(
                select(ContactPhoto).where(
                    ContactPhoto.owner_id == owner_id, col(ContactPhoto.contact_id).in_(with_photo)
                )
            )
        }
    rows = [_row(contact, photos.get(contact.id)) for contact in found]
    following = (found[-1].sort_name, found[-1].id) if len(found) == size else None
    return rows, following  # fmt: skip


def export_rows(
    session: Session, *, owner: User, with_photos: bool = True
) -> Iterable[dict[str, Any]]:
    """Every person as a dict of fields, by name, for the vCard and CSV exports."""
    after: tuple[str, uuid.UUID] | None = None
    while True:
        rows, after = _export_page(
            session, owner_id=owner.id, after=after, size=EXPORT_PAGE, with_photos=with_photos
        )
        yield from rows
        if after is None:
            return


def export_pages(
    engine: Engine, *, owner_id: uuid.UUID, with_photos: bool = True
) -> Iterator[list[dict[str, Any]]]:
    """The same rows as `export_rows`, a page at a time, each page read in a short session of
    its own: a download that streams for a minute never holds a transaction (or, on SQLite, a
    snapshot that stops the WAL from being checkpointed) open between pages."""
    after: tuple[str, uuid.UUID] | None = None
    while True:
        with Session(engine) as session:
            rows, after = _export_page(
                session, owner_id=owner_id, after=after, size=EXPORT_PAGE, with_photos=with_photos
            )
        if rows:
            yield rows
        if after is None:
            return


def contact_row(session: Session, contact: Contact, *, with_photo: bool = True) -> dict[str, Any]:
    """A person's fields for export (the photo's bytes included when asked)."""
    photo = session.get(ContactPhoto, contact.id) if with_photo and contact.photo_type else None
    return _row(contact, photo)


def _row(contact: Contact, photo: ContactPhoto | None) -> dict[str, Any]:
    row = {name: getattr(contact, name) for name in (*TEXT_FIELDS, *SETTING_FIELDS)}
    row["tags"] = contact.tags
    row["uid"] = str(contact.id)
    row["revised_at"] = contact.updated_at
    if photo is not None:
        row["photo"], row["photo_type"] = photo.data, photo.content_type
    return row


def recent_people(
    session: Session, *, owner: User, days: int = 400, limit: int = 2000
) -> list[Contact]:
    """The people the capture screen keeps offline to offer matches."""
    since = utcnow() - timedelta(days=days)
    return list(
        session.exec(
            select(Contact)
            .where(
                Contact.owner_id == owner.id,
                or_(col(Contact.recent_at) >= since, col(Contact.email).is_not(None)),
            )
            .order_by(col(Contact.recent_at).desc())
            .limit(limit)
        )
    )
