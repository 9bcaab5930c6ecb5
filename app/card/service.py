"""The card: its address, what it publishes, its vCard, QR and feed, the form tokens that keep
bots out, and the inbox of what visitors left, with their consent receipts."""

import base64
import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import segno
import vobject
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.calendar.ical import FeedItem, build_calendar
from app.card.models import (
    CARD_FIELDS,
    PURPOSES,
    REQUIRED_PURPOSE,
    SLUG_MAX,
    SLUG_MIN,
    Card,
    CardSubmission,
    CardUpdate,
    LeftDetails,
    SubmissionStatus,
)
from app.contacts import service as contacts
from app.contacts.models import Contact, ContactWrite
from app.db import utcnow
from app.errors import Conflict, Invalid, NotFound
from app.events.models import Event
from app.network import service as network
from app.text import fold
from app.web.i18n import gettext, lazy_gettext, use_locale

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
# Words a slug cannot be: they would read as something of the app's own.
RESERVED_SLUGS = {"admin", "api", "app", "card", "static", "settings", "events", "kiosk", "left"}
# A form is refused when sent faster than a person types, or long after it was shown.
MIN_FILL = timedelta(seconds=2)
MAX_FORM_AGE = timedelta(hours=12)
# Per card and per address, in the sign-in throttle's window (app.accounts.service).
LIMIT_PER_CARD = 30
LIMIT_PER_ADDRESS = 20
MAX_PUBLIC_EVENTS = 50


# --- the card and its address --------------------------------------------------------------------


def find_card(session: Session, *, owner: User) -> Card | None:
    """The user's card, if they ever opened it."""
    return session.get(Card, owner.id)


def card_of(session: Session, *, owner: User) -> Card:
    """The user's card, made (off, with a generated address) the first time it is asked for."""
    card = session.get(Card, owner.id)
    if card is None:
        card = Card(user_id=owner.id, slug=_new_slug(session, owner.display_name))
        session.add(card)
        session.flush()
    return card


def _new_slug(session: Session, name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:24].strip("-") or "card"
    while True:
        slug = f"{base}-{secrets.token_hex(3)}"
        if session.exec(select(Card.user_id).where(Card.slug == slug)).first() is None:
            return slug


def clean_slug(value: str) -> str:
    """A slug as typed, lower-cased and checked: letters, digits and dashes."""
    slug = fold(value.strip()).replace(" ", "-")
    if not SLUG_MIN <= len(slug) <= SLUG_MAX or not SLUG_PATTERN.match(slug):
        raise Invalid(
            lazy_gettext("Use 3 to 40 letters, digits or dashes, without accents."), field="slug"
        )
    if slug in RESERVED_SLUGS:
        raise Invalid(lazy_gettext("This address is reserved: choose another."), field="slug")
    return slug


def _clean_email(value: str, field: str = "email") -> str:
    if not value.strip():
        return ""
    try:
        return str(validate_email(value.strip(), check_deliverability=False).normalized)
    except EmailNotValidError:
        raise Invalid(lazy_gettext("This e-mail address is not valid."), field=field) from None


