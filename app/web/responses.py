"""JSON answers serialized by the route itself, for the most requested API routes."""

from collections.abc import Sequence

from fastapi import Response
from pydantic import BaseModel


def json_response(content: BaseModel | Sequence[BaseModel], *, status_code: int = 200) -> Response:
    """The model (or list of models) as JSON, serialized on the route's own thread.

    A sync route that returns a model has FastAPI validate it again against `response_model`
    on another worker thread, a hop (and a copy) per request; a model built by the route is
    valid already. The route keeps `response_model` for the API's description."""
    if isinstance(content, BaseModel):
        body = content.model_dump_json().encode()
    else:
        body = b"[" + b",".join(item.model_dump_json().encode() for item in content) + b"]"
    return Response(body, status_code=status_code, media_type="application/json")
