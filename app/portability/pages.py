"""Pages for one's data: /settings/data (export, import, delete the account) and erasing a
person."""

from typing import Any

from fastapi import Request
from sqlmodel import Session

from app.accounts.models import User
from app.db import committing_router

router = committing_router(include_in_schema=False)


def settings_section(request: Request, session: Session, user: User) -> dict[str, Any]:
    """What the settings page shows of one's data: a link to /settings/data."""
    return {"data_page": "/settings/data"}
