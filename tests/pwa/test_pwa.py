"""The PWA shell: manifest, service worker, icons, offline page and the page weight budget."""

import gzip
import json
import posixpath
import re
import struct
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.helpers import create_user, one, parse, select_all, sign_in, text_of


def test_manifest_has_installable_fields_and_real_icons(client: TestClient) -> None:
    manifest = client.get("/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert body["start_url"] == "/" and body["display"] == "standalone"
    sizes = {}
    for icon in body["icons"]:
        response = client.get(icon["src"])
        assert response.status_code == 200, icon["src"]
        if icon["type"] == "image/png":
            assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
            width, height = struct.unpack(">II", response.content[16:24])
            assert f"{width}x{height}" == icon["sizes"]
            sizes[icon.get("purpose", "any")] = width
    assert sizes.get("any") == 512 and sizes.get("maskable") == 512


def test_manifest_speaks_the_users_language(client: TestClient) -> None:
    english = client.get("/manifest.webmanifest", headers={"Accept-Language": "en"}).json()
    french = client.get("/manifest.webmanifest", headers={"Accept-Language": "fr"}).json()
    assert english["lang"] == "en" and french["lang"] == "fr"
    assert english["description"] != french["description"]


def test_service_worker_is_served_at_the_root_with_a_versioned_shell(client: TestClient) -> None:
    response = client.get("/sw.js")
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["service-worker-allowed"] == "/"
    assert response.headers["cache-control"] == "no-cache"
    version = re.search(r'const VERSION = "([0-9a-f]{12})"', response.text)
    assert version
    precached = re.search(r"const PRECACHE = (\[.*?\]);", response.text).group(1)
    assert "/offline" in precached
    for url in re.findall(r'"(/static/[^"]+)"', precached):
        assert client.get(url).status_code == 200, url


def test_every_imported_module_is_kept_for_offline_use(app: FastAPI, client: TestClient) -> None:
    """A module is fetched by the plain URL its importer names: offline, that URL must be in the
    service worker's shell, or the screen that imports it has no script at all."""
    precached = json.loads(
        re.search(r"const PRECACHE = (\[.*?\]);", client.get("/sw.js").text).group(1)
    )
    static_dir: Path = app.state.settings.static_dir
    imported = set()
    for script in (static_dir / "js").rglob("*.js"):
        folder = script.parent.relative_to(static_dir).as_posix()
        for target in re.findall(r'(?:from|import\()\s*"(\.\.?/[^"]+)"', script.read_text()):
            imported.add("/static/" + posixpath.normpath(posixpath.join(folder, target)))
    assert {"/static/js/outbox.js", "/static/js/capture/matching.js"} <= imported
    kept_plain = {url for url in precached if url.startswith("/static/") and "?v=" not in url}
    assert kept_plain == imported


def test_fingerprinted_static_files_are_cached_for_a_year(client: TestClient) -> None:
    href = one(client.get("/signin").text, "link[rel=stylesheet]")["href"]
    assert "?v=" in href
    assert "immutable" in client.get(href).headers["cache-control"]


def test_offline_page_is_served_without_signing_in(client: TestClient) -> None:
    response = client.get("/offline")
    assert response.status_code == 200
    assert select_all(response.text, "h1")


def test_base_page_weighs_under_14_kb_compressed(app: FastAPI, client: TestClient) -> None:
    create_user(app, "zoe@example.org")
    sign_in(client, "zoe@example.org")
    html = client.get("/").text
    page = parse(html)
    assets = [one(page, "link[rel=stylesheet]")["href"], one(page, "script")["src"]]
    total = len(gzip.compress(html.encode(), 9))
    for url in assets:
        total += len(gzip.compress(client.get(url).content, 9))
    assert total < 14 * 1024, f"the base page weighs {total} bytes compressed"


def test_signed_in_pages_have_the_bottom_navigation(app: FastAPI, client: TestClient) -> None:
    create_user(app, "zoe@example.org")
    sign_in(client, "zoe@example.org")
    page = parse(client.get("/people").text)
    links = {link["href"] for link in select_all(page, "a") if link.get("href")}
    assert {"/events", "/capture", "/gives", "/people"} <= links
    assert one(page, "a[href='/people']")["aria-current"] == "page"


def test_unknown_pages_get_a_friendly_page_and_the_api_gets_json(client: TestClient) -> None:
    page = client.get("/nowhere", headers={"Accept-Language": "fr"})
    assert page.status_code == 404
    assert "n’existe pas" in text_of(page, "h1 + p")
    api = client.get("/api/v1/nowhere")
    assert api.status_code == 404
    assert api.json()["error"] == "not_found"
