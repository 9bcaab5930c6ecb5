"""Repair what real phones and address books write into clean vCard 3.0 lines, card by card.

Text in, text out: nothing here knows about people. What is here is what vobject cannot do (2.1
soft line breaks are a parse error to it, a crafted parameter list makes its line regex
backtrack exponentially, one card it cannot close loses the cards after it)."""

from __future__ import annotations

import quopri
import re
from collections import Counter
from dataclasses import dataclass

from app.text import codec_name, guess_encoding

# C0 controls other than TAB, LF and CR; a real vCard has none, a stray one should not break it.
_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
_B64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
_NOT_BASE64_LETTER = re.compile("[^A-Za-z0-9+/]")
_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
_ENCODINGS = frozenset({"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"})
# A head longer than this with no colon is not a property line; it stops a quadratic rescan.
_MAX_HEAD = 1000
# What a person is read from, and how each value is escaped: a single text, where a comma is
# literal (FN, NOTE... which vobject would cut at an unescaped comma), a list split on commas,
# or a structured value whose ';' parts vobject splits (N keeps its ',' lists, ORG does not).
_SINGLE = frozenset(
    {
        "FN",
        "TITLE",
        "ROLE",
        "NOTE",
        "UID",
        "EMAIL",
        "TEL",
        "URL",
        "KIND",
        "X-ADDRESSBOOKSERVER-KIND",
        "X-GIVEFIRST-HOOK",
        "X-GIVEFIRST-NEEDS",
        "X-GIVEFIRST-CADENCE-DAYS",
        "X-GIVEFIRST-ADDRESS-AS",
        "X-GIVEFIRST-KNOWS-WHAT-I-DO",
        "X-GIVEFIRST-WOULD-RECOMMEND",
    }
)
_OUR_PRODID = "PRODID:-//GIVEFIRST//"
_LISTS = frozenset({"NICKNAME", "CATEGORIES"})
_PHOTOS = frozenset({"PHOTO", "X-MS-CARDPICTURE"})
_KEPT = _SINGLE | _LISTS | _PHOTOS | {"N", "ORG"}
# A base64 value written with no ENCODING at all is this long at least (a URI rarely is all b64).
_BARE_BASE64_MIN = 64
# What vobject unescapes after a backslash; any other backslash (http\://) is dropped here.
_ESCAPABLE = ',;\\nN"'
# vobject costs ~0.1 ms a line and decodes every photo up front: a card keeps this many lines of
# one property (no real card has 50 phones), and its first few embedded photos only.
_MAX_LINES_PER_PROPERTY = 50
_MAX_PHOTOS = 5


@dataclass(frozen=True, slots=True)
class RepairedLine:
    """One clean property: its name (no group), TYPE values upper-cased, a PREF number, and the
    value escaped as vCard 3.0 TEXT (a photo's value is clean base64)."""

    name: str
    types: tuple[str, ...]
    pref: str | None
    value: str

    @property
    def text(self) -> str:
        """The line as vCard 3.0 (NAME;TYPE=...;PREF=n[;ENCODING=b]:value)."""
        encoding = ";ENCODING=b" if self.name in _PHOTOS else ""
        return f"{self.name}{_params(self.types, self.pref)}{encoding}:{self.value}"


@dataclass
class RepairedCard:
    """One card as clean lines, whether its END:VCARD was seen, and whether any line of it read
    as a property (a card of nothing but garbage cannot be read)."""

    lines: list[RepairedLine]
    complete: bool
    readable: bool

    @property
    def text(self) -> str:
        """The card as the vCard 3.0 text vobject reads (no VERSION line: it reads 3.0 then)."""
        return "\r\n".join(["BEGIN:VCARD", *(line.text for line in self.lines), "END:VCARD", ""])


