"""Read people from vCard files (2.1, 3.0, 4.0) and write them as vCard 3.0, with no database.

Reading repairs the text first (`vcard_repair`) into clean vCard 3.0 lines; each value is then
decoded as vobject's vCard 3.0 behaviours decode it (its own unescaping, N and ORG fields, base64),
without building vobject's component tree, which cost two thirds of a 10,000-card import's
parse. What is here maps those lines to a `ParsedPerson`: which name, e-mail and phone come
first, and which photo."""

from __future__ import annotations

import base64
import codecs
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from vobject.icalendar import stringToTextValues
from vobject.vcard import NAME_ORDER, Name

from app.contacts import photos
from app.contacts.vcard_repair import RepairedCard, RepairedLine, repair
from app.text import codec_name, decode_bytes, email_or_empty
from app.web.i18n import lazy_gettext

# Why a card is skipped (Rejected.reason), worded for the user; the keys are the API's codes.
REJECT_REASONS = {
    "no_name": lazy_gettext("No name, organisation or e-mail address to call this person by."),
    "group": lazy_gettext("This card is a contact group (a list of people), not a person."),
    "truncated": lazy_gettext("The file ends in the middle of this card (END:VCARD is missing)."),
    "unreadable": lazy_gettext("This record could not be read."),
}
# Why a whole file is refused (VCardFileError.code); a refused file imports nothing.
FILE_ERRORS = {
    "empty": lazy_gettext("The file is empty."),
    "not_vcard": lazy_gettext("This is not a vCard file (no BEGIN:VCARD found)."),
    "broken": lazy_gettext("The file is damaged: it contains binary data where text was expected."),
    "too_large": lazy_gettext("The file is too large (5 MB at most)."),
    "too_many": lazy_gettext("The file holds more than 50,000 people (one import takes 50,000 at most): please split it into smaller files."),
}  # fmt: skip
# The cards one file may hold (the wording above says it); beyond, the file is refused whole.
MAX_CARDS = 50_000

# Google's "all contacts" system group sits on every exported card and says nothing.
_NOISE_TAGS = frozenset({"my contacts"})
_NOT_PREFERRED = 1000
# How a yes is written in our exports and read back (CSV cells too); the longest cadence kept.
TRUE_WORDS = frozenset({"true", "1", "yes", "oui", "x"})
ADDRESS_AS = ("tu", "vous")
CADENCE_MAX = 3650
PRODID = "PRODID:-//Givefirst//Givefirst//EN"
# RFC 6350, 3.2 (and RFC 2426 for 3.0): lines longer than 75 octets are folded.
_FOLD_OCTETS = 75
# The keyword arguments of person_to_vcard, so that a whole model dump can be passed on.
_VCARD_FIELDS = frozenset(
    {
        "full_name", "company", "role", "email", "phone", "url", "notes", "tags", "uid",
        "photo", "photo_type", "revised_at", "version", "hook", "needs", "cadence_days",
        "address_as", "knows_what_i_do", "would_recommend",
    }
)  # fmt: skip


@dataclass
class ParsedPerson:
    """One person read from an import file, before it meets the database."""

    full_name: str
    company: str | None = None
    role: str | None = None
    email: str | None = None
    phone: str | None = None
    url: str | None = None
    notes: str | None = None
    tags: list[str] = field(default_factory=list)
    source_uid: str | None = None
    photo: bytes | None = None
    photo_type: str | None = None
    extra_emails: list[str] = field(default_factory=list)
    extra_phones: list[str] = field(default_factory=list)
    hook: str | None = None
    needs: str | None = None
    # Givefirst's own settings of the person, when the file is one of our exports.
    cadence_days: int | None = None
    address_as: str | None = None
    knows_what_i_do: bool = False
    would_recommend: bool = False


@dataclass
class Rejected:
    """A record that was skipped: its 1-based position, what identifies it, and a REJECT_REASONS code."""

    index: int
    label: str
    reason: str


class VCardFileError(Exception):
    """The whole file is refused; `code` is one of FILE_ERRORS."""

    def __init__(self, code: str) -> None:
        """Keep the machine code; the message is the wording in the current locale."""
        super().__init__(str(FILE_ERRORS.get(code, code)))
        self.code = code


# A property's CHARSET parameter, read from the raw bytes before anything is decoded.
_CHARSET_PARAM = re.compile(rb"^[^:]*?;\s*CHARSET\s*=\s*\"?([A-Za-z0-9._-]+)", re.IGNORECASE)


