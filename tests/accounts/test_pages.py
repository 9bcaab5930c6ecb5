"""Sign-up, sign-in, sign-out, password change and sessions, through the HTML forms."""

from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.accounts.models import AuthSession
from app.accounts.service import MAX_FAILURES_PER_ADDRESS
from app.config import Settings
from app.db import utcnow
from app.main import create_app
from tests.helpers import (
    PASSWORD,
    create_user,
    one,
    parse,
    select_all,
    sign_in,
    text_of,
)


def test_first_user_can_always_sign_up(settings: Settings) -> None:
    closed = create_app(settings.model_copy(update={"allow_signup": False}))
    with TestClient(closed) as client:
        page = parse(client.get("/signup").text)
        assert select_all(page, "input[name=email]")
        response = client.post(
            "/signup",
            data={"email": "First@Example.org ", "password": PASSWORD, "display_name": "Zoé"},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert client.get("/api/v1/me").json()["email"] == "first@example.org"
    with TestClient(closed) as other:
        page = parse(other.get("/signup").text)
        assert not select_all(page, "input[name=email]")
        refused = other.post("/signup", data={"email": "second@example.org", "password": PASSWORD})
        assert refused.status_code == 403
        assert other.get("/api/v1/me").status_code == 401
    closed.state.engine.dispose()


def test_signup_errors_refill_the_form_and_name_the_field(client: TestClient) -> None:
    response = client.post(
        "/signup", data={"email": "zoe@example.org", "password": "short", "display_name": "Zoé"}
    )
    assert response.status_code == 422
    page = parse(response.text)
    assert one(page, "input[name=email]")["value"] == "zoe@example.org"
    assert one(page, "input[name=password]")["aria-invalid"] == "true"
    assert "10" in text_of(page, "small#e-password")


def test_signup_refuses_a_taken_email(app: FastAPI, client: TestClient) -> None:
    create_user(app, "zoe@example.org")
    response = client.post("/signup", data={"email": "ZOE@example.org", "password": PASSWORD})
    assert response.status_code == 409


def test_signin_redirects_to_a_local_next_only(app: FastAPI, client: TestClient) -> None:
    create_user(app, "zoe@example.org")
    local = client.post(
        "/signin",
        data={"email": "zoe@example.org", "password": PASSWORD, "next": "/settings"},
        follow_redirects=False,
    )
    assert local.headers["location"] == "/settings"
    client.cookies.clear()
    foreign = client.post(
        "/signin",
        data={"email": "zoe@example.org", "password": PASSWORD, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert foreign.headers["location"] == "/"


def test_session_cookie_is_httponly_and_lax(app: FastAPI, client: TestClient) -> None:
    create_user(app, "zoe@example.org")
    cookie = sign_in(client, "zoe@example.org").headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_behind_an_https_proxy(app: FastAPI, client: TestClient) -> None:
    create_user(app, "zoe@example.org")
    response = client.post(
        "/signin",
        data={"email": "zoe@example.org", "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https"},
        follow_redirects=False,
    )
    # The test client is not a trusted proxy: the header is ignored.
    assert "Secure" not in response.headers["set-cookie"]
    trusting = create_app(app.state.settings.model_copy(update={"trusted_proxies": "testclient"}))
    with TestClient(trusting) as proxied:
        response = proxied.post(
            "/signin",
            data={"email": "zoe@example.org", "password": PASSWORD},
            headers={"X-Forwarded-Proto": "https"},
            follow_redirects=False,
        )
        assert "Secure" in response.headers["set-cookie"]
        assert "max-age=63072000" in response.headers["strict-transport-security"]
    trusting.state.engine.dispose()


def test_wrong_password_is_refused_without_saying_which_part(
    app: FastAPI, client: TestClient
) -> None:
    create_user(app, "zoe@example.org")
    wrong = client.post("/signin", data={"email": "zoe@example.org", "password": "nope nope nope"})
    unknown = client.post(
        "/signin", data={"email": "nobody@example.org", "password": "nope nope nope"}
    )
    assert wrong.status_code == unknown.status_code == 422
    assert select_all(wrong.text, "p[role=alert]")
    assert client.get("/api/v1/me").status_code == 401


def test_signin_is_throttled_per_account(app: FastAPI, client: TestClient) -> None:
    create_user(app, "zoe@example.org")
    for _ in range(5):
        assert (
            client.post(
                "/signin", data={"email": "zoe@example.org", "password": "bad password!"}
            ).status_code
            == 422
        )
    # Even the right password is refused while the account is throttled.
    response = sign_in(client, "zoe@example.org")
    assert response.status_code == 429
    # Another account from the same address is still allowed (the per-address limit is higher).
    create_user(app, "yann@example.org")
    assert sign_in(client, "yann@example.org").status_code == 303


def test_signin_is_throttled_per_address(app: FastAPI, client: TestClient) -> None:
    create_user(app, "zoe@example.org")
    for number in range(MAX_FAILURES_PER_ADDRESS):
        client.post(
            "/signin", data={"email": f"guess{number}@example.org", "password": "bad password!"}
        )
    assert sign_in(client, "zoe@example.org").status_code == 429


def test_signout_ends_the_session(app: FastAPI, client: TestClient) -> None:
    create_user(app, "zoe@example.org")
    sign_in(client, "zoe@example.org")
    cookie = client.cookies.get("gf_session")
    assert client.post("/signout", follow_redirects=False).status_code == 303
    client.cookies.set("gf_session", cookie)
    assert client.get("/api/v1/me").status_code == 401


def test_signout_everywhere_ends_every_session(app: FastAPI) -> None:
    create_user(app, "zoe@example.org")
    with TestClient(app) as phone, TestClient(app) as laptop:
        sign_in(phone, "zoe@example.org")
        sign_in(laptop, "zoe@example.org")
        assert (
            laptop.post("/settings/signout-everywhere", follow_redirects=False).status_code == 303
        )
        assert phone.get("/api/v1/me").status_code == 401


def test_change_password_keeps_this_device_and_ends_the_others(app: FastAPI) -> None:
    create_user(app, "zoe@example.org")
    with TestClient(app) as phone, TestClient(app) as laptop:
        sign_in(phone, "zoe@example.org")
        sign_in(laptop, "zoe@example.org")
        bad = laptop.post(
            "/settings/password",
            data={"current_password": "wrong one!", "new_password": "a new long password"},
        )
        assert bad.status_code == 422
        good = laptop.post(
            "/settings/password",
            data={"current_password": PASSWORD, "new_password": "a new long password"},
            follow_redirects=False,
        )
        assert good.status_code == 303
        assert laptop.get("/api/v1/me").status_code == 200
        assert phone.get("/api/v1/me").status_code == 401
        laptop.cookies.clear()
        assert sign_in(laptop, "zoe@example.org", "a new long password").status_code == 303


def test_sessions_slide_forward_and_expire(app: FastAPI, client: TestClient) -> None:
    create_user(app, "zoe@example.org")
    sign_in(client, "zoe@example.org")
    with Session(app.state.engine) as session:
        auth = session.exec(select(AuthSession)).one()
        # The phone was last used two days ago, during day one of a trade show.
        auth.last_seen_at = utcnow() - timedelta(days=2)
        auth.expires_at = utcnow() + timedelta(days=28)
        session.add(auth)
        session.commit()
    assert client.get("/api/v1/me").status_code == 200
    with Session(app.state.engine) as session:
        auth = session.exec(select(AuthSession)).one()
        assert auth.expires_at > utcnow() + timedelta(days=29)
        auth.expires_at = utcnow() - timedelta(seconds=1)
        session.add(auth)
        session.commit()
    assert client.get("/api/v1/me").status_code == 401


def test_settings_create_and_revoke_a_token(app: FastAPI, client: TestClient) -> None:
    create_user(app, "zoe@example.org")
    sign_in(client, "zoe@example.org")
    page = parse(client.post("/settings/tokens", data={"name": "script"}).text)
    secret = one(page, "input#new-token")["value"]
    assert secret.startswith("gf_")
    with TestClient(app, headers={"Authorization": f"Bearer {secret}"}) as api:
        assert api.get("/api/v1/me").status_code == 200
        token_id = api.get("/api/v1/tokens").json()[0]["id"]
        # Shown once: the settings page lists the token without its secret.
        assert secret not in client.get("/settings").text
        client.post(f"/settings/tokens/{token_id}/revoke")
        assert api.get("/api/v1/me").status_code == 401


def test_pages_need_a_session_and_redirect_to_signin(app: FastAPI, client: TestClient) -> None:
    create_user(app, "zoe@example.org")
    for path in ("/", "/settings", "/events", "/capture", "/people", "/gives"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/signin")


def test_the_cookie_is_sent_again_when_the_session_slides(app: FastAPI, client: TestClient) -> None:
    create_user(app, "zoe@example.org")
    sign_in(client, "zoe@example.org")
    assert "set-cookie" not in client.get("/api/v1/me").headers
    with Session(app.state.engine) as session:
        auth = session.exec(select(AuthSession)).one()
        auth.last_seen_at = utcnow() - timedelta(days=2)
        session.add(auth)
        session.commit()
    renewed = client.get("/api/v1/me")
    assert "gf_session=" in renewed.headers["set-cookie"]
    assert "Max-Age=2592000" in renewed.headers["set-cookie"]


def test_signin_redirect_keeps_the_query(client: TestClient) -> None:
    response = client.get("/settings?tab=tokens", follow_redirects=False)
    assert response.headers["location"] == "/signin?next=%2Fsettings%3Ftab%3Dtokens"


def test_only_the_rightmost_forwarded_address_is_believed(app: FastAPI) -> None:
    create_user(app, "zoe@example.org")
    proxied = create_app(app.state.settings.model_copy(update={"trusted_proxies": "testclient"}))
    with TestClient(proxied) as client:
        for number in range(MAX_FAILURES_PER_ADDRESS):
            client.post(
                "/signin",
                data={"email": f"guess{number}@example.org", "password": "bad password!"},
                headers={"X-Forwarded-For": f"10.0.0.{number}, 203.0.113.7"},
            )
        # The attacker's spoofed left-hand entries changed every time; the real address did not.
        response = client.post(
            "/signin",
            data={"email": "zoe@example.org", "password": PASSWORD},
            headers={"X-Forwarded-For": "10.9.9.9, 203.0.113.7"},
        )
        assert response.status_code == 429
    proxied.state.engine.dispose()


def test_accounts_with_reserved_domains_work(app: FastAPI, client: TestClient) -> None:
    create_user(app, "demo@givefirst.invalid")
    sign_in(client, "demo@givefirst.invalid")
    assert client.get("/api/v1/me").json()["email"] == "demo@givefirst.invalid"
