"""Sample people for `givefirst demo`: met at the demo's past events, with hooks and needs."""

import uuid
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.contacts import service as contacts
from app.contacts import want_to_meet
from app.contacts.models import (
    Contact,
    ContactWrite,
    InteractionCreate,
    InteractionKind,
    WantToMeetCreate,
)  # fmt: skip
from app.db import utcnow
from app.events.models import Event

# (name, company, role, hook, needs, tags, email)
PEOPLE = [
    (
        "Hélène Roux",
        "Incubateur Rives",
        "Directrice",
        "Programme de mentors pour jeunes fondateurs",
        "Cherche des mentors en finance pour sa promotion d’automne",
        ["incubateur", "Paris"],
        "helene.roux@rives.example",
    ),
    (
        "Karim Benali",
        "Atelier Benali",
        "Fondateur",
        "Menuiserie sur mesure, 8 salariés",
        "Cherche un DAF à temps partagé",
        ["artisan", "prospect"],
        "karim@benali.example",
    ),
    (
        "Sophie Lambert",
        "Lambert Design",
        "Designer UX indépendante",
        "A refait l’appli d’une mutuelle",
        "Cherche quelqu’un pour l’aider sur l’accessibilité",
        ["freelance", "design"],
        "sophie@lambert.example",
    ),
    (
        "Thomas Nguyen",
        "Datapol",
        "CTO",
        "Migre vers PostgreSQL",
        "Recrute deux développeurs Python",
        ["tech", "Lyon"],
        None,
    ),
    (
        "Amélie Fournier",
        "Cabinet Fournier",
        "Expert-comptable",
        "Spécialiste des indépendants",
        "Cherche des freelances à recommander à ses clients",
        ["prescripteur"],
        "amelie@fournier.example",
    ),
    (
        "Yasmine Haddad",
        "Haddad & Co",
        "Consultante RSE",
        "Bilan carbone des PME",
        "Cherche un article de référence sur la CSRD",
        ["RSE", "Toulouse"],
        None,
    ),
    (
        "Julien Moreau",
        "Freelance",
        "Développeur mobile",
        "Parle de Flutter à un meetup",
        "Cherche une salle pour son meetup",
        ["freelance", "tech", "Lyon"],
        "julien@moreau.example",
    ),
    (
        "Claire Dubois",
        "BPI",
        "Chargée d’affaires",
        "Financement de l’innovation",
        "Cherche des startups industrielles à accompagner",
        ["financement", "prescripteur"],
        None,
    ),
]


# What the user wrote about some of them besides: a phone, a site, notes over several lines, and
# their settings (tu or vous, days between touches, the stages ticked), so that the demo shows,
# and the exports carry, every field a person has.
DETAILS: dict[str, dict[str, Any]] = {
    "Hélène Roux": {
        "phone": "+33 6 12 45 78 90",
        "url": "https://rives.example/mentors",
        "notes": "Rencontrée au salon des entrepreneurs.\nPréfère être appelée le matin, avant 10 h.",
        "address_as": "vous",
        "cadence_days": 30,
        "knows_what_i_do": True,
    },
    "Karim Benali": {
        "phone": "06 98 76 54 32",
        "notes": "On se tutoie depuis le premier café ; très direct, aime les chiffres.",
        "address_as": "tu",
        "knows_what_i_do": True,
        "would_recommend": True,
    },
    "Julien Moreau": {"url": "https://julien-moreau.example", "cadence_days": 90},
}


def add_people(session: Session, *, user: User) -> int:
    """Add people met at the account's past events, once; returns how many were added."""
    if session.exec(select(Contact).where(Contact.owner_id == user.id)).first() is not None:
        return 0
    past = list(
        session.exec(
            select(Event)
            .where(Event.owner_id == user.id, col(Event.status) == "attended")
            .order_by(col(Event.starts_at).desc())
        )
    ) or list(session.exec(select(Event).where(Event.owner_id == user.id).limit(3)))
    added: list[Contact] = []
    for index, (name, company, role, hook, needs, tags, email) in enumerate(PEOPLE):
        event = past[index % len(past)] if past else None
        body = ContactWrite(
            full_name=name, company=company, role=role, hook=hook, needs=needs, tags=tags,
            email=email, event_id=event.id if event else None,
            met_at=event.starts_at + timedelta(hours=10 + index % 6) if event else None,
            **DETAILS.get(name, {}),
        )  # fmt: skip
        contact, _ = contacts.put_contact(session, owner=user, contact_id=uuid.uuid4(), data=body)
        added.append(contact)
    _add_wishes(session, user=user)
    # Amélie introduced Karim; a coffee with Sophie after the show.
    added[1].met_through_id = added[4].id
    session.add(added[1])
    contacts.log_interaction(
        session, owner=user, contact_id=added[2].id,
        data=InteractionCreate(kind=InteractionKind.coffee, note="Café au Comptoir : elle lance une offre audit"),
    )  # fmt: skip
    return len(added)


# Who to meet at the next salon (the demo's event three weeks ahead).
WISHES = (
    ("Hélène Roux", "dirige un incubateur : lui parler du programme mentors"),
    ("Karim Benali", "cherche un DAF à temps partagé"),
)


def _add_wishes(session: Session, *, user: User) -> None:
    upcoming = session.exec(
        select(Event)
        .where(Event.owner_id == user.id, Event.starts_at > utcnow() + timedelta(days=15))
        .order_by(col(Event.starts_at))
    ).first()
    if upcoming is None:
        return
    for name, why in WISHES:
        want_to_meet.add_want_to_meet(
            session, owner=user, event_id=upcoming.id, data=WantToMeetCreate(name=name, why=why)
        )
