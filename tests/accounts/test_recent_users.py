"""The user behind a credential is kept a second (app/accounts/recent.py): never longer, never
past a change made by this process, and never shared between two requests."""

import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, update
from sqlmodel import Session

from app.accounts import recent
from app.accounts import service as accounts
from app.accounts.models import AccessToken, User
from app.config import Settings
from app.main import create_app
from tests.helpers import create_user


def _token(app: FastAPI, email: str) -> str:
    with Session(app.state.engine) as session:
        user = accounts.user_by_email(session, email=email)
        _row, secret = accounts.create_token(session, user=user, name="script")
        session.commit()
    return secret


@pytest.fixture
def second_worker(settings: Settings) -> Iterator[FastAPI]:
    """Another process of the same instance: its own app and engine on the same database."""
    other = create_app(settings)
    yield other
    other.state.engine.dispose()


def test_a_revoked_token_is_refused_at_once_though_it_was_just_used(
    app: FastAPI, alice: TestClient
) -> None:
    created = alice.post("/api/v1/tokens", json={"name": "phone"}).json()
    phone = TestClient(app, headers={"Authorization": f"Bearer {created['token']}"})
    assert phone.get("/api/v1/me").status_code == 200  # now kept as recent
    assert alice.delete(f"/api/v1/tokens/{created['id']}").status_code == 204
    assert phone.get("/api/v1/me").status_code == 401


def test_a_change_of_profile_shows_on_the_next_request(alice: TestClient) -> None:
    assert alice.get("/api/v1/me").json()["locale"] == "fr"
    assert alice.patch("/api/v1/me", json={"locale": "en"}).status_code == 200
    assert alice.get("/api/v1/me").json()["locale"] == "en"


def test_a_write_to_the_accounts_by_any_statement_drops_what_is_kept(
    app: FastAPI, alice: TestClient
) -> None:
    """Not only the service's own functions: any write to the tables, here a bare statement."""
    assert alice.get("/api/v1/me").status_code == 200
    with Session(app.state.engine) as session:
        session.exec(update(User).values(display_name="Alice Renamed"))  # type: ignore[call-overload]
        session.commit()
    assert alice.get("/api/v1/me").json()["display_name"] == "Alice Renamed"
    with Session(app.state.engine) as session:
        session.exec(delete(AccessToken))  # type: ignore[call-overload]
        session.commit()
    assert alice.get("/api/v1/me").status_code == 401


def test_another_process_lags_by_the_ttl_at_most(
    app: FastAPI, second_worker: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a listener (SQLite, or PostgreSQL while it reconnects): the TTL bounds the lag."""
    create_user(app, "carla@example.org", "Carla")
    secret = _token(app, "carla@example.org")
    here = TestClient(app, headers={"Authorization": f"Bearer {secret}"})
    there = TestClient(second_worker, headers={"Authorization": f"Bearer {secret}"})
    now = [1000.0]
    monkeypatch.setattr(recent, "monotonic", lambda: now[0])
    # The first use records the token's last use, a write: what was read with it is not kept.
    assert there.get("/api/v1/me").status_code == 200
    assert there.get("/api/v1/me").status_code == 200  # the other process now keeps Carla
    tokens = here.get("/api/v1/tokens").json()
    assert here.delete(f"/api/v1/tokens/{tokens[0]['id']}").status_code == 204
    assert here.get("/api/v1/me").status_code == 401  # this process: at once
    now[0] += recent.TTL / 2
    assert there.get("/api/v1/me").status_code == 200  # the lag the module documents
    now[0] += recent.TTL / 2
    assert there.get("/api/v1/me").status_code == 401


def test_a_reading_that_a_write_overtook_is_not_kept(app: FastAPI) -> None:
    users: recent.RecentUsers = app.state.recent_users
    user = User(id=uuid.uuid4(), email="dan@example.org", password_hash="x")
    before = users.generation()
    users.forget_all()  # a write happened while the user was being read
    users.put("token:abc", user, generation=before)
    assert users.get("token:abc") is None
    users.put("token:abc", user, generation=users.generation())
    assert users.get("token:abc") is not None


def test_each_request_gets_its_own_copy_of_the_user(app: FastAPI) -> None:
    """Two requests may add their user to their own sessions at the same moment."""
    users: recent.RecentUsers = app.state.recent_users
    create_user(app, "eve@example.org", "Eve")
    with Session(app.state.engine, expire_on_commit=False) as session:
        eve = accounts.user_by_email(session, email="eve@example.org")
    users.put("token:eve", eve, generation=users.generation())
    kept = users.get("token:eve")
    assert kept is not None
    first, second = kept.user(), kept.user()
    assert first is not second and first.id == second.id == eve.id
    errors: list[BaseException] = []

    def rename(user: User, name: str) -> None:
        try:
            with Session(app.state.engine) as session:
                user.display_name = name
                session.add(user)
                session.commit()
        except BaseException as error:
            errors.append(error)

    threads = [
        threading.Thread(target=rename, args=(u, n)) for u, n in ((first, "A"), (second, "B"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Session(app.state.engine) as session:
        assert session.get(User, eve.id).display_name in {"A", "B"}  # type: ignore[union-attr]


def test_on_postgresql_another_process_hears_a_revoked_token_at_once(
    app: FastAPI, second_worker: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The accounts tables' triggers announce each change (migration 0017); a running server
    listens. The clock is stopped: only the announcement can drop what the other process keeps."""
    if app.state.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no NOTIFY: there, the TTL bounds the lag")
    create_user(app, "fanny@example.org", "Fanny")
    secret = _token(app, "fanny@example.org")
    here = TestClient(app, headers={"Authorization": f"Bearer {secret}"})
    monkeypatch.setattr(recent, "monotonic", lambda: 1000.0)
    with TestClient(second_worker, headers={"Authorization": f"Bearer {secret}"}) as there:
        assert second_worker.state.accounts_listener.listening.wait(10)
        assert there.get("/api/v1/me").status_code == 200  # records the token's use
        assert there.get("/api/v1/me").status_code == 200  # kept
        tokens = here.get("/api/v1/tokens").json()
        assert here.delete(f"/api/v1/tokens/{tokens[0]['id']}").status_code == 204
        deadline = time.perf_counter() + 5
        while there.get("/api/v1/me").status_code == 200:
            assert time.perf_counter() < deadline, "the other process never heard of it"
            time.sleep(0.02)
    assert not second_worker.state.accounts_listener.is_alive()  # stopped with the server


def test_the_listener_stops_with_its_server(app: FastAPI) -> None:
    with TestClient(app):
        listener = app.state.accounts_listener
        if listener is None:
            assert app.state.engine.dialect.name == "sqlite"
            return
        assert listener.listening.wait(10)
    assert not listener.is_alive()
