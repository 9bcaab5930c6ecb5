"""French and English: negotiation, the user's choice, and complete catalogs."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.web.i18n import LOCALE_DIR, negotiate
from tests.helpers import create_user, one, parse, sign_in, text_of

ROOT = Path(__file__).resolve().parents[2]


def test_negotiation_prefers_the_best_known_language() -> None:
    assert negotiate("en-US,en;q=0.9,fr;q=0.8") == "en"
    assert negotiate("de-DE,fr;q=0.5") == "fr"
    assert negotiate("fr-CA") == "fr"
    assert negotiate("de, ja") is None
    assert negotiate("") is None
    assert negotiate("en;q=garbage,fr") == "fr"


def test_anonymous_pages_follow_accept_language_then_french(client: TestClient) -> None:
    assert (
        one(client.get("/signin", headers={"Accept-Language": "en-GB"}).text, "html")["lang"]
        == "en"
    )
    french = client.get("/signin", headers={"Accept-Language": "de"})
    assert one(french.text, "html")["lang"] == "fr"
    assert text_of(french, "h1") == "Se connecter"


def test_the_language_switch_overrides_the_browser(client: TestClient) -> None:
    client.post("/language", data={"locale": "en", "next": "/signin"})
    page = parse(client.get("/signin", headers={"Accept-Language": "fr"}).text)
    assert one(page, "html")["lang"] == "en"
    assert text_of(page, "h1") == "Sign in"


def test_the_users_choice_wins_over_the_browser(app: FastAPI, client: TestClient) -> None:
    create_user(app, "zoe@example.org", locale="en")
    sign_in(client, "zoe@example.org")
    page = parse(client.get("/", headers={"Accept-Language": "fr"}).text)
    assert one(page, "html")["lang"] == "en"
    assert text_of(page, "nav.tabs a[href='/']") == "Today"
    client.post(
        "/settings/profile",
        data={"display_name": "Zoé", "locale": "fr", "timezone": "Europe/Paris"},
    )
    page = parse(client.get("/", headers={"Accept-Language": "en"}).text)
    assert one(page, "html")["lang"] == "fr"
    assert text_of(page, "nav.tabs a[href='/']") == "Aujourd’hui"
    assert text_of(page, "h1") == "Bonjour Zoé"


def test_every_message_in_the_code_has_a_french_translation(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "lazy_gettext",
            "-k",
            "_",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        extracted = {
            message.id if isinstance(message.id, str) else message.id[0]
            for message in read_po(handle)
            if message.id
        }
    with (LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        french = {
            (message.id if isinstance(message.id, str) else message.id[0]): message.string
            for message in read_po(handle, locale="fr")
            if message.id and "fuzzy" not in message.flags
        }
    assert len(extracted) > 50
    missing = sorted(msgid for msgid in extracted if not french.get(msgid))
    assert not missing, (
        f"messages without a French translation (run `make messages`, then translate): {missing}"
    )


def test_french_translations_keep_their_placeholders() -> None:
    import re

    with (LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        for message in read_po(handle, locale="fr"):
            if not message.id or not message.string:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            expected = set(re.findall(r"%\(\w+\)[sd]", ids[0]))
            for string in strings:
                assert set(re.findall(r"%\(\w+\)[sd]", string)) == expected, message.id
