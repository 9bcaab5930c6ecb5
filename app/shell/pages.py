"""The app shell: today, the offline page, and honest placeholders for what is not built yet."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.deps import CurrentUser, OptionalUser
from app.db import SessionDep, utcnow
from app.events import service as events
from app.web.i18n import lazy_gettext
from app.web.templating import render

router = APIRouter(include_in_schema=False)

# Pages that later features replace; each says honestly what it will do.
COMING = {
    "/follow-ups": (
        lazy_gettext("Follow-ups"),
        lazy_gettext("What you can give to the people you met."),
    ),
}


@router.get("/")
def home(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    if user is None:
        return RedirectResponse("/signin", status_code=303)
    now = utcnow()
    context = {
        "now": now,
        "current": events.current_event(session, owner=user, now=now),
        "upcoming": events.next_event(session, owner=user, now=now),
    }
    return render(request, "shell/home.html", context)


@router.get("/offline")
def offline(request: Request, user: OptionalUser) -> Response:
    return render(request, "shell/offline.html")


def _coming_page(path: str) -> None:
    title, description = COMING[path]

    def page(request: Request, user: CurrentUser) -> Response:
        return render(request, "shell/coming.html", {"title": title, "description": description})

    router.add_api_route(path, page, methods=["GET"], name=f"coming:{path}")


for _path in COMING:
    _coming_page(_path)
