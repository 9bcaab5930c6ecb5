"""French and English: negotiation, the user's choice, and complete catalogs."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.web.i18n import LOCALE_DIR, negotiate
from tests.helpers import Page, create_user, sign_in

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
        Page(client.get("/signin", headers={"Accept-Language": "en-GB"}).text).find("html")["lang"]
        == "en"
    )
    french = client.get("/signin", headers={"Accept-Language": "de"})
    assert Page(french.text).find("html")["lang"] == "fr"
    assert "Se connecter" in Page(french.text).text


def test_the_language_switch_overrides_the_browser(client: TestClient) -> None:
    client.post("/language", data={"locale": "en", "next": "/signin"})
    page = Page(client.get("/signin", headers={"Accept-Language": "fr"}).text)
    assert page.find("html")["lang"] == "en"
    assert "Sign in" in page.text


def test_the_users_choice_wins_over_the_browser(app: FastAPI, client: TestClient) -> None:
    create_user(app, "zoe@example.org", locale="en")
    sign_in(client, "zoe@example.org")
    page = Page(client.get("/", headers={"Accept-Language": "fr"}).text)
    assert page.find("html")["lang"] == "en"
    assert "Today" in page.text
    client.post(
        "/settings/profile",
        data={"display_name": "Zoé", "locale": "fr", "timezone": "Europe/Paris"},
    )
    page = Page(client.get("/", headers={"Accept-Language": "en"}).text)
    assert page.find("html")["lang"] == "fr"
    assert "Aujourd’hui" in page.text
    assert "Bonjour Zoé" in page.text


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
