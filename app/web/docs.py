"""The API documentation at /docs, with Swagger UI served by the app itself (no CDN)."""

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from app.db import committing_router
from app.security import CONTENT_SECURITY_POLICY
from app.web.templating import env, static_url

router = committing_router(include_in_schema=False)

# Swagger UI sets inline style attributes; only this page allows them.
DOCS_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


@router.get("/docs")
def docs(request: Request) -> HTMLResponse:
    html = env.get_template("docs.html").render(script=static_url(request, "js/docs.js"))
    return HTMLResponse(html, headers={"Content-Security-Policy": DOCS_POLICY})


def install_docs(app: FastAPI) -> None:
    """Serve the documentation page and Swagger UI's own files."""
    app.mount("/docs/assets", StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")
    app.include_router(router)
