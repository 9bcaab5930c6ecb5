"""Gives: create or update (idempotent), due-date defaults, done / snooze / skip, introductions
with double opt-in, the post-event follow-up list, suggestions, Today, referrals and the network
page's counts. Nothing here counts what anyone gave back."""

import re
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.contacts import service as contacts
from app.contacts.models import (
    Contact,
    Interaction,
    InteractionCreate,
    InteractionKind,
    Meeting,
)
from app.db import utcnow
from app.errors import Invalid, NotFound
from app.events.models import Event
from app.gives.models import (
    FollowUpList,
    FollowUpPerson,
    Give,
    GiveKind,
    GivePublic,
    GiveStatus,
    GiveWrite,
    IntroState,
    Referral,
    ReferralCreate,
)
from app.web.i18n import gettext, lazy_gettext, use_locale

# What each kind of give is called, in the user's language (pages, and the calendar's titles).
KIND_LABELS = {
    "introduction": lazy_gettext("Introduction"),
    "resource": lazy_gettext("Resource"),
    "recommendation": lazy_gettext("Recommendation"),
    "invitation": lazy_gettext("Invitation"),
    "help": lazy_gettext("Five-minute favour"),
    "congratulation": lazy_gettext("Congratulation"),
    "check_in": lazy_gettext("Check-in"),
}

# Days after the event ends (or after today) when a give of each kind is due by default.
DUE_DAYS = {
    GiveKind.introduction: 2,
    GiveKind.resource: 1,
    GiveKind.recommendation: 3,
    GiveKind.invitation: 7,
    GiveKind.help: 2,
    GiveKind.congratulation: 0,
    GiveKind.check_in: 14,
}
FOLLOW_UP_HOURS = 72
# An introduction waits this long for B's answer before a reminder is due.
ANSWER_DAYS = 3
OPEN = (GiveStatus.idea.value, GiveStatus.planned.value)


def local_today(user: User, now: datetime | None = None) -> date:
    """Today in the user's time zone."""
    return (now or utcnow()).astimezone(ZoneInfo(user.timezone)).date()


def event_end(event: Event) -> datetime:
    """When an event ends (a day after an all-day start, two hours after a timed one)."""
    if event.ends_at is not None:
        return event.ends_at
    return event.starts_at + (timedelta(days=1) if event.all_day else timedelta(hours=2))


def follow_up_deadline(event: Event) -> datetime:
    """The end of the 72 hours after an event in which everyone met there is followed up."""
    return event_end(event) + timedelta(hours=FOLLOW_UP_HOURS)


def default_due(kind: str, *, event: Event | None, today: date) -> date:
    """A sensible due day for a kind of give: e.g. two days after the event ends for an
    introduction, the same day for a congratulation; for a give to someone met at an event, never
    past the day its 72 hours run out; never in the past."""
    days = DUE_DAYS.get(GiveKind(kind) if kind in GiveKind.__members__ else GiveKind.resource, 2)
    due = today + timedelta(days=days)
    if event is not None:
        zone = ZoneInfo(event.timezone)
        # The last day of the event, in its own zone (an all-day end is exclusive).
        end = event_end(event) - (timedelta(seconds=1) if event.all_day else timedelta(0))
        due = min(
            end.astimezone(zone).date() + timedelta(days=days),
            follow_up_deadline(event).astimezone(zone).date(),
        )
    return max(due, today)


def get_give(session: Session, *, owner: User, give_id: uuid.UUID) -> Give:
    """One of the owner's gives."""
    give = session.get(Give, give_id)
    if give is None or give.owner_id != owner.id:
        raise NotFound()
    return give


def _person(session: Session, owner: User, contact_id: uuid.UUID, field: str) -> Contact:
    found = session.get(Contact, contact_id)
    if found is None or found.owner_id != owner.id:
        raise Invalid(lazy_gettext("Choose someone from your people."), field=field)
    return found


