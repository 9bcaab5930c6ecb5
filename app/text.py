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


def decode_bytes(data: bytes) -> str:
    """Bytes to text: UTF-16 when it says so or looks so, else UTF-8 line by line, where a line
    that is not UTF-8 is read as cp1252 (one line pasted from a Windows tool must not turn the
    rest of the file to mojibake)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if _looks_utf16(data):
        return data.decode("utf-16-le" if data[1:2] == b"\x00" else "utf-16-be", errors="replace")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    decoded: list[str] = []
    for chunk in data.split(b"\n"):
        try:
            decoded.append(chunk.decode("utf-8"))
        except UnicodeDecodeError:
            decoded.append(chunk.decode("cp1252", errors="replace"))
    return "\n".join(decoded)
