"""The Progressive Web App's plumbing: manifest, service worker (at /sw.js, scope /) and health."""

import hashlib
import time
from functools import cache
from pathlib import Path

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from app.db import committing_router
from app.web import i18n
from app.web.templating import TEMPLATE_DIR, env, static_url

router = committing_router(include_in_schema=False)

# The shell that the service worker keeps for offline use. Pages name these files through
# static_url, so they are kept under their fingerprinted URL.
SHELL_STATIC = (
    "css/app.css",
    "js/app.js",
    "js/capture.js",
    "js/gives.js",
    "js/follow-up.js",
    "js/kiosk.js",
    "icons/icon.svg",
    "icons/sprite.svg",
    "icons/icon-192.png",
)
# ES modules that other modules import: the browser asks for them by the plain URL the import
# names (an import cannot carry a fingerprint without a build step), so that URL is the one kept.
# Offline, one module missing is the whole screen's script failing.
SHELL_MODULES = (
    "js/outbox.js",
    "js/scan.js",
    "js/markup.js",
    "js/picker.js",
    "js/capture/matching.js",
    "js/capture/more.js",
    "js/capture/outbox-panel.js",
    "js/capture/photo.js",
    "js/capture/qr.js",
    "js/capture/scanner.js",
)
SHELL_PAGES = ("/offline",)


@cache
def _shell_version(static_dir: Path) -> str:
    """A hash of everything the shell is made of: static files, templates and catalogs."""
    digest = hashlib.sha256()
    for folder in (static_dir, TEMPLATE_DIR, i18n.LOCALE_DIR):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@router.get("/sw.js")
def service_worker(request: Request) -> Response:
    version = _shell_version(request.app.state.settings.static_dir)
    precache = [
        *(static_url(request, path) for path in SHELL_STATIC),
        *(f"/static/{path}" for path in SHELL_MODULES),
        *SHELL_PAGES,
    ]
    body = env.get_template("pwa/sw.js").render(version=version, precache=precache)
    return Response(
        body,
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


@router.get("/manifest.webmanifest")
def manifest(request: Request) -> Response:
    with i18n.use_locale(request.state.locale):
        body = {
            "name": "Givefirst",
            "short_name": "Givefirst",
            "description": i18n.gettext("Meet people at events and give first."),
            "lang": request.state.locale,
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#f7f5f0",
            "theme_color": "#0f766e",
            "icons": [
                {
                    "src": static_url(request, "icons/icon-192.png"),
                    "sizes": "192x192",
                    "type": "image/png",
                },
                {
                    "src": static_url(request, "icons/icon-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                },
                {
                    "src": static_url(request, "icons/maskable-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
                {
                    "src": static_url(request, "icons/icon.svg"),
                    "sizes": "any",
                    "type": "image/svg+xml",
                },
            ],
            "shortcuts": [{"name": i18n.gettext("Capture a person"), "url": "/capture"}],
        }
    return JSONResponse(body, media_type="application/manifest+json")


# How long a good answer of the database is trusted: probes at any rate (a load balancer, a
# monitor, a flood) cost the database one query a second at most, and no worker thread.
HEALTH_TTL = 1.0


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    """200 when the database answers, 503 when it does not (a failure is never kept)."""
    state = request.app.state
    if time.monotonic() - getattr(state, "healthy_at", -HEALTH_TTL) >= HEALTH_TTL:
        if not await run_in_threadpool(database_answers, state.engine):
            return JSONResponse({"status": "unavailable"}, status_code=503)
        state.healthy_at = time.monotonic()
    return JSONResponse({"status": "ok"})


def database_answers(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True