def default_title(kind: str, person: Contact, other: Contact | None, locale: str) -> str:
    """A title in the user's language when none is given ("Introduce Léa to Marc")."""
    name = contacts.display_name(person)
    other_name = contacts.display_name(other) if other else "…"
    with use_locale(locale):
        titles = {
            "introduction": gettext("Introduce %(name)s to %(other)s"),
            "resource": gettext("Send %(name)s something useful"),
            "recommendation": gettext("Recommend %(name)s"),
            "invitation": gettext("Invite %(name)s"),
            "help": gettext("Help %(name)s"),
            "congratulation": gettext("Congratulate %(name)s"),
            "check_in": gettext("Check in with %(name)s"),
        }
        return (titles.get(kind, titles["resource"]) % {"name": name, "other": other_name})[:200]


TRACKED = ("contact_id", "other_contact_id", "event_id", "kind", "title", "details", "due_on",
           "status", "done_at", "intro_state", "intro_why")  # fmt: skip


def put_give(
    session: Session,
    *,
    owner: User,
    give_id: uuid.UUID,
    data: GiveWrite,
    create: bool = True,
    now: datetime | None = None,
) -> tuple[Give, bool]:
    """Create or update a give under the client's id (offline too); replaying changes nothing."""
    now = now or utcnow()
    today = local_today(owner, now)
    existing = session.get(Give, give_id)
    if existing is not None and existing.owner_id != owner.id:
        raise NotFound()
    if existing is None and not create:
        raise NotFound()
    changes = data.model_dump(exclude_unset=True)
    for name in ("kind", "status", "intro_state"):
        if name in changes and changes[name] is not None:
            changes[name] = changes[name].value
    for name in ("contact_id", "kind", "status", "title"):
        if name in changes and changes[name] is None:
            raise Invalid(lazy_gettext("This field cannot be empty."), field=name)
    if existing is None and changes.get("contact_id") is None:
        raise Invalid(lazy_gettext("Choose someone from your people."), field="contact_id")
    give = existing or Give(
        id=give_id, owner_id=owner.id, contact_id=changes["contact_id"], title="", created_at=now
    )
    before = {name: getattr(give, name) for name in TRACKED}
    for name, value in changes.items():
        setattr(give, name, value.strip() if isinstance(value, str) else value)
    person = _person(session, owner, give.contact_id, "contact_id")
    other = None
    if give.other_contact_id is not None:
        other = _person(session, owner, give.other_contact_id, "other_contact_id")
        if other.id == person.id:
            raise Invalid(lazy_gettext("Choose two different people."), field="other_contact_id")
    event = None
    if give.event_id is not None:
        event = session.get(Event, give.event_id)
        if event is None or event.owner_id != owner.id:
            raise Invalid(lazy_gettext("This event does not exist."), field="event_id")
    if give.kind == GiveKind.introduction.value:
        if other is None and give.status != GiveStatus.idea.value:
            raise Invalid(
                lazy_gettext("An introduction needs the second person."), field="other_contact_id"
            )
        give.intro_state = give.intro_state or IntroState.draft.value
    else:
        give.intro_state = None
    if not give.title:
        give.title = default_title(give.kind, person, other, owner.locale)
    if existing is None and "due_on" not in changes and give.status == GiveStatus.planned.value:
        give.due_on = default_due(give.kind, event=event, today=today)
    if give.status == GiveStatus.done.value:
        give.done_at = give.done_at or now
        if before["status"] != GiveStatus.done.value:
            _touch(session, give, person, other)
    else:
        give.done_at = None
    after = {name: getattr(give, name) for name in TRACKED}
    if existing is None:
        session.add(give)
    elif after != before:
        give.updated_at = now
        give.sequence += 1
        session.add(give)
    session.flush()
    return give, existing is None


def _touch(session: Session, give: Give, person: Contact, other: Contact | None) -> None:
    """A give done counts as a touch with the person (both people, for an introduction)."""
    moment = give.done_at or utcnow()
    contacts.touched(session, contact=person, at=moment)
    if other is not None and give.kind == GiveKind.introduction.value:
        contacts.touched(session, contact=other, at=moment)


def set_status(session: Session, *, owner: User, give_id: uuid.UUID, status: GiveStatus) -> Give:
    """Done, skipped, planned again: one tap."""
    give, _ = put_give(
        session, owner=owner, give_id=give_id, data=GiveWrite(status=status), create=False
    )
    return give


