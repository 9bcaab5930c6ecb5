"""Every French string follows French typography: a non-breaking space (U+00A0) before
: ; ! ? and », and after «; never a plain space there, never none. No inclusive dots."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOG = Path(__file__).parents[2] / "app/locale/fr/LC_MESSAGES/messages.po"
# A plain space before the high punctuation or inside guillemets, or a letter glued to it.
WRONG = re.compile(r" [:;!?»]|« |(?<=[^\W\d_])[;!?»]|(?<=[^\W\d_]): |(?<=[^\W\d_]):$|«(?!\u00a0)")


def _french_strings() -> list[tuple[str, str]]:
    with CATALOG.open("rb") as file:
        catalog = read_po(file, locale="fr")
    found = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        found.extend((msgid, text) for text in strings if text)
    return found


def test_french_high_punctuation_has_a_non_breaking_space() -> None:
    wrong = [(msgid, text) for msgid, text in _french_strings() if WRONG.search(text)]
    assert wrong == []


def test_no_inclusive_dots_in_french() -> None:
    assert [text for _msgid, text in _french_strings() if "·e" in text or "⋅e" in text] == []


def test_the_check_would_catch_a_plain_space() -> None:
    assert WRONG.search("Bonjour !") and WRONG.search("« citation »") and WRONG.search("Note: ici")
    assert not WRONG.search("Bonjour\u00a0! «\u00a0citation\u00a0» https://exemple.fr 10:30")
