"""Jinja2 templates with gettext, Babel date formatting and fingerprinted static URLs."""

import hashlib
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.web import i18n

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"

env = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(["html", "xml", "js"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
env.globals["timedelta"] = timedelta
env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]


@cache
def _fingerprint(static_dir: Path, path: str) -> str:
    try:
        return hashlib.sha256((static_dir / path).read_bytes()).hexdigest()[:10]
    except OSError:
        return "0"


def static_url(request: Request, path: str) -> str:
    """A static file's URL with a content hash, so that browsers may cache it for a year."""
    return f"/static/{path}?v={_fingerprint(request.app.state.settings.static_dir, path)}"


# Flash messages travel as a key in a short-lived cookie, never as text a third party could set.
FLASHES: dict[str, Any] = {}


def register_flash(key: str, message: Any) -> None:
    """Declare a one-time message (a lazy_gettext string) that a redirect may show."""
    FLASHES[key] = message


def flash(response: Response, key: str) -> None:
    """Show a registered message on the next page."""
    response.set_cookie("gf_flash", key, max_age=60, path="/", httponly=True, samesite="lax")


def redirect(url: str, *, flash_key: str | None = None) -> Response:
    """POST-redirect-GET, optionally with a one-time message on the next page."""
    response = RedirectResponse(url, status_code=303)
    if flash_key:
        flash(response, flash_key)
    return response


def _zone(request: Request) -> ZoneInfo:
    return ZoneInfo(
        getattr(request.state, "timezone", None) or request.app.state.settings.default_timezone
    )


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a page in the request's locale and time zone."""
    locale = request.state.locale
    zone = _zone(request)
    babel_locale = i18n.babel_locale(locale)

    def fmt_datetime(value: datetime, fmt: str = "medium", tz: str | None = None) -> str:
        if fmt == "medium":
            # The locale's medium date with its short time: people read no seconds.
            fmt = (
                str(babel_locale.datetime_formats["medium"])
                .replace("{1}", babel_locale.date_formats["medium"].pattern)
                .replace("{0}", babel_locale.time_formats["short"].pattern)
            )
        return format_datetime(value, fmt, tzinfo=ZoneInfo(tz) if tz else zone, locale=babel_locale)

    def fmt_date(value: date | datetime, fmt: str = "medium", tz: str | None = None) -> str:
        if isinstance(value, datetime):
            value = value.astimezone(ZoneInfo(tz) if tz else zone).date()
        return format_date(value, fmt, locale=babel_locale)

    def fmt_time(value: datetime, fmt: str = "short", tz: str | None = None) -> str:
        return format_time(value, fmt, tzinfo=ZoneInfo(tz) if tz else zone, locale=babel_locale)

    values: dict[str, Any] = {
        "request": request,
        "user": getattr(request.state, "user", None),
        "account": getattr(request.state, "account", None),
        "locale": locale,
        "static_url": lambda path: static_url(request, path),
        "format_datetime": fmt_datetime,
        "format_date": fmt_date,
        "format_time": fmt_time,
        "languages": i18n.LANGUAGE_NAMES,
        "flash": FLASHES.get(request.cookies.get("gf_flash", "")),
        "flash_key": request.cookies.get("gf_flash", ""),
    }
    values.update(context or {})
    with i18n.use_locale(locale):
        html = env.get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    if "gf_flash" in request.cookies:
        response.delete_cookie("gf_flash", path="/")
    return response
