"""The app shell: Today (what to do now: the event on, gives due, follow-ups, people losing
touch) and the offline page."""

from datetime import timedelta

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.deps import OptionalUser
from app.card import service as cards
from app.contacts import service as contacts
from app.db import SessionDep, committing_router, utcnow
from app.events import service as events
from app.gives import pages as give_pages
from app.gives import service as gives
from app.web.templating import render

router = committing_router(include_in_schema=False)
AFTER_EVENT_DAYS = 3


@router.get("/")
def home(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    if user is None:
        return RedirectResponse("/signin", status_code=303)
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
        "card_inbox": cards.inbox_count(session, owner=user),
    }
    return render(request, "shell/home.html", context)


@router.get("/offline")
def offline(request: Request, user: OptionalUser) -> Response:
    return render(request, "shell/offline.html")
