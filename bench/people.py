"""Benchmark of the people list and search (issue #4): p50 / p95 at 10,000 and 100,000 people.

A script, not a test: `python bench/people.py` (SQLite in a temporary directory), or
`python bench/people.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres`
(a fresh database is created next to the one named, and dropped at the end).

For each size it builds a database through the real migrations, fills one account with N people
(plus a second account, to show that scoping does not leak into timings) with bulk inserts whose
search terms come from the service's own `terms_for`, then times `list_contacts` (and the HTTP API,
serialisation included) for the list, a second page, searches and filters; then, through HTTP,
the pages: Today (gives due this week, an event to follow up, people losing touch), the people
list, a search on it and a person's page, with how many SQL statements each runs.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import statistics
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Engine, create_engine, event, insert, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.accounts import service as accounts
from app.accounts.models import User
from app.contacts import service
from app.contacts.models import Contact, ContactTerm, Meeting
from app.db import make_engine, migrate
from app.events.models import Event
from app.gives.models import Give
from app.text import fold

# --- realistic people ------------------------------------------------------------------------

# (name, weight): a few very common first names so that a search for "marie" matches thousands.
FIRST = [
    ("Marie", 40), ("Jean", 30), ("Pierre", 18), ("Sophie", 16), ("Nicolas", 16), ("Camille", 14),
    ("Hélène", 14), ("Thomas", 14), ("Julie", 12), ("Anne-Marie", 6), ("Marie-Claire", 4),
    ("Léa", 10), ("Chloé", 10), ("Zoé", 6), ("Jérôme", 8), ("Frédéric", 8), ("François", 10),
    ("Agnès", 5), ("Loïc", 6), ("Maël", 4), ("Noémie", 6), ("Anaïs", 6), ("Raphaël", 8),
    ("Gaëlle", 5), ("Bérénice", 3), ("Cécile", 7), ("Éric", 8), ("Émilie", 8), ("Zoë", 2),
    ("Océane", 4), ("Mathieu", 9), ("Matthias", 3), ("Manon", 8), ("Maxime", 9), ("Mélanie", 6),
    ("Michel", 9), ("Mohamed", 7), ("Mamadou", 4), ("Fatoumata", 3), ("Aïcha", 3), ("Yasmine", 4),
    ("Karim", 5), ("Samir", 4), ("José", 4), ("João", 3), ("María José", 2), ("Søren", 2),
    ("Björn", 2), ("Łukasz", 2), ("Zoltán", 1), ("Ngozi", 1), ("Aiko", 1), ("Wei", 3),
    ("Priya", 2), ("Olusegun", 1), ("Øyvind", 1), ("Çağla", 1), ("Şebnem", 1), ("Siobhán", 1),
    ("Dvořák", 1), ("Anna", 6), ("Laura", 6), ("David", 8), ("Paul", 7), ("Lucas", 7),
    ("Hugo", 6), ("Inès", 6), ("Sarah", 7), ("Emma", 7), ("Louise", 6), ("Arthur", 5),
    ("Christophe", 8), ("Stéphane", 8), ("Sébastien", 8), ("Céline", 7), ("Nathalie", 8),
    ("Isabelle", 8), ("Valérie", 6), ("Sandrine", 6), ("Olivier", 9), ("Philippe", 9),
]  # fmt: skip
LAST = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Lefèvre", "Mercier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine",
    "Rousseau", "Vincent", "Müller", "García", "Fernández", "Nowak", "Kowalski", "O'Brien",
    "N'Diaye", "Nguyen", "Yılmaz", "Søndergaard", "Da Silva", "Le Gall", "Côté", "Gagné",
    "Lévesque", "Chevalier", "Faure", "André", "Gauthier", "Perrin", "Roussel", "Dumont",
    "Schmitt", "Traoré", "Diallo", "Benali", "Haddad", "Rossi", "Ferreira", "Öztürk", "Kim",
]  # fmt: skip
SYLLABLES_A = ["ker", "bel", "mar", "lan", "dro", "vil", "sau", "gré", "mon", "char", "bou",
               "tal", "fer", "pé", "cas", "lor", "rin", "vau", "bran", "sé", "ham", "quin"]  # fmt: skip
SYLLABLES_B = ["vella", "court", "mont", "ville", "nier", "det", "ault", "ard", "eau", "ier",
               "in", "elle", "ot", "ès", "ac", "iaux", "ezec", "oux", "and", "ois"]  # fmt: skip
COMPANY_A = ["Atelier", "Nordic", "Groupe", "Studio", "Maison", "Banque", "Cabinet", "Agence",
             "Société", "Laboratoires", "Éditions", "Bureau", "Fondation", "Collectif"]  # fmt: skip
COMPANY_B = ["Lumière", "Data", "Horizon", "Océan", "Boréal", "Azur", "Mistral", "Alpine",
             "Solaris", "Pixel", "Énergie", "Verte", "Numérique", "Conseil", "Santé", "Mobilité",
             "Forge", "Cèdre", "Pivot", "Archipel", "Quantique", "Logistique"]  # fmt: skip
ROLES = [
    "Directrice commerciale", "Directeur commercial", "CTO", "CEO", "Fondatrice", "Fondateur",
    "Chef de projet", "Product Manager", "Responsable marketing", "Développeuse", "Développeur",
    "Consultante", "Consultant", "Acheteur", "Responsable achats", "Journaliste", "Designer",
    "Data scientist", "Ingénieure R&D", "Business developer", "Chargée de mission", "Avocat",
    "Investisseur", "Directrice financière", "DRH", "Responsable RSE", "Office manager",
]  # fmt: skip
TOPICS = [
    "la transition énergétique", "l'IA générative", "le recrutement de développeurs",
    "une levée de fonds", "l'export au Québec", "la logistique du dernier kilomètre",
    "le vélo cargo", "les salons professionnels", "la cybersécurité", "le télétravail",
    "les achats responsables", "la santé connectée", "l'économie circulaire", "le mécénat",
    "la formation continue", "les marchés publics", "la mobilité électrique", "le café de spécialité",
]  # fmt: skip
NEEDS = [
    "Cherche un expert-comptable", "Cherche des bêta-testeurs", "Recrute un alternant",
    "Cherche un local à Lyon", "Cherche des clients dans la santé", "Veut rencontrer des investisseurs",
    "Cherche un imprimeur", "Besoin d'un avocat en propriété intellectuelle", "Cherche un traducteur",
    "Cherche un partenaire de distribution", "Veut présenter son produit à notre équipe",
]  # fmt: skip
NOTE_WORDS = [
    "rencontre",
    "stand",
    "conférence",
    "échange",
    "café",
    "suivi",
    "devis",
    "proposition",
    "relance",
    "dossier",
    "projet",
    "salon",
    "atelier",
    "démo",
    "prototype",
    "budget",
    "calendrier",
    "équipe",
    "marché",
    "client",
    "partenaire",
    "contrat",
    "présentation",
    "déjeuner",
    "introduction",
    "recommandation",
    "réseau",
    "entretien",
    "rendez-vous",
    "visite",
    "Paris",
    "Lyon",
    "Marseille",
    "Bordeaux",
    "Nantes",
    "Lille",
    "Montréal",
    "Bruxelles",
    "Genève",
    "Berlin",
    "Madrid",
]
TAGS = [
    ("client", 12), ("prospect", 15), ("à relancer", 10), ("partenaire", 6), ("investisseur", 3),
    ("presse", 2), ("recrutement", 4), ("VIP", 2), ("fournisseur", 5), ("mentor", 1),
    ("Salon 2024", 4), ("ami", 3), ("ancien collègue", 3), ("export", 2), ("santé", 2),
]  # fmt: skip
RARE_WORD = "quetzal"  # planted in 20 people's notes, whatever N
RARE_COUNT = 20

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def _weighted(pairs: list[tuple[str, int]]) -> tuple[list[str], list[int]]:
    return [name for name, _ in pairs], [weight for _, weight in pairs]


def people(rng: random.Random, n: int, owner_id: uuid.UUID) -> Iterator[dict[str, Any]]:
    """N people as column values for `contact`, with realistic French and international fields."""
    first_names, first_weights = _weighted(FIRST)
    tag_names, tag_weights = _weighted(TAGS)
    companies = [f"{a} {b}" for a in COMPANY_A for b in COMPANY_B]
    rare = set(rng.sample(range(n), min(RARE_COUNT, n)))
    for index in range(n):
        first = rng.choices(first_names, first_weights)[0]
        if rng.random() < 0.45:
            last = rng.choice(LAST)
        else:  # most surnames are rare
            last = (rng.choice(SYLLABLES_A) + rng.choice(SYLLABLES_B)).capitalize()
            if rng.random() < 0.3:
                last += "-" + (rng.choice(SYLLABLES_A) + rng.choice(SYLLABLES_B)).capitalize()
        company = rng.choice(companies) if rng.random() < 0.8 else None
        email = None
        if rng.random() < 0.6:
            local = fold(f"{first}.{last}").replace(" ", "").replace("'", "")
            email = f"{local}{index}@{(company or 'gmail').split()[-1].lower()}.example"
            email = fold(email)
        notes = None
        if rng.random() < 0.7 or index in rare:
            notes = " ".join(rng.choices(NOTE_WORDS, k=rng.randint(4, 25))).capitalize() + "."
            if index in rare:
                notes += f" Passionné de {RARE_WORD}s."
        created_at = NOW - timedelta(seconds=rng.randint(0, 3 * 365 * 86400))
        yield {
            "id": uuid.uuid4(),
            "owner_id": owner_id,
            "full_name": f"{first} {last}" if rng.random() > 0.01 else "",
            "company": company,
            "role": rng.choice(ROLES) if rng.random() < 0.75 else None,
            "email": email,
            "phone": f"+33 6 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
            f"{rng.randint(10, 99)}"
            if rng.random() < 0.5
            else None,
            "url": None,
            "hook": f"Parlé de {rng.choice(TOPICS)}" if rng.random() < 0.6 else None,
            "needs": rng.choice(NEEDS) if rng.random() < 0.4 else None,
            "notes": notes,
            "tags": list(dict.fromkeys(rng.choices(tag_names, tag_weights, k=rng.randint(0, 3)))),
            "met_through_id": None,
            "source_uid": None,
            "photo_type": None,
            "last_met_at": None,
            "last_interaction_at": None,
            "recent_at": created_at,
            "touch_due_on": None,
            "touch_snoozed_until": None,
            "created_at": created_at,
            "updated_at": created_at,
        }


# --- filling the database ---------------------------------------------------------------------


def create_owner(engine: Engine, email: str) -> tuple[User, str]:
    with Session(engine, expire_on_commit=False) as session:
        user = accounts.create_user(
            session,
            email=email,
            password="correct horse battery staple",  # noqa: S106, display_name=email
        )
        session.flush()
        _token, secret = accounts.create_token(session, user=user, name="bench")
        session.commit()
        return user, secret


def _chunks(rows: list[dict[str, Any]], size: int = 20_000) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def fill(engine: Engine, owner: User, n: int, rng: random.Random, events: int) -> dict[str, Any]:
    """N people for `owner`, met at `events` events, with the terms the app itself would index."""
    event_rows: list[dict[str, Any]] = []
    for index in range(events):
        starts = NOW - timedelta(days=int(1000 * (index + 0.5) / events))
        event_rows.append(
            {
                "id": uuid.uuid4(),
                "owner_id": owner.id,
                "name": f"{rng.choice(['Salon', 'Forum', 'Meetup', 'Sommet'])} "
                f"{rng.choice(COMPANY_B)} {starts.year}",
                "starts_at": starts,
                "status": "attended",
                "kind": "salon",
                "all_day": False,
                "timezone": "Europe/Paris",
                "public": False,
                "cancelled": False,
                "series_name": "",
                "series_link": "",
                "auto_attended": False,
                "sequence": 0,
                "created_at": starts,
                "updated_at": starts,
            }
        )
    contacts = list(people(rng, n, owner.id))
    meetings = []
    for row in contacts:
        for ev in rng.sample(event_rows, k=rng.choices([0, 1, 2], [35, 50, 15])[0]):
            met_at = ev["starts_at"] + timedelta(minutes=rng.randint(0, 480))
            meetings.append(
                {
                    "id": uuid.uuid4(),
                    "owner_id": owner.id,
                    "contact_id": row["id"],
                    "event_id": ev["id"],
                    "met_at": met_at,
                    "note": None,
                }
            )
            if row["last_met_at"] is None or met_at > row["last_met_at"]:
                row["last_met_at"] = met_at
            row["recent_at"] = max(row["recent_at"], met_at)
    today_rows = today_rows_for(rng, owner, contacts)
    terms: list[dict[str, object]] = []
    for row in contacts:
        # A touch due half a year after the last meeting (or the capture), as `refresh_touch` does.
        row["touch_due_on"] = ((row["last_met_at"] or row["created_at"]) + timedelta(180)).date()
        view = SimpleNamespace(**row)
        row["sort_name"] = service.sort_name_for(view)  # type: ignore[arg-type]  # as put_contact does
        terms.extend(
            {"owner_id": owner.id, "term": term, "contact_id": row["id"]}
            for term in service.terms_for(view)  # type: ignore[arg-type]
        )
    started = time.perf_counter()
    with Session(engine) as session:
        session.execute(insert(Event.__table__), event_rows)  # type: ignore[attr-defined]
        for chunk in _chunks(contacts):
            session.execute(insert(Contact.__table__), chunk)  # type: ignore[attr-defined]
        for chunk in _chunks(meetings):
            session.execute(insert(Meeting.__table__), chunk)  # type: ignore[attr-defined]
        for chunk in _chunks(terms):
            session.execute(insert(ContactTerm.__table__), chunk)  # type: ignore[attr-defined]
        session.execute(insert(Event.__table__), today_rows["events"])  # type: ignore[attr-defined]
        session.execute(insert(Meeting.__table__), today_rows["meetings"])  # type: ignore[attr-defined]
        session.execute(insert(Give.__table__), today_rows["gives"])  # type: ignore[attr-defined]
        session.commit()
    inserted = time.perf_counter() - started
    busiest: dict[uuid.UUID, int] = {}
    for meeting in meetings:
        busiest[meeting["event_id"]] = busiest.get(meeting["event_id"], 0) + 1
    event_id = max(busiest, key=lambda key: busiest[key])
    return {
        "people": n,
        "meetings": len(meetings),
        "terms": len(terms),
        "insert_s": inserted,
        "event_id": event_id,
        "event_people": busiest[event_id],
        "contact_id": contacts[0]["id"],
    }


def today_rows_for(
    rng: random.Random, owner: User, contacts: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """What fills Today, relative to the real clock (the app's): an event that ended yesterday
    with 40 people met there, and 40 planned gives due from last week to next week."""
    now = datetime.now(UTC)
    starts = now - timedelta(days=1, hours=3)
    event = {
        "id": uuid.uuid4(), "owner_id": owner.id, "name": "Salon d'hier", "starts_at": starts,
        "status": "attended", "kind": "salon", "all_day": False, "timezone": "Europe/Paris",
        "public": False, "cancelled": False, "series_name": "", "series_link": "",
        "auto_attended": False, "sequence": 0, "created_at": starts, "updated_at": starts,
    }  # fmt: skip
    met = rng.sample(contacts, k=min(40, len(contacts)))
    meetings = [
        {"id": uuid.uuid4(), "owner_id": owner.id, "contact_id": row["id"],
         "event_id": event["id"], "met_at": starts + timedelta(minutes=index), "note": None}
        for index, row in enumerate(met)
    ]  # fmt: skip
    gives = []
    for index in range(40):
        person, other = rng.sample(contacts, k=2) if len(contacts) > 1 else (contacts[0], None)
        introduction = other is not None and index % 4 == 0
        gives.append(
            {"id": uuid.uuid4(), "owner_id": owner.id, "contact_id": person["id"],
             "other_contact_id": other["id"] if introduction and other else None,
             "event_id": None, "kind": "introduction" if introduction else "resource",
             "title": f"Give {index}", "details": None,
             "due_on": (now + timedelta(days=index % 15 - 7)).date(), "status": "planned",
             "done_at": None, "intro_state": "draft" if introduction else None,
             "intro_why": None, "sequence": 0, "created_at": now, "updated_at": now}
        )  # fmt: skip
    return {"events": [event], "meetings": meetings, "gives": gives}


# --- measuring --------------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    params: dict[str, Any]


def scenarios(event_id: uuid.UUID) -> list[Scenario]:
    return [
        Scenario("list recent", {}),
        Scenario("list name", {"sort": "name"}),
        Scenario("page 2 recent", {"page": 2}),
        Scenario("page 2 name", {"sort": "name", "page": 2}),
        Scenario(f"rare word ({RARE_WORD})", {"q": RARE_WORD}),
        Scenario("common word (marie)", {"q": "marie"}),
        Scenario("common word, by name", {"q": "marie", "sort": "name"}),
        Scenario("1-letter prefix (m)", {"q": "m"}),
        Scenario("two words (marie dupont)", {"q": "marie dupont"}),
        Scenario("two words (jean m)", {"q": "jean m"}),
        Scenario("accents (helene)", {"q": "helene"}),
        Scenario("tag (à relancer)", {"tag": "à relancer"}),
        Scenario("tag + word (client marie)", {"tag": "client", "q": "marie"}),
        Scenario("event", {"event_id": event_id}),
        Scenario("event + word (m)", {"event_id": event_id, "q": "m"}),
        Scenario("no match (zzzz)", {"q": "zzzz"}),
    ]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return p50 * 1000, p95 * 1000


def timed(call: Callable[[], Any], runs: int, budget: float) -> tuple[list[float], Any]:
    """Up to `runs` timings (at least 5), stopping once `budget` seconds are spent."""
    result = call()  # warm-up (and the answer, for the checks)
    samples: list[float] = []
    spent = 0.0
    while len(samples) < runs and (spent < budget or len(samples) < 5):
        started = time.perf_counter()
        call()
        elapsed = time.perf_counter() - started
        samples.append(elapsed)
        spent += elapsed
    return samples, result


def service_query(engine: Engine, owner: User, params: dict[str, Any]) -> Callable[[], Any]:
    params = dict(params)
    page = params.pop("page", 1)
    cursor = None
    for _ in range(page - 1):
        with Session(engine) as session:
            _, cursor = service.list_contacts(
                session, owner=owner, query=service.PeopleQuery(**params, cursor=cursor)
            )

    def call() -> Any:
        with Session(engine) as session:  # a session per request, as the API does
            return service.list_contacts(
                session, owner=owner, query=service.PeopleQuery(**params, cursor=cursor)
            )

    return call


def pages(info: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    """The pages a signed-in user opens most: (name, path, query)."""
    return [
        ("Today (/)", "/", {}),
        ("people (/people)", "/people", {}),
        ("people, name order", "/people", {"sort": "name"}),
        ("people search (marie)", "/people", {"q": "marie"}),
        (f"people search ({RARE_WORD})", "/people", {"q": RARE_WORD}),
        ("a person's page", f"/people/{info['contact_id']}", {}),
        ("API list", "/api/v1/contacts", {}),
        ("API search (marie)", "/api/v1/contacts", {"q": "marie"}),
    ]


def page_query(client: Any, path: str, params: dict[str, str]) -> Callable[[], Any]:
    def call() -> Any:
        response = client.get(path, params=params, follow_redirects=False)
        assert response.status_code == 200, (path, response.status_code)
        return response

    return call


def http_query(client: Any, params: dict[str, Any]) -> Callable[[], Any]:
    params = {key: str(value) for key, value in params.items()}
    page = int(params.pop("page", 1))
    for _ in range(page - 1):
        params["cursor"] = client.get("/api/v1/contacts", params=params).json()["next_cursor"]

    def call() -> Any:
        response = client.get("/api/v1/contacts", params=params)
        assert response.status_code == 200, response.text
        return response

    return call


@contextmanager
def captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []

    def listener(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def explain(engine: Engine, call: Callable[[], Any]) -> str:
    """The plans of the statements a call runs: EXPLAIN QUERY PLAN, or EXPLAIN ANALYZE on PG."""
    with captured(engine) as statements:
        call()
    out = []
    sqlite = engine.dialect.name == "sqlite"
    for statement, parameters in statements:
        if not statement.lstrip().upper().startswith("SELECT"):
            continue
        prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(prefix + statement, parameters)
            rows = cursor.fetchall()
        finally:
            raw.close()
        out.append("    " + " ".join(statement.split())[:400])
        for row in rows:
            out.append("      " + (" | ".join(str(v) for v in row[-1:]) if sqlite else row[0]))
    return "\n".join(out)


# --- databases --------------------------------------------------------------------------------


@contextmanager
def database(
    base_url: str | None, workdir: Path, label: str, collation: str | None
) -> Iterator[str]:
    if base_url is None:
        yield f"sqlite:///{workdir / f'people-{label}.db'}"
        return
    name = f"givefirst_bench_{label}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    options = ""
    if collation:  # e.g. "fr-FR": a linguistic (non-C) collation as many hosts default to
        options = (
            f" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '{collation}' LOCALE 'C.UTF-8'"
        )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{options}'))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


EXTRA_INDEXES = [
    # the EXISTS probe "has this person a term in [low, high)?" in one index seek
    "CREATE INDEX IF NOT EXISTS ix_contact_term_contact_id_term ON contact_term (contact_id, term)",
]


def run_size(args: argparse.Namespace, n: int, workdir: Path) -> dict[str, Any]:
    rng = random.Random(args.seed + n)
    with database(args.database_url, workdir, str(n), args.collation) as url:
        started = time.perf_counter()
        migrate(url)
        engine = make_engine(url)
        migrated = time.perf_counter() - started
        if args.extra_indexes:
            with engine.begin() as connection:
                for ddl in EXTRA_INDEXES:
                    connection.execute(text(ddl))
        owner, secret = create_owner(engine, f"owner{n}@example.org")
        other, _ = create_owner(engine, f"other{n}@example.org")
        started = time.perf_counter()
        info = fill(engine, owner, n, rng, args.events)
        fill(engine, other, max(1, n // 5), rng, args.events)
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        elif args.analyze:
            with engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        info["fill_s"] = time.perf_counter() - started
        info["migrate_s"] = migrated
        print(
            f"\n== N={n:,}: {info['terms']:,} terms, {info['meetings']:,} meetings, second account "
            f"{n // 5:,} people; migrate {migrated:.1f} s, fill {info['fill_s']:.1f} s "
            f"(both accounts; inserts of the first {info['insert_s']:.1f} s)",
            flush=True,
        )
        results: dict[str, Any] = {"info": info, "service": {}, "http": {}, "pages": {}}
        for scenario in scenarios(info["event_id"]):
            call = service_query(engine, owner, scenario.params)
            samples, (found, cursor) = timed(call, args.runs, args.budget)
            p50, p95 = percentiles(samples)
            results["service"][scenario.name] = {
                "p50": p50, "p95": p95, "runs": len(samples), "rows": len(found),
                "more": cursor is not None,
            }  # fmt: skip
            print(
                f"  {scenario.name:28} p50 {p50:8.2f} ms  p95 {p95:8.2f} ms  "
                f"({len(samples)} runs, {len(found)} rows{', more' if cursor else ''})",
                flush=True,
            )
            if args.explain:
                print(explain(engine, call))
        if args.http_runs:
            from fastapi.testclient import TestClient

            from app.config import Settings
            from app.main import create_app

            app = create_app(
                Settings(data_dir=workdir, database_url=url, secret_key="bench-" + "x" * 40)
            )
            with TestClient(app, headers={"Authorization": f"Bearer {secret}"}) as client:
                for scenario in scenarios(info["event_id"]):
                    samples, _ = timed(
                        http_query(client, scenario.params), args.http_runs, args.budget / 2
                    )
                    p50, p95 = percentiles(samples)
                    results["http"][scenario.name] = {"p50": p50, "p95": p95, "runs": len(samples)}
                for name, path, params in pages(info):
                    call = page_query(client, path, params)
                    with captured(app.state.engine) as statements:
                        call()
                    samples, _ = timed(call, args.http_runs, args.budget / 2)
                    p50, p95 = percentiles(samples)
                    results["pages"][name] = {
                        "p50": p50, "p95": p95, "runs": len(samples), "sql": len(statements),
                    }  # fmt: skip
                    print(
                        f"  page {name:23} p50 {p50:8.2f} ms  p95 {p95:8.2f} ms  "
                        f"({len(samples)} runs, {len(statements)} SQL statements)",
                        flush=True,
                    )
                # Everyone as a vCard, streamed: time to the first bytes, the whole, the cards.
                started = time.perf_counter()
                first = None
                cards = 0
                with client.stream("GET", "/api/v1/contacts/export.vcf") as answer:
                    for chunk in answer.iter_text():
                        first = first or time.perf_counter() - started
                        cards += chunk.count("BEGIN:VCARD")
                total = time.perf_counter() - started
                results["export"] = {"first_s": first, "total_s": total, "cards": cards}
                print(
                    f"  vCard export: {cards:,} cards in {total:.1f} s, first bytes after "
                    f"{first or 0:.2f} s (goal: 100,000 under 30 s)",
                    flush=True,
                )
            app.state.engine.dispose()
        engine.dispose()
        return results


def report(sizes: list[int], results: dict[int, dict[str, Any]], target: float) -> None:
    for kind in ("service", "http", "pages"):
        if not results[sizes[0]][kind]:
            continue
        names = list(results[sizes[0]][kind])
        print(f"\n{kind}: p50 / p95 in ms (target p95 < {target:.0f} ms, largest/smallest <= 2)")
        header = f"| {'query':28} |" + "".join(f" {f'{n:,}':>17} |" for n in sizes)
        if len(sizes) > 1:
            header += " ratio p50 | ratio p95 |"
        print(header)
        print("|" + "-" * 30 + "|" + "-------------------|" * len(sizes) + (
            "-----------|-----------|" if len(sizes) > 1 else ""))  # fmt: skip
        for name in names:
            line = f"| {name:28} |"
            for n in sizes:
                r = results[n][kind][name]
                flag = "!" if r["p95"] > target else " "
                line += f" {r['p50']:7.2f} / {r['p95']:7.2f}{flag}|"
            if len(sizes) > 1:
                first, last = results[sizes[0]][kind][name], results[sizes[-1]][kind][name]
                line += f" {last['p50'] / first['p50']:9.2f} | {last['p95'] / first['p95']:9.2f} |"
            print(line)


def main() -> None:
    for name in ("httpx", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message=".*httpx2")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server (a fresh database is made)")
    parser.add_argument("--sizes", default="10000,100000", help="people in the measured account")
    parser.add_argument("--runs", type=int, default=200, help="timed runs per query")
    parser.add_argument("--http-runs", type=int, default=50, help="timed HTTP runs (0: none)")
    parser.add_argument("--budget", type=float, default=8.0, help="max seconds per query")
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--target", type=float, default=50.0, help="p95 target in ms")
    parser.add_argument("--explain", action="store_true", help="print each query's plan")
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE on SQLite too")
    parser.add_argument("--extra-indexes", action="store_true", help="create EXTRA_INDEXES")
    parser.add_argument("--collation", help="PostgreSQL: an ICU locale for the database (fr-FR)")
    parser.add_argument("--json", type=Path, help="write the figures there")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    results: dict[int, dict[str, Any]] = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="givefirst-bench-") as workdir:
        for n in sizes:
            results[n] = run_size(args, n, Path(workdir))
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\n{backend}, {time.perf_counter() - started:.0f} s in all")
    report(sizes, results, args.target)
    if args.json:
        args.json.write_text(json.dumps(results, default=str, indent=2))


if __name__ == "__main__":
    main()
