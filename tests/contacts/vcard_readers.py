"""Other clients' vCard readers, to check that our exports read the same everywhere: ical.js
(Thunderbird's parser, run by Node as tests/calendar/icaljs.py does) and vobject as is (without
our repair step)."""

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import vobject

from tests.calendar.icaljs import icaljs_ready

SCRIPT = Path(__file__).with_name("icaljs_vcard_dump.mjs")


def read_with_icaljs(text: str) -> list[dict[str, list[list[Any]]]]:
    """Each card as ical.js reads it: property name → one list of values per line."""
    folder = icaljs_ready()
    shutil.copyfile(SCRIPT, folder / SCRIPT.name)
    result = subprocess.run(
        ["node", str(folder / SCRIPT.name)],
        input=text.encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    cards: list[dict[str, list[list[Any]]]] = json.loads(result.stdout)
    return cards


def read_with_vobject(text: str) -> list[dict[str, list[Any]]]:
    """Each card as vobject reads it: property name → the value of each line."""
    return [
        {name: [line.value for line in lines] for name, lines in card.contents.items()}
        for card in vobject.readComponents(text)
    ]
