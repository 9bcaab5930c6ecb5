"""JSON API for the network profile."""

from typing import Any

from fastapi import Request

from app.accounts.deps import CurrentUser
from app.db import SessionDep, committing_router
from app.network import service as network
from app.network.models import NetworkProfileFields, NetworkProfileUpdate

router = committing_router(prefix="/api/v1", tags=["network"])


@router.get("/network/profile", response_model=NetworkProfileFields)
def read_profile(session: SessionDep, user: CurrentUser) -> Any:
    """My specialty, who I help, my trigger keyword, my referral offer, keeping-in-touch defaults."""
    return network.profile_of(session, user_id=user.id)


@router.patch("/network/profile", response_model=NetworkProfileFields)
def update_profile(
    request: Request, session: SessionDep, user: CurrentUser, body: NetworkProfileUpdate
) -> Any:
    """Change my network profile."""
    listeners = request.app.state.wiring.cadence_listeners
    return network.update_profile(session, owner=user, data=body, listeners=listeners)
