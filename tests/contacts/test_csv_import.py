"""CSV import (LinkedIn Connections.csv, plain and French CSV) and the CSV export."""

import csv
import io
import random
from typing import Any

import pytest

from app.contacts.csv_import import (
    CSV_COLUMNS,
    FILE_ERRORS,
    REJECT_REASONS,
    CsvFileError,
    parse_contacts_csv,
    people_to_csv,
)
from app.contacts.vcard import ParsedPerson, Rejected

# As LinkedIn exports it: a notes preamble, a blank line, then the header; e-mails mostly empty.
LINKEDIN = """Notes:
"When exporting your connection data, you may notice that some of the email addresses are missing. You will only see email addresses for connections who have allowed their connections to see or download their email address using this setting https://www.linkedin.com/psettings/privacy/email. You can learn more here https://www.linkedin.com/help/linkedin/answer/261"

First Name,Last Name,URL,Email Address,Company,Position,Connected On
Amélie,Poulain,https://www.linkedin.com/in/amelie-poulain,,Café des 2 Moulins,"Serveuse, rêveuse",23 Nov 2026
John,Doe,https://www.linkedin.com/in/jdoe,john@doe.com,ACME,CEO,01 Feb 2025
,,https://www.linkedin.com/in/ghost,,,,05 Jan 2024
"""

# French Excel: semicolons, UTF-8 with a BOM, CRLF, a quoted cell holding a semicolon and a newline.
FRENCH = (
    "nom;entreprise;poste;email;téléphone;site;accroche;besoins;notes;tags\r\n"
    "José Brüning;Société Générale;DSI;jose@sg.fr;+33 6 12 34 56 78;https://sg.fr;"
    'Fan de vélo;Un expert RGPD;"Vu au salon; stand B12\r\nà rappeler";"salon; RGPD, Île-de-France"\r\n'
    ";;;;;;;;;\r\n"
    "Zoë Ñandú;;;;;;;;;\r\n"
)


def test_linkedin_connections_with_its_preamble() -> None:
    people, rejected = parse_contacts_csv(LINKEDIN.encode("utf-8"))
    assert people[0] == ParsedPerson(
        full_name="Amélie Poulain",
        company="Café des 2 Moulins",
        role="Serveuse, rêveuse",
        url="https://www.linkedin.com/in/amelie-poulain",
        notes="LinkedIn: connected on 2026-11-23",
    )
    assert (people[1].full_name, people[1].email, people[1].notes) == (
        "John Doe",
        "john@doe.com",
        "LinkedIn: connected on 2025-02-01",
    )
    # Row 7 counting the preamble, the blank line and the header, as a spreadsheet shows it.
    assert rejected == [
        Rejected(index=7, label="https://www.linkedin.com/in/ghost", reason="no_name")
    ]


def test_linkedin_note_wording_can_be_translated() -> None:
    people, _ = parse_contacts_csv(
        LINKEDIN.encode("utf-8"), linkedin_note="Relation LinkedIn depuis le {date}"
    )
    assert people[0].notes == "Relation LinkedIn depuis le 2026-11-23"


def test_french_semicolon_csv_with_bom() -> None:
    people, rejected = parse_contacts_csv(FRENCH.encode("utf-8-sig"))
    assert rejected == []  # the row of empty cells is ignored, not reported
    assert people == [
        ParsedPerson(
            full_name="José Brüning",
            company="Société Générale",
            role="DSI",
            email="jose@sg.fr",
            phone="+33 6 12 34 56 78",
            url="https://sg.fr",
            notes="Vu au salon; stand B12\nà rappeler",
            tags=["salon", "RGPD", "Île-de-France"],
            hook="Fan de vélo",
            needs="Un expert RGPD",
        ),
        ParsedPerson(full_name="Zoë Ñandú"),
    ]


def test_cp1252_csv_without_bom_keeps_its_accents() -> None:
    people, _ = parse_contacts_csv(FRENCH.replace("Zoë Ñandú", "Zoé").encode("cp1252"))
    assert [p.full_name for p in people] == ["José Brüning", "Zoé"]
    assert people[0].notes == "Vu au salon; stand B12\nà rappeler"


def test_plain_header_in_any_order_and_case() -> None:
    data = b"Tags,EMAIL,Full_Name,Hook\nvip,ada@example.org; ada@work.example,Ada Lovelace,maths\n"
    people, rejected = parse_contacts_csv(data)
    assert rejected == []
    assert people == [
        ParsedPerson(
            full_name="Ada Lovelace",
            email="ada@example.org",
            extra_emails=["ada@work.example"],
            tags=["vip"],
            hook="maths",
        )
    ]


def test_first_name_and_family_name_columns_make_the_name() -> None:
    people, _ = parse_contacts_csv("Prénom;Nom;Email\r\nÉlise;Lucet;elise@example.fr\r\n".encode())
    assert (people[0].full_name, people[0].email) == ("Élise Lucet", "elise@example.fr")


def test_a_one_column_file_of_names() -> None:
    people, _ = parse_contacts_csv(b"full_name\nAnne\nBruno\n")
    assert [p.full_name for p in people] == ["Anne", "Bruno"]


