"""Request bodies, refused before they are read: a size limit per route, no credentials no body
on the API, and JSON nested deeper than any real document refused with a clear 422.

Pure ASGI (see app.web.middleware): it runs inside RequestContext, so errors speak the
user's language."""

import re
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.security import SESSION_COOKIE
from app.web import i18n

KB = 1024
MB = 1024 * KB
DEFAULT_LIMIT = 1 * MB
# What each route needs: photos (8 MB, app.contacts.service.PHOTO_MAX_BYTES), contacts imports
# (app.contacts.exchange.MAX_UPLOAD, and the save step that posts the previewed records back),
# event imports (2 MB, app.events.importing.records.MAX_DOCUMENT_BYTES). Room for the multipart
# envelope and the other fields is added.
ROUTE_LIMITS: list[tuple[re.Pattern[str], int]] = [
    (re.compile(r"^/api/v1/contacts/import$"), 11 * MB),
    (re.compile(r"^/people/import(/save)?$"), 11 * MB),
    (re.compile(r"^/api/v1/contacts/[^/]+/photo$"), 9 * MB),
    (re.compile(r"^/(capture|people/[^/]+/edit)$"), 9 * MB),
    (re.compile(r"^(/api/v1)?/events/import(/save)?$"), 3 * MB),
]
MAX_JSON_DEPTH = 64
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def limit_for(path: str) -> int:
    """The largest body a route accepts."""
    for pattern, limit in ROUTE_LIMITS:
        if pattern.match(path):
            return limit
    return DEFAULT_LIMIT


def json_depth(data: bytes) -> int:
    """How deep arrays and objects nest in a JSON text (strings skipped), stopping early."""
    depth = deepest = 0
    for token in _JSON_TOKENS.finditer(data):
        char = token.group()
        if char in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_JSON_DEPTH:
                    return deepest
        elif char in (b"]", b"}"):
            depth -= 1
    return deepest


class BodyGuard:
    """Refuse an oversized body (413) from its Content-Length before reading it, or as soon as
    a body without one grows past the limit; refuse an API write without credentials (401)
    before reading its body; refuse JSON nested too deep (422)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        path = scope["path"]
        declared = request.headers.get("content-length", "")
        has_body = (declared.isdigit() and int(declared) > 0) or (
            "transfer-encoding" in request.headers
        )
        if (
            has_body
            and path.startswith("/api/")
            and not request.headers.get("authorization", "").strip()
            and SESSION_COOKIE not in request.cookies
        ):
            await self._refuse(scope, receive, send, 401, "not_authenticated")
            return
        limit = limit_for(path)
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, 413, "too_large")
            return
        content_type = request.headers.get("content-type", "")
        if "json" in content_type:
            body = await self._read_all(receive, limit)
            if body is None:
                await self._refuse(scope, receive, send, 413, "too_large")
                return
            if json_depth(body) > MAX_JSON_DEPTH:
                await self._refuse(scope, receive, send, 422, "invalid")
                return
            await self.app(scope, _replay(body, receive), send)
            return
        await self.app(scope, _counting(receive, limit), send)

    @staticmethod
    async def _read_all(receive: Receive, limit: int) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, code: str) -> None:
        from app.errors import render_error  # late import: errors render pages

        request = Request(scope)
        locale = scope.get("state", {}).get("locale", i18n.DEFAULT_LOCALE)
        with i18n.use_locale(locale):
            messages = {
                401: i18n.gettext("Please sign in."),
                413: i18n.gettext("This is too large to be sent here."),
                422: i18n.gettext("This data is nested too deeply to be read."),
            }
            extra: dict[str, Any] | None = {"field": None, "errors": []} if status == 422 else None
            response = render_error(request, status, code, messages[status], extra)
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, then the client's own messages (its disconnect, say)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


def _counting(receive: Receive, limit: int) -> Receive:
    size = 0

    async def counted() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise StarletteHTTPException(413)
        return message

    return counted
