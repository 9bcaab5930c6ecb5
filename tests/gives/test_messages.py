"""Prepared messages are sent to people met once: in French, *vous*, no inclusive dots, French
typography; in English, plain and natural."""

import re
import uuid

import pytest

from app.accounts.models import User
from app.contacts.models import Contact
from app.gives import messages
from app.gives.models import Give, GiveKind
from app.network.models import NetworkProfile

TU = re.compile(r"\b(tu|toi|ton|ta|tes|te|t’|t')\b|\bt’", re.IGNORECASE)
# A colon, question or exclamation mark after a word needs a non-breaking space before it.
BARE_PUNCTUATION = re.compile(r"(?<=[\w»)])[ ]?[:?!;]")


def _all_messages(locale: str) -> list[messages.Prepared]:
    owner = uuid.uuid4()
    user = User(id=owner, email="zoe@example.org", password_hash="x", display_name="Zoé Martin",
                locale=locale, timezone="Europe/Paris")  # fmt: skip
    profile = NetworkProfile(user_id=owner, specialty="DAF à temps partagé")
    lea = Contact(id=uuid.uuid4(), owner_id=owner, full_name="Léa Roux", company="Rives",
                  role="Directrice", hook="vélos cargo", needs="des mentors",
                  email="lea@example.org")  # fmt: skip
    paul = Contact(id=uuid.uuid4(), owner_id=owner, full_name="Paul Petit", company="Atelier",
                   hook="menuiserie")  # fmt: skip
    found: list[messages.Prepared] = []
    for kind in GiveKind:
        give = Give(id=uuid.uuid4(), owner_id=owner, contact_id=lea.id, kind=kind.value,
                    title="Le guide CSRD", details="Le lien est dans le message.",
                    other_contact_id=paul.id if kind == GiveKind.introduction else None,
                    intro_why="vous cherchez tous deux des ateliers")  # fmt: skip
        other = paul if kind == GiveKind.introduction else None
        found += messages.prepared_messages(
            give=give, person=lea, other=other, user=user, profile=profile
        )
    return found


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_every_kind_of_give_has_a_message(locale: str) -> None:
    prepared = _all_messages(locale)
    assert len(prepared) == len(GiveKind) + 1  # an introduction asks first, then introduces
    assert all("Léa" in m.body or "Paul" in m.body for m in prepared)


def test_french_messages_say_vous_without_inclusive_dots_and_with_french_typography() -> None:
    for message in _all_messages("fr"):
        for text in (message.subject, message.body):
            assert "·" not in text, text
            assert not TU.search(text), f"tutoiement in: {text!r}"
            assert not BARE_PUNCTUATION.search(text), (
                f"a space before : ? ! must not break: {text!r}"
            )
        if not message.body.startswith("Bonjour Léa,\n\nFélicitations"):
            assert "vous" in message.body, message.body


def test_the_introduction_puts_each_persons_own_words_in_their_place() -> None:
    ask, introduce = [m for m in _all_messages("en") if "Paul" in m.to]
    assert "Léa Roux (Directrice, Rives)" in ask.body
    lines = introduce.body.splitlines()
    assert "Léa Roux: Directrice, Rives" in lines
    assert "Paul Petit: Atelier" in lines
