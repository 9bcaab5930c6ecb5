"""Who gives what to whom: the one place where features are plugged into one another.

Features never register themselves by being imported. Each extension point is a typed protocol
owned by the feature that calls it; this module lists, once, what every other feature provides,
and `create_app` and the command line both use it.
"""

from dataclasses import dataclass

from app.accounts import pages as account_pages
from app.calendar import digest
from app.calendar import pages as calendar_pages
from app.calendar import service as calendar
from app.card import pages as card_pages
from app.contacts import pages as contact_pages
from app.contacts import service as contacts
from app.events import calendar as event_calendar
from app.events import pages as event_pages
from app.gives import calendar as give_calendar
from app.gives import pages as give_pages
from app.gives import service as gives
from app.network import pages as network_pages
from app.network import service as network
from app.portability import pages as portability_pages
from app.portability import service as portability


@dataclass(frozen=True)
class Wiring:
    """Every extension point, with what plugs into it, in the order they show."""

    calendar_sources: tuple[calendar.FeedSource, ...]
    digest_sections: tuple[digest.SectionSource, ...]
    merge_hooks: tuple[contacts.MergeHook, ...]
    person_eraser: contacts.Eraser
    cadence_listeners: tuple[network.CadenceListener, ...]
    capture_hooks: tuple[contact_pages.CaptureHook, ...]
    event_sections: tuple[event_pages.EventSection, ...]
    person_sections: tuple[contact_pages.PersonSection, ...]
    settings_sections: tuple[account_pages.SettingsSection, ...]


def wiring() -> Wiring:
    """The application's wiring."""
    return Wiring(
        calendar_sources=(
            calendar.FeedSource(
                items=event_calendar.event_items, version=event_calendar.events_version
            ),
            calendar.FeedSource(
                items=give_calendar.give_items, version=give_calendar.gives_version
            ),
        ),
        digest_sections=(
            event_calendar.today_events,
            give_calendar.gives_today,
            give_calendar.to_follow_up,
        ),
        merge_hooks=(gives.merge_hook,),
        person_eraser=portability.erase_person,
        cadence_listeners=(contacts.refresh_all_touch,),
        capture_hooks=(give_pages.plan_from_capture,),
        event_sections=(contact_pages.event_section,),
        person_sections=(give_pages.person_section,),
        settings_sections=(
            calendar_pages.settings_section,
            network_pages.settings_section,
            card_pages.settings_section,
            portability_pages.settings_section,
        ),
    )
