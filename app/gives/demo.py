"""Sample gives for `givefirst demo`: every kind, an introduction in progress, and referrals."""

import uuid
from datetime import timedelta

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.contacts.models import Contact, Meeting
from app.gives import service as gives
from app.gives.models import Give, GiveKind, GiveStatus, GiveWrite, IntroState, ReferralCreate

# (person index, kind, title, status, days from today; None: the default for the kind)
GIVES = [
    (2, GiveKind.resource, "Envoyer à Sophie la checklist RGAA", GiveStatus.planned, 0),
    (5, GiveKind.resource, "L’article de l’ADEME sur la CSRD pour Yasmine", GiveStatus.planned, -2),
    (
        6,
        GiveKind.invitation,
        "Proposer la salle du coworking pour le meetup de Julien",
        GiveStatus.planned,
        3,
    ),
    (4, GiveKind.recommendation, "Recommander Amélie à l’Atelier Benali", GiveStatus.done, None),
    (7, GiveKind.congratulation, "Féliciter Claire pour sa nomination", GiveStatus.done, None),
    (3, GiveKind.help, "Relire l’offre d’emploi de Thomas", GiveStatus.idea, None),
    (
        0,
        GiveKind.check_in,
        "Prendre des nouvelles d’Hélène après la rentrée",
        GiveStatus.planned,
        20,
    ),
]


def add_gives(session: Session, *, user: User) -> int:
    """Add the sample gives to an account that has none; returns how many were added."""
    if session.exec(select(Give).where(Give.owner_id == user.id)).first() is not None:
        return 0
    people = list(
        session.exec(
            select(Contact).where(Contact.owner_id == user.id).order_by(col(Contact.created_at))
        )
    )
    if len(people) < 8:
        return 0
    today = gives.local_today(user)
    added = 0
    for index, kind, title, status, days in GIVES:
        person = people[index]
        meeting = session.exec(select(Meeting).where(Meeting.contact_id == person.id)).first()
        data = GiveWrite(
            contact_id=person.id, kind=kind, title=title, status=status,
            event_id=meeting.event_id if meeting else None,
            due_on=today + timedelta(days=days) if days is not None else None,
        )  # fmt: skip
        gives.put_give(session, owner=user, give_id=uuid.uuid4(), data=data)
        added += 1
    # Karim needs a part-time CFO; Amélie knows the freelancers: asked, waiting for her answer.
    intro, _ = gives.put_give(
        session, owner=user, give_id=uuid.uuid4(),
        data=GiveWrite(contact_id=people[1].id, other_contact_id=people[4].id,
                       kind=GiveKind.introduction,
                       intro_why="Karim cherche un DAF à temps partagé ; Amélie en connaît plusieurs"),
    )  # fmt: skip
    gives.set_intro_state(session, owner=user, give_id=intro.id, state=IntroState.asked)
    for index, whom, days in (
        (4, "Menuiserie Laurent (bilan annuel)", 40),
        (0, "Startup Kalia", 75),
    ):
        people[index].knows_what_i_do = True
        people[index].would_recommend = True
        session.add(people[index])
        gives.add_referral(
            session, owner=user, contact_id=people[index].id,
            data=ReferralCreate(whom=whom, received_on=today - timedelta(days=days)),
        )  # fmt: skip
    people[2].knows_what_i_do = True
    session.add(people[2])
    return added + 1
