"""Read people from LinkedIn's Connections.csv or a plain CSV, and write the plain CSV export."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from app.contacts.models import TEXT_FIELDS
from app.contacts.vcard import ADDRESS_AS, TRUE_WORDS, ParsedPerson, Rejected, read_days
from app.text import decode_bytes, fold_words, is_email_shape
from app.web.i18n import lazy_gettext

# The person's settings in Givefirst, after the text: days between touches (0: never), "tu" or
# "vous", and the two stages the user ticks ("true" when ticked, empty otherwise).
SETTING_COLUMNS = ("cadence_days", "address_as", "knows_what_i_do", "would_recommend")
# The documented header of the plain CSV, in export order.
CSV_COLUMNS = (*TEXT_FIELDS, "tags", *SETTING_COLUMNS)
# Tags in one cell are separated by commas (semicolons and Google's ::: are read too); a tag that
# holds one of these, a double quote, or would be read as something else, is written in double
# quotes, a double quote inside doubled: salon, "Paris, Lyon", "dit ""oui""".
_TAG_SEPARATORS = re.compile(r"[;,]|:::")
_QUOTED_TAG = re.compile(r'\s*"((?:[^"]|"")*)"\s*(?:[;,]|:::|$)')

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
    "too_many": lazy_gettext("The file holds more than 50,000 people (one import takes 50,000 at most): please split it into smaller files."),
}  # fmt: skip
# The people one file may hold (the wording above says it): beyond, the file is refused whole
# and nothing is written, before a million rows become a million objects in memory.
MAX_ROWS = 50_000

# Header cells, compared without case, accents, '_' or '-', as address books write them: each
# alias has a score, and when two columns could fill a field the best one wins, not the first.
# Google Contacts ("E-mail 1 - Value"), Outlook ("E-mail Address", "Business Phone", "Job Title"
# vs the honorific "Title"), Thunderbird ("Primary Email", "Work Phone"), LinkedIn of every year.
_ALIASES: dict[str, tuple[tuple[str, int], ...]] = {
    "full_name": (("full_name", 9), ("full name", 9), ("display name", 8), ("name", 7),
                  ("nom complet", 9), ("nom", 7), ("file as", 2)),
    "first_name": (("first name", 9), ("given name", 9), ("prenom", 9)),
    "last_name": (("last name", 9), ("family name", 9), ("surname", 8), ("nom de famille", 9)),
    "company": (("company", 9), ("organization", 8), ("organisation", 8), ("organization name", 9),
                ("organization 1 name", 9), ("entreprise", 9), ("societe", 9),
                ("company name", 9), ("employer", 6)),
    "role": (("role", 9), ("position", 9), ("job title", 10), ("organization title", 9),
             ("organization 1 title", 9), ("poste", 9), ("fonction", 9), ("title", 3)),
    "email": (("email", 9), ("e mail", 9), ("email address", 9), ("e mail address", 9),
              ("primary email", 10), ("e mail 1 value", 10), ("courriel", 9), ("mail", 6),
              ("email work", 8), ("email home", 7), ("email other", 5), ("e mail 2 address", 4),
              ("e mail 3 address", 3), ("secondary email", 4), ("e mail 2 value", 4),
              ("e mail 3 value", 3), ("other email", 3), ("work email", 8),
              ("home email", 7)),
    "phone": (("phone", 9), ("telephone", 9), ("mobile", 8), ("tel", 8), ("phone number", 9),
              ("phone 1 value", 10), ("business phone", 10), ("work phone", 10),
              ("mobile phone", 9), ("mobile number", 9), ("cellular number", 8),
              ("home phone", 6), ("business phone 2", 4), ("phone 2 value", 4),
              ("phone 3 value", 3), ("other phone", 3), ("company main phone", 5),
              ("home phone 2", 2), ("portable", 8)),
    "url": (("url", 9), ("website", 9), ("web site", 9), ("site", 7), ("site web", 9),
            ("web page", 9), ("website 1 value", 9), ("web page 1", 9), ("web page 2", 4),
            ("business web page", 8), ("personal web page", 6)),
    "hook": (("hook", 9), ("accroche", 9)),
    "needs": (("needs", 9), ("besoins", 9)),
    "notes": (("notes", 9), ("note", 9)),
    "tags": (("tags", 9), ("tag", 9), ("etiquettes", 9), ("categories", 9), ("labels", 8),
             ("group membership", 7)),
    "connected_on": (("connected on", 9),),
    "cadence_days": (("cadence_days", 9), ("cadence", 8)),
    "address_as": (("address_as", 9),),
    "knows_what_i_do": (("knows_what_i_do", 9),),
    "would_recommend": (("would_recommend", 9),),
}  # fmt: skip
# Columns of which every one is kept: the best is the person's, the others their extras.
_MULTI = ("email", "phone")
# Next to these an Outlook "Title" is the honorific (Mr., Dr.), not the job.
_HONORIFIC_CONTEXT = ("middle name", "suffix")
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
    show_date: Callable[[str], str] = str,
    max_rows: int | None = None,
) -> tuple[list[ParsedPerson], list[Rejected]]:
    """Read people from a CSV; each Rejected.index is the row number a spreadsheet shows.
    More than `max_rows` (default MAX_ROWS) records refuse the file ("too_many").
    `show_date` writes a date read as ISO (YYYY-MM-DD) the way the user reads dates."""
    if len(data) > max_bytes:
        raise CsvFileError("too_large")
    max_rows = MAX_ROWS if max_rows is None else max_rows
    if data.startswith(_NOT_CSV_MAGIC):
        raise CsvFileError("not_csv")
    text = decode_bytes(data).lstrip("\ufeff")
    if not text.strip():
        raise CsvFileError("empty")
    if _looks_binary(text):
        raise CsvFileError("broken")
    if text.lstrip().lower().startswith(_NOT_CSV_TEXT):
        raise CsvFileError("not_csv")
    people: list[ParsedPerson] = []
    rejected: list[Rejected] = []
    # The text is decoded whole (at most `max_bytes`: which encoding it is needs the whole
    # file), but its rows are read one at a time, never held as a list of lists.
    try:
        delimiter, header_row, columns = _find_header(text)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for number, cells in enumerate(reader, start=1):
            if number <= header_row or not any(cell.strip() for cell in cells):
                continue  # the preamble, the header, and the empty rows spreadsheets leave behind
            if len(people) + len(rejected) >= max_rows:
                raise CsvFileError("too_many")
            try:
                outcome = _person(cells, columns, number, linkedin_note, show_date)
            except Exception:  # one odd row must not sink the file
                outcome = Rejected(index=number, label=f"row {number}", reason="unreadable")
            if isinstance(outcome, Rejected):
                rejected.append(outcome)
            else:
                people.append(outcome)
    except csv.Error as error:
        raise CsvFileError("broken") from error
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
    """One cell: tags joined by commas, None as empty, yes as "true", formulas defused."""
    if value is None or value is False:
        return ""
    if value is True:
        return "true"
    if column == "tags" and not isinstance(value, str):
        text = ", ".join(_export_tag(str(tag)) for tag in value)
    else:
        text = str(value)
    if text.startswith(_FORMULA_STARTS) and not (column == "phone" and _PHONE_LIKE.fullmatch(text)):
        # A name like =HYPERLINK(...) typed into a public form must not run in the user's Excel.
        return "'" + text
    if text.startswith("'") and text.lstrip("'").startswith(_FORMULA_STARTS):
        return "'" + text  # the import takes one quote off: a value written '=x comes back so
    return text


