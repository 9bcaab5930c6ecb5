"""Shared steps of the card tests: turning a card on, and leaving details as a visitor does."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.helpers import Clock, one

PROFILE = {
    "specialty": "Identités visuelles pour artisans",
    "who_i_help": "Les artisans qui ouvrent une boutique",
    "trigger_keyword": "logo",
    "referral_offer": "Un premier rendez-vous offert",
}
CARD = {
    "company": "Atelier Martin", "role": "Graphiste", "email": "bonjour@atelier-martin.fr",
    "phone": "+33 6 12 34 56 78", "url": "https://atelier-martin.fr", "city": "Lyon",
}  # fmt: skip


def turn_on(owner: TestClient, published: list[str], slug: str = "alice-martin") -> dict[str, Any]:
    """The owner's card on, at `slug`, with its values filled and `published` shown."""
    owner.patch("/api/v1/network/profile", json=PROFILE)
    answer = owner.patch(
        "/api/v1/card", json={"enabled": True, "slug": slug, "published": published, **CARD}
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def form_of(visitor: TestClient, url: str) -> dict[str, str]:
    """The hidden inputs of the card's form, as the page gives them."""
    page = visitor.get(url)
    assert page.status_code == 200, page.text
    form = one(page, "form[data-details-form]")
    return {
        str(tag["name"]): str(tag.get("value", "")) for tag in form.select("input[type=hidden]")
    }


def leave(
    visitor: TestClient,
    clock: Clock,
    slug: str,
    details: dict[str, str],
    *,
    event: str | None = None,
    wait: float = 5,
    consents: tuple[str, ...] = ("follow_up",),
) -> Any:
    """Open the card, wait as a person would, and send the form."""
    hidden = form_of(visitor, f"/c/{slug}" + (f"?event={event}" if event else ""))
    clock.set(clock.now() + timedelta(seconds=wait))
    body = {**hidden, **details, **{f"consent_{purpose}": "on" for purpose in consents}}
    return visitor.post(f"/c/{slug}/details", data=body, follow_redirects=False)
