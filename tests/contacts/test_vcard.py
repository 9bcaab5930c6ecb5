"""vCard import against the real files in ../shared/testdata/vcf, and the vCard 3.0 export."""

import base64
import io
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from PIL import Image

from app.contacts.photos import image_type
from app.contacts.vcard import (
    REJECT_REASONS,
    ParsedPerson,
    Rejected,
    VCardFileError,
    parse_vcards,
    people_to_vcards,
    person_to_vcard,
)
from app.contacts.vcard_repair import repair
from tests.shared_data import shared_testdata

JPEG_END = b"\xff\xd9"
PNG_END = b"IEND\xaeB`\x82"
# A real 1x1 PNG.
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def tiny_image(format: str) -> bytes:
    """A real 2x2 image in a Pillow format (JPEG, GIF, WEBP...)."""
    out = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(out, format)
    return out.getvalue()


@dataclass
class Case:
    """What a real file must give: counts, one person (by position) and some of their fields."""

    file: str
    people: int
    rejected: int
    at: int = 0
    name: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    # The photo decodes to the image's last bytes: no line of the base64 was lost.
    photo_complete: bool = False


# Expected values read from the files by hand (see ../shared/testdata/SOURCES.md for what is odd).
CASES = [
    # Two email-only cards, then QP names; card 5 has two PREF e-mails (the second is not an
    # address), a photo after a blank line, and ORGs whose soft breaks end on blank lines. The
    # photo's base64 was cut short upstream: a JPEG header and no picture, so no photo.
    Case("android-21-quoted-printable-utf8-multi.vcf", 6, 0, 4, "Ñ Ñ Ñ Ñ",
         {"email": "bob@company.com", "phone": "123456", "company": "ÑÑÑÑÑÑÑÑÑÑÑÑ",
          "url": "www.company.com", "photo": None, "photo_type": None, "extra_emails": []}),
    # CR CR LF everywhere; the cell phone is also PREF; the URL escapes its colon.
    Case("apple-ios5-iphone-photo-itemgroups.vcf", 1, 0, 0, "Mr. John Richter James Doe Sr.",
         {"email": "john.doe@ibm.com", "phone": "905-555-1234", "company": "IBM",
          "role": "Money Counter", "url": "http://www.ibm.com", "photo_type": "image/jpeg"},
         photo_complete=True),
    # Escaped comma in FN; bare PHOTO;BASE64 with LF-only, two-space-indented lines.
    Case("apple-macos-addressbook-photo-base64.vcf", 1, 0, 0, "Mr. John Richter,James Doe Sr.",
         {"email": "john.doe@ibm.com", "phone": "905-555-1234", "photo_type": "image/jpeg"},
         photo_complete=True),
    # One 2,233-character base64 line whose length is off by one (damaged upstream): still a JPEG.
    Case("blackberry-21-unfolded-photo.vcf", 1, 0, 0, "John Doe",
         {"phone": "+96123456789", "company": "Acme Solutions", "notes": None,
          "photo_type": "image/jpeg"}),
    # The fax and the voice line carry the same number: kept once.
    Case("davdroid-v40-rev-timestamp.vcf", 1, 0, 0, "Name Name",
         {"phone": "+49000000", "extra_phones": [], "source_uid": "2e4f2d8d8a"}),
    Case("davx5-named-groups-umlauts.vcf", 1, 0, 0, "Ämi Display",
         {"email": "private@example.com", "extra_emails": ["work@example.com"],
          "phone": "+49 1234 56788", "company": "ABC, Inc.",
          "role": "Director, Research and Development", "tags": ["A", "B'C"],
          "notes": "This fax number is operational 0800 to 1715 EST, Mon-Fri.\nSecond note",
          "source_uid": "mostfields1@at.bitfire.vcard4android", "photo_type": "image/jpeg"},
         photo_complete=True),
    # Folds inside TYPE lists: the PREF of the e-mail sits on a continuation line.
    Case("evil-folding-in-params-escapes.vcf", 1, 0, 0, "Ralf Engels",
         {"email": "Frank_Dawson@Lotus.com", "phone": "+1-919-676-9515",
          "company": "Ralf Engels evil tests"}),
    # QP soft breaks split 座 (E5 BA A7) across lines; the TEL values are text, not numbers.
    Case("evolution-21-bare-qp-cjk-split-utf8.vcf", 1, 0, 0, "十城目管理大型知座",
         {"email": "weird@weird.com", "company": "十城目管理大型知座", "role": "十城目管理大型知座",
          "phone": None, "source_uid": "pas-id-3E52FE2E00000000"}),
    # The e-mail and the phone numbers are folded in their middle.
    Case("evolution-couchdb-params.vcf", 1, 0, 0, "Mr. John Richter, James Doe Sr.",
         {"email": "john.doe@ibm.com", "phone": "905-666-1234", "extra_phones": ["905-555-1234"],
          "url": "http://www.ibm.com", "tags": ["VIP"],
          "source_uid": "477343c8e6bf375a9bac1f96a5000837"}),
    # TYPE="jpeg" but the bytes are a PNG: the bytes win.
    Case("evolution-photo-type-jpeg-but-png-data.vcf", 1, 0, 0, "photo",
         {"email": "photo@no.where", "photo_type": "image/png", "source_uid": "photo-1"},
         photo_complete=True),
    # Photos are URLs only: never fetched.
    Case("fullcontact-v4-altid-x-props.vcf", 1, 0, 0, "Prefix FirstName MiddleName LastName Suffix",
         {"email": "home@example.com", "phone": "555-555-1113", "company": "Organization1",
          "role": "Title1", "photo": None, "notes": "Notes line 1\nNotes line 2", "tags": ["Tag"]}),
    Case("google-contacts-custom-labels-im.vcf", 1, 0, 0, "VCard Test",
         {"email": "email@example.com", "phone": "5555551115", "url": "http://www.example1.com",
          "company": "TheCompany", "role": "TheJobTitle"}),
    # An unescaped comma in FN, which vobject's text decoding would cut at.
    Case("google-contacts-export-ablabel.vcf", 1, 0, 0, "Mr. John Richter, James Doe Sr.",
         {"email": "john.doe@ibm.com", "phone": "905-555-1234", "url": "http://www.ibm.com"}),
    Case("google-contacts-multi.vcf", 3, 0, 2, "Doug White", {"email": "dwhite@gmail.com"}),
    Case("lotus-notes-export.vcf", 1, 0, 0, "Mr. Doe John I Johny",
         {"email": "john.doe@ibm.com", "extra_emails": ["billy_bob@gmail.com"],
          "phone": "+1 (212) 204-34456", "source_uid": "0e7602cc-443e-4b82-b4b1-90f62f99a199",
          "photo_type": "image/jpeg"},
         photo_complete=True),
    # Third card: FN and N empty, only a NICKNAME.
    Case("monica-multi-empty-fn.vcf", 3, 0, 2, "Johnny", {"email": None}),
    Case("nokia-21-qp-soft-breaks-umlauts.vcf", 1, 0, 0, "Michael Brüning",
         {"email": "ext-Michael.Bruning@nokia.com", "phone": "+491622433834"}),
    # A 737-character NOTE full of unescaped commas, and a photo ended by a blank line.
    Case("outlook-21-qp-label-photo-design.vcf", 1, 0, 0, "Mr. John Richter James Doe Sr.",
         {"email": "john.doe@ibm.cm", "phone": "(905) 555-1234", "photo_type": "image/jpeg"},
         photo_complete=True),
    # The photo is an X-MS-CARDPICTURE.
    Case("outlook-21-x-ms-cardpicture.vcf", 1, 0, 0, "Test de Tester 04-04 (outlook)",
         {"email": "tester@test.com", "extra_emails": ["tester2@test.com", "tester3@test.com"],
          "phone": "(010) 123-4560", "photo_type": "image/jpeg"},
         photo_complete=True),
    # A KEY in base64 before the PHOTO must not be taken for it.
    Case("outlook2007-x509-key-qp-note.vcf", 1, 0, 0, "Mr. Michael Angstadt Jr.",
         {"email": "mike.angstadt@gmail.com", "phone": "(111) 555-4444", "photo_type": "image/jpeg"},
         photo_complete=True),
    Case("rfc6350-v40-all-properties.vcf", 1, 0, 0, "J. Doe",
         {"email": "jqpublic@xyz.example.com", "phone": "+33-01-23-45-67", "company": "ABC, Inc.",
          "role": "Research Scientist", "photo": None}),
    # CATEGORIES with escaped commas: three tags, not one.
    Case("thunderbird-charset-in-v3-mixed-eol.vcf", 1, 0, 0, "John Doe",
         {"email": "doe.john@hotmail.com", "phone": "555-555-5555",
          "tags": ["category1", "category2", "category3"], "photo_type": "image/jpeg"},
         photo_complete=True),
    # A card with only a PHOTO: nothing to call it by.
    Case("v21-photo-base64-blank-line-terminated.vcf", 0, 1),
    # "VERSION: 4.0", a blank line inside the card, and a second card with no VERSION.
    Case("vcard40-version-space-blank-lines-multi.vcf", 2, 0, 1, "Mickey Mouse", {"email": None}),
]  # fmt: skip


