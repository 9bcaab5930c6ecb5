"""Character sets by authority: CHARSET parameter, BOM, UTF-16 without BOM, declared, detector."""

import codecs

import pytest

from app.contacts.csv_import import parse_contacts_csv
from app.contacts.vcard import parse_vcards
from app.text import decode_bytes
from tests.shared_data import shared_testdata

NAMES = (
    "full_name,company\n"
    "José Müller,Café Zoë\nFrançois Lefèvre,Société Générale\nJürgen Weiß,Straße & Söhne\n"
)


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        (
            "shift_jis",
            "full_name,company\n山田太郎,株式会社テスト\n鈴木花子,東京電力\n佐藤一郎,日本橋商店\n",
        ),
        ("iso-8859-2", "full_name,company\nŁukasz Żółć,Kraków Spółka\nZdeněk Šťastný,Brno Město\n"),
        ("cp1252", NAMES),
        ("mac_roman", NAMES),
        ("utf-16-le", NAMES),
        ("utf-16-be", NAMES),
    ],
)
def test_legacy_encodings_give_the_right_names(encoding: str, text: str) -> None:
    people, _ = parse_contacts_csv(text.encode(encoding))
    expected = [line.split(",")[0] for line in text.strip().split("\n")[1:]]
    assert [p.full_name for p in people] == expected


def test_boms_win() -> None:
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le")):
        assert decode_bytes(bom + NAMES.encode(codec)) == NAMES


def test_declared_encoding_wins_over_the_detector() -> None:
    data = "Łódź Żółć".encode("iso-8859-2")
    assert decode_bytes(data, declared="ISO-8859-2") == "Łódź Żółć"


def test_one_bad_byte_never_turns_the_file_into_mojibake() -> None:
    data = NAMES.encode("utf-8") + "Zoë Ñandú,Café\n".encode("cp1252")
    text = decode_bytes(data)
    assert "José Müller" in text and "Jürgen Weiß" in text and "Zoë Ñandú" in text


def test_vcard_charset_parameter_on_a_plain_value() -> None:
    card = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=SHIFT_JIS:" + "山田;太郎".encode("shift_jis")
        + b"\r\nFN;CHARSET=SHIFT_JIS:" + "山田太郎".encode("shift_jis")
        + b"\r\nORG;CHARSET=ISO-8859-1:" + "Café Zoë".encode("latin-1")
        + b"\r\nEND:VCARD\r\n"
    )  # fmt: skip
    people, _ = parse_vcards(card)
    assert people[0].full_name == "山田太郎"
    assert people[0].company == "Café Zoë"


def test_quoted_printable_8bit_without_charset_keeps_every_letter() -> None:
    # "Brüning" in UTF-8 with one stray cp1252 byte, and a value wholly in cp1252.
    card = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;ENCODING=QUOTED-PRINTABLE:Br=C3=BCning;J=E9r=F4me\r\n"
        b"FN;ENCODING=QUOTED-PRINTABLE:J=E9r=F4me Br=C3=BCning\r\n"
        b"ORG;ENCODING=QUOTED-PRINTABLE:Caf=E9 Zo=EB\r\nEND:VCARD\r\n"
    )
    people, _ = parse_vcards(card)
    assert people[0].full_name == "Jérôme Brüning"
    assert people[0].company == "Café Zoë"


def test_real_shared_vcards_with_charsets_read_right() -> None:
    folder = shared_testdata("vcf")
    nokia, _ = parse_vcards((folder / "nokia-21-qp-soft-breaks-umlauts.vcf").read_bytes())
    assert any("Brüning" in p.full_name for p in nokia)
    chinese, _ = parse_vcards((folder / "evolution-21-bare-qp-cjk-split-utf8.vcf").read_bytes())
    assert chinese and "\ufffd" not in repr(chinese[0])
    for path in sorted(folder.glob("*.vcf")):
        people, _ = parse_vcards(path.read_bytes())
        for person in people:
            assert "\ufffd" not in person.full_name, path.name
            assert "Ã" not in person.full_name, path.name


def test_hook_and_needs_survive_our_own_vcard() -> None:
    from app.contacts.vcard import person_to_vcard

    text = person_to_vcard(
        full_name="Zoë Ñandú", hook="Fan de vélo, rêveuse; stand\nB12 \\ ok", needs="Un expert RGPD"
    )
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    [person], _ = parse_vcards(text.encode())
    assert (person.hook, person.needs) == (
        "Fan de vélo, rêveuse; stand\nB12 \\ ok",
        "Un expert RGPD",
    )
