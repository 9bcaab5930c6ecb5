"""Same-origin protection and security headers."""

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.pwa import routes as pwa_routes
from tests.helpers import create_user, sign_in


def test_cross_site_form_post_is_refused(app: FastAPI, client: TestClient) -> None:
    create_user(app, "zoe@example.org")
    sign_in(client, "zoe@example.org")
    for headers in (
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ):
        response = client.post("/settings/tokens", data={"name": "stolen"}, headers=headers)
        assert response.status_code == 403, headers
    assert "stolen" not in client.get("/settings").text


def test_cross_site_api_write_with_cookie_is_refused(app: FastAPI, client: TestClient) -> None:
    create_user(app, "zoe@example.org")
    sign_in(client, "zoe@example.org")
    response = client.post(
        "/api/v1/tokens", json={"name": "x"}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert response.json()["error"] == "cross_origin"


def test_same_origin_post_is_accepted(app: FastAPI, client: TestClient) -> None:
    create_user(app, "zoe@example.org")
    headers = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    response = client.post(
        "/signin",
        data={"email": "zoe@example.org", "password": "correct horse battery staple"},
        headers=headers,
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_security_headers_on_pages(client: TestClient) -> None:
    response = client.get("/signin")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in response.headers


def test_pages_have_no_inline_script_and_no_third_party_source(client: TestClient) -> None:
    for path in ("/signin", "/signup", "/offline"):
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"""(src|href)=["']https?://""", html), path
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), path


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path: Path) -> None:
    broken = create_app(
        Settings(data_dir=tmp_path, database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    )
    with TestClient(broken) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_healthz_asks_the_database_once_a_second_at_most_and_keeps_no_failure(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[bool] = []
    answers = [True]

    def database_answers(_engine: Any) -> bool:
        asked.append(True)
        return answers[0]

    now = [1000.0]
    monkeypatch.setattr(pwa_routes, "database_answers", database_answers)
    monkeypatch.setattr("app.pwa.routes.time.monotonic", lambda: now[0])
    with TestClient(app) as client:
        assert [client.get("/healthz").status_code for _ in range(5)] == [200] * 5
        assert len(asked) == 1
        answers[0] = False
        now[0] += pwa_routes.HEALTH_TTL
        assert client.get("/healthz").status_code == 503
        assert client.get("/healthz").status_code == 503  # asked again: a failure is not kept
        assert len(asked) == 3
        answers[0] = True
        assert client.get("/healthz").status_code == 200
        assert len(asked) == 4


def test_api_docs_are_served_by_the_app_itself(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    html = response.text
    assert len(re.findall(r'(?:src|href)="(/docs/assets/[^"]+)"', html)) == 2
    assert not re.search(r"""(src|href)=["']https?://""", html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    for asset in re.findall(r'(?:src|href)="(/docs/assets/[^"]+)"', html):
        assert client.get(asset).status_code == 200, asset
    assert client.get("/openapi.json").json()["info"]["title"] == "Givefirst"


def test_nothing_is_measured_for_anyone_else(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    # FastAPI's own OpenTelemetry (spans, metrics, logs) stays off, even when the environment
    # asks for OTLP exporters: a self-hosted instance sends nothing anywhere.
    monkeypatch.setenv("FASTAPI_OTEL_AUTO_CONFIGURE", "true")
    built = create_app(app.state.settings)
    config = built._telemetry
    assert [config[k] for k in ("tracing", "metrics", "logs", "auto_configure")] == [False] * 4
    assert not built._native_telemetry.enabled()
    built.state.engine.dispose()
