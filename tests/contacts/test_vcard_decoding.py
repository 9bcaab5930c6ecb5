"""The vCard reader decodes each repaired line itself, as vobject's vCard 3.0 behaviours do,
without vobject's component tree (two thirds of a large file's parse). vobject stays the
oracle: on every real .vcf of the shared corpus and on escapes written to catch the edge
cases, each decoded value and parameter equals what `vobject.readOne` makes of the same card."""

from __future__ import annotations

import base64

import pytest
import vobject

from app.contacts.vcard import _decoded, decode_vcard_bytes, parse_vcards, people_to_vcards
from app.contacts.vcard_repair import RepairedCard, repair
from tests.shared_data import shared_testdata

# One pixel PNG, so that a photo line is decoded from base64 as vobject does.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

ESCAPES = "\r\n".join(
    [
        "BEGIN:VCARD",
        "VERSION:3.0",
        r"N:O\;Brien;Jean,Paul;;Dr;",
        r"FN:Jean\, Paul O'Brien",
        r"ORG:Fontaine\, Fils & Cie;Ventes,Export;",
        r"TITLE:Directeur\nadjoint \\ export",
        r"CATEGORIES:salon\, Lyon,clients,,amis,",
        r"NICKNAME:JP,Jeannot",
        r"NOTE:ligne 1\nligne 2\Nligne 3 \: \x",
        "EMAIL;TYPE=INTERNET,WORK;PREF=1:jp@example.fr",
        "TEL;TYPE=CELL:+33 6 12 34 56 78",
        "TEL:",
        r"URL:https://example.fr/a\,b",
        "UID:urn:uuid:1234",
        "X-GIVEFIRST-HOOK;VALUE=TEXT:Cherche\\, un associé\\nà Lyon",
        "END:VCARD",
        "BEGIN:VCARD",
        "VERSION:3.0",
        "N:;;;;",
        "FN:",
        "ORG:;",
        "CATEGORIES:,",
        "NOTE:fin par une barre\\",
        "EMAIL:seul@example.fr",
        "END:VCARD",
        "",
    ]
)


def _oracle(card: RepairedCard) -> dict[str, list[tuple[object, dict[str, list[str]]]]]:
    """What vobject makes of the card's vCard 3.0 text: every line's value and TYPE and PREF."""
    component = vobject.readOne(card.text)
    return {
        name.upper(): [
            (line.value, {key: line.params[key] for key in ("TYPE", "PREF") if key in line.params})
            for line in lines
        ]
        for name, lines in component.contents.items()
    }


def _ours(card: RepairedCard) -> dict[str, list[tuple[object, dict[str, list[str]]]]]:
    ours: dict[str, list[tuple[object, dict[str, list[str]]]]] = {}
    for line in card.lines:
        decoded = _decoded(line)
        ours.setdefault(line.name, []).append((decoded.value, decoded.params))
    return ours


def _assert_same_as_vobject(text: str) -> int:
    cards = repair(text)
    for card in cards:
        assert _ours(card) == _oracle(card), card.text
    return sum(len(card.lines) for card in cards)


def test_escapes_decode_as_vobject_decodes_them() -> None:
    assert _assert_same_as_vobject(ESCAPES) == 19  # VERSION is not kept
    people, _ = parse_vcards(ESCAPES.encode())
    first = people[0]
    assert first.full_name == "Jean, Paul O'Brien"
    assert first.company == "Fontaine, Fils & Cie"
    assert first.role == "Directeur adjoint \\ export"
    assert first.tags == ["salon, Lyon", "clients", "amis"]
    assert first.notes is not None and first.notes.startswith("ligne 1\nligne 2\nligne 3")
    assert first.hook == "Cherche, un associé\nà Lyon"
    assert people[1].full_name == "seul@example.fr"


def test_our_own_export_decodes_as_vobject_decodes_it() -> None:
    text = people_to_vcards(
        [
            {"full_name": "Zoë Ñandú", "company": "A; B, C", "notes": "x\\y\nz", "tags": ["a,b", "c"],
             "photo": PIXEL, "uid": "u-1", "hook": "h, i", "cadence_days": 30, "email": "z@x.fr"},
            {"full_name": "Søren Weiß", "role": "CTO", "phone": "+45 12", "url": "https://a.dk/?a=1,2"},
        ]
    )  # fmt: skip
    assert _assert_same_as_vobject(text) >= 10
    people, _ = parse_vcards(text.encode())
    assert people[0].photo == PIXEL
    assert people[0].tags == ["a,b", "c"]
    assert people[0].company == "A; B, C"


def test_every_real_vcard_decodes_as_vobject_decodes_it() -> None:
    files = sorted(shared_testdata("vcf").glob("*.vcf"))
    assert len(files) >= 10
    lines = 0
    for path in files:
        try:
            lines += _assert_same_as_vobject(decode_vcard_bytes(path.read_bytes()))
        except AssertionError:
            pytest.fail(f"{path.name} decodes differently from vobject")
    assert lines > 200