def snooze(session: Session, *, owner: User, give_id: uuid.UUID, days: int) -> Give:
    """Push a give's due day back by a day or a week."""
    give = get_give(session, owner=owner, give_id=give_id)
    today = local_today(owner)
    start = max(give.due_on or today, today)
    data = GiveWrite(due_on=start + timedelta(days=max(1, min(days, 365))))
    give, _ = put_give(session, owner=owner, give_id=give_id, data=data, create=False)
    return give


def set_intro_state(
    session: Session, *, owner: User, give_id: uuid.UUID, state: IntroState
) -> Give:
    """Move an introduction through its double opt-in: asked (a reminder is due if B does not
    answer), accepted (introduce them now), declined (skipped), introduced (done)."""
    give = get_give(session, owner=owner, give_id=give_id)
    if give.kind != GiveKind.introduction.value:
        raise Invalid(lazy_gettext("Only an introduction has these steps."), field="intro_state")
    today = local_today(owner)
    data = GiveWrite(intro_state=state)
    if state == IntroState.asked:
        data.status, data.due_on = GiveStatus.planned, today + timedelta(days=ANSWER_DAYS)
    elif state == IntroState.accepted:
        data.status, data.due_on = GiveStatus.planned, today
    elif state == IntroState.declined:
        data.status = GiveStatus.skipped
    elif state == IntroState.introduced:
        data.status = GiveStatus.done
    give, _ = put_give(session, owner=owner, give_id=give_id, data=data, create=False)
    return give


def delete_give(session: Session, *, owner: User, give_id: uuid.UUID) -> None:
    """Delete a give."""
    session.delete(get_give(session, owner=owner, give_id=give_id))


def list_gives(
    session: Session,
    *,
    owner: User,
    status: str | None = None,
    due_before: date | None = None,
    contact_id: uuid.UUID | None = None,
    event_id: uuid.UUID | None = None,
    limit: int = 500,
) -> list[Give]:
    """The owner's gives, soonest due first (undated last)."""
    statement = select(Give).where(Give.owner_id == owner.id)
    if status:
        statement = statement.where(Give.status == status)
    if due_before is not None:
        statement = statement.where(col(Give.due_on) < due_before)
    if contact_id is not None:
        statement = statement.where(
            or_(col(Give.contact_id) == contact_id, col(Give.other_contact_id) == contact_id)
        )
    if event_id is not None:
        statement = statement.where(Give.event_id == event_id)
    statement = statement.order_by(
        col(Give.due_on).is_(None), col(Give.due_on), col(Give.created_at)
    )
    return list(session.exec(statement.limit(limit)))


def people_of(
    session: Session, *, owner: User, gives: Iterable[Give | GivePublic]
) -> dict[uuid.UUID, Contact]:
    """The people the gives are for (and the second people of introductions), by id."""
    gives = list(gives)
    ids = {g.contact_id for g in gives} | {g.other_contact_id for g in gives if g.other_contact_id}
    return contacts.contacts_by_id(session, owner=owner, ids=ids)


@dataclass
class Agenda:
    overdue: list[Give] = field(default_factory=list)
    today: list[Give] = field(default_factory=list)
    week: list[Give] = field(default_factory=list)

    @property
    def all(self) -> list[Give]:
        return self.overdue + self.today + self.week


def agenda(session: Session, *, owner: User, now: datetime | None = None) -> Agenda:
    """Planned gives overdue, due today and due in the next seven days."""
    today = local_today(owner, now)
    found = session.exec(
        select(Give)
        .where(
            Give.owner_id == owner.id,
            Give.status == GiveStatus.planned.value,
            col(Give.due_on).is_not(None),
            col(Give.due_on) <= today + timedelta(days=7),
        )
        .order_by(col(Give.due_on), col(Give.created_at))
        .limit(200)
    )
    result = Agenda()
    for give in found:
        assert give.due_on is not None
        if give.due_on < today:
            result.overdue.append(give)
        elif give.due_on == today:
            result.today.append(give)
        else:
            result.week.append(give)
    return result


# --- the post-event follow-up list ---------------------------------------------------------------