def _export_tag(tag: str) -> str:
    """A tag as the tags cell writes it: in double quotes when it must be (see _TAG_SEPARATORS)."""
    if (
        _TAG_SEPARATORS.search(tag) or '"' in tag or tag.startswith("* ")
        or tag.casefold() in _GOOGLE_SYSTEM_GROUPS or tag != " ".join(tag.split())
    ):  # fmt: skip
        return '"' + tag.replace('"', '""') + '"'
    return tag


def _import_tags(cell: str) -> list[str]:
    """The tags of a cell: separated by commas, semicolons or Google's :::, a tag in double quotes
    taken as written; Google's system groups and its "* " before starred groups left out."""
    tags: list[str] = []
    seen: set[str] = set()
    position = 0
    while position < len(cell):
        quoted = _QUOTED_TAG.match(cell, position)
        if quoted:
            tag = quoted.group(1).replace('""', '"')
            position = quoted.end()
        else:
            separator = _TAG_SEPARATORS.search(cell, position)
            end = separator.start() if separator else len(cell)
            tag = " ".join(cell[position:end].split()).removeprefix("* ")
            position = separator.end() if separator else len(cell)
            if tag.casefold() in _GOOGLE_SYSTEM_GROUPS:
                continue
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags


def _settings(cell: Callable[[str], str]) -> dict[str, Any]:
    """Our export's setting columns, read back; an odd value is left out, never an error."""
    address_as = cell("address_as").lower()
    return {
        "cadence_days": read_days(cell("cadence_days")),
        "address_as": address_as if address_as in ADDRESS_AS else None,
        "knows_what_i_do": cell("knows_what_i_do").casefold() in TRUE_WORDS,
        "would_recommend": cell("would_recommend").casefold() in TRUE_WORDS,
    }


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


_LOOKUP = {
    _normalise(alias): (column, score)
    for column, aliases in _ALIASES.items()
    for alias, score in aliases
}


