"""Give pages: the follow-up lists, a give with its prepared messages, and the give form."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
