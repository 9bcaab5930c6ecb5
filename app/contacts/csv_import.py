"""Read people from LinkedIn's Connections.csv or a plain CSV, and write the plain CSV export."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from typing import Any

from app.contacts.models import TEXT_FIELDS
from app.contacts.vcard import ParsedPerson, Rejected
from app.text import decode_bytes, fold_words, is_email_shape
from app.web.i18n import lazy_gettext

# The documented header of the plain CSV, in export order.
CSV_COLUMNS = (*TEXT_FIELDS, "tags")

# Why a row is skipped (Rejected.reason), worded for the user; the keys are the API's codes.
REJECT_REASONS = {
    "no_name": lazy_gettext("No name, organisation or e-mail address to call this person by."),
    "unreadable": lazy_gettext("This record could not be read."),
}
# Why a whole file is refused (CsvFileError.code); a refused file imports nothing.
FILE_ERRORS = {
    "empty": lazy_gettext("The file is empty."),
    "not_csv": lazy_gettext("This is not a CSV file (it looks like a spreadsheet, PDF, vCard or web page)."),
    "broken": lazy_gettext("The file is damaged: it contains binary data where text was expected."),
    "too_large": lazy_gettext("The file is too large (5 MB at most)."),
    "no_header": lazy_gettext("No header row with known column names (full_name, company, email…) was found."),
}  # fmt: skip

# Header cells, compared without case, accents, '_' or '-'; French and LinkedIn names included.
_ALIASES: dict[str, tuple[str, ...]] = {
    "full_name": ("full_name", "full name", "name", "nom", "nom complet"),
    "first_name": ("first name", "given name", "prenom"),
    "last_name": ("last name", "family name", "surname", "nom de famille"),
    "company": ("company", "organization", "organisation", "entreprise", "societe"),
    "role": ("role", "position", "title", "job title", "poste", "fonction"),
    "email": ("email", "e-mail", "email address", "e-mail address", "courriel", "mail"),
    "phone": ("phone", "telephone", "mobile", "tel", "phone number"),
    "url": ("url", "website", "web site", "site", "site web", "web page"),
    "hook": ("hook", "accroche"),
    "needs": ("needs", "besoins"),
    "notes": ("notes", "note"),
    "tags": ("tags", "tag", "etiquettes", "categories"),
    "connected_on": ("connected on",),
}
# The preamble LinkedIn puts above its header has one cell per line; a header has at least two.
_MIN_HEADER_COLUMNS = 2
_HEADER_SCAN_ROWS = 30
_DELIMITERS = (",", ";", "\t")
_NOT_CSV_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")
_NOT_CSV_TEXT = ("begin:vcard", "begin:vcalendar", "<!doctype", "<html", "<?xml", "{", "[")
_MONTHS = {
    "jan": 1, "feb": 2, "fev": 2, "mar": 3, "apr": 4, "avr": 4, "may": 5, "mai": 5,
    "jun": 6, "juin": 6, "jul": 7, "juil": 7, "aug": 8, "aou": 8, "sep": 9, "oct": 10,
    "nov": 11, "dec": 12,
}  # fmt: skip
# A spreadsheet runs a cell starting with one of these as a formula: exported with a leading '.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PHONE_LIKE = re.compile(r"[+\-]?[\d\s().+\-/]*")


class CsvFileError(Exception):
    """The whole file is refused; `code` is one of FILE_ERRORS."""

    def __init__(self, code: str) -> None:
        """Keep the machine code; the message is the wording in the current locale."""
        super().__init__(str(FILE_ERRORS.get(code, code)))
        self.code = code


def parse_contacts_csv(
    data: bytes,
    *,
    max_bytes: int = 5_000_000,
    linkedin_note: str = "LinkedIn: connected on {date}",
) -> tuple[list[ParsedPerson], list[Rejected]]:
    """Read people from a CSV; each Rejected.index is the row number a spreadsheet shows."""
    if len(data) > max_bytes:
        raise CsvFileError("too_large")
    if data.startswith(_NOT_CSV_MAGIC):
        raise CsvFileError("not_csv")
    text = decode_bytes(data).lstrip("\ufeff")
    if not text.strip():
        raise CsvFileError("empty")
    if _looks_binary(text):
        raise CsvFileError("broken")
    if text.lstrip().lower().startswith(_NOT_CSV_TEXT):
        raise CsvFileError("not_csv")
    try:
        delimiter, header_row, columns = _find_header(text)
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise CsvFileError("broken") from error
    people: list[ParsedPerson] = []
    rejected: list[Rejected] = []
    for number, cells in enumerate(rows, start=1):
        if number <= header_row or not any(cell.strip() for cell in cells):
            continue  # the preamble, the header, and the empty rows spreadsheets leave behind
        try:
            outcome = _person(cells, columns, number, linkedin_note)
        except Exception:  # one odd row must not sink the file
            outcome = Rejected(index=number, label=f"row {number}", reason="unreadable")
        if isinstance(outcome, Rejected):
            rejected.append(outcome)
        else:
            people.append(outcome)
    return people, rejected


def people_to_csv(
    rows: Iterable[Mapping[str, Any]], *, delimiter: str = ",", bom: bool = True
) -> str:
    """People as the documented CSV; a BOM by default so that Excel reads the accents right."""
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_export_cell(column, row.get(column)) for column in CSV_COLUMNS])
    return buffer.getvalue()


def _export_cell(column: str, value: Any) -> str:
    """One cell: tags joined by commas, None as empty, formulas defused."""
    if value is None:
        return ""
    if column == "tags" and not isinstance(value, str):
        text = ", ".join(str(tag) for tag in value)
    else:
        text = str(value)
    if text.startswith(_FORMULA_STARTS) and not (column == "phone" and _PHONE_LIKE.fullmatch(text)):
        # A name like =HYPERLINK(...) typed into a public form must not run in the user's Excel.
        return "'" + text
    return text


def _looks_binary(text: str) -> bool:
    """Text with NUL bytes or many control characters is not a CSV someone wrote."""
    if "\x00" in text:
        return True
    sample = text[:10_000]
    controls = sum(1 for char in sample if char < " " and char not in "\t\r\n")
    return controls > len(sample) // 100


def _normalise(cell: str) -> str:
    """A header cell folded for comparison: no case, accents, '_' or '-', single spaces."""
    return fold_words(cell.strip().lstrip("\ufeff"), separators="_-")


_LOOKUP = {_normalise(alias): column for column, aliases in _ALIASES.items() for alias in aliases}


def _columns(cells: list[str]) -> dict[str, int]:
    """The known columns of a header row, each with the position of its first occurrence."""
    found: dict[str, int] = {}
    for position, cell in enumerate(cells):
        column = _LOOKUP.get(_normalise(cell))
        if column and column not in found:
            found[column] = position
    if "first_name" in found and "full_name" in found and "last_name" not in found:
        # "Prénom;Nom" or "First name,Name": next to a first name, the name is the family name.
        found["last_name"] = found.pop("full_name")
    return found


def _find_header(text: str) -> tuple[str, int, dict[str, int]]:
    """The delimiter, the header's row number and its columns: the reading with most known columns."""
    best: tuple[int, str, int, dict[str, int]] | None = None
    for delimiter in _DELIMITERS:
        first_known = _first_header(text, delimiter)
        if first_known and (best is None or len(first_known[1]) > best[0]):
            best = (len(first_known[1]), delimiter, first_known[0], first_known[1])
    if best is None:
        raise CsvFileError("no_header")
    return best[1], best[2], best[3]


