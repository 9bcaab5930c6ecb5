"""Read people from vCard files (2.1, 3.0, 4.0) and write them as vCard 3.0, with no database."""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import vobject
from vobject.vcard import Name

from app.text import decode_bytes, email_or_empty

# Machine codes for a card that is skipped, with an English wording the UI can translate.
REJECT_REASONS: dict[str, str] = {
    "no_name": "No name, organisation or e-mail address to call this person by.",
    "group": "This card is a contact group (a list of people), not a person.",
    "truncated": "The file ends in the middle of this card (END:VCARD is missing).",
    "unreadable": "This card could not be read.",
}

# Machine codes for a whole file refused; a refused file imports nothing.
FILE_ERRORS: dict[str, str] = {
    "empty": "The file is empty.",
    "not_vcard": "This is not a vCard file (no BEGIN:VCARD found).",
    "broken": "The file is damaged: it contains binary data where text was expected.",
    "too_large": "The file is too large.",
}

IMAGE_MIME_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")

_B64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
# C0 controls other than TAB, LF and CR; a real vCard has none, a stray one should not break it.
_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ENCODINGS = frozenset({"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"})
# A head longer than this with no colon is not a property line; it stops a quadratic rescan.
_MAX_HEAD = 1000
# Google's "all contacts" system group sits on every exported card and says nothing.
_NOISE_TAGS = frozenset({"my contacts"})
_NOT_PREFERRED = 1000
# The keyword arguments of person_to_vcard, so that a whole model dump can be passed on.
_VCARD_FIELDS = frozenset(
    {
        "full_name", "company", "role", "email", "phone", "url", "notes", "tags", "uid",
        "photo", "photo_type", "revised_at",
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


@dataclass
class Rejected:
    """A record that was skipped: its 1-based position, what identifies it, and a REJECT_REASONS code."""

    index: int
    label: str
    reason: str


class VCardFileError(Exception):
    """The whole file is refused; `code` is one of FILE_ERRORS."""

    def __init__(self, code: str) -> None:
        """Keep the machine code; the message is the English wording."""
        super().__init__(FILE_ERRORS.get(code, code))
        self.code = code


@dataclass
class _Prop:
    """One content line, tokenised and with its quoted-printable already decoded."""

    name: str
    params: dict[str, list[str]]
    types: set[str]
    encoding: str | None
    value: str

    @property
    def pref(self) -> int:
        """Lower is more preferred: PREF=n (4.0), a PREF type (2.1/3.0), else last."""
        for raw in self.params.get("PREF", []):
            if raw.strip().isdigit():
                return int(raw.strip())
        return 1 if "PREF" in self.types else _NOT_PREFERRED


def sniff_image_type(data: bytes) -> str | None:
    """The MIME type of an image from its first bytes (JPEG, PNG, GIF, WebP), else None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if len(data) >= 12 and data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def parse_vcards(
    data: bytes, *, max_bytes: int = 5_000_000
) -> tuple[list[ParsedPerson], list[Rejected]]:
    """Read every card of a .vcf file: the people, and the cards skipped with their reason."""
    if len(data) > max_bytes:
        raise VCardFileError("too_large")
    text = decode_bytes(data)
    if not text.strip(" \t\r\n\x00\x1a\ufeff"):
        raise VCardFileError("empty")
    # DOS end-of-file markers and NUL padding at the very end are harmless; NUL inside is not.
    text = text.rstrip("\x00\x1a")
    binary = "\x00" in text
    cards = _split_cards(_logical_lines(_physical_lines(text)))
    if not cards:
        raise VCardFileError("broken" if binary else "not_vcard")
    if binary:
        raise VCardFileError("broken")
    people: list[ParsedPerson] = []
    rejected: list[Rejected] = []
    for index, (lines, complete) in enumerate(cards, start=1):
        try:
            outcome = _read_card(lines, index, complete)
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
) -> str:
    """One person as a vCard 3.0 (CRLF), the version iOS and Android contacts read best."""
    full_name = " ".join(full_name.split())
    if not full_name:
        raise ValueError("full_name is required")
    card = vobject.vCard()
    card.add("prodid").value = "-//Givefirst//Givefirst//EN"
    if uid:
        # A UID is an identifier, not prose: written raw so that no escaping changes it.
        _add_raw(card, "uid", uid)
    card.add("fn").value = full_name
    words = full_name.split(" ")
    family, given = words[-1], " ".join(words[:-1])
    card.add("n").value = Name(family=family, given=given)
    if company and company.strip():
        card.add("org").value = [company.strip()]
    if role and role.strip():
        card.add("title").value = role.strip()
    if email and email.strip():
        line = card.add("email")
        line.value = email.strip()
        line.type_param = "INTERNET"
    if phone and phone.strip():
        line = card.add("tel")
        line.value = phone.strip()
        line.type_param = "CELL"
    if url and url.strip():
        # URL is a URI in 3.0: vobject would backslash-escape its commas and semicolons.
        _add_raw(card, "url", url)
    if notes and notes.strip():
        card.add("note").value = notes.replace("\r\n", "\n").replace("\r", "\n").strip()
    clean_tags = _dedupe(tag.strip() for tag in tags or ())
    if clean_tags:
        card.add("categories").value = clean_tags
    if photo:
        sniffed = sniff_image_type(photo)
        # The bytes decide; a declared type only matters when the bytes are not recognised.
        kind = sniffed or (photo_type if photo_type in IMAGE_MIME_TYPES else None)
        if kind:
            line = card.add("photo")
            line.value = photo
            line.encoding_param = "b"
            line.type_param = kind.split("/")[1].upper()
    if revised_at is not None:
        moment = revised_at if revised_at.tzinfo else revised_at.replace(tzinfo=UTC)
        card.add("rev").value = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    result: str = card.serialize()
    return result


def people_to_vcards(people: Iterable[Mapping[str, Any]]) -> str:
    """Many people as one .vcf text; keys other than person_to_vcard's arguments are ignored."""
    return "".join(
        person_to_vcard(**{key: value for key, value in person.items() if key in _VCARD_FIELDS})
        for person in people
    )


def _add_raw(card: Any, name: str, value: str) -> None:
    """Add a property whose value vobject must write as is (no backslash escaping)."""
    line = card.add(name)
    line.value = " ".join(value.split())
    line.encoded = True


# --------------------------------------------------------------------------- text and lines


def _physical_lines(text: str) -> list[str]:
    """Split on any line ending: LF, CRLF, CR CR LF (iOS 5) or a lone CR."""
    text = _CONTROL.sub(" ", text)
    lines: list[str] = []
    for chunk in text.split("\n"):
        # Splitting by hand, not with a regex, keeps long runs of CR linear.
        lines.extend(chunk.rstrip("\r").split("\r"))
    return lines


def _head_of(line: str) -> str | None:
    """The part before the value's colon (name and parameters), or None if there is no colon yet."""
    in_quotes = False
    for position, char in enumerate(line):
        if char == '"':
            in_quotes = not in_quotes
        elif char == ":" and not in_quotes:
            return line[:position]
    if in_quotes and ":" in line:
        # An unbalanced quote: fall back to the first colon rather than losing the line.
        return line[: line.index(":")]
    return None


def _is_card_marker(line: str) -> bool:
    """BEGIN:VCARD or END:VCARD in any case, which a soft line break must never swallow."""
    upper = line.strip().upper().replace(" ", "")
    return upper in ("BEGIN:VCARD", "END:VCARD")


def _logical_lines(lines: list[str]) -> list[str]:
    """Undo folding, quoted-printable soft breaks and unindented 2.1 base64 continuations."""
    logical: list[str] = []
    parts: list[str] = []
    head_known = False
    quoted_printable = False
    base64_block = False

    def flush() -> None:
        if parts:
            logical.append("".join(parts))
            parts.clear()

    for raw in lines:
        if parts and quoted_printable and parts[-1].endswith("=") and not _is_card_marker(raw):
            # A 2.1 soft line break: the next physical line, whatever it holds, continues the value.
            parts[-1] = parts[-1][:-1]
            parts.append(raw)
            continue
        if not raw.strip():
            # A blank line ends a 2.1 base64 block and anything else; blank lines carry nothing.
            flush()
            base64_block = quoted_printable = False
            continue
        if parts and raw[0] in " \t":
            parts.append(raw[1:])
        elif parts and base64_block and set(raw.strip()) <= _B64_CHARS:
            # Base64 alone on a line has no colon, so it cannot be a property: it continues the photo.
            parts.append(raw.strip())
            continue
        else:
            flush()
            parts.append(raw.lstrip())
            head_known = quoted_printable = base64_block = False
        if not head_known:
            # Parameters may be folded (TYPE=VOICE,M / <TAB>SG): look again until the colon shows.
            joined = "".join(parts)
            head = _head_of(joined)
            if head is not None or len(joined) > _MAX_HEAD:
                head_known = True
                upper = (head or "").upper()
                quoted_printable = "QUOTED-PRINTABLE" in upper
                base64_block = "BASE64" in upper or "ENCODING=B" in upper
    flush()
    return logical


def _split_cards(logical: list[str]) -> list[tuple[list[str], bool]]:
    """Group logical lines into cards, each with whether its END:VCARD was seen."""
    cards: list[tuple[list[str], bool]] = []
    current: list[str] | None = None
    nested = 0
    for line in logical:
        upper = line.strip().upper().replace(" ", "")
        if upper == "BEGIN:VCARD":
            if current is None:
                current = []
            elif nested or (current and _is_empty_agent(current[-1])):
                # A 2.1 AGENT embeds another person's card: it is not a card of this file.
                nested += 1
            else:
                # A card left open before the next one begins: keep what it had.
                cards.append((current, True))
                current = []
            continue
        if upper == "END:VCARD":
            if nested:
                nested -= 1
            elif current is not None:
                cards.append((current, True))
                current = None
            continue
        if current is not None and not nested:
            current.append(line)
    if current is not None:
        cards.append((current, False))
    return cards


def _is_empty_agent(line: str) -> bool:
    """An AGENT property with no value, which 2.1 follows with an embedded card."""
    head = _head_of(line)
    if head is None:
        return False
    name = head.split(";")[0].split(".")[-1].strip().upper()
    return name == "AGENT" and not line[len(head) + 1 :].strip()


# --------------------------------------------------------------------------- properties


def _tokenise(line: str) -> _Prop | None:
    """One logical line to a property, or None when it is not a property line."""
    head = _head_of(line)
    if head is None:
        return None
    value = line[len(head) + 1 :]
    pieces = _split_outside_quotes(head, ";")
    name = pieces[0].strip().split(".")[-1].upper()
    if not name or not set(name) <= _NAME_CHARS:
        return None
    params: dict[str, list[str]] = {}
    types: set[str] = set()
    encoding: str | None = None
    for piece in pieces[1:]:
        key, equals, raw_values = piece.partition("=")
        key = key.strip().upper()
        if not key:
            continue
        values = [v.strip().strip('"').strip() for v in raw_values.replace('"', "").split(",")]
        values = [v for v in values if v]
        if not equals:
            # A 2.1 bare parameter: CELL, JPEG, PREF, or an encoding name without ENCODING=.
            if key in _ENCODINGS:
                encoding = key
            else:
                types.add(key)
            continue
        params.setdefault(key, []).extend(values)
        if key == "TYPE":
            types.update(v.upper() for v in values)
        elif key == "ENCODING" and values:
            encoding = values[0].upper()
    if encoding == "QUOTED-PRINTABLE":
        charset = (params.get("CHARSET") or [""])[0]
        value = _decode_quoted_printable(value, charset)
        encoding = None
    return _Prop(name=name, params=params, types=types, encoding=encoding, value=value)


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    """Split on a separator that is not inside double quotes."""
    pieces: list[str] = []
    current: list[str] = []
    in_quotes = False
    for char in text:
        if char == '"':
            in_quotes = not in_quotes
        if char == separator and not in_quotes:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    return pieces


def _decode_quoted_printable(value: str, charset: str) -> str:
    """Decode a quoted-printable value in its declared charset, forgiving a stray bad byte."""
    raw = quopri.decodestring(value.encode("utf-8"))
    declared = _codec(charset)
    for encoding in (declared, "utf-8"):
        if encoding:
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                pass
    if declared in (None, "utf-8"):
        # Mostly UTF-8 with a broken byte (Android writes such): keep the characters, drop the byte.
        return raw.decode("utf-8", errors="replace").replace("\ufffd", "")
    return raw.decode("cp1252", errors="replace")


def _codec(charset: str) -> str | None:
    """A Python codec name for a CHARSET parameter, or None if unknown."""
    try:
        return codecs.lookup(charset.strip()).name if charset.strip() else None
    except LookupError:
        return None


def _split_escaped(value: str, separator: str) -> list[str]:
    """Split on an unescaped separator and undo backslash escapes (\\n is a newline)."""
    pieces: list[str] = []
    current: list[str] = []
    escaped = False
    for char in value:
        if escaped:
            current.append("\n" if char in "nN" else char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:
        current.append("\\")
    pieces.append("".join(current))
    return pieces


def _unescape(value: str) -> str:
    """A text value without its backslash escapes."""
    return _split_escaped(value, "\0")[0]


def _structured(value: str) -> list[list[str]]:
    """A structured value (N): components split on ';', each a list split on ','."""
    components: list[list[str]] = []
    for component in _split_escaping_kept(value, ";"):
        components.append(_split_escaped(component, ","))
    return components


def _split_escaping_kept(value: str, separator: str) -> list[str]:
    """Split on an unescaped separator but keep escapes, for a second split later."""
    pieces: list[str] = []
    current: list[str] = []
    escaped = False
    for char in value:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char == separator:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    return pieces


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


def _by_preference(props: list[_Prop], *, cell_first: bool = False) -> Iterator[_Prop]:
    """Properties most preferred first: (cell phones,) then PREF, then fax and pager last, then order."""

    def rank(item: tuple[int, _Prop]) -> tuple[int, int, int, int]:
        position, prop = item
        cell = 0 if cell_first and prop.types & {"CELL", "MOBILE"} else 1
        fax = 1 if prop.types & {"FAX", "PAGER"} else 0
        return (cell, prop.pref, fax, position)

    for _, prop in sorted(enumerate(props), key=rank):
        yield prop


# --------------------------------------------------------------------------- one card


def _read_card(lines: list[str], index: int, complete: bool) -> ParsedPerson | Rejected:
    """Turn one card's logical lines into a person, or say why it is skipped."""
    props: dict[str, list[_Prop]] = {}
    for line in lines:
        prop = _tokenise(line)
        if prop is not None:
            props.setdefault(prop.name, []).append(prop)

    def texts(name: str) -> list[str]:
        return [_unescape(p.value).strip() for p in props.get(name, []) if p.value.strip()]

    emails = _dedupe(
        email_or_empty(_unescape(p.value)) for p in _by_preference(props.get("EMAIL", []))
    )
    phones = _dedupe(
        (
            _clean_phone(_unescape(p.value))
            for p in _by_preference(props.get("TEL", []), cell_first=True)
        ),
        key=lambda phone: "".join(c for c in phone if c.isalnum() or c == "+"),
    )
    full_name = _full_name(props, texts)
    label = (
        full_name
        or (emails[0] if emails else "")
        or (phones[0] if phones else "")
        or f"card {index}"
    )
    if not complete:
        return Rejected(index=index, label=label, reason="truncated")
    if lines and not props:
        return Rejected(index=index, label=label, reason="unreadable")
    kinds = {k.lower() for k in texts("KIND") + texts("X-ADDRESSBOOKSERVER-KIND")}
    if "group" in kinds:
        return Rejected(index=index, label=label, reason="group")
    if not full_name:
        if not emails:
            return Rejected(index=index, label=label, reason="no_name")
        # An address-only card is still someone the user chose to keep; phones show the
        # address in place of a name, so we do too rather than guess a name from it.
        full_name = emails[0]
    organisations = [_split_escaped(p.value, ";")[0].strip() for p in props.get("ORG", [])]
    urls = [_one_line(_unescape(p.value)) for p in _by_preference(props.get("URL", []))]
    notes = [n.replace("\r\n", "\n").replace("\r", "\n").strip() for n in texts("NOTE")]
    photo, photo_type = _photo(props.get("PHOTO", []) + props.get("X-MS-CARDPICTURE", []))
    return ParsedPerson(
        full_name=full_name,
        company=next((_one_line(o) for o in organisations if o), None),
        role=next((_one_line(t) for t in texts("TITLE") + texts("ROLE") if t), None),
        email=emails[0] if emails else None,
        phone=phones[0] if phones else None,
        url=next((u for u in urls if u), None),
        notes="\n".join(n for n in notes if n) or None,
        tags=_tags(props.get("CATEGORIES", [])),
        source_uid=next(iter(texts("UID")), None),
        photo=photo,
        photo_type=photo_type,
        extra_emails=emails[1:],
        extra_phones=phones[1:],
    )


def _full_name(props: dict[str, list[_Prop]], texts: Callable[[str], list[str]]) -> str:
    """FN, else the name parts of N, else a nickname, else the organisation; '' when none."""
    for formatted in texts("FN"):
        if _one_line(formatted):
            return _one_line(formatted)
    for prop in props.get("N", []):
        parts = _structured(prop.value) + [[]] * 5
        family, given, additional = parts[0], parts[1], parts[2]
        name = _one_line(" ".join(given + additional + family))
        if name:
            return name
    for nickname in props.get("NICKNAME", []):
        first = _one_line(_split_escaped(nickname.value, ",")[0])
        if first:
            return first
    for organisation in props.get("ORG", []):
        name = _one_line(_split_escaped(organisation.value, ";")[0])
        if name:
            return name
    return ""


def _clean_phone(value: str) -> str:
    """A phone number without tel:, or '' when it holds no digit at all."""
    number = _one_line(value)
    if number.lower().startswith("tel:"):
        number = number[len("tel:") :]
    return number if any(c.isdigit() for c in number) else ""


def _tags(props: list[_Prop]) -> list[str]:
    """CATEGORIES as tags, split on every comma: Thunderbird escapes the commas between its tags."""
    tags: list[str] = []
    for prop in props:
        tags.extend(_one_line(tag) for tag in _unescape(prop.value).split(","))
    return [tag for tag in _dedupe(tags) if tag.casefold() not in _NOISE_TAGS]


def _photo(props: list[_Prop]) -> tuple[bytes | None, str | None]:
    """The first embedded photo whose bytes are a known image, with the type the bytes show."""
    for prop in props:
        value = prop.value.strip()
        data: bytes | None = None
        if value.lower().startswith("data:"):
            header, _, payload = value.partition(",")
            if header.lower().endswith(";base64"):
                data = _lenient_base64(payload)
        elif prop.encoding in ("B", "BASE64"):
            data = _lenient_base64(value)
        elif len(value) > 64 and set(value) <= _B64_CHARS | {" "}:
            # No ENCODING at all, yet base64: the bytes are sniffed below, so guessing is safe.
            data = _lenient_base64(value)
        # Anything else is a URI: never fetched, an import must not reach out to the network.
        if data:
            kind = sniff_image_type(data)
            if kind:
                return data, kind
    return None, None


def _lenient_base64(value: str) -> bytes | None:
    """Decode base64 whose padding or length is off by a character, as some phones write it."""
    letters = "".join(c for c in value if c in _B64_CHARS and c != "=")
    if len(letters) % 4 == 1:
        letters = letters[:-1]
    letters += "=" * (-len(letters) % 4)
    try:
        return base64.b64decode(letters)
    except (binascii.Error, ValueError):
        return None
