"""Prepared messages: for each kind of give, a short text in the user's language that quotes the
hook and, where it fits, the user's specialty — to copy, share or open in the mail app. The server
sends nothing to contacts."""

from dataclasses import dataclass
from urllib.parse import quote

from app.accounts.models import User
from app.contacts import service as contacts
from app.contacts.models import Contact
from app.gives.models import Give
from app.network.models import NetworkProfile
from app.web.i18n import gettext, pgettext, use_locale


@dataclass
class Prepared:
    """One message: what it is for, to whom, its subject and text, and a mailto: link."""

    purpose: str
    to: str
    email: str | None
    subject: str
    body: str

    @property
    def mailto(self) -> str:
        return (
            f"mailto:{quote(self.email or '', safe='@')}?subject={quote(self.subject)}"
            f"&body={quote(self.body)}"
        )


def _first_name(contact: Contact | None) -> str:
    name = contacts.display_name(contact) if contact else ""
    return name.split(" ")[0] if name else ""


def _signature(user: User, profile: NetworkProfile) -> str:
    name = user.display_name or ""
    if profile.specialty:
        return f"{name}\n{profile.specialty}".strip()
    return name


def familiar(person: Contact, profile: NetworkProfile) -> bool:
    """Whether French messages say *tu* to this person: their own choice, else the user's
    default (which is *vous*: people met once are not friends yet)."""
    return (person.address_as or profile.address_as or "vous") == "tu"


def _texts(tu: bool) -> dict[str, str]:
    """The message of each kind of give, saying *tu* or *vous* (the same words in English)."""
    if tu:
        return {
            "resource": pgettext("tu", "Hello %(first)s,\n\n%(about)shere is something that may help you: %(title)s.%(details)s\n\nNo need to answer, I just thought of you."),
            "recommendation": pgettext("tu", "Hello %(first)s,\n\n%(about)shere is a recommendation for you: %(title)s.%(details)s\n\nNothing expected in return, of course."),
            "invitation": pgettext("tu", "Hello %(first)s,\n\n%(about)sI would be glad to invite you: %(title)s.%(details)s\n\nNo obligation at all."),
            "help": pgettext("tu", "Hello %(first)s,\n\n%(about)scould I help you with this: %(title)s?%(details)s\n\nFive minutes on my side, with pleasure."),
            "congratulation": pgettext("tu", "Hello %(first)s,\n\nCongratulations! %(title)s.%(details)s\n\nWell deserved."),
            "check_in": pgettext("tu", "Hello %(first)s,\n\nI was thinking of you. How are things going since we met?%(details)s\n\nIf I can be useful, just tell me."),
        }  # fmt: skip
    return {
        "resource": gettext("Hello %(first)s,\n\n%(about)shere is something that may help you: %(title)s.%(details)s\n\nNo need to answer, I just thought of you."),
        "recommendation": gettext("Hello %(first)s,\n\n%(about)shere is a recommendation for you: %(title)s.%(details)s\n\nNothing expected in return, of course."),
        "invitation": gettext("Hello %(first)s,\n\n%(about)sI would be glad to invite you: %(title)s.%(details)s\n\nNo obligation at all."),
        "help": gettext("Hello %(first)s,\n\n%(about)scould I help you with this: %(title)s?%(details)s\n\nFive minutes on my side, with pleasure."),
        "congratulation": gettext("Hello %(first)s,\n\nCongratulations! %(title)s.%(details)s\n\nWell deserved."),
        "check_in": gettext("Hello %(first)s,\n\nI was thinking of you. How are things going since we met?%(details)s\n\nIf I can be useful, just tell me."),
    }  # fmt: skip


def prepared_messages(
    *, give: Give, person: Contact, other: Contact | None, user: User, profile: NetworkProfile
) -> list[Prepared]:
    """The messages for a give, in the user's language, saying *tu* or *vous* as chosen for the
    person."""
    with use_locale(user.locale):
        first = _first_name(person)
        hook = (person.hook or "").strip().rstrip(".")
        about = (gettext("After our talk about %(hook)s, ") % {"hook": hook}) if hook else ""
        details = f"\n\n{give.details.strip()}" if give.details and give.details.strip() else ""
        sign = _signature(user, profile)
        if give.kind == "introduction" and other is not None:
            return _introduction(give, person, other, profile, sign)
        texts = _texts(familiar(person, profile))
        body = texts.get(give.kind, texts["resource"]) % {
            "first": first, "about": about, "title": give.title, "details": details,
        }  # fmt: skip
        return [
            Prepared(
                purpose=gettext("Message to %(name)s") % {"name": contacts.display_name(person)},
                to=contacts.display_name(person),
                email=person.email,
                subject=give.title,
                body=f"{body}\n\n{sign}".strip(),
            )  # fmt: skip
        ]


def _about(contact: Contact) -> str:
    """Who someone is: role and company."""
    return ", ".join(part for part in (contact.role, contact.company) if part)


