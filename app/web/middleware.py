"""The one middleware every request passes: language, same-origin check, security headers, and
the session cookie when its session slid forward.

Pure ASGI, not `BaseHTTPMiddleware`: under load each of those layers cost a large share of a
cheap request (a task and a memory stream per request and layer)."""

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.security import CONTENT_SECURITY_POLICY, UNSAFE_METHODS, client_scheme, is_same_origin
from app.web import i18n

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(self), geolocation=(), microphone=()",
}
HSTS = "max-age=63072000; includeSubDomains"
KIOSK_COOKIE = "gf_kiosk"
# What kiosk mode leaves open: the form itself, what it needs, and the public pages.
KIOSK_OPEN = ("/card/kiosk", "/static/", "/api/", "/sw.js", "/manifest.webmanifest", "/healthz",
              "/c/", "/left/", "/offline", "/signin")  # fmt: skip


def _locked(request: Request) -> bool:
    path = request.url.path
    return not any(path == prefix or path.startswith(prefix) for prefix in KIOSK_OPEN)


class RequestContext:
    """Sets `request.state.locale`, refuses cross-site unsafe requests made with cookies, and
    adds the language, security and cookie headers to every response."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        state = scope.setdefault("state", {})
        # Before anyone signs in: the language chosen on the page, then the browser's, then French.
        cookie = request.cookies.get("gf_lang")
        state["locale"] = (
            (cookie if cookie in i18n.LOCALES else None)
            or i18n.negotiate(request.headers.get("accept-language"))
            or i18n.DEFAULT_LOCALE
        )
        https = client_scheme(request, self.settings) == "https"
        if (
            request.method in UNSAFE_METHODS
            and not request.headers.get("authorization", "").strip()
            and not is_same_origin(request, self.settings)
        ):
            from app.errors import render_error  # late import: errors render pages

            with i18n.use_locale(state["locale"]):
                refusal = render_error(
                    request,
                    403,
                    "cross_origin",
                    i18n.gettext("This form was sent from another site and was refused."),
                )
            await refusal(scope, receive, self._with_headers(send, state, https))
            return
        if (
            request.method == "GET"
            and request.cookies.get(KIOSK_COOKIE) == "1"
            and _locked(request)
        ):
            # Kiosk mode: a visitor holds the phone; every page of the app leads back to the form.
            locked = Response(status_code=303, headers={"Location": "/card/kiosk"})
            await locked(scope, receive, self._with_headers(send, state, https))
            return
        await self.app(scope, receive, self._with_headers(send, state, https))

    @staticmethod
    def _with_headers(send: Send, state: dict[str, object], https: bool) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
                headers.setdefault("Content-Language", str(state.get("locale")))
                headers.setdefault("Vary", "Accept-Language, Cookie")
                # A session that slid forward sends its cookie again, so the browser keeps it
                # as long (app.accounts.deps), unless the response sets it itself.
                cookie = state.get("renewed_cookie")
                set_cookies = " ".join(headers.getlist("set-cookie"))
                if isinstance(cookie, str) and cookie.split("=", 1)[0] + "=" not in set_cookies:
                    headers.append("set-cookie", cookie)
            await send(message)

        return send_with_headers
