"""Plain text from what imported documents hold: HTML, mojibake, entities, free-text places."""

from __future__ import annotations

import contextlib
import html
import re
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

_MOJIBAKE = re.compile(
    "[ÂÃâ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u2013-\u2122]"
)
_ENTITY = re.compile(r"&(#\d{2,6}|#x[0-9a-fA-F]{2,6}|[a-zA-Z]{2,8});")


def clean_text(value: str | None) -> str | None:
    """Plain text: UTF-8 read as cp1252 repaired, HTML entities decoded, CRLF normalised."""
    if value is None:
        return None
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    # UTF-8 read as cp1252 by the producer (trumba-event-feed-mojibake-broken-fold.ics). ftfy would
    # do this and much more, guessing: this one reversible round trip is all the files need.
    if _MOJIBAKE.search(text):
        with contextlib.suppress(UnicodeError):
            text = text.encode("cp1252").decode("utf-8")
    # Entities in plain-text fields (outlook2007-holidays-germany-unfolded.ics,
    # wordpress-events-calendar-missing-uid-utc0-tzid.ics).
    if _ENTITY.search(text):
        text = html.unescape(text)
    text = text.strip()
    return text or None


# The HTML elements that end a line of text, and those whose text is not shown.
_BLOCKS = ("br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6")
_INVISIBLE = ("script", "style", "head", "title")


def _utf8_parser() -> lxml.html.HTMLParser:
    """A parser for text already decoded (re-encoded as UTF-8), whatever charset it declares.

    One per call: an lxml parser is not meant to be shared between threads.
    """
    return lxml.html.HTMLParser(encoding="utf-8")


def _html_to_text(value: str) -> str | None:
    """The readable text of an HTML fragment, one line per block."""
    # Not html-text (installed with extruct): it folds "<br><br>" into one line break, and
    # feeds write their paragraphs that way.
    try:
        root = lxml.html.fragment_fromstring(
            value.encode("utf-8"), create_parent="div", parser=_utf8_parser()
        )
    except (etree.ParserError, ValueError):
        return None
    etree.strip_elements(root, *_INVISIBLE, with_tail=False)
    for block in root.iter(*_BLOCKS):
        if block.tag != "br":
            block.text = "\n" + (block.text or "")
        block.tail = "\n" + (block.tail or "")
    lines = [" ".join(line.split()) for line in root.text_content().split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text or None


def page_title(text: str) -> str | None:
    """The page's <title>, if any."""
    try:
        page = lxml.html.document_fromstring(text[:200_000].encode("utf-8"), parser=_utf8_parser())
    except (etree.ParserError, ValueError):
        return None
    return clean_text(" ".join((page.findtext(".//title") or "").split()))


def maybe_html(value: str | None) -> str | None:
    """Plain text from a value that may be HTML."""
    if value is None:
        return None
    if re.search(r"</?[a-zA-Z][^>]*>", value):
        return _html_to_text(value)
    return clean_text(value)


_POSTCODE_CITY = re.compile(r"^(?:[A-Z]{1,2}-)?\d{4,5}\s+(?P<city>[^\W\d_].*)$")
_VENUE_AND_ADDRESS = re.compile(r"^(?P<venue>[^()]+?)\s*\((?P<address>[^()]+)\)$")


def split_location(text: str | None) -> tuple[str | None, str | None, str | None, str | None]:
    """(venue, address, city, country) from a free-text location, splitting only obvious cases."""
    if not text:
        return None, None, None, None
    address = ", ".join(p.strip() for p in text.split("\n") if p.strip())
    venue = city = country = None
    match = _VENUE_AND_ADDRESS.match(address)
    if match:
        # Meetup style: "Venue (street, city)".
        venue = match.group("venue").strip()
        address_parts = [p.strip() for p in re.split(r"[,;]", match.group("address"))]
    else:
        address_parts = [p.strip() for p in re.split(r"[,;]", address)]
    address_parts = [p for p in address_parts if p]
    for i, part in enumerate(address_parts):
        found = _POSTCODE_CITY.match(part)
        if found:
            city = found.group("city").strip()
            rest = address_parts[i + 1 :]
            if len(rest) == 1 and re.fullmatch(r"[^\d]{2,56}", rest[0]):
                country = rest[0]
            break
    if venue is None and len(address_parts) >= 2 and not re.search(r"\d", address_parts[0]):
        venue = address_parts[0]
    return venue, address, city, country


def first_line(text: str | None) -> str | None:
    """The first non-empty line of a text, shortened for use as a title."""
    if not text:
        return None
    line = next((li.strip() for li in text.split("\n") if li.strip()), "")
    return (line[:117] + "...") if len(line) > 120 else (line or None)


def host(url: str) -> str:
    """The lower-case host of a URL, or ''."""
    with contextlib.suppress(ValueError):
        return (urlsplit(url).hostname or "").lower()
    return ""
