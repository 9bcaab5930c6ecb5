"""The network profile in settings: what I do, for whom, and the keeping-in-touch defaults."""

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from app.accounts.deps import CurrentUser
from app.accounts.models import User
from app.db import SessionDep, committing_router
from app.errors import Invalid
from app.network import service as network
from app.network.models import NetworkProfileUpdate
from app.web.i18n import lazy_gettext
from app.web.templating import redirect, register_flash

router = committing_router(include_in_schema=False)

register_flash("network_saved", lazy_gettext("Your network profile is saved."))

# Cadences offered in the forms: days between touches (0: no reminder).
CADENCES = {
    0: lazy_gettext("No reminder"),
    30: lazy_gettext("Monthly"),
    91: lazy_gettext("Quarterly"),
    365: lazy_gettext("Yearly"),
}
MAX_TAG_ROWS = 20


def cadence_days(choice: str, custom: str, field: str) -> int:
    """Days between touches from a select (a preset or "custom") and a number of days."""
    value = custom if choice == "custom" else choice
    try:
        days = int(value.strip())
    except ValueError:
        raise Invalid(lazy_gettext("Please give a number of days."), field=field) from None
    if not 0 <= days <= 3650:
        raise Invalid(lazy_gettext("Please give a number of days between 0 and 3650."), field=field)
    return days


def settings_section(request: Request, session: Session, user: User) -> dict[str, Any]:
    """What the settings page shows of the network profile (a `SettingsSection`)."""
    profile = network.profile_of(session, user_id=user.id)
    return {"network": profile, "cadences": CADENCES}


@router.post("/settings/network")
async def save_network(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    form = await request.form(max_fields=10 + 2 * MAX_TAG_ROWS)
    text = {name: str(form.get(name, "")).strip() for name in
            ("specialty", "who_i_help", "trigger_keyword", "referral_offer")}  # fmt: skip
    event_days = cadence_days(
        str(form.get("event_cadence", "91")),
        str(form.get("event_cadence_days", "")),
        "event_cadence_days",
    )
    tags: dict[str, int] = {}
    names, days = form.getlist("tag_name"), form.getlist("tag_days")
    for name, value in list(zip(names, days, strict=False))[:MAX_TAG_ROWS]:
        if str(name).strip() and str(value).strip():
            tags[str(name).strip()[:50]] = cadence_days(str(value), "", "tag_days")
    limits = {"specialty": 200, "who_i_help": 500, "trigger_keyword": 100, "referral_offer": 500}
    for name, limit in limits.items():
        if len(text[name]) > limit:
            raise Invalid(lazy_gettext("This value is too long."), field=name)
    address_as = str(form.get("address_as", "vous"))
    data = NetworkProfileUpdate.model_validate({
        **text, "event_cadence_days": event_days, "tag_cadences": tags,
        "address_as": address_as if address_as in ("tu", "vous") else "vous",
    })  # fmt: skip
    listeners = request.app.state.wiring.cadence_listeners
    network.update_profile(session, owner=user, data=data, listeners=listeners)
    return redirect("/settings#network", flash_key="network_saved")
