"""The public card pages (no sign-in: the card, its vCard, QR, events and feed, "leave your
details" and the visitor's receipt), and the owner's pages: settings, inbox, "show my card" and
kiosk mode."""

import uuid
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response
from markupsafe import Markup
from pydantic import ValidationError
from sqlmodel import Session

from app.accounts import service as accounts
from app.accounts.deps import CurrentUser, SettingsDep
from app.accounts.models import User
from app.calendar.api import public_url
from app.card import service as cards
from app.card.models import CARD_FIELDS, PURPOSES, Card, CardUpdate, LeftDetails
from app.config import Settings
from app.db import SessionDep, committing_router, utcnow
from app.errors import AppError, FormError, Invalid, NotFound
from app.events import service as events
from app.security import client_address, hash_password, verify_password
from app.web import i18n
from app.web.forms import invalid_from, optional_uuid, refill
from app.web.i18n import lazy_gettext
from app.web.templating import env, redirect, register_flash, render

router = committing_router(include_in_schema=False)
FormStr = Annotated[str, Form()]
# A visitor's form is small: anything larger is not a person typing.
MAX_FORM_BYTES = 16_000
KIOSK_COOKIE = "gf_kiosk"

register_flash("card_saved", lazy_gettext("Your card is saved."))
register_flash("card_accepted", lazy_gettext("Added to your people."))
register_flash("card_discarded", lazy_gettext("Discarded: nothing of it is kept."))
register_flash("kiosk_unlocked", lazy_gettext("Kiosk mode is over."))


def field_labels() -> dict[str, str]:
    """Each publishable field's name, in the current language."""
    return {
        "full_name": i18n.gettext("Name"),
        "photo": i18n.gettext("Photo"),
        "specialty": i18n.gettext("Specialty"),
        "helps": i18n.gettext("Whom I help"),
        "trigger": i18n.gettext("Think of me when you hear"),
        "referral_offer": i18n.gettext("Referral offer"),
        "company": i18n.gettext("Company"),
        "role": i18n.gettext("Role"),
        "email": i18n.gettext("E-mail"),
        "phone": i18n.gettext("Phone"),
        "url": i18n.gettext("Web link"),
        "city": i18n.gettext("City"),
    }


def _visitor_locale(request: Request, lang: str | None) -> str:
    """The visitor's language: asked for in the link, else the browser's (never the owner's)."""
    if lang in i18n.LOCALES:
        return str(lang)
    cookie = request.cookies.get("gf_lang")
    if cookie in i18n.LOCALES:
        return str(cookie)
    return i18n.negotiate(request.headers.get("accept-language")) or i18n.DEFAULT_LOCALE


def _as_visitor(request: Request, lang: str | None) -> None:
    # A public page is the visitor's: no signed-in user's name, language or time zone in it.
    request.state.locale = _visitor_locale(request, lang)
    request.state.user = None
    request.state.account = None


def _card_url(request: Request, settings: Settings, card: Card) -> str:
    return public_url(request, settings, f"/c/{card.slug}")


def qr_markup(svg: str) -> Markup:
    """segno's SVG, inline: made of a URL that segno encodes as modules, and escaped texts."""
    return Markup(svg)  # noqa: S704 - segno escapes the title and description it writes


def _robots(card: Card) -> dict[str, str]:
    return {} if card.indexable else {"X-Robots-Tag": "noindex"}


def _card_context(
    request: Request,
    session: Session,
    settings: Settings,
    card: Card,
    owner: User,
    event_id: uuid.UUID | None,
    values: dict[str, str] | None = None,
) -> dict[str, Any]:
    view = cards.shown(session, card=card, owner=owner)
    event = cards.event_for_form(session, owner=owner, event_id=event_id)
    url = _card_url(request, settings, card)
    qr_target = url + (f"?event={event.id}" if event else "")
    language = request.state.locale
    return {
        "card": card,
        "view": view,
        "labels": field_labels(),
        "card_url": url,
        "qr_svg": qr_markup(cards.qr_svg(qr_target, title=i18n.gettext("QR code of this card"))),
        "qr_target": qr_target,
        "event": event,
        # A private event's name never shows: the form only carries its id.
        "event_public": bool(event and event.public),
        "token": cards.form_token(secret=settings.secret, owner_id=owner.id),
        "purposes": cards.purpose_texts(owner_name=view.name, language=language),
        "language": language,
        "values": values or {},
        "has_events": bool(cards.public_events(session, owner=owner)),
    }