# Words in someone's needs or hook that suggest a kind of give (French and English).
_LOOKING_FOR_SOMEONE = re.compile(
    r"\b(cherche|recherche|recrute|besoin d.un|besoin d.une|looking for|hiring|needs? an?|seeks?)\b"
    r".{0,40}\b(un|une|des|a|an|someone|quelqu|expert|associ|développeu|developer|designer|"
    r"comptable|avocat|daf|cfo|cto|partner|mentor|freelance|consultant|prestataire|profil)",
    re.IGNORECASE,
)
_RESOURCE = re.compile(
    r"\b(article|livre|book|guide|outil|tool|template|modèle|ressource|resource|tuto|étude|study|"
    r"conseil|advice|lien|link|référence|reference|doc)", re.IGNORECASE)  # fmt: skip
_INVITATION = re.compile(
    r"\b(salle|venue|événement|evenement|event|meetup|conférence|conference|speaker|intervenant)",
    re.IGNORECASE,
)
_CONGRATULATION = re.compile(
    r"\b(lance|lancement|launch|levée|levee|raised|prix|award|nouveau poste|new job|promu|promoted|"
    r"ouvre|opening|anniversaire)", re.IGNORECASE)  # fmt: skip


def suggest(contact: Contact, meeting: Meeting | None, locale: str) -> dict[str, str]:
    """A give suggested from what was captured: needs that mention looking for someone suggest an
    introduction; a resource or a topic suggests a resource; and so on. The user may accept,
    edit or ignore it."""
    needs = contact.needs or ""
    hook = (meeting.note if meeting and meeting.note else None) or contact.hook or ""
    if _LOOKING_FOR_SOMEONE.search(needs):
        kind = GiveKind.introduction
    elif _INVITATION.search(needs):
        kind = GiveKind.invitation
    elif _RESOURCE.search(needs):
        kind = GiveKind.resource
    elif _CONGRATULATION.search(hook):
        kind = GiveKind.congratulation
    elif hook or needs:
        kind = GiveKind.resource
    else:
        kind = GiveKind.check_in
    name = contacts.display_name(contact)
    topic = (needs or hook).strip().splitlines()[0][:80] if (needs or hook).strip() else ""
    with use_locale(locale):
        titles = {
            GiveKind.introduction: gettext("Introduce %(name)s to someone for: %(topic)s"),
            GiveKind.invitation: gettext("Invite %(name)s: %(topic)s"),
            GiveKind.resource: gettext("Send %(name)s something useful about: %(topic)s"),
            GiveKind.congratulation: gettext("Congratulate %(name)s: %(topic)s"),
            GiveKind.check_in: gettext("Send %(name)s a short hello"),
        }
        title = titles[kind] % {"name": name, "topic": topic}
    return {"kind": kind.value, "title": title[:200]}


def _followed_up_ids(
    session: Session, owner: User, meetings: list[Meeting], *, until: datetime | None = None
) -> set[uuid.UUID]:
    """People with a give done, or an interaction, since the meeting (and before `until`)."""

    def in_time(at: datetime | None, since: datetime) -> bool:
        return at is not None and at >= since and (until is None or at <= until)

    ids = [m.contact_id for m in meetings]
    if not ids:
        return set()
    since = {m.contact_id: m.met_at for m in meetings}
    done = session.exec(
        select(Give.contact_id, Give.other_contact_id, Give.done_at).where(
            Give.owner_id == owner.id,
            Give.status == GiveStatus.done.value,
            or_(col(Give.contact_id).in_(ids), col(Give.other_contact_id).in_(ids)),
        )
    )
    followed: set[uuid.UUID] = set()
    for person, other, done_at in done:
        for who in (person, other):
            if who in since and in_time(done_at, since[who]):
                followed.add(who)
    talks = session.exec(
        select(Interaction.contact_id, Interaction.happened_at).where(
            # The people's own index drives, not the owner's (all their interactions).
            func.coalesce(Interaction.owner_id, None) == owner.id,
            col(Interaction.contact_id).in_(ids),
        )
    )
    followed.update(who for who, at in talks if in_time(at, since[who]))
    return followed