def _columns(cells: list[str]) -> dict[str, list[int]]:
    """The known columns of a header row: for each field its positions, best column first."""
    scored: dict[str, list[tuple[int, int]]] = {}
    names = [_normalise(cell) for cell in cells]
    honorific = any(name in _HONORIFIC_CONTEXT for name in names)
    for position, name in enumerate(names):
        known = _LOOKUP.get(name)
        if known is None or (honorific and name == "title"):
            continue
        column, score = known
        scored.setdefault(column, []).append((-score, position))
    found = {column: [position for _, position in sorted(hits)] for column, hits in scored.items()}
    if "first_name" in found and "full_name" in found and "last_name" not in found:
        # "Prénom;Nom" or "First name,Name": next to a first name, the name is the family name.
        found["last_name"] = found.pop("full_name")
    return found


def _find_header(text: str) -> tuple[str, int, dict[str, list[int]]]:
    """The delimiter, the header's row number and its columns: the reading with most known columns."""
    best: tuple[int, str, int, dict[str, list[int]]] | None = None
    for delimiter in _DELIMITERS:
        first_known = _first_header(text, delimiter)
        if first_known and (best is None or len(first_known[1]) > best[0]):
            best = (len(first_known[1]), delimiter, first_known[0], first_known[1])
    if best is None:
        raise CsvFileError("no_header")
    return best[1], best[2], best[3]


def _first_header(text: str, delimiter: str) -> tuple[int, dict[str, list[int]]] | None:
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
    cells: list[str],
    columns: dict[str, list[int]],
    number: int,
    linkedin_note: str,
    show_date: Callable[[str], str] = str,
) -> ParsedPerson | Rejected:
    """One data row to a person, or the reason it is skipped."""

    def cell(column: str) -> str:
        # The best column that has a value in this row.
        return next((v for v in all_cells(column) if v), "")

    def all_cells(column: str) -> list[str]:
        return [at(position) for position in columns.get(column, [])]

    def at(position: int) -> str:
        if position >= len(cells):
            return ""
        value = cells[position].replace("\r\n", "\n").replace("\r", "\n").strip()
        # Undo the quote people_to_csv puts before a formula-like value, for a lossless round trip.
        defused = value.startswith("'") and value.lstrip("'").startswith(_FORMULA_STARTS)
        return value[1:] if defused else value

    def line(column: str) -> str | None:
        return " ".join(cell(column).split()) or None

    full_name = line("full_name") or " ".join(
        part for part in (line("first_name"), line("last_name")) if part
    )
    emails: list[str] = []
    for value in all_cells("email"):
        for address in re.split(r"[;,\s]+|:::", value):
            if is_email_shape(address) and address.casefold() not in map(str.casefold, emails):
                emails.append(address)
    phones: list[str] = []
    for value in all_cells("phone"):
        for raw_phone in re.split(r"\s*:::\s*", value):  # Google: "+1 555 ::: +1 556"
            phone = " ".join(raw_phone.split())
            if phone and phone not in phones:
                phones.append(phone)
    if not full_name:
        label = emails[0] if emails else (line("url") or line("company") or f"row {number}")
        return Rejected(index=number, label=label, reason="no_name")
    notes = [cell("notes")]
    connected = cell("connected_on")
    if connected:
        notes.append(linkedin_note.format(date=show_date(_iso_date(connected))))
    tags = _import_tags(cell("tags"))
    return ParsedPerson(
        full_name=full_name,
        company=line("company"),
        role=line("role"),
        email=emails[0] if emails else None,
        phone=phones[0] if phones else None,
        url=line("url"),
        notes="\n".join(n for n in notes if n) or None,
        tags=tags,
        extra_emails=emails[1:],
        extra_phones=phones[1:],
        hook=cell("hook") or None,
        needs=cell("needs") or None,
        **_settings(cell),
    )


_GOOGLE_SYSTEM_GROUPS = frozenset({"mycontacts", "starred", "friends_system", "mycontacts_system"})
# LinkedIn in 2018 wrote US dates with a time: "1/8/18, 6:14 PM" (8 January 2018).
_US_DATE = re.compile(
    r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?\s*([AaPp][Mm])?)?"
)


def _iso_date(text: str) -> str:
    """LinkedIn's '23 Nov 2026' (or '23 nov. 2026', '1/8/18, 6:14 PM', or ISO) as 2026-11-23;
    other text as is."""
    us = _US_DATE.fullmatch(text.strip())
    if us:
        us_month, us_day, us_year = int(us.group(1)), int(us.group(2)), us.group(3)
        full_year = int(us_year) + 2000 if len(us_year) == 2 else int(us_year)
        if 1 <= us_month <= 12 and 1 <= us_day <= 31:
            return f"{full_year}-{us_month:02d}-{us_day:02d}"
    match = re.fullmatch(r"(\d{1,2})\s+([^\W\d_]+)\.?\s+(\d{4})", text.strip())
    if match:
        day, month_name, year = match.groups()
        month_key = _normalise(month_name)
        month = _MONTHS.get(month_key[:4]) or _MONTHS.get(month_key[:3])
        if month and 1 <= int(day) <= 31:
            return f"{year}-{month:02d}-{int(day):02d}"
    return text.strip()