def read(name: str) -> bytes:
    """The bytes of one shared vCard file."""
    return (shared_testdata("vcf") / name).read_bytes()


def card(*lines: str) -> bytes:
    """One vCard from its content lines, CRLF-terminated."""
    return ("\r\n".join(["BEGIN:VCARD", "VERSION:3.0", *lines, "END:VCARD"]) + "\r\n").encode()


def test_every_shared_vcf_file_has_an_expectation() -> None:
    on_disk = {path.name for path in shared_testdata("vcf").glob("*.vcf")}
    assert on_disk == {case.file for case in CASES}
    assert len(on_disk) == 24


@pytest.mark.parametrize("case", CASES, ids=[case.file for case in CASES])
def test_real_file(case: Case) -> None:
    people, rejected = parse_vcards(read(case.file))
    assert (len(people), len(rejected)) == (case.people, case.rejected), rejected
    for refused in rejected:
        assert refused.reason in REJECT_REASONS
    if not case.name:
        return
    person = people[case.at]
    assert person.full_name == case.name
    for name, expected in case.fields.items():
        assert getattr(person, name) == expected, name
    if case.photo_complete:
        assert person.photo is not None
        assert person.photo.endswith(JPEG_END if person.photo_type == "image/jpeg" else PNG_END)


def test_email_only_cards_are_named_after_their_address() -> None:
    people, _ = parse_vcards(read("android-21-quoted-printable-utf8-multi.vcf"))
    assert [p.full_name for p in people[:2]] == ["john.doe@company.com", "jane.doe@company.com"]
    assert people[0].email == "john.doe@company.com"
    # Google's "My Contacts" group is on every card: not a tag worth having.
    assert people[0].tags == []