@router.get("/c/{slug}.vcf")
def card_vcard(request: Request, session: SessionDep, settings: SettingsDep, slug: str) -> Response:
    card, owner = cards.public_card(session, slug=slug)
    view = cards.shown(session, card=card, owner=owner)
    body = cards.vcard(view, card_url=_card_url(request, settings, card))
    return Response(
        body, media_type="text/vcard; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{card.slug}.vcf"', **_robots(card)},
    )  # fmt: skip


@router.get("/c/{slug}/qr.svg")
def card_qr(
    request: Request, session: SessionDep, settings: SettingsDep, slug: str, event: str = ""
) -> Response:
    card, owner = cards.public_card(session, slug=slug)
    found = cards.event_for_form(session, owner=owner, event_id=_event_id(event))
    target = _card_url(request, settings, card) + (f"?event={found.id}" if found else "")
    svg = '<?xml version="1.0" encoding="utf-8"?>\n' + cards.qr_svg(target, title="QR")
    return Response(svg, media_type="image/svg+xml", headers=_robots(card))


@router.get("/c/{slug}/photo")
def card_photo(session: SessionDep, slug: str) -> Response:
    card, owner = cards.public_card(session, slug=slug)
    view = cards.shown(session, card=card, owner=owner)
    if view.photo is None:
        raise NotFound()
    return Response(
        view.photo, media_type=view.photo_type or "image/jpeg",
        headers={"Cache-Control": "public, max-age=300", **_robots(card)},
    )  # fmt: skip


def _event_id(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID((value or "").strip()) if (value or "").strip() else None
    except ValueError:
        return None


@router.get("/c/{slug}")
def card_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    slug: str,
    event: str = "",
    lang: str = "",
) -> Response:
    _as_visitor(request, lang)
    card, owner = cards.public_card(session, slug=slug)
    context = _card_context(request, session, settings, card, owner, _event_id(event))
    return render(request, "card/page.html", context, headers=_robots(card))


@router.post("/c/{slug}/details")
async def leave_details(
    request: Request, session: SessionDep, settings: SettingsDep, slug: str
) -> Response:
    size = request.headers.get("content-length", "")
    if not size.isdigit() or int(size) > MAX_FORM_BYTES:
        raise AppError(lazy_gettext("This form is too large."))
    form = await request.form(max_files=0, max_fields=30)
    values = {name: str(form.get(name, ""))[:3000] for name in
              ("full_name", "company", "email", "phone", "needs", "message", "event_id", "language")}  # fmt: skip
    _as_visitor(request, values["language"])
    card, owner = cards.public_card(session, slug=slug)
    event_id = _event_id(values["event_id"])

    def again(fresh: Session) -> dict[str, Any]:
        found, found_owner = cards.public_card(fresh, slug=slug)
        return _card_context(request, fresh, settings, found, found_owner, event_id, values)

    if str(form.get("website", "")).strip():
        # The honeypot: a person never sees this field. Nothing is stored; the bot learns nothing.
        return render(
            request, "card/thanks.html", {"view": cards.shown(session, card=card, owner=owner)}
        )
    with refill("card/page.html", again, default_field="full_name"):
        client_key = cards.check_form_token(
            secret=settings.secret, owner_id=owner.id, token=str(form.get("token", ""))
        )
        consents = [
            p for p in PURPOSES if str(form.get(f"consent_{p}", "")) in ("on", "yes", "1", "true")
        ]
        try:
            details = LeftDetails.model_validate({name: values[name] for name in _LEFT})
        except ValidationError as error:
            raise invalid_from(error) from None
        accounts.count_attempt(session, key=f"card:{owner.id}", limit=cards.LIMIT_PER_CARD)
        accounts.count_attempt(
            session, key=f"card-address:{client_address(request, settings)}",
            limit=cards.LIMIT_PER_ADDRESS,
        )  # fmt: skip
        submission, _created = cards.leave_details(
            session, owner=owner, details=details, consents=consents,
            language=request.state.locale, event_id=event_id, client_key=client_key,
            owner_name=cards.shown(session, card=card, owner=owner).name,
        )  # fmt: skip
    key = cards.receipt_key(secret=settings.secret, submission_id=submission.id)
    return redirect(f"/left/{submission.id}/{key}?sent=1")