def test_rows_without_a_name_are_rejected_with_their_row_number() -> None:
    data = (
        b"full_name,company,email\n"
        b"Anne Martin,ACME,anne@example.fr\n"
        b",Sans Nom SA,contact@sansnom.example\n"
        b"\n"
        b"  ,Orpheline SARL,\n"
        b"Bruno Petit,,not-an-address\n"
    )
    people, rejected = parse_contacts_csv(data)
    assert [(p.full_name, p.email) for p in people] == [
        ("Anne Martin", "anne@example.fr"),
        ("Bruno Petit", None),
    ]
    assert rejected == [
        Rejected(index=3, label="contact@sansnom.example", reason="no_name"),
        Rejected(index=5, label="Orpheline SARL", reason="no_name"),
    ]
    assert all(r.reason in REJECT_REASONS for r in rejected)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"\xef\xbb\xbf\r\n  \r\n", "empty"),
        (bytes(range(256)) * 16, "broken"),
        (b"full_name,email\nAnne\x00\x01\x02\x03,\xff\xfe\x00\n", "broken"),
        (b"PK\x03\x04\x14\x00\x06\x00 an .xlsx is a zip", "not_csv"),
        (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Anne\r\nEND:VCARD\r\n", "not_csv"),
        (b"<!DOCTYPE html><html></html>", "not_csv"),
        (b"colour,size\nred,XL\n", "no_header"),
        (b"just one line of prose, nothing else\n", "no_header"),
    ],
)
def test_refused_files_import_nothing(data: bytes, code: str) -> None:
    with pytest.raises(CsvFileError) as error:
        parse_contacts_csv(data)
    assert error.value.code == code
    assert str(error.value) == FILE_ERRORS[code]


def test_too_large_is_refused() -> None:
    with pytest.raises(CsvFileError) as error:
        parse_contacts_csv(FRENCH.encode() * 10, max_bytes=200)
    assert error.value.code == "too_large"


# --------------------------------------------------------------------------- export


ROWS: list[dict[str, Any]] = [
    {
        "full_name": "Jean-Éric de la Fontaine",
        "company": "Société Générale, Paris; La Défense",
        "role": "DSI",
        "email": "jean-eric@example.fr",
        "phone": "+33 6 12 34 56 78",
        "url": "https://example.fr/?a=1,2",
        "hook": 'Cycliste; "gravel"',
        "needs": "Un expert RGPD",
        "notes": "Ligne 1\nLigne 2, avec virgule; et point-virgule",
        "tags": ["salon", "RGPD"],
    },
    {"full_name": '=HYPERLINK("http://evil.example";"clic")', "notes": "-5 points", "tags": []},
    {"full_name": "Zoë Ñandú", "email": None, "id": "ignored"},
]


def test_people_to_csv_writes_the_documented_header() -> None:
    text = people_to_csv(ROWS)
    assert text.startswith("\ufeff")  # Excel needs the BOM to read UTF-8 accents
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[1][CSV_COLUMNS.index("tags")] == "salon, RGPD"
    assert rows[1][CSV_COLUMNS.index("phone")] == "+33 6 12 34 56 78"  # a phone is not a formula
    # A formula typed into a form must not run when the export is opened in a spreadsheet.
    assert rows[2][0].startswith("'=")
    assert rows[2][CSV_COLUMNS.index("notes")] == "'-5 points"
    assert "\r\n" in text
    assert people_to_csv([], bom=False, delimiter=";") == ";".join(CSV_COLUMNS) + "\r\n"


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_csv_round_trip(delimiter: str) -> None:
    text = people_to_csv(ROWS, delimiter=delimiter)
    people, rejected = parse_contacts_csv(text.encode("utf-8"))
    assert rejected == []
    first = ROWS[0]
    assert people[0] == ParsedPerson(
        full_name=first["full_name"],
        company=first["company"],
        role=first["role"],
        email=first["email"],
        phone=first["phone"],
        url=first["url"],
        notes=first["notes"],
        tags=first["tags"],
        hook=first["hook"],
        needs=first["needs"],
    )
    assert (people[1].full_name, people[1].notes) == (ROWS[1]["full_name"], "-5 points")
    assert people[2] == ParsedPerson(full_name="Zoë Ñandú")


@pytest.mark.parametrize("fixture", [LINKEDIN, FRENCH], ids=["linkedin", "french"])
def test_damaged_csv_never_raises_anything_else(fixture: str) -> None:
    original = fixture.encode("utf-8")
    generator = random.Random(fixture[:20])
    for _ in range(200):
        data = bytearray(original)
        for _ in range(generator.randint(1, 5)):
            position = generator.randrange(len(data))
            choice = generator.choice(("flip", "cut", "insert"))
            if choice == "flip":
                data[position] = generator.randrange(256)
            elif choice == "cut":
                del data[position:]
            else:
                data[position:position] = generator.choice((b'"', b";", b",", b"\r\n", b"\n\n"))
            if not data:
                break
        try:
            people, rejected = parse_contacts_csv(bytes(data))
        except CsvFileError as error:
            assert error.code in FILE_ERRORS
            continue
        assert all(person.full_name for person in people)
        assert all(refused.reason in REJECT_REASONS for refused in rejected)


def test_a_long_line_does_not_break_delimiter_sniffing() -> None:
    # 200,000 characters on the header line: one field over csv's limit when read with ';'.
    data = b"full_name,notes" + b"," * 200_000 + b"\nAnne,\n"
    people, _ = parse_contacts_csv(data)
    assert [p.full_name for p in people] == ["Anne"]