def decode_vcard_bytes(data: bytes) -> str:
    """A .vcf as text. A byte-order mark or UTF-16 decides for the whole file; otherwise each
    property whose CHARSET parameter names an encoding (on any value, quoted-printable or not)
    is read in it, folded continuation lines included, and the rest by `decode_bytes`."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_bytes(data)
    lines = data.split(b"\n")
    charsets: list[str | None] = []
    current: str | None = None
    for line in lines:
        if not line.startswith((b" ", b"\t")):
            match = _CHARSET_PARAM.match(line)
            current = codec_name(match.group(1).decode("ascii")) if match else None
        charsets.append(current)
    declared = {charset for charset in charsets if charset and charset != "utf-8"}
    if not declared:
        return decode_bytes(data)
    # The lines without a CHARSET follow the file's own reading, told the file's declared one.
    rest = decode_bytes(
        b"\n".join(line for line, charset in zip(lines, charsets, strict=True) if not charset),
        declared=next(iter(declared)) if len(declared) == 1 else None,
    ).split("\n")
    pending = iter(rest)
    return "\n".join(
        line.decode(charset, errors="replace") if charset else next(pending)
        for line, charset in zip(lines, charsets, strict=True)
    )


def parse_vcards(
    data: bytes, *, max_bytes: int = 5_000_000, max_cards: int | None = None
) -> tuple[list[ParsedPerson], list[Rejected]]:
    """Read every card of a .vcf file: the people, and the cards skipped with their reason.
    More than `max_cards` (default MAX_CARDS) cards refuse the file ("too_many")."""
    if len(data) > max_bytes:
        raise VCardFileError("too_large")
    text = decode_vcard_bytes(data)
    if not text.strip(" \t\r\n\x00\x1a\ufeff"):
        raise VCardFileError("empty")
    # DOS end-of-file markers and NUL padding at the very end are harmless; NUL inside is not.
    text = text.rstrip("\x00\x1a")
    binary = "\x00" in text
    cards = repair(text)
    if not cards:
        raise VCardFileError("broken" if binary else "not_vcard")
    if binary:
        raise VCardFileError("broken")
    if len(cards) > (MAX_CARDS if max_cards is None else max_cards):
        raise VCardFileError("too_many")
    people: list[ParsedPerson] = []
    rejected: list[Rejected] = []
    for index, repaired in enumerate(cards, start=1):
        try:
            outcome = _read_card(repaired, index)
        except Exception:  # one card with an unforeseen shape must not sink the whole file
            outcome = Rejected(index=index, label=f"card {index}", reason="unreadable")
        if isinstance(outcome, Rejected):
            rejected.append(outcome)
        else:
            people.append(outcome)
    return people, rejected


def person_to_vcard(
    *,
    full_name: str,
    company: str | None = None,
    role: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    url: str | None = None,
    notes: str | None = None,
    tags: Iterable[str] | None = (),
    uid: str | None = None,
    photo: bytes | None = None,
    photo_type: str | None = None,
    revised_at: datetime | None = None,
    version: str = "3.0",
    hook: str | None = None,
    needs: str | None = None,
    cadence_days: int | None = None,
    address_as: str | None = None,
    knows_what_i_do: bool | None = None,
    would_recommend: bool | None = None,
) -> str:
    """One person as a vCard 3.0 (CRLF), the version iOS and Android contacts read best, or as a
    vCard 4.0 (RFC 6350) with `version="4.0"`, for archives and other tools.

    Written directly, not by vobject: every line folded at 75 octets (never inside a UTF-8
    character, the photo's base64 included), and TEXT escaped as both vobject and ical.js read it
    back: backslash, comma and line break always, the semicolon only inside N and ORG (ical.js
    keeps a backslash before a semicolon elsewhere; RFC 6350, 3.4 makes that escape optional)."""
    if version not in ("3.0", "4.0"):
        raise ValueError(f"vCard version {version!r} is not written")
    v4 = version == "4.0"
    full_name = " ".join(full_name.split())
    if not full_name:
        raise ValueError("full_name is required")
    words = full_name.split(" ")
    family, given = words[-1], " ".join(words[:-1])
    lines = ["BEGIN:VCARD", f"VERSION:{version}", PRODID]
    if uid:
        # An identifier, not prose: written as is so that no escaping changes it.
        lines.append("UID:" + " ".join(uid.split()))
    lines.append("FN:" + _escape_text(full_name))
    lines.append(f"N:{_escape_text(family, compound=True)};{_escape_text(given, compound=True)};;;")
    if company and company.strip():
        lines.append("ORG:" + _escape_text(company.strip(), compound=True))
    if role and role.strip():
        lines.append("TITLE:" + _escape_text(role.strip()))
    if email and email.strip():
        lines.append(("EMAIL:" if v4 else "EMAIL;TYPE=INTERNET:") + _escape_text(email.strip()))
    if phone and phone.strip():
        lines.append(("TEL;TYPE=cell:" if v4 else "TEL;TYPE=CELL:") + _escape_text(phone.strip()))
    if url and url.strip():
        # A URI is not TEXT: its commas and semicolons are written as they are (RFC 6350, 6.7.8),
        # as ical.js and phones read them; vobject alone reads it as TEXT, to its first comma.
        lines.append("URL:" + " ".join(url.split()))
    if notes and notes.strip():
        lines.append("NOTE:" + _escape_text(_text(notes)))
    # Ours, read back by our import (other clients keep or ignore X- properties); VALUE=TEXT
    # tells ical.js to unescape them as it does NOTE.
    for name, text in (("X-GIVEFIRST-HOOK", hook), ("X-GIVEFIRST-NEEDS", needs)):
        if text and text.strip():
            lines.append(f"{name};VALUE=TEXT:{_escape_text(_text(text))}")
    if cadence_days is not None:
        lines.append(f"X-GIVEFIRST-CADENCE-DAYS:{int(cadence_days)}")
    if address_as in ("tu", "vous"):
        lines.append(f"X-GIVEFIRST-ADDRESS-AS:{address_as}")
    if knows_what_i_do:
        lines.append("X-GIVEFIRST-KNOWS-WHAT-I-DO:TRUE")
    if would_recommend:
        lines.append("X-GIVEFIRST-WOULD-RECOMMEND:TRUE")
    clean_tags = _dedupe(" ".join(tag.split()) for tag in tags or ())
    if clean_tags:
        lines.append("CATEGORIES:" + ",".join(_escape_text(tag) for tag in clean_tags))
    if photo:
        sniffed = photos.image_type(photo)
        # The bytes decide; a declared type only matters when the bytes are not recognised.
        kind = sniffed or (photo_type if photo_type in photos.MIME_TYPES else None)
        if kind:
            encoded = base64.b64encode(photo).decode()
            if v4:
                lines.append(f"PHOTO:data:{kind};base64,{encoded}")
            else:
                lines.append(f"PHOTO;ENCODING=b;TYPE={kind.split('/')[1].upper()}:{encoded}")
    if revised_at is not None:
        moment = revised_at if revised_at.tzinfo else revised_at.replace(tzinfo=UTC)
        stamp = moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ" if v4 else "%Y-%m-%dT%H:%M:%SZ")
        lines.append("REV:" + stamp)
    lines.append("END:VCARD")
    return "".join(_folded(line) for line in lines)


def people_to_vcards(people: Iterable[Mapping[str, Any]]) -> str:
    """Many people as one .vcf text; keys other than person_to_vcard's arguments are ignored."""
    return "".join(
        person_to_vcard(**{key: value for key, value in person.items() if key in _VCARD_FIELDS})
        for person in people
    )


def _text(value: str) -> str:
    """A multi-line value with its line breaks as \\n, trimmed."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _escape_text(value: str, *, compound: bool = False) -> str:
    """A TEXT value escaped (RFC 6350, 3.4): backslash, comma and line break, and the semicolon
    in a field of a compound property (N, ORG), where it would separate fields."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(",", "\\,").replace("\n", "\\n")
    return value.replace(";", "\\;") if compound else value


def _folded(line: str) -> str:
    """A content line folded at 75 octets (RFC 6350, 3.2), never inside a UTF-8 sequence:
    each continuation line starts with a space and carries 74 octets at most."""
    data = line.encode()
    if len(data) <= _FOLD_OCTETS:
        return line + "\r\n"
    parts, start, limit = [], 0, _FOLD_OCTETS
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1  # back to the first byte of the character, which starts the next line
        parts.append(data[start:end].decode())
        start, limit = end, _FOLD_OCTETS - 1
    return "\r\n ".join(parts) + "\r\n"


# --------------------------------------------------------------------------- one card


@dataclass(frozen=True, slots=True)
class _Line:
    """One property as vobject would hand it over: its decoded value, and TYPE and PREF."""

    value: Any
    params: dict[str, list[str]]


# How vobject's vCard 3.0 behaviours decode a value, by property: a list split on commas
# (MultiTextBehavior), compound fields (NameBehavior, OrgBehavior), base64 (ENCODING=b), or one
# text (VCardTextBehavior, for every other property read).
_LIST_VALUED = frozenset({"CATEGORIES"})
_BINARY = frozenset({"PHOTO", "X-MS-CARDPICTURE"})


def _text_values(value: str, separator: str = ",", escapable: str | None = None) -> list[str]:
    """vobject's `stringToTextValues`; a value with no backslash is split at once, as it would be."""
    if "\\" in value:
        values: list[str] = stringToTextValues(value, listSeparator=separator, charList=escapable)
        return values
    parts = value.split(separator)
    # vobject drops the empty text after a final separator ("a," is ["a"], "," is [""]).
    return parts[:-1] if len(parts) > 1 and not parts[-1] else parts


def _fields(value: str) -> list[str | list[str]]:
    """vobject's `splitFields`: ';' separates the fields, ',' the texts of one field."""
    fields: list[str | list[str]] = []
    for part in _text_values(value, ";", ";"):
        texts = _text_values(part)
        fields.append(texts[0] if len(texts) == 1 else texts)
    return fields


def _decoded(line: RepairedLine) -> _Line:
    """A repaired line with its value decoded as vobject decodes that property."""
    value: Any
    if line.name in _BINARY:
        value = codecs.decode(line.value.encode("ascii"), "base64")
    elif line.name == "N":
        value = Name(**dict(zip(NAME_ORDER, _fields(line.value), strict=False)))
    elif line.name == "ORG":
        value = _fields(line.value)
    elif line.name in _LIST_VALUED:
        value = _text_values(line.value)
    else:
        value = _text_values(line.value)[0]
    params = {"TYPE": list(line.types)} if line.types else {}
    if line.pref:
        params["PREF"] = [line.pref]
    return _Line(value=value, params=params)


def _read_card(repaired: RepairedCard, index: int) -> ParsedPerson | Rejected:
    """Turn one repaired card into a person, or say why it is skipped."""
    contents: dict[str, list[_Line]] = {}
    for repaired_line in repaired.lines:
        contents.setdefault(repaired_line.name, []).append(_decoded(repaired_line))

    def lines(name: str) -> list[_Line]:
        return contents.get(name, [])

    def texts(name: str) -> list[str]:
        return [line.value.strip() for line in lines(name) if line.value.strip()]

    emails = _dedupe(email_or_empty(line.value) for line in _by_preference(lines("EMAIL")))
    phones = _dedupe(
        (_clean_phone(line.value) for line in _by_preference(lines("TEL"), cell_first=True)),
        key=lambda phone: "".join(c for c in phone if c.isalnum() or c == "+"),
    )
    full_name = _full_name(lines, texts)
    label = (
        full_name
        or (emails[0] if emails else "")
        or (phones[0] if phones else "")
        or f"card {index}"
    )
    if not repaired.complete:
        return Rejected(index=index, label=label, reason="truncated")
    if not repaired.readable:
        return Rejected(index=index, label=label, reason="unreadable")
    kinds = {kind.lower() for kind in texts("KIND") + texts("X-ADDRESSBOOKSERVER-KIND")}
    if "group" in kinds:
        return Rejected(index=index, label=label, reason="group")
    if not full_name:
        if not emails:
            return Rejected(index=index, label=label, reason="no_name")
        # An address-only card is still someone the user chose to keep; phones show the
        # address in place of a name, so we do too rather than guess a name from it.
        full_name = emails[0]
    organisations = [line.value[0].strip() for line in lines("ORG")]
    urls = [_one_line(line.value) for line in _by_preference(lines("URL"))]
    notes = texts("NOTE")  # the repair made every line break a \n
    photo, photo_type = _photo(lines("PHOTO") + lines("X-MS-CARDPICTURE"))
    return ParsedPerson(
        full_name=full_name,
        company=next((_one_line(o) for o in organisations if o), None),
        role=next((_one_line(t) for t in texts("TITLE") + texts("ROLE") if t), None),
        email=emails[0] if emails else None,
        phone=phones[0] if phones else None,
        url=next((u for u in urls if u), None),
        notes="\n".join(notes) or None,
        tags=_tags(lines("CATEGORIES")),
        source_uid=next(iter(texts("UID")), None),
        photo=photo,
        photo_type=photo_type,
        extra_emails=emails[1:],
        extra_phones=phones[1:],
        hook=next(iter(texts("X-GIVEFIRST-HOOK")), None),
        needs=next(iter(texts("X-GIVEFIRST-NEEDS")), None),
        cadence_days=_cadence(texts("X-GIVEFIRST-CADENCE-DAYS")),
        address_as=next(
            (a for a in map(str.lower, texts("X-GIVEFIRST-ADDRESS-AS")) if a in ADDRESS_AS), None
        ),
        knows_what_i_do=_flag(texts("X-GIVEFIRST-KNOWS-WHAT-I-DO")),
        would_recommend=_flag(texts("X-GIVEFIRST-WOULD-RECOMMEND")),
    )


def _cadence(values: list[str]) -> int | None:
    """Days between touches as our exports write them (0: never); None when absent or odd."""
    for value in values:
        days = read_days(value)
        if days is not None:
            return days
    return None


def read_days(text: str) -> int | None:
    """A number of days between touches ("30", or "30.0" from a spreadsheet), else None."""
    match = re.fullmatch(r"\s*(\d{1,4})(?:\.0*)?\s*", text)
    days = int(match.group(1)) if match else None
    return days if days is not None and days <= CADENCE_MAX else None


def _flag(values: list[str]) -> bool:
    """A yes/no setting of ours: TRUE (or 1, yes, oui) is yes."""
    return any(value.strip().casefold() in TRUE_WORDS for value in values)


def _one_line(text: str) -> str:
    """Collapse every run of white space (newlines included) to one space."""
    return " ".join(text.split())


def _dedupe(values: Iterable[str], *, key: Callable[[str], str] = str.casefold) -> list[str]:
    """Non-empty values in order, each once."""
    seen: set[str] = set()
    kept: list[str] = []
    for value in values:
        marker = key(value)
        if value and marker and marker not in seen:
            seen.add(marker)
            kept.append(value)
    return kept


def _by_preference(lines: list[_Line], *, cell_first: bool = False) -> Iterator[_Line]:
    """Lines most preferred first: (cell phones,) then PREF, then fax and pager last, then order."""

    def rank(item: tuple[int, _Line]) -> tuple[int, int, int, int]:
        position, line = item
        types = set(line.params.get("TYPE", []))
        cell = 0 if cell_first and types & {"CELL", "MOBILE"} else 1
        fax = 1 if types & {"FAX", "PAGER"} else 0
        return (cell, _preference(line, types), fax, position)

    for _, line in sorted(enumerate(lines), key=rank):
        yield line


def _preference(line: _Line, types: set[str]) -> int:
    """Lower is more preferred: PREF=n (4.0), a PREF type (2.1/3.0), else last."""
    prefs = line.params.get("PREF")  # the repair kept only a number
    if prefs:
        return int(prefs[0])
    return 1 if "PREF" in types else _NOT_PREFERRED


def _full_name(lines: Callable[[str], list[_Line]], texts: Callable[[str], list[str]]) -> str:
    """FN, else the name parts of N, else a nickname, else the organisation; '' when none."""
    for formatted in texts("FN"):
        if _one_line(formatted):
            return _one_line(formatted)
    for line in lines("N"):
        parts: Name = line.value
        words = [
            word
            for part in (parts.given, parts.additional, parts.family)
            for word in ([part] if isinstance(part, str) else part)
        ]
        name = _one_line(" ".join(words))
        if name:
            return name
    for nickname in lines("NICKNAME"):
        if _one_line(nickname.value):
            return _one_line(nickname.value)
    for organisation in lines("ORG"):
        if _one_line(organisation.value[0]):
            return _one_line(organisation.value[0])
    return ""


def _clean_phone(value: str) -> str:
    """A phone number without tel:, or '' when it holds no digit at all."""
    number = _one_line(value)
    if number.lower().startswith("tel:"):
        number = number[len("tel:") :]
    return number if any(c.isdigit() for c in number) else ""


def _tags(lines: list[_Line]) -> list[str]:
    """CATEGORIES as tags, each once, without Google's system group."""
    tags = [_one_line(tag) for line in lines for tag in line.value]
    return [tag for tag in _dedupe(tags) if tag.casefold() not in _NOISE_TAGS]


def _photo(lines: list[_Line]) -> tuple[bytes | None, str | None]:
    """The first embedded photo whose bytes are an image, with the type the bytes show (Pillow
    reads them: a TYPE parameter is often wrong)."""
    for line in lines:
        kind = photos.image_type(line.value)
        if kind:
            return line.value, kind
    return None, None
