"""JSON API for gives, the post-event follow-up list and referrals."""

import uuid
from typing import Any

from fastapi import Response, status
from pydantic import BaseModel

from app.accounts.deps import CurrentUser
from app.calendar.api import ICS_RESPONSE, ics_attachment
from app.contacts import service as contacts
from app.db import SessionDep, committing_router
from app.events import service as events
from app.gives import calendar as give_calendar
from app.gives import service as gives
from app.gives.models import (
    FollowUpList,
    GivePublic,
    GiveStatus,
    GiveWrite,
    ReferralCreate,
    ReferralPublic,
)
from app.web.fields import Day

router = committing_router(prefix="/api/v1", tags=["gives"])


@router.get("/gives", response_model=list[GivePublic])
def list_gives(
    session: SessionDep,
    user: CurrentUser,
    status: GiveStatus | None = None,
    due_before: Day | None = None,
    contact_id: uuid.UUID | None = None,
    event_id: uuid.UUID | None = None,
) -> Any:
    """The user's gives, soonest due first; filter by status, due day, person or event."""
    return gives.list_gives(
        session, owner=user, status=status.value if status else None, due_before=due_before,
        contact_id=contact_id, event_id=event_id,
    )  # fmt: skip


@router.get("/gives/{give_id}.ics", response_class=Response, responses=ICS_RESPONSE)
def give_file(session: SessionDep, user: CurrentUser, give_id: uuid.UUID) -> Response:
    """One give as an .ics file (an all-day event on its due day), to add to any calendar."""
    give, body = give_calendar.give_file(session, owner=user, give_id=give_id)
    return ics_attachment(body, name=give.title)


@router.put(
    "/gives/{give_id}",
    response_model=GivePublic,
    responses={201: {"description": "Created", "model": GivePublic}},
)
def put_give(
    session: SessionDep, user: CurrentUser, give_id: uuid.UUID, body: GiveWrite, response: Response
) -> Any:
    """Create or update a give under the client's id (offline too); replaying changes nothing.
    Without `due_on`, a planned give is due on a sensible day for its kind."""
    give, created = gives.put_give(session, owner=user, give_id=give_id, data=body)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return give


@router.get("/gives/{give_id}", response_model=GivePublic)
def read_give(session: SessionDep, user: CurrentUser, give_id: uuid.UUID) -> Any:
    """One give."""
    return gives.get_give(session, owner=user, give_id=give_id)


@router.patch("/gives/{give_id}", response_model=GivePublic)
def update_give(session: SessionDep, user: CurrentUser, give_id: uuid.UUID, body: GiveWrite) -> Any:
    """Change some fields of a give (status done sets `done_at`)."""
    give, _ = gives.put_give(session, owner=user, give_id=give_id, data=body, create=False)
    return give


@router.delete("/gives/{give_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_give(session: SessionDep, user: CurrentUser, give_id: uuid.UUID) -> None:
    """Delete a give."""
    gives.delete_give(session, owner=user, give_id=give_id)


@router.get("/events/{event_id}/follow-up", response_model=FollowUpList)
def follow_up(session: SessionDep, user: CurrentUser, event_id: uuid.UUID) -> FollowUpList:
    """Everyone met at the event, with their hook, needs, gives and a suggested give, and the
    progress toward following up everyone within 72 hours of the end."""
    event = events.get_event(session, owner=user, event_id=event_id)
    return gives.follow_up(session, owner=user, event=event)


class FollowUpSent(BaseModel):
    channel: gives.SendChannel = gives.SendChannel.other


@router.post("/events/{event_id}/follow-up/{contact_id}/sent", response_model=GivePublic)
def follow_up_sent(
    session: SessionDep,
    user: CurrentUser,
    event_id: uuid.UUID,
    contact_id: uuid.UUID,
    body: FollowUpSent | None = None,
) -> Any:
    """The follow-up message to someone met at the event was sent (copied, shared, e-mailed…):
    their give for the event is done (planned from the suggestion when there was none) and the
    message is logged as an interaction; replaying it changes nothing. Answers the give."""
    event = events.get_event(session, owner=user, event_id=event_id)
    channel = body.channel if body else gives.SendChannel.other
    return gives.mark_sent(session, owner=user, event=event, contact_id=contact_id, channel=channel)


@router.get("/contacts/{contact_id}/referrals", response_model=list[ReferralPublic])
def list_referrals(session: SessionDep, user: CurrentUser, contact_id: uuid.UUID) -> Any:
    """Referrals received from this person."""
    contacts.get_contact(session, owner=user, contact_id=contact_id)
    return gives.referrals_of(session, owner=user, contact_id=contact_id)


@router.post(
    "/contacts/{contact_id}/referrals",
    response_model=ReferralPublic,
    status_code=status.HTTP_201_CREATED,
)
def add_referral(
    session: SessionDep, user: CurrentUser, contact_id: uuid.UUID, body: ReferralCreate
) -> Any:
    """Note a referral received from this person: when, whom they sent, a note."""
    return gives.add_referral(session, owner=user, contact_id=contact_id, data=body)


@router.delete(
    "/contacts/{contact_id}/referrals/{referral_id}", status_code=status.HTTP_204_NO_CONTENT
)
def delete_referral(
    session: SessionDep, user: CurrentUser, contact_id: uuid.UUID, referral_id: uuid.UUID
) -> None:
    """Remove a referral."""
    gives.delete_referral(session, owner=user, contact_id=contact_id, referral_id=referral_id)