def _first_header(text: str, delimiter: str) -> tuple[int, dict[str, int]] | None:
    """The first row that reads as a header with this delimiter, and its columns."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, cells in enumerate(reader, start=1):
            if number > _HEADER_SCAN_ROWS:
                return None
            columns = _columns(cells)
            # A one-column file ("full_name" and names below) is fine when it starts the file.
            if len(columns) >= _MIN_HEADER_COLUMNS or (number == 1 and columns):
                return number, columns
    except csv.Error:
        # The wrong delimiter can make one huge field out of a long line: not this delimiter.
        return None
    return None


def _person(
    cells: list[str], columns: dict[str, int], number: int, linkedin_note: str
) -> ParsedPerson | Rejected:
    """One data row to a person, or the reason it is skipped."""

    def cell(column: str) -> str:
        position = columns.get(column)
        if position is None or position >= len(cells):
            return ""
        value = cells[position].replace("\r\n", "\n").replace("\r", "\n").strip()
        # Undo the quote people_to_csv puts before a formula-like value, for a lossless round trip.
        return (
            value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_STARTS) else value
        )

    def line(column: str) -> str | None:
        return " ".join(cell(column).split()) or None

    full_name = line("full_name") or " ".join(
        part for part in (line("first_name"), line("last_name")) if part
    )
    emails = [e for e in re.split(r"[;,\s]+", cell("email")) if is_email_shape(e)]
    if not full_name:
        label = emails[0] if emails else (line("url") or line("company") or f"row {number}")
        return Rejected(index=number, label=label, reason="no_name")
    notes = [cell("notes")]
    connected = cell("connected_on")
    if connected:
        notes.append(linkedin_note.format(date=_iso_date(connected)))
    tags: list[str] = []
    for tag in re.split(r"[;,]", cell("tags")):
        tag = " ".join(tag.split())
        if tag and tag.casefold() not in {t.casefold() for t in tags}:
            tags.append(tag)
    return ParsedPerson(
        full_name=full_name,
        company=line("company"),
        role=line("role"),
        email=emails[0] if emails else None,
        phone=line("phone"),
        url=line("url"),
        notes="\n".join(n for n in notes if n) or None,
        tags=tags,
        extra_emails=emails[1:],
        hook=cell("hook") or None,
        needs=cell("needs") or None,
    )


def _iso_date(text: str) -> str:
    """LinkedIn's '23 Nov 2026' (or '23 nov. 2026', or ISO) as 2026-11-23; other text as is."""
    match = re.fullmatch(r"(\d{1,2})\s+([^\W\d_]+)\.?\s+(\d{4})", text.strip())
    if match:
        day, month_name, year = match.groups()
        month_key = _normalise(month_name)
        month = _MONTHS.get(month_key[:4]) or _MONTHS.get(month_key[:3])
        if month and 1 <= int(day) <= 31:
            return f"{year}-{month:02d}-{int(day):02d}"
    return text.strip()
