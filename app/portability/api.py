"""JSON API for owning one's data: the archive out and in, and deleting the account."""

import os
import tempfile
from pathlib import Path
from typing import Any

from fastapi import Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel
from starlette.background import BackgroundTask

from app.accounts.deps import CurrentUser
from app.db import SessionDep, committing_router
from app.errors import Invalid, error_responses
from app.portability import service
from app.portability.archive import open_archive
from app.web.i18n import lazy_gettext

router = committing_router(prefix="/api/v1", tags=["your data"])

MAX_ARCHIVE = 4_000_000_000
CHOOSE_FILE = lazy_gettext("Please choose an archive made by Givefirst (a .zip file).")
TOO_LARGE = lazy_gettext("This file is too large.")


def archive_name(user_email: str, at: str) -> str:
    return f"givefirst-{at[:10]}.zip"


def export_to_temp(request: Request, user_id: Any) -> tuple[Path, dict[str, Any]]:
    """Build the archive in a private temporary file; the caller sends and removes it."""
    descriptor, name = tempfile.mkstemp(prefix="givefirst-export-", suffix=".zip")
    os.close(descriptor)
    path = Path(name)
    try:
        manifest = service.build_export(
            request.app.state.engine,
            user_id=user_id,
            path=path,
            sources=request.app.state.wiring.calendar_sources,
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, manifest


@router.get(
    "/export",
    response_class=FileResponse,
    responses={200: {"content": {"application/zip": {}}}},
)
def export_archive(request: Request, user: CurrentUser) -> FileResponse:
    """Everything the account holds as one ZIP archive (see the archive format in the docs).
    It is built to a temporary file first: no database transaction stays open while it is
    downloaded."""
    path, manifest = export_to_temp(request, user.id)
    return FileResponse(
        path,
        media_type="application/zip",
        filename=archive_name(user.email, manifest["exported_at"]),
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


ARCHIVE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "mode": {"type": "string", "enum": ["restore", "merge"]},
                        "dry_run": {"type": "boolean"},
                    },
                    "required": ["file"],
                }
            }
        },
    }
}


class KindCountsPublic(BaseModel):
    new: int
    changed: int
    unchanged: int
    conflicts: int


class ConflictPublic(BaseModel):
    table: str
    id: str
    reason: str


class RestoreReportPublic(BaseModel):
    """What a restore or merge did (or, with `dry_run`, would do), per kind of record."""

    mode: str
    dry_run: bool
    counts: dict[str, KindCountsPublic]
    conflicts: list[ConflictPublic]
    upgraded_from: int | None
    ignored_kinds: list[str]


def to_public(report: service.RestoreReport) -> RestoreReportPublic:
    return RestoreReportPublic.model_validate(
        {
            "mode": report.mode,
            "dry_run": report.dry_run,
            "counts": {kind: vars(counts) for kind, counts in report.counts.items()},
            "conflicts": report.conflicts,
            "upgraded_from": report.upgraded_from,
            "ignored_kinds": report.ignored_kinds,
        }
    )


async def save_upload(request: Request) -> tuple[Path, dict[str, str]]:
    """The uploaded archive in a temporary file, and the other fields of the form."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise Invalid(CHOOSE_FILE, field="file")
    form = await request.form(max_files=1, max_fields=5, max_part_size=1_000_000)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise Invalid(CHOOSE_FILE, field="file")
    descriptor, name = tempfile.mkstemp(prefix="givefirst-upload-", suffix=".zip")
    path = Path(name)
    size = 0
    with os.fdopen(descriptor, "wb") as handle:
        while chunk := await upload.read(1 << 20):
            size += len(chunk)
            if size > MAX_ARCHIVE:
                break
            handle.write(chunk)
    if size > MAX_ARCHIVE:
        await run_in_threadpool(path.unlink, missing_ok=True)
        raise Invalid(TOO_LARGE, field="file")
    fields = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    return path, fields


def restore_file(
    session: Any, *, user: Any, path: Path, mode: str, dry_run: bool, secret: str
) -> service.RestoreReport:
    try:
        with open_archive(path) as extracted:
            return service.restore(
                session, user=user, extracted=extracted, mode=mode, dry_run=dry_run, secret=secret
            )
    finally:
        path.unlink(missing_ok=True)


@router.post(
    "/import/archive",
    response_model=RestoreReportPublic,
    openapi_extra=ARCHIVE_BODY,
    responses=error_responses(409),  # a restore into an account that is not empty
)
async def import_archive(
    request: Request, session: SessionDep, user: CurrentUser
) -> RestoreReportPublic:
    """Restore an archive into an empty account (`mode=restore`, the default) or merge it into
    this one (`mode=merge`); `dry_run=true` previews what is new, what would change and what
    conflicts. A broken, tampered, foreign or hostile archive answers 422 with the reason and
    writes nothing."""
    path, fields = await save_upload(request)
    mode = fields.get("mode", "restore")
    dry_run = fields.get("dry_run", "").lower() in {"1", "true", "on", "yes"}
    report = await run_in_threadpool(
        restore_file, session, user=user, path=path, mode=mode, dry_run=dry_run,
        secret=request.app.state.settings.secret,
    )  # fmt: skip
    return to_public(report)


class DeleteAccount(BaseModel):
    password: str = ""


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT)
def delete_me(session: SessionDep, user: CurrentUser, body: DeleteAccount) -> None:
    """Delete the account and all its data, with its password: people, photos, events, gives,
    sessions, tokens and feeds. The calendar link stops answering at once."""
    service.delete_own_account(session, user=user, password=body.password)