def repair(text: str) -> list[RepairedCard]:
    """Every card of a decoded .vcf text, repaired (folds, soft breaks, charsets, bare parameters,
    escapes, base64) into the vCard 3.0 lines vobject reads; properties no person is made of go."""
    cards: list[RepairedCard] = []
    for lines, complete in _split_cards(_logical_lines(_physical_lines(text))):
        # Our own exports escape a comma inside a tag as RFC 6350 says; see `_escape`.
        ours = any(line[: len(_OUR_PRODID)].upper() == _OUR_PRODID for line in lines)
        properties = [_repair_line(line, ours=ours) for line in lines]
        readable = not lines or any(name is not None for name, _ in properties)
        kept: list[RepairedLine] = []
        counts: Counter[str] = Counter()
        for name, repaired in properties:
            if name is None or repaired is None:
                continue
            group = "PHOTO" if name in _PHOTOS else name
            counts[group] += 1
            if counts[group] <= (_MAX_PHOTOS if group == "PHOTO" else _MAX_LINES_PER_PROPERTY):
                kept.append(repaired)
        cards.append(RepairedCard(lines=kept, complete=complete, readable=readable))
    return cards


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
    colon = line.find(":")
    if colon >= 0 and '"' not in line[:colon]:
        return line[:colon]  # no quote before the first colon: the scan below would stop there
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
    """Undo folding, quoted-printable soft breaks and unindented 2.1 base64 continuations; vobject
    knows folding only (a 2.1 soft break is a parse error to it)."""
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
    """Group logical lines into cards, each with whether its END:VCARD was seen; vobject would
    stop at the first card it cannot close, losing the cards after it."""
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


# --------------------------------------------------------------------------- one line


def _repair_line(line: str, *, ours: bool = False) -> tuple[str | None, RepairedLine | None]:
    """A logical line's property name (None when it is not a property line) and the clean line to
    keep for it (None to drop it).

    The head is split here by hand, in linear time: vobject's line regex backtracks
    exponentially on a crafted parameter list, so it only ever sees the canonical head written
    below (NAME;TYPE=...;PREF=n;ENCODING=b)."""
    head = _head_of(line)
    if head is None:
        return None, None
    pieces = _split_outside_quotes(head, ";")
    name = pieces[0].strip().split(".")[-1].upper()
    if not name or not set(name) <= _NAME_CHARS:
        return None, None
    if name not in _KEPT:
        return name, None
    value = line[len(head) + 1 :]
    params: dict[str, list[str]] = {}
    types: list[str] = []
    encoding: str | None = None
    for piece in pieces[1:]:
        key, equals, raw_values = piece.partition("=")
        key = key.strip().upper()
        if not key:
            continue
        values = [v.strip() for v in raw_values.replace('"', "").split(",") if v.strip()]
        if not equals:
            # A 2.1 bare parameter: CELL, JPEG, PREF, or an encoding name without ENCODING=.
            if key in _ENCODINGS:
                encoding = key
            else:
                types.append(key)
            continue
        params.setdefault(key, []).extend(values)
        if key == "TYPE":
            types.extend(v.upper() for v in values)
        elif key == "ENCODING" and values:
            encoding = values[0].upper()
    if encoding == "QUOTED-PRINTABLE":
        # Decoded here in its CHARSET, forgiving bad bytes; vobject would raise on either.
        value = _decode_quoted_printable(value, (params.get("CHARSET") or [""])[0])
    kinds = tuple(dict.fromkeys(kind for kind in types if set(kind) <= _NAME_CHARS))
    pref = next((raw.strip() for raw in params.get("PREF", []) if raw.strip().isdigit()), None)
    if name in _PHOTOS:
        photo = _embedded_base64(value, encoding)
        return name, RepairedLine(name, kinds, pref, photo) if photo else None
    return name, RepairedLine(name, kinds, pref, _escape(value, name, ours=ours))


def _params(types: tuple[str, ...], pref: str | None) -> str:
    """TYPE and PREF, the only parameters read, in a shape vobject's regex matches at once."""
    return (";TYPE=" + ",".join(types) if types else "") + (f";PREF={pref}" if pref else "")


