"""Pages for one's data: /settings/data (export with its progress, restore or merge with a
preview, delete the account after the password and an offer to export first) and erasing a
person, with a confirmation."""

import secrets
import shutil
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import FileResponse, Response
from sqlalchemy import func, select
from sqlmodel import Session

from app.accounts.deps import SESSION_COOKIE, CurrentUser
from app.accounts.models import User
from app.contacts import service as contacts
from app.db import SessionDep, committing_router, metadata
from app.errors import Invalid, NotFound
from app.portability import service
from app.portability.api import restore_file
from app.portability.archive import open_archive
from app.web.forms import refill
from app.web.i18n import lazy_gettext
from app.web.templating import redirect, register_flash, render

router = committing_router(include_in_schema=False)

register_flash(
    "person_erased", lazy_gettext("The person is erased, with all that derived from them.")
)
register_flash("data_restored", lazy_gettext("Your archive is restored."))
register_flash("account_deleted", lazy_gettext("Your account and all its data are deleted."))

FormStr = Annotated[str, Form()]
CONFIRM_DELETE = lazy_gettext("Tick the box to confirm that everything is deleted.")
PREVIEW_GONE = lazy_gettext("This preview has expired. Please choose the archive again.")


def settings_section(request: Request, session: Session, user: User) -> dict[str, Any]:
    """What the settings page shows of one's data: a link to /settings/data."""
    return {"data_page": "/settings/data"}


# ---------------------------------------------------------------- export with progress


@dataclass
class _Job:
    progress: service.Progress
    path: Path
    name: str = "givefirst.zip"


_JOBS: dict[uuid.UUID, _Job] = {}
_LOCK = threading.Lock()


def _exports_dir(request: Request) -> Path:
    directory = Path(tempfile.gettempdir()) / "givefirst-exports"
    directory.mkdir(mode=0o700, exist_ok=True)
    return directory


def _run(request_engine: Any, sources: Any, user_id: uuid.UUID, job: _Job) -> None:
    try:
        manifest = service.build_export(
            request_engine, user_id=user_id, path=job.path, sources=sources,
            progress=job.progress,
        )  # fmt: skip
        job.name = f"givefirst-{manifest['exported_at'][:10]}.zip"
    except Exception:
        job.path.unlink(missing_ok=True)


def _job_of(user: User) -> _Job | None:
    with _LOCK:
        return _JOBS.get(user.id)


def data_context(session: Session, user: User) -> dict[str, Any]:
    counts = {
        name: session.execute(
            select(func.count())
            .select_from(metadata.tables[name])
            .where(metadata.tables[name].c.owner_id == user.id)
        ).scalar_one()
        for name in ("contact", "event", "give")
    }
    return {"job": _job_of(user), "counts": counts}


@router.get("/settings/data")
def data_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    return render(request, "portability/data.html", data_context(session, user))


@router.post("/settings/data/export")
def start_export(request: Request, user: CurrentUser) -> Response:
    with _LOCK:
        job = _JOBS.get(user.id)
        if job is not None and job.progress.state in {"waiting", "building"}:
            return redirect("/settings/data#export")
        if job is not None:
            job.path.unlink(missing_ok=True)
        path = _exports_dir(request) / f"{user.id}-{secrets.token_hex(8)}.zip"
        job = _Job(progress=service.Progress(), path=path)
        _JOBS[user.id] = job
    threading.Thread(
        target=_run,
        args=(request.app.state.engine, request.app.state.wiring.calendar_sources, user.id, job),
        daemon=True,
    ).start()
    return redirect("/settings/data#export")


@router.get("/settings/data/export/download")
def download_export(user: CurrentUser) -> Response:
    job = _job_of(user)
    if job is None or job.progress.state != "ready" or not job.path.exists():
        raise NotFound()
    return FileResponse(job.path, media_type="application/zip", filename=job.name)


# ---------------------------------------------------------------- restore or merge


@dataclass
class _Upload:
    user_id: uuid.UUID
    path: Path
    mode: str


