"""Typed errors, the one body every API error has (`ErrorBody`, declared in the OpenAPI schema
for each status an operation can answer), and the one handler that renders them as a page or as
JSON."""

import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

from babel.support import LazyProxy
from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DataError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute

from app.web.i18n import gettext as _
from app.web.i18n import lazy_gettext, use_locale

log = logging.getLogger("givefirst")


class AppError(Exception):
    """An error a user can cause: it has a status, a stable code and a translatable message."""

    status_code = 400
    code = "bad_request"
    message = lazy_gettext("Something is wrong with this request.")

    def __init__(
        self, message: str | LazyProxy | None = None, *, field: str | None = None, **params: Any
    ):
        # Messages stay lazy until rendered, in the locale of the request that sees them.
        super().__init__(message if isinstance(message, str) else self.code)
        self.detail_message = message
        self.field = field
        self.params = params

    def detail(self, locale: str | None = None) -> str:
        """The message in the given locale (default: the current one)."""
        if locale is not None:
            with use_locale(locale):
                return self.detail()
        text = str(self.detail_message if self.detail_message is not None else self.message)
        return text % self.params if self.params else text


class NotFound(AppError):
    status_code = 404
    code = "not_found"
    message = lazy_gettext("This page does not exist, or it is not yours.")


class NotAuthenticated(AppError):
    status_code = 401
    code = "not_authenticated"
    message = lazy_gettext("Please sign in.")


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"
    message = lazy_gettext("This request was refused.")


class Conflict(AppError):
    status_code = 409
    code = "conflict"
    message = lazy_gettext("This conflicts with what is already stored.")


class Invalid(AppError):
    """A value the user sent is not acceptable (422, with the field named)."""

    status_code = 422
    code = "invalid"
    message = lazy_gettext("Please check this value.")


class Ambiguous(Invalid):
    """A name that designates several people: the form shows them to choose from (`choices`)."""

    message = lazy_gettext("Several people match: choose one.")

    def __init__(self, *, field: str, choices: list[Any]) -> None:
        super().__init__(field=field)
        self.choices = choices


class TooManyRequests(AppError):
    status_code = 429
    code = "too_many_requests"
    message = lazy_gettext("Too many attempts. Please wait a few minutes and try again.")


class FieldProblem(BaseModel):
    """One refused value of a 422: the field (dotted, without `body.`) and why."""

    field: str
    message: str


class ErrorBody(BaseModel):
    """What every error of the API answers, whatever raised it (nothing else: a new key is
    declared here first)."""

    model_config = ConfigDict(extra="forbid")

    error: str = Field(description="A stable code: not_found, invalid, conflict, …")
    detail: str = Field(description="What went wrong, in the user's language")
    field: str | None = Field(default=None, description="The field a refused value came from")
    errors: list[FieldProblem] | None = Field(
        default=None, description="Each refused value, when the request did not validate"
    )


