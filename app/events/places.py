"""Where an event happens, each part said once: the venue, the address, the city and the country
as sources write them often repeat each other ("Palais des Congrès" / "Palais des Congrès, 2
place de la Porte Maillot, 75017 Paris" / "Paris" / "FR")."""

import re
from typing import Any

from app.text import fold_words


def _contains(longer: str, shorter: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(shorter)}(?!\w)", longer) is not None


def place_lines(event: Any) -> list[str]:
    """The lines of an event's place, none of them said in another: the venue, the address, then
    the city with its country, each dropped when another part already holds it."""
    names = ("venue", "address", "city", "country")
    parts = [(getattr(event, name, None) or "").strip() for name in names]
    folded = [fold_words(part, separators=",;") for part in parts]

    # Which parts may hold each one: the venue and the address each other (the longer one
    # wins), the city and the country only the address ("Cambridge" is not said by "Cambridge
    # Innovation Center").
    holders = {0: (1,), 1: (0,), 2: (1,), 3: (1,)}

    def said_elsewhere(index: int) -> bool:
        mine = folded[index]
        return any(
            folded[other] and _contains(folded[other], mine)
            and (len(folded[other]) > len(mine) or other < index)
            for other in holders[index]
        )  # fmt: skip

    venue, address, city, country = (
        "" if not part or said_elsewhere(index) else part for index, part in enumerate(parts)
    )
    town = ", ".join(part for part in (city, country) if part)
    return [line for line in (venue, address, town) if line]


def location(event: Any) -> str | None:
    """Where an event happens, in one line (the calendar's `LOCATION`)."""
    return ", ".join(place_lines(event)) or None