def follow_up(session: Session, *, owner: User, event: Event) -> FollowUpList:
    """Everyone met at the event with their hook and needs, their gives, a suggestion, and the
    progress toward following up everyone within 72 hours of the end."""
    rows = list(
        session.exec(
            select(Contact, Meeting)
            .join(Meeting, col(Meeting.contact_id) == col(Contact.id))
            .where(Meeting.owner_id == owner.id, Meeting.event_id == event.id)
            .order_by(col(Meeting.met_at))
        )
    )
    meetings = [meeting for _contact, meeting in rows]
    followed = _followed_up_ids(session, owner, meetings)
    deadline = follow_up_deadline(event)
    on_time = _followed_up_ids(session, owner, meetings, until=deadline)
    ids = [contact.id for contact, _meeting in rows]
    gives_by_person: dict[uuid.UUID, list[Give]] = {}
    if ids:
        for give in session.exec(
            select(Give)
            .where(
                Give.owner_id == owner.id,
                or_(col(Give.contact_id).in_(ids), col(Give.other_contact_id).in_(ids)),
                or_(col(Give.event_id) == event.id, col(Give.status).in_(OPEN)),
            )
            .order_by(col(Give.created_at))
        ):
            for who in {give.contact_id, give.other_contact_id} - {None}:
                gives_by_person.setdefault(who, []).append(give)  # type: ignore[arg-type]
    people = []
    for contact, meeting in rows:
        gives = gives_by_person.get(contact.id, [])
        show_suggestion = not gives and not meeting.suggestion_dismissed
        people.append(
            FollowUpPerson(
                contact_id=contact.id,
                full_name=contacts.display_name(contact),
                company=contact.company,
                hook=meeting.note or contact.hook,
                needs=contact.needs,
                met_at=meeting.met_at,
                followed_up=contact.id in followed,
                gives=[GivePublic.model_validate(g, from_attributes=True) for g in gives],
                suggestion=suggest(contact, meeting, owner.locale) if show_suggestion else None,
            )  # fmt: skip
        )
    return FollowUpList(
        event_id=event.id, event_name=event.name, ends_at=event_end(event), deadline=deadline,
        followed_up=sum(person.contact_id in on_time for person in people), total=len(people),
        people=people,
    )  # fmt: skip


def dismiss_suggestion(
    session: Session, *, owner: User, event_id: uuid.UUID, contact_id: uuid.UUID
) -> None:
    """Ignore the give suggested for someone met at an event."""
    meeting = session.exec(
        select(Meeting).where(
            Meeting.owner_id == owner.id,
            Meeting.event_id == event_id,
            Meeting.contact_id == contact_id,
        )
    ).first()
    if meeting is None:
        raise NotFound()
    meeting.suggestion_dismissed = True
    session.add(meeting)


class SendChannel(StrEnum):
    """How a follow-up message left: copied, shared, by e-mail, LinkedIn or WhatsApp, or
    marked sent by hand."""

    copy = "copy"
    share = "share"
    email = "email"
    linkedin = "linkedin"
    whatsapp = "whatsapp"
    other = "other"


CHANNEL_NOTES = {
    SendChannel.copy: lazy_gettext("Follow-up message after %(event)s (copied)"),
    SendChannel.share: lazy_gettext("Follow-up message after %(event)s (shared)"),
    SendChannel.email: lazy_gettext("Follow-up message after %(event)s (e-mail)"),
    SendChannel.linkedin: lazy_gettext("Follow-up message after %(event)s (LinkedIn)"),
    SendChannel.whatsapp: lazy_gettext("Follow-up message after %(event)s (WhatsApp)"),
    SendChannel.other: lazy_gettext("Follow-up message after %(event)s"),
}


def session_give(
    session: Session,
    *,
    owner: User,
    event: Event,
    contact_id: uuid.UUID,
    statuses: Iterable[str] = OPEN,
) -> Give | None:
    """The give a follow-up session sends for someone met at the event: their first open give
    planned from the event (an introduction needs its own two messages, so not that one)."""
    return session.exec(
        select(Give)
        .where(
            Give.owner_id == owner.id,
            Give.contact_id == contact_id,
            Give.event_id == event.id,
            col(Give.status).in_(list(statuses)),
            Give.kind != GiveKind.introduction.value,
        )
        .order_by(col(Give.created_at))
    ).first()