_UPLOADS: dict[str, _Upload] = {}


def _again(user: User) -> Any:
    return lambda session: data_context(session, user)


@router.post("/settings/data/import")
def preview_import(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    file: Annotated[UploadFile | None, File()] = None,
    mode: FormStr = "merge",
) -> Response:
    mode = "restore" if mode == "restore" else "merge"
    with refill("portability/data.html", _again(user), message_key="import_error",
                default_field="file"):  # fmt: skip
        if file is None or not file.filename:
            raise Invalid(lazy_gettext("Please choose a file."), field="file")
        path = _exports_dir(request) / f"upload-{secrets.token_hex(12)}.zip"
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out, 1 << 20)
        try:
            with open_archive(path) as extracted:
                report = service.restore(
                    session, user=user, extracted=extracted, mode=mode, dry_run=True,
                    secret=request.app.state.settings.secret,
                )  # fmt: skip
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    token = secrets.token_urlsafe(18)
    with _LOCK:
        _UPLOADS[token] = _Upload(user_id=user.id, path=path, mode=mode)
    return render(
        request, "portability/preview.html", {"report": report, "token": token, "mode": mode}
    )


@router.post("/settings/data/import/confirm")
def confirm_import(
    request: Request, session: SessionDep, user: CurrentUser, token: FormStr = ""
) -> Response:
    with _LOCK:
        upload = _UPLOADS.pop(token, None)
    with refill("portability/data.html", _again(user), message_key="import_error",
                default_field="file"):  # fmt: skip
        if upload is None or upload.user_id != user.id or not upload.path.exists():
            raise Invalid(PREVIEW_GONE, field="file")
        restore_file(
            session, user=user, path=upload.path, mode=upload.mode, dry_run=False,
            secret=request.app.state.settings.secret,
        )  # fmt: skip
    return redirect("/settings/data", flash_key="data_restored")


# ---------------------------------------------------------------- delete the account


@router.post("/settings/data/delete")
def delete_account(
    session: SessionDep, user: CurrentUser, password: FormStr = "", confirm: FormStr = ""
) -> Response:
    with refill("portability/data.html", _again(user), message_key="delete_error",
                default_field="password"):  # fmt: skip
        if confirm != "yes":
            raise Invalid(CONFIRM_DELETE, field="confirm")
        service.delete_own_account(session, user=user, password=password)
    with _LOCK:
        job = _JOBS.pop(user.id, None)
    if job is not None:
        job.path.unlink(missing_ok=True)
    response = redirect("/signin", flash_key="account_deleted")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# ---------------------------------------------------------------- erase a person


def _derived(session: Session, user: User, contact_id: uuid.UUID) -> dict[str, int]:
    """How many records of each kind erasing this person takes with them."""
    counted: dict[str, int] = {}
    for table in metadata.sorted_tables:
        for column in table.columns:
            if table.name == "contact" or not any(
                key.column.table.name == "contact" for key in column.foreign_keys
            ):
                continue
            total = session.execute(
                select(func.count()).select_from(table).where(column == contact_id)
            ).scalar_one()
            if total:
                counted[table.name] = counted.get(table.name, 0) + total
    return counted


@router.get("/people/{contact_id}/erase")
def erase_page(
    request: Request, session: SessionDep, user: CurrentUser, contact_id: uuid.UUID
) -> Response:
    contact = contacts.get_contact(session, owner=user, contact_id=contact_id)
    context = {"person": contact, "derived": _derived(session, user, contact.id)}
    return render(request, "portability/erase.html", context)


@router.post("/people/{contact_id}/erase")
def erase(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    contact_id: uuid.UUID,
    do_not_bring_back: FormStr = "",
) -> Response:
    service.erase_person(
        session, owner=user, contact_id=contact_id, secret=request.app.state.settings.secret,
        do_not_bring_back=do_not_bring_back == "yes",
    )  # fmt: skip
    return redirect("/people", flash_key="person_erased")