def test_android_quoted_printable_details() -> None:
    people, _ = parse_vcards(read("android-21-quoted-printable-utf8-multi.vcf"))
    # The soft break "=C3=91=" + "=20=C3=91..." joins into eleven Ñ.
    assert people[3].full_name == " ".join(["Ñ"] * 11)
    # The cell phone marked PREF first, then the other cell phone, then the rest in order.
    assert people[3].phone == "123456"
    assert people[3].extra_phones == ["3456789", "234567", "45678901"]
    assert people[3].notes == (
        "Ñ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ\nÑ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ"
    )
    # The first ORG ends with a soft break onto a blank line: 4 lines of 11 Ñ.
    assert people[5].company == "Ñ" * 44


def test_the_rejected_photo_only_card_says_why() -> None:
    _, rejected = parse_vcards(read("v21-photo-base64-blank-line-terminated.vcf"))
    assert rejected == [Rejected(index=1, label="card 1", reason="no_name")]


def test_long_notes_keep_their_commas() -> None:
    people, _ = parse_vcards(read("outlook-21-qp-label-photo-design.vcf"))
    assert people[0].notes is not None
    assert "WARRANTIES, INCLUDING, BUT NOT LIMITED TO" in people[0].notes
    assert len(people[0].notes) > 700


def test_quoted_printable_note_keeps_its_lines() -> None:
    people, _ = parse_vcards(read("outlook2007-x509-key-qp-note.vcf"))
    assert people[0].notes == (
        "This is the NOTE field\t\nI assume it encodes this text inside a NOTE vCard type.\n"
        "But I'm not sure because there's text formatting going on here.\n"
        "It does not preserve the formatting"
    )


