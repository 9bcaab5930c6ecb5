"""Do not bring back: erased people that later imports skip, known only by keyed hashes.

The hash is an HMAC of the normalised e-mail address or phone number with the instance's
secret: the list proves nothing about anyone to whoever reads the database alone, and the same
address always gives the same hash on this instance."""

import hashlib
import hmac
import re
import uuid
from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from app.contacts.models import DoNotBringBack

# National numbers are compared by their last nine digits: "+33 6 12 34 56 78" and
# "06 12 34 56 78" are the same phone.
PHONE_DIGITS = 9


def normalised_keys(*, email: str | None, phone: str | None) -> list[str]:
    """The keys a person is recognised by: their e-mail address and their phone number."""
    keys = []
    if email and "@" in email:
        keys.append("email:" + email.strip().casefold())
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) >= 6:
        keys.append("phone:" + digits[-PHONE_DIGITS:])
    return keys


def key_hash(secret: str, key: str) -> str:
    """The keyed hash kept for one normalised key."""
    return hmac.new(secret.encode(), key.encode(), hashlib.sha256).hexdigest()


def hashes_of(secret: str, *, email: str | None, phone: str | None) -> set[str]:
    return {key_hash(secret, key) for key in normalised_keys(email=email, phone=phone)}


def remember(
    session: Session, *, owner_id: uuid.UUID, secret: str, email: str | None, phone: str | None
) -> int:
    """Keep an erased person's hashes so that imports skip them; answers how many were kept."""
    known = stored(session, owner_id=owner_id)
    fresh = hashes_of(secret, email=email, phone=phone) - known
    session.add_all(DoNotBringBack(owner_id=owner_id, key_hash=value) for value in fresh)
    return len(fresh)


def stored(session: Session, *, owner_id: uuid.UUID) -> set[str]:
    return set(
        session.exec(
            select(col(DoNotBringBack.key_hash)).where(col(DoNotBringBack.owner_id) == owner_id)
        )
    )


def split_out(
    session: Session, *, owner_id: uuid.UUID, secret: str, people: Iterable[Any]
) -> tuple[list[Any], int]:
    """The people an import may bring in, and how many it must skip (erased, not to come back).
    Each person has `email` and `phone` attributes."""
    people = list(people)
    known = stored(session, owner_id=owner_id)
    if not known:
        return people, 0
    kept = [
        person
        for person in people
        if not hashes_of(
            secret, email=getattr(person, "email", None), phone=getattr(person, "phone", None)
        )
        & known
    ]
    return kept, len(people) - len(kept)
