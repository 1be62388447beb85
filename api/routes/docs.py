"""The API documentation: Swagger UI at ``/docs`` and ReDoc at ``/redoc``, served by the service.

The pages are fixed markup; the viewers' files come from the ``fastapi-offline`` package and
their start-up from ``/static/app/docs/``, so the pages run under a CSP without inline script
and need no CDN.
"""

from __future__ import annotations

from functools import cache
from html import escape
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles

from api.headers import page_csp

SWAGGER_UI = Path(str(files("fastapi_offline") / "static"))
SWAGGER_FILES = frozenset(
    {"swagger-ui-bundle.js", "swagger-ui.css", "favicon.png", "redoc.standalone.js"}
)
DOCS_CSP = page_csp(style="'self' 'unsafe-inline'")
"""Swagger UI sets inline styles; the page shows no stored data, and scripts stay ``'self'``."""

router = APIRouter(include_in_schema=False)

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · API</title>
<link rel="icon" href="/static/swagger-ui/favicon.png">
<link rel="stylesheet" href="/static/swagger-ui/swagger-ui.css">
<link rel="stylesheet" href="/static/app/docs/docs.css">
</head>
<body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="/static/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/app/docs/docs.js"></script>
</body>
</html>
"""


@cache
def _swagger_files() -> StaticFiles:
    return StaticFiles(directory=SWAGGER_UI)


def _viewer(request: Request, markup: str, csp: str) -> HTMLResponse:
    """A documentation page: fixed markup naming the app and its OpenAPI URL, under ``csp``."""
    app = request.app
    page = markup.format(title=escape(app.title), openapi=escape(app.openapi_url or ""))
    headers = {"Content-Security-Policy": csp, "Cache-Control": "no-cache",
               "Referrer-Policy": "no-referrer"}  # fmt: skip
    return HTMLResponse(page, headers=headers)


@router.get("/docs", response_class=HTMLResponse)
def docs_page(request: Request) -> Response:
    """Swagger UI for this service's OpenAPI document."""
    return _viewer(request, _PAGE, DOCS_CSP)


_REDOC_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · API reference</title>
<link rel="icon" href="/static/swagger-ui/favicon.png">
<link rel="stylesheet" href="/static/app/docs/docs.css">
</head>
<body>
<div id="redoc" data-openapi="{openapi}"></div>
<script src="/static/swagger-ui/redoc.standalone.js"></script>
<script src="/static/app/docs/redoc.js"></script>
</body>
</html>
"""

REDOC_CSP = page_csp(style="'self' 'unsafe-inline'", img="blob:") + "; worker-src blob:"
"""ReDoc writes its styles inline and searches in a worker made from a blob; scripts stay
``'self'``."""


@router.get("/redoc", response_class=HTMLResponse)
def redoc_page(request: Request) -> Response:
    """ReDoc for this service's OpenAPI document."""
    return _viewer(request, _REDOC_PAGE, REDOC_CSP)


@router.api_route("/static/swagger-ui/{name}", methods=["GET", "HEAD"])
async def swagger_file(name: str, request: Request) -> Response:
    """One of Swagger UI's files, cached for a day (they change with the package)."""
    if name not in SWAGGER_FILES:
        raise HTTPException(status_code=404)
    response = await _swagger_files().get_response(name, request.scope)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