# What each error status means, as the OpenAPI schema says it.
ERROR_STATUSES: dict[int, str] = {
    400: "The request cannot be read (its body is not what its content type says)",
    401: "Not signed in: a session cookie or `Authorization: Bearer <token>` is needed",
    403: "Refused: an unsafe request signed in by cookie from another site, or not allowed",
    404: "Not found, or not yours",
    409: "Conflicts with what is already stored",
    413: "The request is too large",
    422: "A value is not acceptable: `field` names it",
    429: "Too many attempts: wait a few minutes",
}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: these error statuses, each with the one error body."""
    return {
        status: {"model": ErrorBody, "description": ERROR_STATUSES[status]} for status in statuses
    }


def _depends_on(dependant: Dependant, call: Callable[..., Any]) -> bool:
    return dependant.call is call or any(_depends_on(sub, call) for sub in dependant.dependencies)


def statuses_of(route: APIRoute, *, user: Callable[..., Any]) -> set[int]:
    """The error statuses any API route answers, from what it takes: 401 when it needs a user
    (depends on `user`, the dependency that refuses without one);
    404 when its path names an object; 422 when it takes a parameter, a body, or writes (a value
    the database refuses); 400 and 413 when it takes a body; 403 for an unsafe method (refused
    from another site when signed in by cookie)."""
    dependant = route.dependant
    statuses = {401} if _depends_on(dependant, user) else set()
    if dependant.path_params:
        statuses.add(404)
    unsafe = bool((route.methods or set()) & UNSAFE_METHODS)
    if unsafe or dependant.query_params or dependant.body_params or dependant.header_params:
        statuses.add(422)
    if dependant.body_params or "requestBody" in (route.openapi_extra or {}):
        statuses |= {400, 413}
    if unsafe:
        statuses.add(403)
    return statuses


def declare_errors(app: FastAPI, routes: Iterable[BaseRoute], *, user: Callable[..., Any]) -> None:
    """Declare, on every API operation, the error statuses it can answer, each with `ErrorBody`:
    those every route of its kind answers (`statuses_of`), besides those its own `responses=`
    names (a conflict, too many attempts). FastAPI's own 422 body (`HTTPValidationError`) is not
    what the handler answers: `ErrorBody` replaces it."""
    statuses: dict[tuple[str, str], set[int]] = {}
    for route in routes:
        if isinstance(route, APIRoute) and route.path.startswith("/api/"):
            for method in route.methods or ():
                statuses[(route.path, method.lower())] = statuses_of(route, user=user)
    build = app.openapi
    done: list[dict[str, Any]] = []  # the schema already completed (FastAPI keeps it)

    def openapi() -> dict[str, Any]:
        schema = build()
        if done and done[0] is schema:
            return schema
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(body.pop("$defs", {}))
        components["ErrorBody"] = body
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        ref = {"$ref": "#/components/schemas/ErrorBody"}
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                for status in statuses.get((path, method), set()):
                    responses.setdefault(str(status), {"description": ERROR_STATUSES[status]})
                for status, declared in responses.items():
                    if status.isdigit() and int(status) in ERROR_STATUSES:
                        if declared.get("description") in (None, "Validation Error"):
                            declared["description"] = ERROR_STATUSES[int(status)]
                        declared["content"] = {"application/json": {"schema": ref}}
                operation["responses"] = dict(sorted(responses.items()))
        done[:] = [schema]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


PageContext = Callable[[Session], dict[str, Any]]


class FormError(Exception):
    """A refused form, shown again with what the user typed and the reason.

    Raised by a page route (see `app.web.forms.refill`); the request's session has rolled back by
    the time the one handler renders `template`, so a refused form never stores anything. The
    context is built afterwards, on a fresh read-only session.
    """

    def __init__(
        self,
        error: AppError,
        *,
        template: str,
        context: PageContext,
        message_key: str = "error",
        default_field: str | None = None,
    ) -> None:
        super().__init__(error.code)
        self.error = error
        self.template = template
        self.context = context
        self.message_key = message_key
        self.field = error.field or default_field


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return (
        path.startswith("/api/")
        or path in {"/healthz"}
        or (
            "application/json" in request.headers.get("accept", "")
            and "text/html" not in request.headers.get("accept", "")
        )
    )


def _status_message(status: int) -> str:
    messages = {
        400: _("This request cannot be read. Please check what was sent."),
        401: _("Please sign in."),
        403: _("This request was refused."),
        404: _("This page does not exist, or it is not yours."),
        405: _("This action is not possible here."),
        413: _("This file is too large."),
        429: _("Too many attempts. Please wait a few minutes and try again."),
    }
    return messages.get(
        status, _("Something went wrong on our side. Nothing you sent was lost; please try again.")
    )


def render_error(
    request: Request, status: int, code: str, detail: str, extra: dict[str, Any] | None = None
) -> Response:
    """Answer an error as JSON for the API, or as a friendly page in the user's language."""
    if _wants_json(request):
        body = ErrorBody.model_validate({"error": code, "detail": detail, **(extra or {})})
        return JSONResponse(body.model_dump(mode="json", exclude_unset=True), status_code=status)
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/signin?next={quote(target, safe='')}", status_code=303)
    from app.web.templating import render  # late import: templating imports the error types

    return render(request, "error.html", {"status": status, "detail": detail}, status_code=status)


def _render_form_error(request: Request, exc: FormError) -> Response:
    from app.web.templating import render  # late import: templating imports the error types

    with Session(request.app.state.engine) as session, use_locale(request.state.locale):
        # The user was loaded by the session that rolled back: read it again through this one.
        if (user := getattr(request.state, "user", None)) is not None:
            session.add(user)
        context = exc.context(session)
        context |= {exc.message_key: exc.error.detail(), "error_field": exc.field}
        context["error_choices"] = getattr(exc.error, "choices", [])
        response = render(request, exc.template, context, status_code=exc.error.status_code)
        session.rollback()
    return response


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through one renderer."""

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        with use_locale(request.state.locale):
            extra = {"field": exc.field} if exc.field else None
            return render_error(request, exc.status_code, exc.code, exc.detail(), extra)

    @app.exception_handler(FormError)
    async def _form_error(request: Request, exc: FormError) -> Response:
        return await run_in_threadpool(_render_form_error, request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        with use_locale(request.state.locale):
            code = {
                400: "bad_request",
                401: "not_authenticated",
                404: "not_found",
                405: "method_not_allowed",
                413: "too_large",
            }.get(exc.status_code, "http_error")
            response = render_error(
                request, exc.status_code, code, _status_message(exc.status_code)
            )
            # A 405 says which methods the resource allows (RFC 9110 §15.5.6).
            for name, value in (exc.headers or {}).items():
                response.headers[name] = value
            return response

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        with use_locale(request.state.locale):
            errors = [
                {
                    "field": ".".join(
                        str(part) for part in err["loc"] if part not in ("body", "query", "path")
                    ),
                    "message": err["msg"],
                }
                for err in exc.errors()
            ]
            field = errors[0]["field"] if errors else None
            detail = _("Please check the highlighted fields.")
            return render_error(request, 422, "invalid", detail, {"field": field, "errors": errors})

    @app.exception_handler(DataError)
    async def _data_error(request: Request, exc: DataError) -> Response:
        # A value the database cannot hold (a number out of its range, say): the user's input,
        # not our failure. The request's session has rolled back: nothing was stored.
        log.warning(
            "value refused by the database on %s %s: %s", request.method, request.url.path, exc.orig
        )
        with use_locale(request.state.locale):
            detail = _("A value you sent cannot be stored. Please check what you typed.")
            return render_error(request, 422, "invalid", detail)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        with use_locale(request.state.locale):
            return render_error(request, 500, "server_error", _status_message(500))
