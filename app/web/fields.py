"""Dates and instants in the API's bodies and queries, held to their schema.

Pydantic, in lax mode, also takes a number for a date or an instant, as a Unix time: `0` in a
query or a body was 1 January 1970. The schema says an ISO 8601 string (`format: date`,
`format: date-time`), and that is what `Day` and `Instant` take (or a value already parsed,
when the app builds a model itself); pydantic then parses the string as usual.
"""

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

_ISO_DAY = re.compile(r"\s*\d{4}-\d{2}-\d{2}")


def _iso_day(value: object) -> object:
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DAY.match(value)):
        return value
    raise PydanticCustomError("date_type", "Input should be a date in the format YYYY-MM-DD")


def _iso_instant(value: object) -> object:
    if isinstance(value, datetime) or (isinstance(value, str) and _ISO_DAY.match(value)):
        return value
    raise PydanticCustomError("datetime_type", "Input should be a date and time in ISO 8601 format")


Day = Annotated[date, BeforeValidator(_iso_day)]
Instant = Annotated[datetime, BeforeValidator(_iso_instant)]