_LEFT = ("full_name", "company", "email", "phone", "needs", "message")


@router.get("/left/{submission_id}/{key}")
def receipt_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    submission_id: uuid.UUID,
    key: str,
    sent: str = "",
    lang: str = "",
) -> Response:
    _as_visitor(request, lang)
    submission = cards.visitor_submission(
        session, secret=settings.secret, submission_id=submission_id, key=key
    )
    owner = session.get(User, submission.owner_id)
    event = (
        cards.event_for_form(session, owner=owner, event_id=submission.event_id) if owner else None
    )
    context = {
        "submission": submission,
        "owner_name": _shown_name(session, owner),
        "event": event if event and event.public else None,
        "receipt_url": public_url(request, settings, f"/left/{submission_id}/{key}"),
        "just_sent": bool(sent),
    }
    return render(
        request,
        "card/left.html",
        context,
        headers={"X-Robots-Tag": "noindex", "Cache-Control": "no-store"},
    )


def _shown_name(session: Session, owner: User | None) -> str:
    card = cards.find_card(session, owner=owner) if owner else None
    return cards.shown(session, card=card, owner=owner).name if card and owner else ""


@router.post("/left/{submission_id}/{key}/erase")
def erase_left(
    request: Request, session: SessionDep, settings: SettingsDep, submission_id: uuid.UUID, key: str
) -> Response:
    _as_visitor(request, None)
    submission = cards.visitor_submission(
        session, secret=settings.secret, submission_id=submission_id, key=key
    )
    cards.erase_submission(session, submission=submission)
    return render(request, "card/erased.html", {}, headers={"X-Robots-Tag": "noindex"})


@router.get("/c/{slug}/events.ics")
def events_feed(
    request: Request, session: SessionDep, settings: SettingsDep, slug: str
) -> Response:
    card, owner = cards.public_card(session, slug=slug)
    view = cards.shown(session, card=card, owner=owner)
    _as_visitor(request, None)
    with i18n.use_locale(request.state.locale):
        title = i18n.gettext("Where I’ll be") + (f" · {view.name}" if view.name else "")
    page_url = _card_url(request, settings, card) + "/events"
    body = cards.public_feed(
        cards.public_events(session, owner=owner), title=title, page_url=page_url
    )
    return Response(
        body, media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{card.slug}-events.ics"', **_robots(card)},
    )  # fmt: skip


@router.get("/c/{slug}/events")
def events_page(
    request: Request, session: SessionDep, settings: SettingsDep, slug: str, lang: str = ""
) -> Response:
    _as_visitor(request, lang)
    card, owner = cards.public_card(session, slug=slug)
    view = cards.shown(session, card=card, owner=owner)
    listed = cards.public_events(session, owner=owner)
    url = _card_url(request, settings, card)
    ld = cards.json_ld(listed, page_url=url + "/events", organizer=view.name)
    context = {
        "card": card, "view": view, "events": listed, "card_url": url,
        "days": {event.id: cards.event_days(event) for event in listed},
        "local": {event.id: cards.local_times(event) for event in listed},
        "json_ld": ld,
        "feed_url": url + "/events.ics",
    }  # fmt: skip
    return render(request, "card/events.html", context, headers=_robots(card))