def _escape(value: str, name: str, *, ours: bool = False) -> str:
    """A value escaped the way vobject decodes it: a backslash before an ordinary character is
    dropped (http\\://), a line break becomes \\n, and a comma is literal where the value is one
    text. In CATEGORIES a comma separates tags and an escaped one (\\,) is part of a tag, as RFC
    6350 says, except in a list whose every comma is escaped, from anyone but us: Thunderbird
    writes its separators so ("category1\\, category2")."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    literal_comma = name in _SINGLE or name == "ORG"
    if "\\" not in value:
        # Nothing escaped: what the loop below does to such a value, at once.
        value = value.replace("\n", "\\n")
        return value.replace(",", "\\,") if literal_comma else value
    escaped_separators = name == "CATEGORIES" and not ours and not _has_bare_comma(value)
    out: list[str] = []
    escaped = False
    for char in value:
        if escaped:
            escaped = False
            if char == "\n":
                out.append("\\n")
            elif char == "," and escaped_separators:
                out.append(",")
            elif char in _ESCAPABLE:
                out.append("\\" + char)
            else:
                out.append(char)
        elif char == "\\":
            escaped = True
        elif char == "\n":
            out.append("\\n")
        elif char == "," and literal_comma:
            out.append("\\,")
        else:
            out.append(char)
    if escaped:
        out.append("\\\\")
    return "".join(out)


def _has_bare_comma(value: str) -> bool:
    """Whether a value holds a comma with no backslash before it."""
    escaped = False
    for char in value:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ",":
            return True
    return False


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    """Split on a separator that is not inside double quotes."""
    if '"' not in text:
        return text.split(separator)
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
    """Decode a quoted-printable value in its declared charset, forgiving a stray bad byte; with
    no charset, UTF-8 when it is, else this value's own guessed encoding (never a dropped byte)."""
    raw = quopri.decodestring(value.encode("utf-8"))
    declared = _codec(charset)
    if declared and declared != "utf-8":
        try:
            return raw.decode(declared)
        except UnicodeDecodeError:
            return raw.decode(declared, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _has_utf8_sequence(raw):
        # Mostly UTF-8 with a broken byte (Android writes such): the odd byte is guessed.
        return raw.decode("utf-8", errors="givefirst-guess")
    return raw.decode(guess_encoding(raw), errors="replace")


_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def _has_utf8_sequence(raw: bytes) -> bool:
    """Whether the bytes hold at least one well-formed multi-byte UTF-8 character."""
    for match in _UTF8_SEQUENCE.finditer(raw):
        try:
            match.group().decode("utf-8")
        except UnicodeDecodeError:
            continue
        return True
    return False


def _codec(charset: str) -> str | None:
    """A Python codec name for a CHARSET parameter, or None if unknown."""
    return codec_name(charset)


def _embedded_base64(value: str, encoding: str | None) -> str | None:
    """The base64 of an embedded photo, cleaned, or None for a URI: never fetched, an import must
    not reach out to the network."""
    value = value.strip()
    if value.lower().startswith("data:"):
        header, _, payload = value.partition(",")
        return _lenient_base64(payload) if header.lower().endswith(";base64") else None
    if encoding in ("B", "BASE64"):
        return _lenient_base64(value)
    if len(value) > _BARE_BASE64_MIN and set(value) <= _B64_CHARS | {" "}:
        # No ENCODING at all, yet base64: the bytes are checked by Pillow later, so guessing is safe.
        return _lenient_base64(value)
    return None


def _lenient_base64(value: str) -> str | None:
    """Base64 whose padding or length is off by a character, as some phones write it, made valid
    (vobject's decoder refuses it); None when nothing is left."""
    letters = _NOT_BASE64_LETTER.sub("", value)
    if len(letters) % 4 == 1:
        letters = letters[:-1]
    return letters + "=" * (-len(letters) % 4) if letters else None