def test_cp1252_file_keeps_its_accents() -> None:
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ren\xe9 M\xfcller\r\nORG:Caf\xe9 & Co\r\nEND:VCARD\r\n"
    )
    people, _ = parse_vcards(data)
    assert (people[0].full_name, people[0].company) == ("René Müller", "Café & Co")


def test_utf16_file_with_bom() -> None:
    people, _ = parse_vcards(card("FN:Zoë Ñandú").decode().encode("utf-16"))
    assert people[0].full_name == "Zoë Ñandú"


def test_quoted_printable_in_a_declared_latin1_charset() -> None:
    people, _ = parse_vcards(
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Fran=E7ois;L=E9a\r\n"
        b"END:VCARD\r\n"
    )
    assert people[0].full_name == "Léa François"


def test_a_bad_card_does_not_sink_the_others() -> None:
    data = (
        card("FN:Anne Sérieux")
        + b"BEGIN:VCARD\r\nthis is not a property\r\nneither is this\r\nEND:VCARD\r\n"
        + card("FN:Bruno Valide")
    )
    people, rejected = parse_vcards(data)
    assert [p.full_name for p in people] == ["Anne Sérieux", "Bruno Valide"]
    assert rejected == [Rejected(index=2, label="card 2", reason="unreadable")]


def test_a_cut_off_last_card_is_rejected_as_truncated() -> None:
    data = (
        card("FN:Entière")
        + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Coupée\r\nPHOTO;ENCODING=b:/9j/4AAQ".encode()
    )
    people, rejected = parse_vcards(data)
    assert [p.full_name for p in people] == ["Entière"]
    assert rejected == [Rejected(index=2, label="Coupée", reason="truncated")]


def test_contact_groups_are_not_people() -> None:
    data = card("FN:Clients 2026", "X-ADDRESSBOOKSERVER-KIND:group") + card("KIND:group", "FN:Amis")
    people, rejected = parse_vcards(data)
    assert people == []
    assert [(r.label, r.reason) for r in rejected] == [("Clients 2026", "group"), ("Amis", "group")]


def test_a_card_with_only_a_phone_has_no_name() -> None:
    _, rejected = parse_vcards(card("TEL;TYPE=CELL:+33 6 12 34 56 78"))
    assert rejected == [Rejected(index=1, label="+33 6 12 34 56 78", reason="no_name")]


def test_an_embedded_agent_card_is_not_a_person_of_the_file() -> None:
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Patronne\r\nAGENT:\r\nBEGIN:VCARD\r\nVERSION:2.1\r\n"
        b"FN:Assistant\r\nEND:VCARD\r\nEMAIL:patronne@example.fr\r\nEND:VCARD\r\n"
    )
    people, rejected = parse_vcards(data)
    assert [(p.full_name, p.email) for p in people] == [("Patronne", "patronne@example.fr")]
    assert rejected == []


def test_vcard4_data_uri_photo() -> None:
    uri = "data:image/png;base64," + base64.b64encode(TINY_PNG).decode()
    people, _ = parse_vcards(card("FN:Photo URI", f"PHOTO:{uri}"))
    assert (people[0].photo, people[0].photo_type) == (TINY_PNG, "image/png")


def test_photo_type_comes_from_the_bytes() -> None:
    assert image_type(TINY_PNG) == "image/png"
    assert image_type(tiny_image("JPEG")) == "image/jpeg"
    assert image_type(tiny_image("GIF")) == "image/gif"
    assert image_type(tiny_image("WEBP")) == "image/webp"
    assert image_type(b"<svg xmlns=...") is None
    # A JPEG header with no picture after it (a cut-off photo) is not an image.
    assert image_type(b"\xff\xd8\xff\xe0\x00\x10JFIF") is None
    # Pillow reads BMP too, but a person's photo is kept in the four formats phones show.
    assert image_type(tiny_image("BMP")) is None
    gif = base64.b64encode(tiny_image("GIF")).decode()
    people, _ = parse_vcards(card("FN:Gif", f"PHOTO;ENCODING=b;TYPE=JPEG:{gif}"))
    assert people[0].photo_type == "image/gif"
    # A declared JPEG that is not an image at all is dropped, not stored.
    people, _ = parse_vcards(card("FN:Faux", "PHOTO;ENCODING=b;TYPE=JPEG:" + "QUJD" * 30))
    assert (people[0].photo, people[0].photo_type) == (None, None)


