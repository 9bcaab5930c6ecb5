"""Signing out everywhere and changing the password revoke personal access tokens too."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts import service as accounts
from tests.helpers import PASSWORD


def token_client(app: FastAPI, email: str) -> TestClient:
    with Session(app.state.engine) as session:
        user = accounts.user_by_email(session, email=email)
        _token, secret = accounts.create_token(session, user=user, name="script")
        session.commit()
    return TestClient(app, headers={"Authorization": f"Bearer {secret}"})


def test_signout_everywhere_revokes_tokens(app: FastAPI, zoe: TestClient) -> None:
    script = token_client(app, "zoe@example.org")
    assert script.get("/api/v1/me").status_code == 200
    page = zoe.get("/settings").text
    assert 'id="tokens-revoked-note"' in page
    assert zoe.post("/settings/signout-everywhere", follow_redirects=False).status_code == 303
    assert script.get("/api/v1/me").status_code == 401


def test_password_change_revokes_tokens(app: FastAPI, zoe: TestClient) -> None:
    script = token_client(app, "zoe@example.org")
    changed = zoe.post(
        "/settings/password",
        data={"current_password": PASSWORD, "new_password": "another long password"},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert script.get("/api/v1/me").status_code == 401
    assert zoe.get("/api/v1/me").status_code == 200