def _clean_url(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    if "://" not in value and "." in value and " " not in value:
        value = "https://" + value
    if not re.match(r"^https?://[^\s/]+", value):
        raise Invalid(lazy_gettext("A web link must start with http:// or https://."), field="url")
    return value


def update_card(session: Session, *, owner: User, data: CardUpdate) -> Card:
    """Turn the card on or off, change its address (the old one stops at once), what it
    publishes, and its own values."""
    card = card_of(session, owner=owner)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("slug") is not None:
        slug = clean_slug(changes["slug"])
        taken = session.exec(
            select(Card.user_id).where(Card.slug == slug, Card.user_id != owner.id)
        ).first()
        if taken is not None:
            raise Conflict(lazy_gettext("This address is taken: choose another."), field="slug")
        card.slug = slug
    if changes.get("published") is not None:
        unknown = [name for name in changes["published"] if name not in CARD_FIELDS]
        if unknown:
            raise Invalid(
                lazy_gettext("Unknown field: %(name)s."), field="published", name=unknown[0]
            )
        card.published = [name for name in CARD_FIELDS if name in changes["published"]]
    for name in ("enabled", "indexable"):
        if changes.get(name) is not None:
            setattr(card, name, bool(changes[name]))
    for name in ("company", "role", "phone", "city"):
        if changes.get(name) is not None:
            setattr(card, name, " ".join(str(changes[name]).split()))
    if changes.get("email") is not None:
        card.email = _clean_email(changes["email"])
    if changes.get("url") is not None:
        card.url = _clean_url(changes["url"])
    card.updated_at = utcnow()
    session.add(card)
    session.flush()
    return card


def set_photo(session: Session, *, owner: User, data: bytes) -> Card:
    """The card's photo, cleaned as people's photos are (no metadata survives)."""
    card = card_of(session, owner=owner)
    card.photo, card.photo_type = contacts.clean_photo(data)
    card.updated_at = utcnow()
    session.add(card)
    return card


def delete_photo(session: Session, *, owner: User) -> Card:
    """Remove the card's photo."""
    card = card_of(session, owner=owner)
    card.photo, card.photo_type = None, None
    session.add(card)
    return card


def set_kiosk_pin(session: Session, *, owner: User, pin_hash: str | None) -> None:
    """The kiosk's unlock PIN (already hashed), or none: the password then unlocks."""
    card = card_of(session, owner=owner)
    card.kiosk_pin_hash = pin_hash
    session.add(card)


def public_card(session: Session, *, slug: str) -> tuple[Card, User]:
    """The card at this address with its owner; 404 when unknown, off or retired."""
    card = session.exec(select(Card).where(Card.slug == slug.lower())).first()
    if card is None or not card.enabled:
        raise NotFound()
    owner = session.get(User, card.user_id)
    if owner is None:
        raise NotFound()
    return card, owner


# --- what a visitor sees: the one gate -----------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """Only the published, non-empty values of a card: every public output is built from this."""

    slug: str
    values: dict[str, str]
    photo: bytes | None
    photo_type: str | None

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    @property
    def name(self) -> str:
        return self.values.get("full_name", "")


def all_values(session: Session, *, card: Card, owner: User) -> dict[str, str]:
    """Every value a card could show, published or not (for the owner's settings)."""
    profile = network.profile_of(session, user_id=owner.id)
    return {
        "full_name": owner.display_name,
        "specialty": profile.specialty,
        "helps": profile.who_i_help,
        "trigger": profile.trigger_keyword,
        "referral_offer": profile.referral_offer,
        "company": card.company,
        "role": card.role,
        "email": card.email or owner.email,
        "phone": card.phone,
        "url": card.url,
        "city": card.city,
    }


def shown(session: Session, *, card: Card, owner: User) -> Shown:
    """What the card publishes, nothing else."""
    values = all_values(session, card=card, owner=owner)
    published = set(card.published)
    kept = {name: (values[name] or "").strip() for name in values if name in published}
    with_photo = "photo" in published and card.photo is not None
    return Shown(
        slug=card.slug,
        values={name: value for name, value in kept.items() if value},
        photo=card.photo if with_photo else None,
        photo_type=card.photo_type if with_photo else None,
    )


def vcard(view: Shown, *, card_url: str) -> str:
    """A vCard 3.0 of the published fields only, which phones' contacts apps accept."""
    item = vobject.vCard()
    name = view.name or view.get("company") or card_url
    item.add("fn").value = name
    parts = view.name.split()
    item.add("n").value = vobject.vcard.Name(
        family=parts[-1] if len(parts) > 1 else "", given=" ".join(parts[:-1]) or view.name
    )
    if view.get("company"):
        item.add("org").value = [view.get("company")]
    if view.get("role"):
        item.add("title").value = view.get("role")
    if view.get("email"):
        email = item.add("email")
        email.value = view.get("email")
        email.type_param = "INTERNET"
    if view.get("phone"):
        item.add("tel").value = view.get("phone")
    if view.get("url"):
        item.add("url").value = view.get("url")
    if view.get("city"):
        item.add("adr").value = vobject.vcard.Address(city=view.get("city"))
    note = [view.get(name) for name in ("specialty", "helps", "trigger", "referral_offer")]
    if any(note):
        item.add("note").value = "\n".join(text for text in note if text)
    if view.photo is not None:
        photo = item.add("photo")
        photo.value = view.photo
        photo.encoding_param = "b"
        photo.type_param = "PNG" if view.photo_type == "image/png" else "JPEG"
    return str(item.serialize())


def qr_svg(url: str, *, title: str) -> str:
    """The card's address as a QR code in SVG (the address also in its description)."""
    code = segno.make(url, error="m")
    svg: str = code.svg_inline(scale=8, border=2, title=title, desc=url, omitsize=True)
    return svg


# --- form tokens: a minimum fill time, an expiry, and a one-time key -----------------------------


def _sign(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()[:32]


def form_token(*, secret: str, owner_id: uuid.UUID, now: datetime | None = None) -> str:
    """A signed token for one showing of the form: when it was shown and a one-time key."""
    issued = int((now or utcnow()).timestamp())
    nonce = secrets.token_hex(12)
    return f"{issued}.{nonce}.{_sign(secret, f'card-form|{owner_id}|{issued}|{nonce}')}"


def check_form_token(
    *,
    secret: str,
    owner_id: uuid.UUID,
    token: str,
    now: datetime | None = None,
    min_fill: timedelta = MIN_FILL,
) -> str:
    """The token's one-time key; refused when forged, sent too fast, or too old."""
    now = now or utcnow()
    issued_text, _, rest = token.partition(".")
    nonce, _, signature = rest.partition(".")
    expected = _sign(secret, f"card-form|{owner_id}|{issued_text}|{nonce}")
    if not issued_text.isdigit() or not nonce or not hmac.compare_digest(signature, expected):
        raise Invalid(
            lazy_gettext("This form has expired. Please fill it in again."), field="token"
        )
    issued = datetime.fromtimestamp(int(issued_text), tz=now.tzinfo)
    if now - issued < min_fill:
        raise Invalid(
            lazy_gettext("That was very fast. Please check your details and send them again."),
            field="token",
        )
    if now - issued > MAX_FORM_AGE:
        raise Invalid(
            lazy_gettext("This form has expired. Please fill it in again."), field="token"
        )
    return nonce


def receipt_key(*, secret: str, submission_id: uuid.UUID) -> str:
    """The private key of a visitor's link to what they left (derived: a replay shows it again)."""
    return _sign(secret, f"card-receipt|{submission_id}")


# --- consent -------------------------------------------------------------------------------------


def purpose_texts(*, owner_name: str, language: str) -> dict[str, str]:
    """Each purpose's checkbox text, in the visitor's language, naming the card's owner."""
    with use_locale(language):
        who = owner_name or gettext("The owner of this card")
        return {
            "follow_up": gettext(
                "%(name)s may keep these details to get back to you about what we talked about, "
                "and to remember where we met. (Required to send them.)"
            )
            % {"name": who},
            "events": gettext("%(name)s may tell you, now and then, at which events they will be.")
            % {"name": who},
        }


def consent_receipt(*, consents: Sequence[str], owner_name: str, language: str) -> tuple[str, str]:
    """The consent text as shown for the ticked purposes, and its SHA-256."""
    texts = purpose_texts(owner_name=owner_name, language=language)
    text = "\n".join(f"[x] {texts[purpose]}" for purpose in PURPOSES if purpose in consents)
    return text, hashlib.sha256(text.encode()).hexdigest()


# --- leaving details -----------------------------------------------------------------------------


def _clean_left(details: LeftDetails) -> LeftDetails:
    values = {name: " ".join(str(getattr(details, name) or "").split()) for name in
              ("full_name", "company", "phone")}  # fmt: skip
    values["needs"] = (details.needs or "").strip()
    values["message"] = (details.message or "").strip()
    values["email"] = _clean_email(details.email or "")
    if not values["full_name"]:
        raise Invalid(lazy_gettext("Please give your name."), field="full_name")
    if not values["email"] and not values["phone"]:
        raise Invalid(
            lazy_gettext("Please give an e-mail address or a phone number."), field="email"
        )
    if values["phone"] and not re.fullmatch(r"[0-9+().\- /]{4,50}", values["phone"]):
        raise Invalid(lazy_gettext("This phone number is not valid."), field="phone")
    return LeftDetails.model_validate(values)


def event_for_form(session: Session, *, owner: User, event_id: uuid.UUID | None) -> Event | None:
    """The owner's event a form is tagged with, or None (an unknown id is just left out)."""
    if event_id is None:
        return None
    event = session.get(Event, event_id)
    return event if event is not None and event.owner_id == owner.id else None


def leave_details(
    session: Session,
    *,
    owner: User,
    details: LeftDetails,
    consents: Sequence[str],
    language: str,
    event_id: uuid.UUID | None,
    client_key: str,
    owner_name: str,
    source: str = "card",
    consented_at: datetime | None = None,
) -> tuple[CardSubmission, bool]:
    """Store what a visitor left, with the receipt of their consent (its text as shown, naming
    the owner as the form did); without the required consent nothing is stored. The same client
    key twice stores one submission."""
    existing = session.exec(
        select(CardSubmission).where(
            CardSubmission.owner_id == owner.id, CardSubmission.client_key == client_key
        )
    ).first()
    if existing is not None:
        return existing, False
    if REQUIRED_PURPOSE not in consents:
        raise Invalid(
            lazy_gettext("Please tick the first box: without it, nothing can be kept."),
            field=f"consent_{REQUIRED_PURPOSE}",
        )
    cleaned = _clean_left(details)
    language = language if language in ("fr", "en") else "fr"
    text, digest = consent_receipt(consents=consents, owner_name=owner_name, language=language)
    now = utcnow()
    # A kiosk's time comes from the phone: never in the future, never before the form existed.
    at = min(consented_at, now) if consented_at is not None else now
    event = event_for_form(session, owner=owner, event_id=event_id)
    submission = CardSubmission(
        **cleaned.model_dump(),
        owner_id=owner.id,
        client_key=client_key[:64],
        event_id=event.id if event else None,
        consents=[purpose for purpose in PURPOSES if purpose in consents],
        consent_text=text,
        consent_sha256=digest,
        language=language,
        consented_at=at,
        source=source,
    )
    try:
        with session.begin_nested():
            session.add(submission)
    except IntegrityError:
        # The same key at the same moment from another process: the first one stands.
        found = session.exec(
            select(CardSubmission).where(
                CardSubmission.owner_id == owner.id, CardSubmission.client_key == client_key
            )
        ).one()
        return found, False
    session.flush()
    return submission, True


def visitor_submission(
    session: Session, *, secret: str, submission_id: uuid.UUID, key: str
) -> CardSubmission:
    """What a visitor left, by their private link; 404 for any wrong key."""
    submission = session.get(CardSubmission, submission_id)
    expected = receipt_key(secret=secret, submission_id=submission_id)
    if submission is None or not hmac.compare_digest(key, expected):
        raise NotFound()
    return submission


def erase_submission(session: Session, *, submission: CardSubmission) -> None:
    """The visitor erases what they left, with the person it made if it made one."""
    if submission.created_contact and submission.contact_id is not None:
        contact = session.get(Contact, submission.contact_id)
        if contact is not None and contact.owner_id == submission.owner_id:
            session.delete(contact)
    session.delete(submission)
    session.flush()


# --- the inbox -----------------------------------------------------------------------------------


def inbox(
    session: Session, *, owner: User, status: str = "new", limit: int = 200
) -> list[CardSubmission]:
    """What visitors left and the user has not handled yet, newest first."""
    query = select(CardSubmission).where(CardSubmission.owner_id == owner.id)
    if status != "all":
        query = query.where(CardSubmission.status == status)
    query = query.order_by(col(CardSubmission.created_at).desc()).limit(limit)
    return list(session.exec(query).all())


def inbox_count(session: Session, *, owner: User) -> int:
    """How many submissions wait in the inbox."""
    from sqlalchemy import func

    query = (
        select(func.count())
        .select_from(CardSubmission)
        .where(
            CardSubmission.owner_id == owner.id, CardSubmission.status == SubmissionStatus.new.value
        )
    )
    return int(session.exec(query).one())


def get_submission(session: Session, *, owner: User, submission_id: uuid.UUID) -> CardSubmission:
    """One submission of the user's inbox; another user's is not found."""
    submission = session.get(CardSubmission, submission_id)
    if submission is None or submission.owner_id != owner.id:
        raise NotFound()
    return submission


def _joined(first: str | None, second: str) -> str | None:
    if not second:
        return first
    if not first or fold(second) in fold(first):
        return first or second
    return f"{first}\n\n{second}"


def accept(
    session: Session, *, owner: User, submission_id: uuid.UUID, contact_id: uuid.UUID | None = None
) -> Contact:
    """Make what a visitor left a person (or add it to one already known), met at its event."""
    submission = get_submission(session, owner=owner, submission_id=submission_id)
    if submission.status != SubmissionStatus.new.value:
        if submission.status == SubmissionStatus.accepted.value and submission.contact_id:
            return contacts.get_contact(session, owner=owner, contact_id=submission.contact_id)
        raise Conflict(lazy_gettext("This was already handled."))
    note = submission.message or None
    if contact_id is not None:
        known = contacts.get_contact(session, owner=owner, contact_id=contact_id)
        changes: dict[str, Any] = {
            name: getattr(submission, name)
            for name in ("company", "email", "phone")
            if getattr(submission, name) and not getattr(known, name)
        }
        if submission.needs:
            changes["needs"] = _joined(known.needs, submission.needs)
        if note:
            changes["notes"] = _joined(known.notes, note)
        data = ContactWrite(**changes, event_id=submission.event_id, met_at=submission.consented_at)
        contact, _ = contacts.put_contact(
            session, owner=owner, contact_id=known.id, data=data, create=False
        )
        created = False
    else:
        data = ContactWrite(
            full_name=submission.full_name,
            company=submission.company or None,
            email=submission.email or None,
            phone=submission.phone or None,
            needs=submission.needs or None,
            notes=note,
            event_id=submission.event_id,
            met_at=submission.consented_at,
        )
        contact, created = contacts.put_contact(
            session, owner=owner, contact_id=uuid.uuid4(), data=data
        )
    submission.status = SubmissionStatus.accepted.value
    submission.contact_id = contact.id
    submission.created_contact = created
    session.add(submission)
    session.flush()
    return contact


def discard(session: Session, *, owner: User, submission_id: uuid.UUID) -> None:
    """Throw away what a visitor left: nothing of it is kept."""
    submission = get_submission(session, owner=owner, submission_id=submission_id)
    session.delete(submission)
    session.flush()


def matches_for(session: Session, *, owner: User, submission: CardSubmission) -> list[Contact]:
    """People already known who may be this visitor (same e-mail, similar name)."""
    found = contacts.find_matches(
        session, owner=owner, full_name=submission.full_name, email=submission.email,
        company=submission.company,
    )  # fmt: skip
    return [match.contact for match in found]


# --- where I'll be -------------------------------------------------------------------------------


def public_events(session: Session, *, owner: User, now: datetime | None = None) -> list[Event]:
    """The owner's upcoming public events, soonest first."""
    now = now or utcnow()
    query = (
        select(Event)
        .where(
            Event.owner_id == owner.id,
            col(Event.public).is_(True),
            col(Event.cancelled).is_(False),
            (col(Event.ends_at) >= now)
            | (col(Event.ends_at).is_(None) & (col(Event.starts_at) >= now - timedelta(days=1))),
        )
        .order_by(col(Event.starts_at))
        .limit(MAX_PUBLIC_EVENTS)
    )
    return list(session.exec(query).all())


def event_days(event: Event) -> tuple[date, date]:
    """An event's first and last day, in its own zone."""
    zone = ZoneInfo(event.timezone)
    start = event.starts_at.astimezone(zone).date()
    end = (event.ends_at or event.starts_at).astimezone(zone)
    last = end.date()
    if (
        event.all_day
        and event.ends_at is not None
        and end.timetz().replace(tzinfo=None) == datetime.min.time()
        and last > start
    ):
        last = last - timedelta(days=1)
    return start, last


def local_times(event: Event) -> tuple[str, str | None]:
    """An event's start and end as ISO 8601 with the offset of its own zone."""
    zone = ZoneInfo(event.timezone)
    end = event.ends_at.astimezone(zone).isoformat() if event.ends_at else None
    return event.starts_at.astimezone(zone).isoformat(), end


def public_item(event: Event, *, url: str) -> FeedItem:
    """A public event as a calendar item: its name, times, city and own link, nothing else."""
    start: datetime | date
    end: datetime | date | None
    if event.all_day:
        first, last = event_days(event)
        start, end = first, last + timedelta(days=1)
    else:
        start, end = event.starts_at, event.ends_at
    return FeedItem(
        uid=f"public-event-{event.id}@givefirst",
        summary=event.name,
        start=start,
        end=end,
        timezone=event.timezone,
        modified=event.updated_at,
        created=event.created_at,
        sequence=event.sequence,
        location=(event.city or "").strip() or None,
        url=(event.url or "").strip() or url,
    )


def public_feed(events: Sequence[Event], *, title: str, page_url: str) -> bytes:
    """The public .ics feed of these events (separate from the private feed)."""
    return build_calendar(name=title, items=[public_item(e, url=page_url) for e in events])


def json_ld(events: Sequence[Event], *, page_url: str, organizer: str) -> list[dict[str, Any]]:
    """schema.org Events for the public page."""
    items: list[dict[str, Any]] = []
    for event in events:
        item: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": event.name,
            "startDate": event.starts_at.astimezone(ZoneInfo(event.timezone)).isoformat(),
            "eventStatus": "https://schema.org/EventScheduled",
            "url": (event.url or "").strip() or page_url,
        }
        if event.ends_at is not None:
            item["endDate"] = event.ends_at.astimezone(ZoneInfo(event.timezone)).isoformat()
        if event.city:
            item["location"] = {
                "@type": "Place",
                "name": event.city,
                "address": {"@type": "PostalAddress", "addressLocality": event.city},
            }
        if organizer:
            item["attendee"] = {"@type": "Person", "name": organizer}
        items.append(item)
    return items


def photo_data_url(view: Shown) -> str | None:
    """The published photo inline (for the in-app card, which must work offline)."""
    if view.photo is None:
        return None
    return f"data:{view.photo_type};base64,{base64.b64encode(view.photo).decode()}"
