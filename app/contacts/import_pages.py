"""People import pages: choose a .vcf or .csv, preview what will happen, then import."""

import base64
import binascii
from contextlib import AbstractContextManager
from typing import Annotated

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from app.accounts.deps import CurrentUser
from app.contacts import exchange
from app.db import SessionDep, committing_router
from app.errors import Invalid
from app.web.forms import refill
from app.web.i18n import lazy_gettext
from app.web.templating import redirect, register_flash, render

router = committing_router(include_in_schema=False)

register_flash("people_imported", lazy_gettext("The people are imported."))
PREVIEW_ROWS = 50


@router.get("/people/import")
def import_page(request: Request, user: CurrentUser) -> Response:
    return render(request, "contacts/import.html", {"on_match": "merge"})


def _refill(on_match: str) -> AbstractContextManager[None]:
    """A refused file shows the import page again, with the reason next to the file input."""
    return refill("contacts/import.html", lambda _session: {"on_match": on_match},
                  default_field="file")  # fmt: skip


@router.post("/people/import")
def preview(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    file: Annotated[UploadFile | None, File()] = None,
    on_match: Annotated[str, Form()] = "merge",
) -> Response:
    on_match = "skip" if on_match == "skip" else "merge"
    with _refill(on_match):
        if file is None or not file.filename:
            raise Invalid(lazy_gettext("Please choose a file."), field="file")
        data = file.file.read(exchange.MAX_UPLOAD + 1)
        parsed = exchange.parse_file(data, filename=file.filename, locale=user.locale)
    report = exchange.apply(
        session, owner=user, parsed=parsed, dry_run=True, on_match=on_match,
        secret=request.app.state.settings.secret,
    )  # fmt: skip
    context = {
        "report": report, "rows": report.people[:PREVIEW_ROWS], "more": max(0, len(report.people) - PREVIEW_ROWS),
        "payload": base64.b64encode(data).decode(), "filename": file.filename, "on_match": on_match,
    }  # fmt: skip
    return render(request, "contacts/import_preview.html", context)


@router.post("/people/import/save")
async def save(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    # The preview carries the file itself (base64), larger than Starlette's 1 MB default part.
    form = await request.form(max_fields=5, max_part_size=exchange.MAX_UPLOAD * 2)
    on_match = "skip" if form.get("on_match") == "skip" else "merge"
    try:
        data = base64.b64decode(str(form.get("payload", "")), validate=True)
    except (binascii.Error, ValueError):
        data = b""
    with _refill(on_match):
        if not data:
            raise Invalid(
                lazy_gettext("This preview could not be read. Please import again."), field="file"
            )
        parsed = await run_in_threadpool(
            exchange.parse_file, data, filename=str(form.get("filename", "")), locale=user.locale
        )
    # Off the event loop: a big import must not make every other request wait.
    await run_in_threadpool(
        exchange.apply, session, owner=user, parsed=parsed, dry_run=False, on_match=on_match,
        secret=request.app.state.settings.secret,
    )  # fmt: skip
    return redirect("/people", flash_key="people_imported")
