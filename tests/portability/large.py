"""A large account, written in bulk: people met at events, with notes, gives and photos (for the
10,000-person round trip and bench/portability.py)."""

import io
import random
import uuid
from datetime import UTC, datetime, timedelta

from PIL import Image
from sqlalchemy import Engine, insert
from sqlmodel import Session

from app.accounts import service as accounts
from app.contacts.models import Contact, ContactPhoto, Interaction, Meeting
from app.events.models import Event
from app.gives.models import Give

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
FIRST = ["Léa", "Marc", "Inès", "Hugo", "Chloé", "Paul", "Zoé", "Louis", "Emma", "Nina"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit", "Durand", "Leroy", "Moreau"]


def photo(seed: int) -> bytes:
    """A small JPEG (about 2 KB), different for each seed."""
    rng = random.Random(seed)
    image = Image.new("RGB", (96, 96), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    for _ in range(12):
        x, y = rng.randrange(90), rng.randrange(90)
        image.paste((rng.randrange(256), 90, 40), (x, y, x + 6, y + 6))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def fill_large(
    engine: Engine, *, email: str, people: int = 10_000, photos: int = 10_000, events: int = 40
) -> uuid.UUID:
    """Create the account and write its records in batches; answers the account's id."""
    rng = random.Random(17)
    with Session(engine) as session:
        user = accounts.create_user(session, email=email, password="x" * 12)
        session.commit()
        owner = user.id
    event_rows = [
        {"id": uuid.uuid4(), "owner_id": owner, "name": f"Salon {n}", "kind": "salon",
         "status": "attended", "starts_at": START + timedelta(days=7 * n), "all_day": False,
         "timezone": "Europe/Paris", "cancelled": False, "series_name": "", "series_link": "",
         "auto_attended": False, "sequence": 0, "public": False,
         "created_at": START, "updated_at": START}
        for n in range(events)
    ]  # fmt: skip
    pictures = [photo(n) for n in range(min(photos, 50))]
    with engine.begin() as connection:
        connection.execute(insert(Event), event_rows)
        for start in range(0, people, 1000):
            batch = range(start, min(people, start + 1000))
            contacts, meetings, notes, gives, photo_rows = [], [], [], [], []
            for n in batch:
                person = uuid.uuid4()
                name = f"{FIRST[n % 10]} {LAST[(n // 10) % 9]} {n}"
                at = START + timedelta(minutes=n)
                contacts.append({
                    "id": person, "owner_id": owner, "full_name": name, "sort_name": name.lower(),
                    "company": f"Studio {n % 300}", "email": f"p{n}@example.org",
                    "hook": "Vu au stand, parle de son offre", "tags": ["salon", f"t{n % 7}"],
                    "photo_type": "image/jpeg" if n < photos else None, "recent_at": at,
                    "last_met_at": at, "knows_what_i_do": n % 3 == 0, "would_recommend": False,
                    "created_at": at, "updated_at": at,
                })  # fmt: skip
                event = event_rows[n % events]
                meetings.append({"id": uuid.uuid4(), "owner_id": owner, "contact_id": person,
                                 "event_id": event["id"], "met_at": at, "note": "au stand",
                                 "suggestion_dismissed": False})  # fmt: skip
                if n % 5 == 0:
                    notes.append({"id": uuid.uuid4(), "owner_id": owner, "contact_id": person,
                                  "kind": "coffee", "happened_at": at, "note": "Café"})  # fmt: skip
                if n % 10 == 0:
                    gives.append({"id": uuid.uuid4(), "owner_id": owner, "contact_id": person,
                                  "kind": "resource", "title": "Le guide", "status": "planned",
                                  "sequence": 0, "created_at": at, "updated_at": at,
                                  "due_on": (at + timedelta(days=3)).date()})  # fmt: skip
                if n < photos:
                    photo_rows.append({"contact_id": person, "owner_id": owner,
                                       "content_type": "image/jpeg",
                                       "data": pictures[n % len(pictures)] + n.to_bytes(4, "big"),
                                       "updated_at": at})  # fmt: skip
            connection.execute(insert(Contact), contacts)
            connection.execute(insert(Meeting), meetings)
            if notes:
                connection.execute(insert(Interaction), notes)
            if gives:
                connection.execute(insert(Give), gives)
            if photo_rows:
                connection.execute(insert(ContactPhoto), photo_rows)
    _ = rng
    return owner
