"""The kind of an event, from what the data says: the words of its name (French and English),
iCalendar `CATEGORIES`, and a schema.org type."""

import re
from collections.abc import Iterable

from app.text import fold

# schema.org types (https://schema.org/Event's subtypes) that name a kind by themselves.
KIND_BY_TYPE = {
    "BusinessEvent": "salon",
    "ExhibitionEvent": "salon",
    "SaleEvent": "salon",
    "ConferenceEvent": "conference",
    "EducationEvent": "workshop",
    "CourseInstance": "workshop",
    "SocialEvent": "meetup",
    "Hackathon": "meetup",
}

# Words, folded for case and accents, that say the kind in a name or a category; the first
# kind whose word appears wins, so "Forum de la conférence" is a salon.
_WORDS = (
    ("salon", ("salon", "forum", "expo", "exposition", "trade show", "tradeshow", "trade fair",
               "foire", "exhibition", "fair")),
    ("workshop", ("atelier", "workshop", "masterclass", "master class", "formation", "training",
                  "bootcamp", "seminaire", "seminar", "webinaire", "webinar")),
    ("conference", ("conference", "congres", "congress", "summit", "sommet", "symposium",
                    "colloque", "convention", "keynote")),
    ("meetup", ("meetup", "meet-up", "afterwork", "after-work", "apero", "networking",
                "petit-dejeuner", "breakfast", "hackathon", "barcamp")),
)  # fmt: skip
_PATTERNS = tuple(
    (kind, re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")s?\b"))
    for kind, words in _WORDS
)


def kind_from_words(*texts: str | None) -> str | None:
    """The kind a name or category says, or None."""
    folded = " ".join(fold(text) for text in texts if text)
    if not folded:
        return None
    return next((kind for kind, pattern in _PATTERNS if pattern.search(folded)), None)


def infer_kind(
    name: str | None,
    *,
    types: Iterable[str] = (),
    categories: Iterable[str] = (),
    fallback: str = "other",
) -> str:
    """The kind of an event: the words of its name first (people name a salon a salon, while a
    site's generator often gives every event the same type), then its categories, then a
    specific schema.org type, then `fallback` (what the source suggests, e.g. meetup.com)."""
    by_words = kind_from_words(name) or kind_from_words(*categories)
    if by_words:
        return by_words
    typed = (KIND_BY_TYPE[type_name] for type_name in types if type_name in KIND_BY_TYPE)
    return next(typed, fallback)
