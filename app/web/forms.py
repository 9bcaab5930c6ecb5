"""Small helpers for HTML forms, whose fields all arrive as strings."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from pydantic import ValidationError

from app.errors import AppError, FormError, Invalid, PageContext
from app.web.i18n import lazy_gettext


def optional_uuid(value: str, field: str) -> uuid.UUID | None:
    """An id from a form field: empty is None, anything else must be a UUID (422 otherwise)."""
    if not value.strip():
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise Invalid(lazy_gettext("Please check this value."), field=field) from None


def invalid_from(error: ValidationError) -> Invalid:
    """A model's validation error as a 422 naming the first field at fault."""
    field = str(error.errors()[0]["loc"][0]) if error.errors() else None
    return Invalid(lazy_gettext("This value is too long."), field=field)


@contextmanager
def refill(
    template: str,
    context: PageContext,
    *,
    message_key: str = "error",
    default_field: str | None = None,
) -> Iterator[None]:
    """Inside it, a refused value shows `template` again (built by `context`) with the reason
    (as `message_key`, and `error_field`); the one error handler renders it after the request's
    session has rolled back, so nothing of the refused request is stored."""
    try:
        yield
    except AppError as error:
        raise FormError(
            error, template=template, context=context, message_key=message_key,
            default_field=default_field,
        ) from error  # fmt: skip