def test_crafted_parameters_parse_in_linear_time() -> None:
    # vobject's line regex takes ~30 s on a 54-byte line like this one (exponential backtracking).
    evil = "X;" + "A=b," * 5000 + ";"
    started = time.perf_counter()
    people, _ = parse_vcards(card("FN:Rapide", evil, "X-Y;" + '"' * 5000 + ":z"))
    assert time.perf_counter() - started < 1
    assert people[0].full_name == "Rapide"


def test_repair_writes_the_vcard_30_lines_vobject_reads() -> None:
    text = (
        "BEGIN:VCARD\r\r\nVERSION:2.1\r\r\n"
        "FN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Ren=E9, le=\r\r\n grand\r\r\n"
        "item1.TEL;CELL;PREF:06 12\r\r\nURL:http\\://a.fr\r\r\nX-ODD;\x01A:b\r\r\n"
        "CATEGORIES:a\\,b\r\r\nEND:VCARD\r\r\n"
    )
    [repaired] = repair(text)
    assert repaired.text == (
        "BEGIN:VCARD\r\nFN:René\\, le grand\r\nTEL;TYPE=CELL,PREF:06 12\r\n"
        "URL:http://a.fr\r\nCATEGORIES:a,b\r\nEND:VCARD\r\n"
    )
    assert (repaired.complete, repaired.readable) == (True, True)


def test_a_card_keeps_50_lines_of_a_property_and_5_photos() -> None:
    phones = [f"TEL:06 00 00 00 {n:02d}" for n in range(60)]
    photo = "PHOTO;ENCODING=b:" + base64.b64encode(TINY_PNG).decode()
    people, _ = parse_vcards(card("FN:Beaucoup", *phones, *["PHOTO:http://x/a.jpg"] * 60))
    assert len(people[0].extra_phones) == 49
    bad = "PHOTO;ENCODING=b:" + "QUJD" * 30
    people, _ = parse_vcards(card("FN:Photos", *[bad] * 4, photo))
    assert people[0].photo == TINY_PNG
    people, _ = parse_vcards(card("FN:Photos", *[bad] * 5, photo))
    assert people[0].photo is None


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b" \r\n\r\n", "empty"),
        (b"\xef\xbb\xbf", "empty"),
        (b"full_name,email\nAnne,anne@example.fr\n", "not_vcard"),
        (b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "not_vcard"),
        (b"BEGIN:VCARD\r\nFN:A\x00\x00\x00\xff\x00B\r\nEND:VCARD\r\n", "broken"),
        (bytes(range(256)) * 8, "broken"),
    ],
)
def test_refused_files_import_nothing(data: bytes, code: str) -> None:
    with pytest.raises(VCardFileError) as error:
        parse_vcards(data)
    assert error.value.code == code


def test_too_large_is_refused_before_reading() -> None:
    with pytest.raises(VCardFileError) as error:
        parse_vcards(card("FN:Trop") * 10, max_bytes=100)
    assert error.value.code == "too_large"


# --------------------------------------------------------------------------- export


FULL_PERSON: dict[str, Any] = {
    "full_name": "Jean-Éric de la Fontaine",
    "company": "Société Générale, Paris; La Défense",
    "role": "DSI, adjoint; intérim",
    "email": "jean-eric@example.fr",
    "phone": "+33 6 12 34 56 78",
    "url": "https://example.fr/a,b;c?x=1",
    "notes": "Vu au salon, stand B12;\nveut un expert RGPD\n\nBackslash \\ gardé",
    "tags": ["salon", "RGPD", "Île-de-France"],
    "uid": "urn:uuid:6f1c1d2e-0000-4000-8000-000000000001",
    "photo": TINY_PNG,
}


def test_person_to_vcard_round_trip() -> None:
    text = person_to_vcard(**FULL_PERSON)
    people, rejected = parse_vcards(text.encode("utf-8"))
    assert rejected == []
    assert people == [
        ParsedPerson(
            full_name=FULL_PERSON["full_name"],
            company=FULL_PERSON["company"],
            role=FULL_PERSON["role"],
            email=FULL_PERSON["email"],
            phone=FULL_PERSON["phone"],
            url=FULL_PERSON["url"],
            notes=FULL_PERSON["notes"],
            tags=FULL_PERSON["tags"],
            source_uid=FULL_PERSON["uid"],
            photo=TINY_PNG,
            photo_type="image/png",
        )
    ]


