"""Sign-in throttling per account and address pair, with growing delays; nobody can lock anyone
out; parallel attempts never get past the limit (SQLite and PostgreSQL)."""

import threading
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts import service as accounts
from app.errors import AppError
from tests.helpers import FROZEN_AT, PASSWORD, Clock, create_user


def attempt(app: FastAPI, password: str, address: str, email: str = "zoe@example.org") -> str:
    with Session(app.state.engine) as session:
        try:
            accounts.authenticate(session, email=email, password=password, address=address)
        except AppError as error:
            return str(error.status_code)
        return "ok"


def test_an_attacker_cannot_lock_out_the_owner_elsewhere(app: FastAPI, clock: Clock) -> None:
    create_user(app, "zoe@example.org")
    for _ in range(30):
        attempt(app, "wrong password!", "203.0.113.66")
    assert attempt(app, PASSWORD, "203.0.113.66") == "429"
    assert attempt(app, PASSWORD, "198.51.100.7") == "ok"


def test_delays_grow_after_the_fifth_failure(app: FastAPI, clock: Clock) -> None:
    create_user(app, "zoe@example.org")
    address = "203.0.113.9"
    assert [attempt(app, "wrong password!", address) for _ in range(5)] == ["422"] * 5
    assert attempt(app, PASSWORD, address) == "429"
    clock.set(FROZEN_AT + timedelta(seconds=31))
    assert attempt(app, "wrong password!", address) == "422"  # the sixth try, after 30 s
    clock.set(FROZEN_AT + timedelta(seconds=31 + 45))
    assert attempt(app, PASSWORD, address) == "429"  # now 60 s
    clock.set(FROZEN_AT + timedelta(seconds=31 + 61))
    assert attempt(app, PASSWORD, address) == "ok"
    # A right password resets the pair.
    assert attempt(app, "wrong password!", address) == "422"
    assert attempt(app, PASSWORD, address) == "ok"


def test_delays_never_exceed_the_window() -> None:
    assert accounts.pair_delay(4) == timedelta(0)
    assert accounts.pair_delay(5) == timedelta(seconds=30)
    assert accounts.pair_delay(10_000) == accounts.THROTTLE_WINDOW


def test_the_per_address_limit_is_generous(app: FastAPI, clock: Clock) -> None:
    address = "203.0.113.10"
    for number in range(accounts.MAX_FAILURES_PER_ADDRESS):
        assert attempt(app, "wrong password!", address, f"u{number}@example.org") == "422"
    assert attempt(app, "wrong password!", address, "last@example.org") == "429"


def test_forty_parallel_attempts_never_pass_the_limit(app: FastAPI, clock: Clock) -> None:
    password = "wrong password!"
    create_user(app, "zoe@example.org")
    address = "203.0.113.40"
    for _ in range(4):
        assert attempt(app, "wrong password!", address) == "422"
    results: list[str] = []
    gate = threading.Barrier(40)

    def one() -> None:
        gate.wait()
        results.append(attempt(app, password, address))

    threads = [threading.Thread(target=one) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    judged = [r for r in results if r != "429"]
    assert len(results) == 40
    assert set(results) <= {"422", "429", "ok"}
    # Four failures already: at most one more attempt may be judged.
    assert len(judged) <= 1, results


def test_form_sign_in_from_a_new_address_after_an_attack(app: FastAPI) -> None:
    create_user(app, "zoe@example.org")
    with TestClient(app) as attacker:
        for _ in range(6):
            attacker.post("/signin", data={"email": "zoe@example.org", "password": "nope nope!"})
    other = app.state.settings.model_copy(update={"trusted_proxies": "testclient"})
    from app.main import create_app

    proxied = create_app(other)
    with TestClient(proxied) as owner:
        response = owner.post(
            "/signin",
            data={"email": "zoe@example.org", "password": PASSWORD},
            headers={"X-Forwarded-For": "198.51.100.20"},
            follow_redirects=False,
        )
        assert response.status_code == 303
    proxied.state.engine.dispose()
