"""Gives in the user's calendar: planned gives with a due day are all-day items with an alarm on
the morning of that day (Google ignores VTODO); one give as an .ics; and the digest's sections."""

import uuid
from collections.abc import Iterable
from datetime import date, timedelta
from urllib.parse import urlencode

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.calendar import digest
from app.calendar.ical import FeedItem, all_day_item, build_calendar
from app.calendar.models import CalendarFeed
from app.contacts import service as contacts
from app.contacts.models import Contact
from app.events.models import Event
from app.gives import service as gives
from app.gives.models import Give, GiveStatus
from app.web.i18n import gettext, use_locale


def _description(give: Give, person: Contact | None, other: Contact | None) -> str:
    names = " ↔ ".join(contacts.display_name(c) for c in (person, other) if c is not None)
    return "\n\n".join(part for part in (names, (give.details or "").strip()) if part)


def anonymous_title(give: Give, event_name: str | None) -> str:
    """A give's title that names nobody, in the current language: its kind, and the event it
    follows up when there is one ("Introduction · after Salon X", else "Give: Introduction")."""
    kind = str(gives.KIND_LABELS.get(give.kind, gives.KIND_LABELS["resource"]))
    if event_name:
        return gettext("%(kind)s · after %(event)s") % {"kind": kind, "event": event_name}
    return gettext("Give: %(kind)s") % {"kind": kind}


def anonymous_description() -> str:
    return gettext(
        "The person and the details are in Givefirst. To see their name here, turn on "
        "“Name the person in give titles” in your calendar settings."
    )


def give_item(
    give: Give,
    people: dict[uuid.UUID, Contact],
    timezone: str,
    *,
    name_people: bool = True,
    event_name: str | None = None,
) -> FeedItem:
    """A planned give as an all-day item on its due day, with an alarm at 08:00 that day.

    With `name_people` off (the feed's default), the item carries neither the give's own title
    nor its details nor anyone's name: only its kind and its event, in the current language.

    The alarm is relative to the day's start (TRIGGER:PT8H), which Apple Calendar and Thunderbird
    honour for all-day events; Google applies its own default reminders to subscribed calendars.
    """
    assert give.due_on is not None
    if name_people:
        person = people.get(give.contact_id)
        other = people.get(give.other_contact_id) if give.other_contact_id else None
        summary, description = give.title, _description(give, person, other)
    else:
        summary, description = anonymous_title(give, event_name), anonymous_description()
    return all_day_item(
        uid=f"give-{give.id}@givefirst", summary=summary, day=give.due_on,
        modified=give.updated_at, timezone=timezone, description=description,
        sequence=give.sequence,
    )  # fmt: skip


def give_items(session: Session, user: User, feed: CalendarFeed) -> Iterable[FeedItem]:
    """Planned gives with a due day; done, skipped and undated ones stay out of the calendar."""
    if not feed.include_gives:
        return []
    planned = list(
        session.exec(
            select(Give)
            .where(
                Give.owner_id == user.id,
                Give.status == GiveStatus.planned.value,
                col(Give.due_on).is_not(None),
            )
            .order_by(col(Give.due_on), col(Give.id))
        )
    )
    if feed.name_people:
        people = gives.people_of(session, owner=user, gives=planned)
        return [give_item(give, people, user.timezone) for give in planned]
    event_ids = {give.event_id for give in planned if give.event_id is not None}
    names: dict[uuid.UUID, str] = {}
    if event_ids:
        rows = session.execute(
            sa_select(col(Event.id), col(Event.name)).where(
                col(Event.owner_id) == user.id, col(Event.id).in_(event_ids)
            )
        )
        names = {event_id: name for event_id, name in rows}
    # The titles are in the owner's language, whoever's calendar app asks for the feed.
    with use_locale(user.locale):
        return [
            give_item(
                give,
                {},
                user.timezone,
                name_people=False,
                event_name=names.get(give.event_id) if give.event_id else None,
            )  # fmt: skip
            for give in planned
        ]


def gives_version(session: Session, user: User, feed: CalendarFeed) -> str:
    """A token of the feed's gives: their count, last change and sum of sequences, and the same
    of the owner's people (a give's description names them; merging two removes one), or, when
    the feed names nobody, of the owner's events (an anonymous title names the event)."""
    if not feed.include_gives:
        return "gives:none"
    if feed.name_people:
        people = col(Contact.owner_id) == user.id
        around = (
            sa_select(func.count()).where(people).scalar_subquery(),
            sa_select(func.max(col(Contact.updated_at))).where(people).scalar_subquery(),
        )
    else:
        events = col(Event.owner_id) == user.id
        around = (
            sa_select(func.count()).where(events).scalar_subquery(),
            sa_select(func.max(col(Event.updated_at))).where(events).scalar_subquery(),
        )
    query = sa_select(
        func.count(), func.max(col(Give.updated_at)), func.sum(col(Give.sequence)), *around
    ).where(
        col(Give.owner_id) == user.id,
        col(Give.status) == GiveStatus.planned.value,
        col(Give.due_on).is_not(None),
    )
    return "gives:" + ":".join(str(value) for value in session.execute(query).one())


def give_file(session: Session, *, owner: User, give_id: uuid.UUID) -> tuple[Give, bytes]:
    """One give as an .ics file (an all-day event on its due day, today when it has none)."""
    give = gives.get_give(session, owner=owner, give_id=give_id)
    people = gives.people_of(session, owner=owner, gives=[give])
    if give.due_on is None:
        give = give.model_copy(update={"due_on": gives.local_today(owner)})
    body = build_calendar(
        name=give.title, items=[give_item(give, people, owner.timezone)], feed=False
    )
    return give, body


def google_calendar_link_for_give(give: Give, people: dict[uuid.UUID, Contact], today: date) -> str:
    """A link that opens Google Calendar's "new event" form with the give on its due day."""
    day = give.due_on or today
    person = people.get(give.contact_id)
    other = people.get(give.other_contact_id) if give.other_contact_id else None
    query = {
        "action": "TEMPLATE",
        "text": give.title,
        "dates": f"{day:%Y%m%d}/{day + timedelta(days=1):%Y%m%d}",
        "details": _description(give, person, other)[:1500],
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def gives_today(
    session: Session, user: User, day: date, base_url: str
) -> digest.DigestSection | None:
    due = session.exec(
        select(Give)
        .where(
            Give.owner_id == user.id,
            Give.status == GiveStatus.planned.value,
            col(Give.due_on).is_not(None),
            col(Give.due_on) <= day,
        )
        .order_by(col(Give.due_on))
        .limit(30)
    ).all()
    people = gives.people_of(session, owner=user, gives=list(due))
    lines = []
    for give in due:
        person = people.get(give.contact_id)
        detail = contacts.display_name(person) if person else ""
        if give.due_on is not None and give.due_on < day:
            detail = f"{detail} · {gettext('late')}" if detail else gettext("late")
        lines.append(digest.DigestLine(give.title, detail, f"{base_url}/gives/{give.id}"))
    return digest.DigestSection(gettext("Gives for today"), lines) if lines else None


def to_follow_up(
    session: Session, user: User, day: date, base_url: str
) -> digest.DigestSection | None:
    lines = [
        digest.DigestLine(
            item.event.name,
            gettext("%(done)s of %(total)s followed up")
            % {"done": item.followed_up, "total": item.total},
            f"{base_url}/events/{item.event.id}/follow-up",
        )
        for item in gives.to_follow_up(session, owner=user, days=3)
    ]
    return digest.DigestSection(gettext("People to follow up"), lines) if lines else None
