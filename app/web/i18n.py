"""French and English: catalogs, the locale of the current request, and gettext helpers."""

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, NullTranslations, Translations

LOCALES = ("fr", "en")
DEFAULT_LOCALE = "fr"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}

_current: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> NullTranslations:
    """The catalog for a locale, compiled in memory from its .po file (no build step)."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def current_locale() -> str:
    """The locale of the request being handled."""
    return _current.get()


@contextmanager
def use_locale(locale: str | None) -> Iterator[None]:
    """Translate in this locale for the duration of the block."""
    token = _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    """Translate a message in the current locale."""
    return translations(_current.get()).gettext(message)


def pgettext(context: str, message: str) -> str:
    """Translate a message said in a context (e.g. "tu": the same English, another French)."""
    return str(translations(_current.get()).pgettext(context, message))


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message with a count in the current locale."""
    return translations(_current.get()).ngettext(singular, plural, n)


def lazy_gettext(message: str) -> LazyProxy:
    """A message translated when it is shown, for module-level constants."""
    return LazyProxy(gettext, message, enable_cache=False)


def negotiate(accept_language: str | None) -> str | None:
    """The best known locale for an Accept-Language header, if any."""
    if not accept_language:
        return None
    preferred = []
    for part in accept_language.split(","):
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            weight = 0.0
        if tag and weight > 0:
            preferred.append((weight, tag.strip().replace("-", "_")))
    preferred.sort(key=lambda item: -item[0])
    return negotiate_locale([tag for _, tag in preferred], list(LOCALES), sep="_")


def babel_locale(locale: str) -> Locale:
    """Babel's Locale for a known locale code, for formatting dates and numbers."""
    return Locale.parse("fr_FR" if locale == "fr" else "en_GB")