def _introduction(
    give: Give, person: Contact, other: Contact, profile: NetworkProfile, sign: str
) -> list[Prepared]:
    """Double opt-in: first ask B (with a note about A that B can forward), then introduce both.
    The note about A holds A's own words (who A is, what A looks for); the reason for the
    introduction is said apart, to B."""
    a, b = contacts.display_name(person), contacts.display_name(other)
    why = (give.intro_why or "").strip().rstrip(".")
    own_words = (person.needs or person.hook or "").strip().rstrip(".")
    about_a = _about(person)
    blurb = f"{a} ({about_a})" if about_a else a
    if own_words:
        blurb = gettext("%(name)s%(about)s: %(why)s") % {
            "name": a, "about": f" ({about_a})" if about_a else "", "why": own_words}  # fmt: skip
    tu = familiar(other, profile)
    ask_text = (
        pgettext("tu", "I recently met %(a)s and thought you two should talk. Would you like me to introduce you? Here is a short note about %(a)s that you may forward:")
        if tu else
        gettext("I recently met %(a)s and thought you two should talk. Would you like me to introduce you? Here is a short note about %(a)s that you may forward:")
    ) % {"a": a}  # fmt: skip
    parts = [gettext("Hello %(first)s,") % {"first": _first_name(other)}, ask_text, blurb]
    if why:
        reason = (
            pgettext("tu", "Why I thought of you: %(why)s.") if tu
            else gettext("Why I thought of you: %(why)s.")
        )  # fmt: skip
        parts.append(reason % {"why": why})
    parts.append(gettext("No pressure: a no is perfectly fine."))
    ask = "\n\n".join(parts)
    introduce = gettext(
        "Hello %(a_first)s, hello %(b_first)s,\n\nI am glad to introduce you to each other.\n\n"
        "%(a)s: %(about_a)s\n%(b)s: %(about_b)s\n\nWhy you should talk: %(why)s\n\n"
        "I let you take it from here."
    ) % {
        "a_first": _first_name(person), "b_first": _first_name(other), "a": a, "b": b,
        "about_a": about_a or (person.hook or ""),
        "about_b": _about(other) or (other.hook or ""),
        "why": why,
    }  # fmt: skip
    subject = (
        pgettext("tu", "Would you like to meet %(name)s?") if tu
        else gettext("Would you like to meet %(name)s?")
    ) % {"name": a}  # fmt: skip
    return [
        Prepared(
            purpose=gettext("Step 1 — ask %(name)s") % {"name": b}, to=b, email=other.email,
            subject=subject, body=f"{ask}\n\n{sign}".strip(),
        ),
        Prepared(
            purpose=gettext("Step 2 — introduce them to each other"),
            to=f"{a}, {b}", email=",".join(e for e in (person.email, other.email) if e) or None,
            subject=gettext("%(a)s ↔ %(b)s") % {"a": a, "b": b},
            body=f"{introduce}\n\n{sign}".strip(),
        ),
    ]  # fmt: skip


def _linkedin(person: Contact) -> str:
    """The person's LinkedIn page when it is known, else a LinkedIn search for them."""
    if person.url and "linkedin.com/" in person.url.lower():
        return person.url
    words = " ".join(p for p in (contacts.display_name(person), person.company or "") if p)
    return f"https://www.linkedin.com/search/results/people/?keywords={quote(words)}"


def _whatsapp(person: Contact, body: str) -> str:
    """A WhatsApp link with the text; to the person's number when it is international."""
    phone = (person.phone or "").strip()
    digits = "".join(ch for ch in phone if ch.isdigit())
    if phone.startswith("00"):
        digits = digits[2:]
    elif not phone.startswith("+"):
        digits = ""  # a national number cannot be told apart from another country's
    return f"https://wa.me/{digits}?text={quote(body)}"


@dataclass
class SessionMessage(Prepared):
    """The message of a follow-up session, with a link for each way of sending it."""

    linkedin: str = ""
    whatsapp: str = ""


def follow_up_message(
    *,
    person: Contact,
    event_name: str,
    hook: str | None,
    details: str | None,
    user: User,
    profile: NetworkProfile,
) -> SessionMessage:
    """The message after an event: it names the event and what we talked about, quotes what the
    person said they look for, and adds the give's details when the user wrote some."""
    with use_locale(user.locale):
        first = _first_name(person)
        topic = (hook or "").strip().rstrip(".")
        needs = (person.needs or "").strip().rstrip(".")
        if topic:
            thanks = gettext("Thank you for our talk about %(hook)s at %(event)s.") % {
                "hook": topic, "event": event_name}  # fmt: skip
        else:
            thanks = gettext("Thank you for our talk at %(event)s.") % {"event": event_name}
        parts = [gettext("Hello %(first)s,") % {"first": first} if first else gettext("Hello,"),
                 thanks]  # fmt: skip
        if needs:
            told = (
                pgettext("tu", "You told me what you are looking for (“%(needs)s”): if I come across anything useful, I will send it your way.")
                if familiar(person, profile) else
                gettext("You told me what you are looking for (“%(needs)s”): if I come across anything useful, I will send it your way.")
            )  # fmt: skip
            parts.append(told % {"needs": needs})
        if details and details.strip():
            parts.append(details.strip())
        parts.append(gettext("Looking forward to staying in touch,"))
        body = "\n\n".join(parts)
        sign = _signature(user, profile)
        body = f"{body}\n{sign}".strip()
        name = contacts.display_name(person)
        message = SessionMessage(
            purpose=gettext("Message to %(name)s") % {"name": name},
            to=name,
            email=person.email,
            subject=gettext("Following up on %(event)s") % {"event": event_name},
            body=body,
        )
        message.linkedin = _linkedin(person)
        message.whatsapp = _whatsapp(person, body)
        return message
