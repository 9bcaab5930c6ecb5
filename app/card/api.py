"""JSON API for the owner's card, its inbox, and the kiosk's submissions (sent by the outbox)."""

import uuid
from typing import Any

from fastapi import Response, status

from app.accounts.deps import CurrentUser
from app.card import service as cards
from app.card.models import (
    AcceptBody,
    Card,
    CardPublic,
    CardSubmission,
    CardUpdate,
    KioskSubmission,
    LeftDetails,
    SubmissionPublic,
)
from app.contacts.api import to_public
from app.contacts.models import ContactPublic
from app.db import SessionDep, committing_router
from app.errors import error_responses

router = committing_router(prefix="/api/v1", tags=["card"])


def card_public(card: Card) -> CardPublic:
    """The card as its owner sees it in the API."""
    return CardPublic.model_validate(
        {
            **card.model_dump(exclude={"photo"}),
            "url_path": f"/c/{card.slug}",
            "has_photo": card.photo is not None,
        }  # fmt: skip
    )


def submission_public(submission: CardSubmission) -> SubmissionPublic:
    return SubmissionPublic.model_validate(submission.model_dump())


@router.get("/card", response_model=CardPublic)
def read_card(session: SessionDep, user: CurrentUser) -> Any:
    """My card: on or off, its address, what it publishes, its own values."""
    return card_public(cards.card_of(session, owner=user))


@router.patch("/card", response_model=CardPublic, responses=error_responses(409))  # address taken
def update_card(session: SessionDep, user: CurrentUser, body: CardUpdate) -> Any:
    """Turn my card on or off, change its address (the old one stops at once) or what it shows."""
    return card_public(cards.update_card(session, owner=user, data=body))


@router.get("/card/inbox", response_model=list[SubmissionPublic])
def read_inbox(session: SessionDep, user: CurrentUser, status: str = "new") -> Any:
    """What visitors left on my card (`status=new|accepted|all`), each with its consent receipt."""
    wanted = status if status in ("new", "accepted", "all") else "new"
    return [submission_public(s) for s in cards.inbox(session, owner=user, status=wanted)]


@router.post(
    "/card/inbox/{submission_id}/accept",
    response_model=ContactPublic,
    responses=error_responses(409),  # already handled
)
def accept(
    session: SessionDep, user: CurrentUser, submission_id: uuid.UUID, body: AcceptBody | None = None
) -> ContactPublic:
    """Accept as a new person, or merge into `contact_id`; answers the person."""
    contact = cards.accept(
        session, owner=user, submission_id=submission_id,
        contact_id=body.contact_id if body else None,
    )  # fmt: skip
    return to_public(session, user, contact, full=True)


@router.post("/card/inbox/{submission_id}/discard", status_code=204, responses=error_responses(409))
def discard(session: SessionDep, user: CurrentUser, submission_id: uuid.UUID) -> None:
    """Throw away what a visitor left."""
    cards.discard(session, owner=user, submission_id=submission_id)


@router.put(
    "/card/kiosk/{client_id}",
    response_model=SubmissionPublic,
    responses={201: {"description": "Created", "model": SubmissionPublic}},
)
def kiosk_submission(
    session: SessionDep,
    user: CurrentUser,
    client_id: uuid.UUID,
    body: KioskSubmission,
    response: Response,
) -> Any:
    """A visitor's details typed in kiosk mode, with their consent; a replay stores one."""
    submission, created = cards.leave_details(
        session, owner=user, details=LeftDetails.model_validate(body.model_dump()),
        consents=body.consents, language=body.language, event_id=body.event_id,
        client_key=f"kiosk-{client_id.hex}", source="kiosk", owner_name=user.display_name, consented_at=body.consented_at,
    )  # fmt: skip
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return submission_public(submission)
