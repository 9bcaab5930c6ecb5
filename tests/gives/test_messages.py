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


# Forms that say *vous* to one person (not the plural "vous" of an introduction to two people).
SINGULAR_VOUS = re.compile(
    r"\b(vous pouvez|voulez-vous|souhaitez-vous|allez-vous|dites-le-moi|vous aider|vous inviter|"
    r"pour vous|à vous|vous être|vous cherchez|m’avez|vous le fais)\b",
    re.IGNORECASE,
)


def _sent_texts(*, person_tu: bool, default_tu: bool = False) -> list[tuple[Contact, str]]:
    """Every French text sent to someone else (give messages, both introduction messages, the
    follow-up session's message), with the person it is addressed to."""
    owner = uuid.uuid4()
    user = User(id=owner, email="zoe@example.org", password_hash="x", display_name="Zoé Martin",
                locale="fr", timezone="Europe/Paris")  # fmt: skip
    profile = NetworkProfile(user_id=owner, specialty="DAF à temps partagé",
                             address_as="tu" if default_tu else "vous")  # fmt: skip
    marked = "tu" if person_tu else None
    lea = Contact(id=uuid.uuid4(), owner_id=owner, full_name="Léa Roux", company="Rives",
                  hook="vélos cargo", needs="des mentors", address_as=marked)  # fmt: skip
    paul = Contact(id=uuid.uuid4(), owner_id=owner, full_name="Paul Petit", hook="menuiserie",
                   needs="un local", address_as=marked)  # fmt: skip
    found: list[tuple[Contact, str]] = []
    for kind in GiveKind:
        give = Give(id=uuid.uuid4(), owner_id=owner, contact_id=lea.id, kind=kind.value,
                    title="Le guide CSRD", other_contact_id=paul.id, intro_why="ateliers")  # fmt: skip
        other = paul if kind == GiveKind.introduction else None
        prepared = messages.prepared_messages(
            give=give, person=lea, other=other, user=user, profile=profile
        )
        if kind == GiveKind.introduction:
            ask, introduce = prepared
            found += [(paul, ask.subject), (paul, ask.body), (lea, introduce.body)]
        else:
            found += [(lea, m.body) for m in prepared]
    session = messages.follow_up_message(person=lea, event_name="Salon Pro", hook="vélos cargo",
                                         details=None, user=user, profile=profile)  # fmt: skip
    return found + [(lea, session.subject), (lea, session.body)]


@pytest.mark.parametrize("person_tu", [False, True])
def test_every_french_text_sent_says_vous_unless_the_person_is_marked_tu(person_tu: bool) -> None:
    for _person, text in _sent_texts(person_tu=person_tu):
        assert "·" not in text, text
        assert not BARE_PUNCTUATION.search(text), text
        if person_tu:
            assert not SINGULAR_VOUS.search(text), f"vous to someone marked tu: {text!r}"
        else:
            assert not TU.search(text), f"tu to someone not marked tu: {text!r}"
    texts = " ".join(text for _person, text in _sent_texts(person_tu=person_tu))
    if person_tu:
        assert "t’aider" in texts and "Veux-tu rencontrer" in texts and "Tu m’as dit" in texts
    else:
        assert "vous aider" in texts and "Souhaitez-vous rencontrer" in texts


def test_the_default_in_settings_applies_unless_the_person_says_otherwise() -> None:
    texts = " ".join(text for _p, text in _sent_texts(person_tu=False, default_tu=True))
    assert "t’aider" in texts and not SINGULAR_VOUS.search(texts)


def test_the_note_about_a_holds_as_own_words_and_the_reason_is_said_apart() -> None:
    texts = _sent_texts(person_tu=False)
    ask = next(text for person, text in texts if person.full_name == "Paul Petit" and "\n" in text)
    paragraphs = ask.split("\n\n")
    assert "Léa Roux (Rives)\u00a0: des mentors" in paragraphs  # Léa's needs, not Paul's
    assert "un local" not in ask
    assert "Pourquoi j’ai pensé à vous\u00a0: ateliers." in paragraphs


def test_the_follow_up_message_in_natural_english() -> None:
    owner = uuid.uuid4()
    user = User(id=owner, email="ann@example.org", password_hash="x", display_name="Ann Lee",
                locale="en", timezone="Europe/London")  # fmt: skip
    lea = Contact(id=uuid.uuid4(), owner_id=owner, full_name="Lea Roux", needs="mentors")
    message = messages.follow_up_message(person=lea, event_name="Tech Forum", hook=None,
                                         details=None, user=user,
                                         profile=NetworkProfile(user_id=owner))  # fmt: skip
    assert message.body == (
        "Hello Lea,\n\nThank you for our talk at Tech Forum.\n\nYou told me what you are looking"
        " for (“mentors”): if I come across anything useful, I will send it your way.\n\n"
        "Looking forward to staying in touch,\nAnn Lee"
    )
    assert message.subject == "Following up on Tech Forum"
