"""Text primitives shared by every feature: folding, e-mail shape, local redirects, bytes to text."""

import codecs
import re
import unicodedata
from urllib.parse import unquote, urlsplit

_LIGATURES = str.maketrans(
    {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "\x00": None}
)
_EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# RFC 5321 caps an address at 254 characters, which also bounds the regex's backtracking.
EMAIL_MAX = 254


def fold(text: str) -> str:
    """Lower case without accents: "Hélène" and "HELENE" both become "helene", "Œuvre" "oeuvre".
    NUL characters vanish, as they do from what is stored (app.db)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    if decomposed.isascii():  # no accent to drop: the common case, ten times faster
        return decomposed.casefold()
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def fold_words(text: str, *, separators: str = "_") -> str:
    """`fold`, with each separator character read as a space and runs of spaces made one."""
    folded = fold(text)
    for separator in separators:
        folded = folded.replace(separator, " ")
    return " ".join(folded.split())


def is_email_shape(text: str) -> bool:
    """Whether text has the shape of an e-mail address (not whether the address exists)."""
    return len(text) <= EMAIL_MAX and _EMAIL_SHAPE.fullmatch(text) is not None


def email_or_empty(value: str) -> str:
    """An e-mail address without `mailto:`, or '' when it does not look like one."""
    address = value.strip()
    if address.lower().startswith("mailto:"):
        address = address[len("mailto:") :]
    return address if is_email_shape(address) else ""


SAFE_NEXT_MAX = 2000


def _has_unsafe_char(text: str) -> bool:
    """A control character, a backslash or a leading space: what browsers strip or read as `/`."""
    return any(ord(c) < 0x20 or c in "\x7f\\" for c in text) or text != text.strip()


def safe_next(target: str | None, *, default: str = "") -> str:
    """The one safe-redirect check of the app: a local path to go to next, never another site.

    Refused (the default is returned): anything not starting with a single `/`, `//host`,
    a backslash anywhere (`/\\evil`, `\\\\evil`), control characters (`/\t/evil`, which browsers
    turn into `//evil`), a scheme (`https:evil`), and the same tricks percent-encoded, once or
    several times (`/%09/evil`, `/%2F%2Fevil`, `/%5Cevil`)."""
    if not target or len(target) > SAFE_NEXT_MAX:
        return default
    decoded = target
    for _ in range(4):
        if _has_unsafe_char(decoded):
            return default
        if not decoded.startswith("/") or decoded.startswith("//"):
            return default
        parts = urlsplit(decoded)
        if parts.scheme or parts.netloc:
            return default
        again = unquote(decoded)
        if again == decoded:
            return target
        decoded = again
    return default


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a byte-order mark: ASCII text with a NUL in every other byte."""
    sample = data[:400]
    if len(sample) < 20:
        return False
    half = len(sample) // 2
    return sample[1::2].count(0) > half * 0.9 or sample[0::2].count(0) > half * 0.9


def _utf8_else_cp1252(error: UnicodeError) -> tuple[str, int]:
    """A codec error handler: a byte that is not UTF-8 is read as cp1252 (Latin-1 for the five
    bytes cp1252 leaves undefined), so it is guessed, never dropped."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    byte = error.object[error.start : error.start + 1]
    try:
        return byte.decode("cp1252"), error.start + 1
    except UnicodeDecodeError:
        return byte.decode("latin-1"), error.start + 1


codecs.register_error("givefirst-guess", _utf8_else_cp1252)

# Below this many non-ASCII bytes a detector guesses from too little: cp1252 is then the likeliest.
_DETECT_MIN_BYTES = 8


def codec_name(label: str | None) -> str | None:
    """The Python codec for a declared charset ("Shift_JIS", "x-mac-roman"), or None if unknown."""
    if not label or not label.strip():
        return None
    name = label.strip().strip("\"'").lower()
    name = {"x-mac-roman": "mac_roman", "macintosh": "mac_roman", "x-sjis": "shift_jis"}.get(
        name, name
    )
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


# The encodings a detector confuses on Latin text, in the order that breaks a tie.
_LATIN = ("cp1252", "iso8859_2", "mac_roman", "iso8859_15", "cp1250")
_LATIN_FAMILY = ("cp125", "iso8859", "latin", "mac_", "cp437", "cp775", "cp850", "cp852", "cp858")


def guess_encoding(data: bytes) -> str:
    """The legacy encoding of bytes that are not UTF-8: charset-normalizer's guess, except that
    between the Latin code pages it confuses on short text (Windows, ISO-8859-2, Mac Roman) the
    one giving the most plausible words wins; cp1252 when there is too little to tell."""
    if sum(1 for byte in data if byte >= 0x80) < _DETECT_MIN_BYTES:
        return "cp1252"
    from charset_normalizer import from_bytes  # imported on use: ~30 ms at start-up otherwise

    sample = data[:200_000]
    best = from_bytes(sample).best()
    name = codecs.lookup(best.encoding).name if best is not None else "cp1252"
    if not name.startswith(_LATIN_FAMILY) and name not in ("utf-8", "ascii"):
        return name
    scores = {name: _plausibility(sample.decode(name, errors="replace")) for name in _LATIN}
    return max(_LATIN, key=lambda name: scores[name])  # max keeps the first of equal scores


def _plausibility(text: str) -> int:
    """How much decoded text looks like names: non-ASCII letters count, symbols, controls and
    a capital inside a lower-case word ("JosŽ", "MŸller") count against."""
    score = 0
    previous = " "
    for char in text:
        if char.isascii():
            previous = char
            continue
        category = unicodedata.category(char)
        if category.startswith("L"):
            score += 1
            if char.isupper() and previous.islower():
                score -= 3
        else:
            score -= 2
        previous = char
    return score


def decode_bytes(data: bytes, *, declared: str | None = None) -> str:
    """Bytes to text, by authority: a byte-order mark, UTF-16 without one, UTF-8 when the file
    is UTF-8, the encoding the file declares (`declared`), then charset-normalizer's guess.
    A file that is UTF-8 but for a few lines keeps UTF-8 and reads only those lines in the
    guessed encoding: one bad byte never turns the whole file into mojibake."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return data.decode("utf-32", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if _looks_utf16(data):
        return data.decode("utf-16-le" if data[1:2] == b"\x00" else "utf-16-be", errors="replace")
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="givefirst-guess")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    codec = codec_name(declared)
    if codec and codec not in ("utf-8", "ascii"):
        return data.decode(codec, errors="replace")
    lines = data.split(b"\n")
    bad = [line for line in lines if not _is_utf8(line)]
    utf8_evidence = any(not line.isascii() for line in lines if _is_utf8(line))
    encoding = guess_encoding(b"\n".join(bad))
    if not utf8_evidence:
        return data.decode(encoding, errors="replace")
    return "\n".join(
        line.decode("utf-8") if _is_utf8(line) else line.decode(encoding, errors="replace")
        for line in lines
    )


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
