"""A merge keeps every row that points at the merged person, whatever features are loaded."""

import subprocess
import sys
import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

pytestmark = pytest.mark.db

MERGE_ALONE = """
import sys, uuid
from sqlmodel import Session, select
from app.db import make_engine
from app.accounts.models import User
from app.contacts import service as contacts

url, email, keep, other = sys.argv[1:]
engine = make_engine(url)
with Session(engine) as session:
    owner = session.exec(select(User).where(User.email == email)).one()
    contacts.merge_contacts(
        session, owner=owner, keep_id=uuid.UUID(keep), other_id=uuid.UUID(other)
    )
    session.commit()
print(sorted(name for name in sys.modules if name.startswith("app.gives")))
"""


def _person(client: TestClient, name: str) -> str:
    person_id = str(uuid.uuid4())
    assert client.put(f"/api/v1/contacts/{person_id}", json={"full_name": name}).status_code == 201
    return person_id


def _give(client: TestClient, **body: object) -> str:
    response = client.put(f"/api/v1/gives/{uuid.uuid4()}", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_a_merge_by_the_contacts_feature_alone_keeps_every_give(
    app: FastAPI, alice: TestClient, database_url: str
) -> None:
    keep, other, third = (_person(alice, name) for name in ("Léa", "Léa Martin", "Paul"))
    for_other = _give(alice, contact_id=other, kind="resource", title="Le guide")
    intro = _give(
        alice, contact_id=third, other_contact_id=other, kind="introduction", title="Paul et Léa"
    )
    referral = alice.post(
        f"/api/v1/contacts/{other}/referrals",
        json={"received_on": "2026-11-02", "whom": "Atelier Benali"},
    )
    assert referral.status_code == 201, referral.text

    result = subprocess.run(
        [sys.executable, "-c", MERGE_ALONE, database_url, "alice@example.org", keep, other],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "[]", "the merge process loaded the gives feature"

    assert alice.get(f"/api/v1/contacts/{other}").status_code == 404
    assert alice.get(f"/api/v1/gives/{for_other}").json()["contact_id"] == keep
    assert alice.get(f"/api/v1/gives/{intro}").json()["other_contact_id"] == keep
    referrals = alice.get(f"/api/v1/contacts/{keep}/referrals").json()
    assert [r["whom"] for r in referrals] == ["Atelier Benali"]


def test_an_introduction_of_a_person_to_themself_is_skipped_after_a_merge(
    alice: TestClient,
) -> None:
    keep, other = _person(alice, "Léa"), _person(alice, "Léa M.")
    intro = _give(
        alice, contact_id=keep, other_contact_id=other, kind="introduction", title="Léa et Léa"
    )
    merged = alice.post(f"/api/v1/contacts/{keep}/merge", json={"other_id": other})
    assert merged.status_code == 200, merged.text
    give = alice.get(f"/api/v1/gives/{intro}").json()
    assert (give["contact_id"], give["other_contact_id"], give["status"]) == (
        keep,
        keep,
        "skipped",
    )