def test_person_to_vcard_is_a_phone_friendly_vcard_30() -> None:
    jpeg = tiny_image("JPEG")
    revised = datetime(2026, 11, 23, 11, 30, tzinfo=timezone(timedelta(hours=1)))
    text = person_to_vcard(
        **{**FULL_PERSON, "photo": jpeg, "photo_type": "image/png"}, revised_at=revised
    )
    lines = text.split("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert lines[:2] == ["BEGIN:VCARD", "VERSION:3.0"]
    assert lines[-2:] == ["END:VCARD", ""]
    unfolded = text.replace("\r\n ", "")
    assert "N:Fontaine;Jean-Éric de la;;;" in unfolded
    assert "FN:Jean-Éric de la Fontaine" in unfolded
    assert "ORG:Société Générale\\, Paris\\; La Défense" in unfolded
    assert "EMAIL;TYPE=INTERNET:jean-eric@example.fr" in unfolded
    assert "TEL;TYPE=CELL:+33 6 12 34 56 78" in unfolded
    assert "URL:https://example.fr/a,b;c?x=1" in unfolded  # a URI is not escaped
    assert "CATEGORIES:salon,RGPD,Île-de-France" in unfolded
    # The bytes are a JPEG whatever the caller said.
    assert f"PHOTO;ENCODING=b;TYPE=JPEG:{base64.b64encode(jpeg).decode()}" in unfolded
    assert "REV:2026-11-23T10:30:00Z" in unfolded
    # Folded at 75 octets, the photo's base64 too (RFC 2426, 2.6 folds every line).
    assert all(len(line.encode()) <= 75 for line in lines)


def test_minimal_person_and_single_word_name() -> None:
    text = person_to_vcard(full_name="  Bono ")
    assert "FN:Bono\r\n" in text
    assert "N:Bono;;;;\r\n" in text
    for absent in ("ORG", "TITLE", "EMAIL", "TEL", "URL", "NOTE", "CATEGORIES", "PHOTO", "REV"):
        assert f"\r\n{absent}" not in text
    with pytest.raises(ValueError, match="full_name"):
        person_to_vcard(full_name="  ")


def test_people_to_vcards_exports_several_and_ignores_other_keys() -> None:
    rows = [
        {**FULL_PERSON, "id": 7, "hook": "vélo", "revised_at": datetime(2026, 1, 2, tzinfo=UTC)},
        {"full_name": "Zoë Ñandú", "email": "zoe@example.org", "tags": None, "photo": None},
    ]
    text = people_to_vcards(rows)
    assert text.count("BEGIN:VCARD\r\n") == 2
    people, rejected = parse_vcards(text.encode())
    assert rejected == []
    assert [(p.full_name, p.email) for p in people] == [
        ("Jean-Éric de la Fontaine", "jean-eric@example.fr"),
        ("Zoë Ñandú", "zoe@example.org"),
    ]


@pytest.mark.parametrize("case", CASES, ids=[case.file for case in CASES])
def test_damaged_real_files_never_raise_anything_else(case: Case) -> None:
    # Cut, flipped and shuffled versions of real files: import what can be, never a server error.
    original = read(case.file)
    generator = random.Random(case.file)
    for _ in range(40):
        data = bytearray(original)
        for _ in range(generator.randint(1, 6)):
            position = generator.randrange(len(data))
            action = generator.choice(("flip", "cut", "drop_line", "insert"))
            if action == "flip":
                data[position] = generator.randrange(256)
            elif action == "cut":
                del data[position:]
            elif action == "drop_line":
                end = data.find(b"\n", position)
                del data[position : end if end >= 0 else len(data)]
            else:
                data[position:position] = generator.choice((b"=", b"\r", b"\n ", b";", b'"', b"\\"))
            if not data:
                break
        try:
            people, rejected = parse_vcards(bytes(data))
        except VCardFileError as error:
            assert error.code in ("empty", "not_vcard", "broken")
            continue
        for person in people:
            assert person.full_name.strip() == person.full_name != ""
            assert person.photo_type == (image_type(person.photo) if person.photo else None)
        assert all(refused.reason in REJECT_REASONS for refused in rejected)