def mark_sent(
    session: Session,
    *,
    owner: User,
    event: Event,
    contact_id: uuid.UUID,
    channel: SendChannel,
    now: datetime | None = None,
) -> Give:
    """The follow-up message to someone met at the event left: their give is done (planned from
    the suggestion when there was none) and the message is logged as an interaction. Replaying
    it changes nothing."""
    now = now or utcnow()
    meeting = session.exec(
        select(Meeting).where(
            Meeting.owner_id == owner.id,
            Meeting.event_id == event.id,
            Meeting.contact_id == contact_id,
        )
    ).first()
    if meeting is None:
        raise NotFound()
    # Derived from the meeting, so that a replay (or a second tap) marks one give.
    give_id = uuid.uuid5(meeting.id, "follow-up")
    # A replay finds the give the first send marked done.
    give = (
        session.get(Give, give_id)
        or session_give(session, owner=owner, event=event, contact_id=contact_id)
        or session_give(session, owner=owner, event=event, contact_id=contact_id,
                        statuses=[GiveStatus.done.value])
    )  # fmt: skip
    if give is None:
        contact = contacts.get_contact(session, owner=owner, contact_id=contact_id)
        suggested = suggest(contact, meeting, owner.locale)
        kind = GiveKind(suggested["kind"])
        if kind == GiveKind.introduction:
            kind = GiveKind.check_in
            title = default_title(kind.value, contact, None, owner.locale)
        else:
            title = suggested["title"]
        data = GiveWrite(contact_id=contact_id, event_id=event.id, kind=kind, title=title,
                         status=GiveStatus.done, done_at=now)  # fmt: skip
        give, _ = put_give(session, owner=owner, give_id=give_id, data=data, now=now)
    elif give.status != GiveStatus.done.value:
        give, _ = put_give(session, owner=owner, give_id=give.id,
                           data=GiveWrite(status=GiveStatus.done), create=False, now=now)  # fmt: skip
    with use_locale(owner.locale):
        note = str(CHANNEL_NOTES[channel]) % {"event": event.name}
    contacts.log_interaction(
        session, owner=owner, contact_id=contact_id,
        data=InteractionCreate(id=uuid.uuid5(give.id, "sent"), kind=InteractionKind.message,
                               happened_at=give.done_at or now, note=note),
    )  # fmt: skip
    return give


@dataclass
class EventProgress:
    event: Event
    followed_up: int
    total: int


def to_follow_up(
    session: Session, *, owner: User, now: datetime | None = None, days: int = 7
) -> list[EventProgress]:
    """Events that ended in the last days with people not yet followed up."""
    now = now or utcnow()
    candidates = session.exec(
        select(Event)
        .where(
            Event.owner_id == owner.id,
            col(Event.cancelled).is_(False),
            col(Event.starts_at) <= now,
            col(Event.starts_at) >= now - timedelta(days=days + 14),
        )
        .order_by(col(Event.starts_at).desc())
        .limit(20)
    )
    found = []
    for event in candidates:
        end = event_end(event)
        if not (now - timedelta(days=days) <= end <= now):
            continue
        meetings = list(
            session.exec(
                select(Meeting).where(Meeting.owner_id == owner.id, Meeting.event_id == event.id)
            )
        )
        if not meetings:
            continue
        done = len(_followed_up_ids(session, owner, meetings))
        if done < len(meetings):
            found.append(EventProgress(event=event, followed_up=done, total=len(meetings)))
    return found


# --- referrals, the network profile and the network page ------------------------------------------


def add_referral(
    session: Session, *, owner: User, contact_id: uuid.UUID, data: ReferralCreate
) -> Referral:
    """Note a referral received from someone (a replay of the same id changes nothing)."""
    contact = contacts.get_contact(session, owner=owner, contact_id=contact_id)
    if data.id is not None and (found := session.get(Referral, data.id)) is not None:
        if found.owner_id != owner.id or found.contact_id != contact.id:
            raise NotFound()
        return found
    referral = Referral(
        id=data.id or uuid.uuid4(), owner_id=owner.id, contact_id=contact.id,
        received_on=data.received_on or local_today(owner), whom=data.whom.strip(),
        note=(data.note or "").strip() or None,
    )  # fmt: skip
    session.add(referral)
    session.flush()
    return referral


