"""The app shell: Today (what to do now: the event on, gives due, follow-ups, people losing
touch) and the offline page."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.accounts import service as accounts
from app.accounts.deps import OptionalUser
from app.accounts.models import User
from app.card import service as cards
from app.contacts import service as contacts
from app.db import SessionDep, committing_router, utcnow
from app.events import service as events
from app.gives import pages as give_pages
from app.gives import service as gives
from app.network import service as network
from app.web.i18n import lazy_gettext
from app.web.templating import render

router = committing_router(include_in_schema=False)
AFTER_EVENT_DAYS = 3


@dataclass(frozen=True)
class FirstStep:
    key: str
    title: Any
    why: Any
    href: str
    action: Any


FIRST_STEPS = (
    FirstStep(
        "profile",
        lazy_gettext("Say what you do"),
        lazy_gettext("One line your contacts can repeat: your messages say it for you."),
        "/settings#network",
        lazy_gettext("Write my specialty"),
    ),
    FirstStep(
        "event",
        lazy_gettext("Add your next event"),
        lazy_gettext("The salon, conference or meetup where you will meet people."),
        "/events/new",
        lazy_gettext("Add an event"),
    ),
    FirstStep(
        "person",
        lazy_gettext("Capture your first person"),
        lazy_gettext("A name and what you talked about, in seconds, even offline."),
        "/capture",
        lazy_gettext("Capture a person"),
    ),
)


def first_steps(session: Session, user: User) -> list[FirstStep]:
    """The first-day steps not done yet: each one disappears once done."""
    done = {
        "profile": bool(network.profile_of(session, user_id=user.id).specialty.strip()),
        "event": events.has_events(session, owner=user),
        "person": contacts.has_people(session, owner=user),
    }
    return [step for step in FIRST_STEPS if not done[step.key]]


@router.get("/")
def home(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    if user is None:
        # An instance with no account yet opens on sign-up.
        target = "/signup" if accounts.user_count(session) == 0 else "/signin"
        return RedirectResponse(target, status_code=303)
    now = utcnow()
    today = gives.local_today(user, now)
    agenda = gives.agenda(session, owner=user, now=now)
    losing = contacts.losing_touch(session, owner=user, today=today, limit=8)
    following = gives.to_follow_up(session, owner=user, now=now)
    # An event over in the last three days with people not followed up comes first.
    recent = now - timedelta(days=AFTER_EVENT_DAYS)
    after_event = [item for item in following if gives.event_end(item.event) >= recent]
    context = {
        **give_pages.labels(),
        "now": now,
        "today": today,
        "current": events.current_event(session, owner=user, now=now),
        "upcoming": events.next_event(session, owner=user, now=now),
        "agenda": agenda,
        "people": gives.people_of(session, owner=user, gives=agenda.all),
        "after_event": after_event,
        "events_to_follow": [item for item in following if item not in after_event],
        "losing": losing,
        "first_steps": first_steps(session, user),
        "step_count": len(FIRST_STEPS),
        "card_inbox": cards.inbox_count(session, owner=user),
    }
    return render(request, "shell/home.html", context)


@router.get("/offline")
def offline(request: Request, user: OptionalUser) -> Response:
    return render(request, "shell/offline.html")
