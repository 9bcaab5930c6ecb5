"""People pages: capture, the list, a person, edit, merge, import and export."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