def referrals_of(session: Session, *, owner: User, contact_id: uuid.UUID) -> list[Referral]:
    """The referrals received from a person, latest first."""
    return list(
        session.exec(
            select(Referral)
            .where(Referral.owner_id == owner.id, Referral.contact_id == contact_id)
            .order_by(col(Referral.received_on).desc())
        )
    )


def delete_referral(
    session: Session, *, owner: User, contact_id: uuid.UUID, referral_id: uuid.UUID
) -> None:
    """Remove a referral."""
    found = session.get(Referral, referral_id)
    if found is None or found.owner_id != owner.id or found.contact_id != contact_id:
        raise NotFound()
    session.delete(found)


@dataclass
class NetworkView:
    met: int
    knows: int
    would_recommend: int
    referred: int
    gives_by_month: list[tuple[date, int]]
    referrals_by_month: list[tuple[date, int]]
    circles: list[tuple[Contact, list[Contact]]]


def _months(today: date, count: int = 12) -> list[date]:
    first = today.replace(day=1)
    months = []
    for _ in range(count):
        months.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return list(reversed(months))


def network(session: Session, *, owner: User, now: datetime | None = None) -> NetworkView:
    """How many people are at each stage (met, knows what I do, would recommend me, referred
    someone), gives done and referrals received per month, and who introduced me to whom."""
    today = local_today(owner, now)
    base = select(func.count()).select_from(Contact).where(Contact.owner_id == owner.id)
    met = session.exec(base).one()
    knows = session.exec(base.where(col(Contact.knows_what_i_do).is_(True))).one()
    recommend = session.exec(base.where(col(Contact.would_recommend).is_(True))).one()
    referred = session.exec(
        select(func.count(func.distinct(Referral.contact_id))).where(Referral.owner_id == owner.id)
    ).one()
    months = _months(today)
    start = datetime.combine(months[0], datetime.min.time(), ZoneInfo(owner.timezone))
    zone = ZoneInfo(owner.timezone)
    done = Counter(
        moment.astimezone(zone).date().replace(day=1)
        for moment in session.exec(
            select(Give.done_at).where(
                Give.owner_id == owner.id,
                Give.status == GiveStatus.done.value,
                col(Give.done_at) >= start,
            )
        )
        if moment is not None
    )
    received = Counter(
        day.replace(day=1)
        for day in session.exec(
            select(col(Referral.received_on)).where(
                Referral.owner_id == owner.id, col(Referral.received_on) >= months[0]
            )
        )
    )
    introducers = session.exec(
        select(Contact)
        .where(
            Contact.owner_id == owner.id,
            col(Contact.id).in_(
                select(Contact.met_through_id).where(
                    Contact.owner_id == owner.id, col(Contact.met_through_id).is_not(None)
                )
            ),
        )
        .order_by(col(Contact.sort_name))
        .limit(50)
    ).all()
    circles = []
    for introducer in introducers:
        introduced = session.exec(
            select(Contact)
            .where(Contact.owner_id == owner.id, Contact.met_through_id == introducer.id)
            .order_by(col(Contact.sort_name))
            .limit(50)
        ).all()
        circles.append((introducer, list(introduced)))
    return NetworkView(
        met=met, knows=knows, would_recommend=recommend, referred=referred,
        gives_by_month=[(month, done.get(month, 0)) for month in months],
        referrals_by_month=[(month, received.get(month, 0)) for month in months],
        circles=circles,
    )  # fmt: skip


def merge_hook(session: Session, *, keep: uuid.UUID, other: uuid.UUID) -> None:
    """Two people became one (their gives moved with them): an introduction of that person to
    themself cannot happen, so it is skipped, not deleted."""
    session.exec(
        update(Give)  # type: ignore[call-overload]
        .where(
            col(Give.contact_id) == keep,
            col(Give.other_contact_id) == keep,
            col(Give.status).in_(OPEN),
        )
        .values(status=GiveStatus.skipped.value)
    )


def give_public(give: Give) -> GivePublic:
    """A give as the API shows it."""
    return GivePublic.model_validate(give, from_attributes=True)