# --- the owner's pages ---------------------------------------------------------------------------


def _preview(
    request: Request, session: Session, settings: Settings, card: Card, user: User, locale: str
) -> Markup:
    """The card as a visitor reading `locale` sees it, rendered apart in that language."""
    view = cards.shown(session, card=card, owner=user)
    with i18n.use_locale(locale):
        html = env.get_template("card/_card.html").render(
            view=view, labels=field_labels(), card=card, locale=locale,
            photo_src=cards.photo_data_url(view), _=i18n.gettext,
        )  # fmt: skip
    return Markup(html)  # noqa: S704 - a template rendered with autoescape


def settings_section(request: Request, session: Session, user: User) -> dict[str, Any]:
    """What the settings page shows of the card (a `SettingsSection`)."""
    settings: Settings = request.app.state.settings
    card = cards.card_of(session, owner=user)
    return {
        "my_card": card,
        "card_values": cards.all_values(session, card=card, owner=user),
        "card_fields": CARD_FIELDS,
        "card_labels": field_labels(),
        "card_url": _card_url(request, settings, card),
        "card_previews": {
            code: _preview(request, session, settings, card, user, code) for code in i18n.LOCALES
        },
    }


@router.post("/settings/card")
async def save_card(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    form = await request.form(max_fields=40)
    data = CardUpdate(
        enabled=form.get("enabled") == "on",
        indexable=form.get("indexable") == "on",
        slug=str(form.get("slug", "")).strip() or None,
        published=[str(name) for name in form.getlist("published")],
        **{
            name: str(form.get(name, ""))[:2000]
            for name in ("company", "role", "email", "phone", "url", "city")
        },
    )
    from app.accounts.pages import settings_context

    with refill(
        "accounts/settings.html",
        lambda s: settings_context(request, s, user),
        message_key="card_error",
    ):
        cards.update_card(session, owner=user, data=data)
    return redirect("/settings#card", flash_key="card_saved")


@router.post("/settings/card/photo")
async def save_card_photo(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    form = await request.form(max_files=1, max_fields=5)
    upload = form.get("photo")
    from app.accounts.pages import settings_context

    with refill(
        "accounts/settings.html",
        lambda s: settings_context(request, s, user),
        message_key="card_error",
    ):
        if form.get("remove") == "1" or upload is None or isinstance(upload, str):
            cards.delete_photo(session, owner=user)
        else:
            cards.set_photo(session, owner=user, data=await upload.read(cards_photo_max()))
    return redirect("/settings#card", flash_key="card_saved")


def cards_photo_max() -> int:
    from app.contacts.service import PHOTO_MAX_BYTES

    return PHOTO_MAX_BYTES + 1


@router.get("/card/show")
def show_card(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    event_id: str = "",
) -> Response:
    card = cards.card_of(session, owner=user)
    view = cards.shown(session, card=card, owner=user)
    chosen = cards.event_for_form(session, owner=user, event_id=_event_id(event_id))
    current = chosen or events.current_event(session, owner=user)
    url = _card_url(request, settings, card)
    target = url + (f"?event={current.id}" if current else "")
    context = {
        "card": card, "view": view, "labels": field_labels(), "card_url": url, "qr_target": target,
        "qr_svg": qr_markup(cards.qr_svg(target, title=i18n.gettext("QR code of my card"))),
        "photo_src": cards.photo_data_url(view), "current": current,
    }  # fmt: skip
    return render(request, "card/show.html", context)


@router.get("/card/inbox")
def inbox_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    items = cards.inbox(session, owner=user)
    event_ids = {item.event_id for item in items if item.event_id}
    names = {
        eid: e.name
        for eid in event_ids
        if (e := events.find_event(session, owner=user, event_id=eid))
    }
    context = {
        "items": items, "event_names": names,
        "matches": {item.id: cards.matches_for(session, owner=user, submission=item) for item in items},
        "purpose_names": {"follow_up": i18n.gettext("Follow-up"), "events": i18n.gettext("Where I’ll be")},
    }  # fmt: skip
    return render(request, "card/inbox.html", context)


@router.post("/card/inbox/{submission_id}/accept")
def accept_page(
    session: SessionDep, user: CurrentUser, submission_id: uuid.UUID, contact_id: FormStr = ""
) -> Response:
    contact = cards.accept(
        session, owner=user, submission_id=submission_id,
        contact_id=optional_uuid(contact_id, "contact_id"),
    )  # fmt: skip
    return redirect(f"/people/{contact.id}", flash_key="card_accepted")


@router.post("/card/inbox/{submission_id}/discard")
def discard_page(session: SessionDep, user: CurrentUser, submission_id: uuid.UUID) -> Response:
    cards.discard(session, owner=user, submission_id=submission_id)
    return redirect("/card/inbox", flash_key="card_discarded")


@router.get("/card/kiosk")
def kiosk_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    event_id: str = "",
) -> Response:
    card = cards.card_of(session, owner=user)
    current = cards.event_for_form(
        session, owner=user, event_id=_event_id(event_id)
    ) or events.current_event(session, owner=user)
    locked = request.cookies.get(KIOSK_COOKIE) == "1"
    context = {
        "card": card, "current": current, "locked": locked, "has_pin": card.kiosk_pin_hash is not None,
        "purposes": {code: cards.purpose_texts(owner_name=user.display_name, language=code) for code in i18n.LOCALES},
        "language": request.state.locale,
        "new_id": uuid.uuid4(),
    }  # fmt: skip
    return render(request, "card/kiosk.html", context)


@router.post("/card/kiosk/start")
def kiosk_start(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    pin: FormStr = "",
    event_id: FormStr = "",
) -> Response:
    pin = pin.strip()
    if pin and (not pin.isdigit() or not 4 <= len(pin) <= 12):
        raise Invalid(lazy_gettext("A PIN is 4 to 12 digits."), field="pin")
    if pin:
        cards.set_kiosk_pin(session, owner=user, pin_hash=hash_password(pin))
    found = _event_id(event_id)
    response = redirect("/card/kiosk" + (f"?event_id={found}" if found else ""))
    response.set_cookie(KIOSK_COOKIE, "1", max_age=7 * 86400, path="/", samesite="strict")
    return response


@router.post("/card/kiosk/unlock")
def kiosk_unlock(
    request: Request, session: SessionDep, user: CurrentUser, secret: FormStr = ""
) -> Response:
    card = cards.card_of(session, owner=user)
    from app.accounts.models import User as Account

    account = session.get(Account, user.id)
    ok = bool(secret) and (
        (card.kiosk_pin_hash is not None and verify_password(secret, card.kiosk_pin_hash))
        or (account is not None and verify_password(secret, account.password_hash))
    )
    if not ok:
        accounts.count_attempt(session, key=f"kiosk:{user.id}", limit=10)
        raise FormError(
            Invalid(lazy_gettext("This is not your PIN or password."), field="secret"),
            template="card/kiosk.html",
            context=lambda fresh: _kiosk_again(request, fresh, user),
        )
    response = redirect("/", flash_key="kiosk_unlocked")
    response.delete_cookie(KIOSK_COOKIE, path="/")
    return response


def _kiosk_again(request: Request, session: Session, user: User) -> dict[str, Any]:
    card = cards.card_of(session, owner=user)
    return {
        "card": card, "current": events.current_event(session, owner=user), "locked": True,
        "has_pin": card.kiosk_pin_hash is not None,
        "purposes": {code: cards.purpose_texts(owner_name=user.display_name, language=code) for code in i18n.LOCALES},
        "language": request.state.locale, "new_id": uuid.uuid4(), "now": utcnow(),
    }  # fmt: skip
