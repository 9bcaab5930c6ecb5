"""The network pages (the second article: people refer you when they know what you do, like it,
and think of you): the network profile in settings, keeping in touch and the network stages on a
person's page, referrals received, and the network page with its charts."""

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.accounts.deps import CurrentUser
from app.accounts.models import User
from app.contacts import service as contacts
from app.contacts.models import AddressAs, Contact, ContactWrite
from app.db import SessionDep, committing_router
from app.errors import Invalid
from app.gives import service as gives
from app.gives.models import ReferralCreate
from app.network import pages as network_pages
from app.network.service import profile_of
from app.text import safe_next
from app.web.i18n import lazy_gettext
from app.web.templating import redirect, register_flash, render

router = committing_router(include_in_schema=False)

register_flash("referral_added", lazy_gettext("Referral noted. A thank-you is always welcome."))
register_flash("address_as_saved", lazy_gettext("Saved: the prepared messages follow it."))


def person_context(session: Session, user: User, contact: Contact) -> dict[str, Any]:
    """What a person's page shows about keeping in touch, the network stages and referrals."""
    profile = profile_of(session, user_id=user.id)
    default = contacts.cadence_for(contact.model_copy(update={"cadence_days": None}), profile)
    return {
        "cadences": network_pages.CADENCES, "default_cadence": default or 0,
        "referrals": gives.referrals_of(session, owner=user, contact_id=contact.id),
        "today": gives.local_today(user), "default_address_as": profile.address_as or "vous",
    }  # fmt: skip


@router.post("/people/{contact_id}/keeping")
def keeping(
    session: SessionDep,
    user: CurrentUser,
    contact_id: uuid.UUID,
    cadence: Annotated[str, Form()] = "default",
    cadence_days: Annotated[str, Form()] = "",
) -> Response:
    contacts.get_contact(session, owner=user, contact_id=contact_id)
    days = (
        None
        if cadence == "default"
        else network_pages.cadence_days(cadence, cadence_days, "cadence_days")
    )
    contacts.put_contact(
        session,
        owner=user,
        contact_id=contact_id,
        data=ContactWrite(cadence_days=days),
        create=False,
    )
    return redirect(f"/people/{contact_id}#keeping")


@router.post("/people/{contact_id}/snooze")
def snooze(
    session: SessionDep,
    user: CurrentUser,
    contact_id: uuid.UUID,
    days: Annotated[int, Form(ge=1, le=365)] = 7,
    next: Annotated[str, Form()] = "",
) -> Response:
    contacts.snooze_touch(
        session, owner=user, contact_id=contact_id, days=days, today=gives.local_today(user)
    )
    return redirect(safe_next(next, default=f"/people/{contact_id}#keeping"))


@router.post("/people/{contact_id}/stages")
def stages(
    session: SessionDep,
    user: CurrentUser,
    contact_id: uuid.UUID,
    knows_what_i_do: Annotated[str, Form()] = "",
    would_recommend: Annotated[str, Form()] = "",
) -> Response:
    contacts.get_contact(session, owner=user, contact_id=contact_id)
    data = ContactWrite(
        knows_what_i_do=bool(knows_what_i_do), would_recommend=bool(would_recommend)
    )
    contacts.put_contact(session, owner=user, contact_id=contact_id, data=data, create=False)
    return redirect(f"/people/{contact_id}#network")


@router.post("/people/{contact_id}/address-as")
def address_as(
    session: SessionDep,
    user: CurrentUser,
    contact_id: uuid.UUID,
    address_as: Annotated[str, Form()] = "default",
) -> Response:
    """Tu or vous in the messages prepared for this person, or the settings' default."""
    contacts.get_contact(session, owner=user, contact_id=contact_id)
    choice = AddressAs(address_as) if address_as in AddressAs.__members__ else None
    data = ContactWrite(address_as=choice)
    contacts.put_contact(session, owner=user, contact_id=contact_id, data=data, create=False)
    return redirect(f"/people/{contact_id}#address-as", flash_key="address_as_saved")


@router.post("/people/{contact_id}/referrals")
def add_referral(
    session: SessionDep,
    user: CurrentUser,
    contact_id: uuid.UUID,
    whom: Annotated[str, Form(max_length=200)] = "",
    received_on: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    contacts.get_contact(session, owner=user, contact_id=contact_id)
    try:
        day = date.fromisoformat(received_on) if received_on.strip() else None
    except ValueError:
        raise Invalid(lazy_gettext("This date is not valid."), field="received_on") from None
    data = ReferralCreate(whom=whom, received_on=day, note=note or None)
    gives.add_referral(session, owner=user, contact_id=contact_id, data=data)
    return redirect(f"/people/{contact_id}#network", flash_key="referral_added")


@router.post("/people/{contact_id}/referrals/{referral_id}/delete")
def delete_referral(
    session: SessionDep, user: CurrentUser, contact_id: uuid.UUID, referral_id: uuid.UUID
) -> Response:
    gives.delete_referral(session, owner=user, contact_id=contact_id, referral_id=referral_id)
    return redirect(f"/people/{contact_id}#network")


def bars(series: list[tuple[date, int]], *, width: int = 320, height: int = 120) -> dict[str, Any]:
    """The geometry of a bar chart drawn as plain SVG by the template."""
    top = max((count for _month, count in series), default=0) or 1
    step = width / max(len(series), 1)
    plot = height - 20
    return {
        "width": width, "height": height, "top": top,
        "bars": [
            {"month": month, "count": count, "x": round(index * step + step * 0.15, 1),
             "w": round(step * 0.7, 1), "h": round(plot * count / top, 1),
             "y": round(plot - plot * count / top, 1), "label_x": round(index * step + step / 2, 1)}
            for index, (month, count) in enumerate(series)
        ],
    }  # fmt: skip


@router.get("/network")
def network_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    view = gives.network(session, owner=user)
    today = gives.local_today(user)
    context = {
        "view": view, "profile": profile_of(session, user_id=user.id),
        "gives_chart": bars(view.gives_by_month), "referrals_chart": bars(view.referrals_by_month),
        "losing": contacts.losing_touch(session, owner=user, today=today, limit=30),
        "gives_total": sum(count for _month, count in view.gives_by_month),
        "referrals_total": sum(count for _month, count in view.referrals_by_month),
    }  # fmt: skip
    return render(request, "network/page.html", context)
