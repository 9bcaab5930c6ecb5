"""People import pages: choose a .vcf or .csv, preview what will happen, then import.

Without JavaScript both steps are plain forms, answered when done. With it, the page posts the
same form with `background=1`: the preview or the import then runs in a thread of the process,
as the data page's export does (`app.portability.pages`), one job per user kept in memory, and
the page asks `/people/import/progress` (JSON) how far it is, shown in a live region ("1,200 of
10,000"), then opens the result."""

import base64
import binascii
import threading
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Annotated, Any

from babel.numbers import format_decimal
from fastapi import File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.accounts.deps import CurrentUser
from app.accounts.models import User
from app.contacts import exchange
from app.db import SessionDep, committing_router
from app.errors import AppError, Invalid, NotFound
from app.web.forms import refill
from app.web.i18n import babel_locale, lazy_gettext, use_locale
from app.web.templating import redirect, register_flash, render

router = committing_router(include_in_schema=False)

register_flash("people_imported", lazy_gettext("The people are imported."))
PREVIEW_ROWS = 50
READING = lazy_gettext("Reading the file…")
PROGRESS = lazy_gettext("%(done)s of %(total)s")
FAILED = lazy_gettext("The file could not be imported. Please try again.")


# ---------------------------------------------------------------- jobs with their progress


@dataclass
class _Job:
    """A preview or an import running in a thread; `state` is running, ready or failed."""

    kind: str
    locale: str
    state: str = "running"
    done: int = 0
    total: int = 0
    error: str = ""
    context: dict[str, Any] = field(default_factory=dict)

    def step(self, done: int, total: int) -> None:
        self.done, self.total = done, total


_JOBS: dict[uuid.UUID, _Job] = {}
_LOCK = threading.Lock()


def _start(user: User, kind: str, work: Any) -> Response:
    """Run `work(job)` in a thread as the user's job; answers where to follow it."""
    with _LOCK:
        running = _JOBS.get(user.id)
        if running is not None and running.state == "running":
            return JSONResponse({"progress": "/people/import/progress"}, status_code=202)
        job = _Job(kind=kind, locale=user.locale)
        _JOBS[user.id] = job

    def run() -> None:
        try:
            job.context = work(job)
            job.state = "ready"
        except AppError as error:
            job.error, job.state = error.detail(job.locale), "failed"
        except Exception:
            job.error, job.state = _in(job.locale, FAILED), "failed"

    threading.Thread(target=run, daemon=True).start()
    return JSONResponse({"progress": "/people/import/progress"}, status_code=202)


def _in(locale: str, message: Any) -> str:
    with use_locale(locale):
        return str(message)


def _job_of(user: User) -> _Job | None:
    with _LOCK:
        return _JOBS.get(user.id)


@router.get("/people/import/progress")
def progress(user: CurrentUser) -> Response:
    """How far the user's preview or import is, for the page to show."""
    job = _job_of(user)
    if job is None:
        raise NotFound()
    locale = babel_locale(job.locale)
    # The state first: the job counts its last step before it says it is ready, so a ready job
    # is never shown with the count of an earlier step.
    state = job.state
    done, total = job.done, job.total
    if total:
        numbers = {
            "done": format_decimal(done, locale=locale),
            "total": format_decimal(total, locale=locale),
        }
        text = _in(job.locale, PROGRESS) % numbers
    else:
        text = _in(job.locale, READING)
    body = {"state": state, "done": done, "total": total, "text": text,
            "error": job.error, "next": "/people/import/result"}  # fmt: skip
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.get("/people/import/result")
def result(request: Request, user: CurrentUser) -> Response:
    """The end of a job: the preview it made, or the people once imported."""
    job = _job_of(user)
    if job is None or job.state == "running":
        return redirect("/people/import")
    with _LOCK:
        _JOBS.pop(user.id, None)
    if job.state == "failed":
        context = {"on_match": "merge", "error": job.error, "error_field": "file"}
        return render(request, "contacts/import.html", context, status_code=422)
    if job.kind == "import":
        return redirect("/people", flash_key="people_imported")
    return render(request, "contacts/import_preview.html", job.context)


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _preview_job(
    engine: Engine, user_id: uuid.UUID, data: bytes, filename: str, on_match: str, secret: str
) -> Any:
    def work(job: _Job) -> dict[str, Any]:
        with Session(engine) as session:
            user = session.get(User, user_id)
            if user is None:
                raise NotFound()
            parsed = exchange.parse_file(data, filename=filename, locale=user.locale)
            job.step(0, len(parsed.people))
            report = exchange.apply(
                session, owner=user, parsed=parsed, dry_run=True, on_match=on_match,
                secret=secret, progress=job.step,
            )  # fmt: skip
        return _preview_context(report, data, filename, on_match)

    return work


def _import_job(
    engine: Engine, user_id: uuid.UUID, data: bytes, filename: str, on_match: str, secret: str
) -> Any:
    def work(job: _Job) -> dict[str, Any]:
        with Session(engine) as session:
            user = session.get(User, user_id)
            if user is None:
                raise NotFound()
            parsed = exchange.parse_file(data, filename=filename, locale=user.locale)
            job.step(0, len(parsed.people))
            exchange.apply(
                session, owner=user, parsed=parsed, dry_run=False, on_match=on_match,
                secret=secret, progress=job.step,
            )  # fmt: skip
        return {}

    return work


def _preview_context(
    report: exchange.ImportReport, data: bytes, filename: str, on_match: str
) -> dict[str, Any]:
    return {
        "report": report, "rows": report.people[:PREVIEW_ROWS], "more": max(0, len(report.people) - PREVIEW_ROWS),
        "payload": base64.b64encode(data).decode(), "filename": filename, "on_match": on_match,
    }  # fmt: skip


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
    background: Annotated[str, Form()] = "",
) -> Response:
    on_match = "skip" if on_match == "skip" else "merge"
    with _refill(on_match):
        if file is None or not file.filename:
            raise Invalid(lazy_gettext("Please choose a file."), field="file")
        data = file.file.read(exchange.MAX_UPLOAD + 1)
        secret = request.app.state.settings.secret
        if background == "1":
            work = _preview_job(_engine(request), user.id, data, file.filename, on_match, secret)
            return _start(user, "preview", work)
        parsed = exchange.parse_file(data, filename=file.filename, locale=user.locale)
    report = exchange.apply(
        session, owner=user, parsed=parsed, dry_run=True, on_match=on_match, secret=secret
    )
    context = _preview_context(report, data, file.filename, on_match)
    return render(request, "contacts/import_preview.html", context)


@router.post("/people/import/save")
async def save(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    # The preview carries the file itself (base64), larger than Starlette's 1 MB default part.
    form = await request.form(max_fields=6, max_part_size=exchange.MAX_UPLOAD * 2)
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
        filename = str(form.get("filename", ""))
        if form.get("background") == "1":
            secret = request.app.state.settings.secret
            work = _import_job(_engine(request), user.id, data, filename, on_match, secret)
            return _start(user, "import", work)
        parsed = await run_in_threadpool(
            exchange.parse_file, data, filename=filename, locale=user.locale
        )
    # Off the event loop: a big import must not make every other request wait.
    await run_in_threadpool(
        exchange.apply, session, owner=user, parsed=parsed, dry_run=False, on_match=on_match,
        secret=request.app.state.settings.secret,
    )  # fmt: skip
    return redirect("/people", flash_key="people_imported")
