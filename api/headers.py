"""Security headers: every response refuses MIME sniffing; every HTML page carries a CSP.

A route that sends its own ``Content-Security-Policy`` (the driver page, the plan map, the
API docs) keeps it; any other HTML page (an error page, a future one) gets the strictest
policy, which allows nothing but the page's own markup.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.views.cache import Rendered

STRICT_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
"""The policy of an HTML page that says nothing of its own."""


def page_csp(
    *,
    img: str = "",
    connect: str = "'self'",
    font: str = "",
    style: str = "'self'",
    form_action: str = "'none'",
) -> str:
    """A policy for a page whose scripts (and, by default, styles) come only from this service;
    its forms post nowhere unless ``form_action`` says where (``"'self'"``)."""
    parts = [
        "default-src 'none'",
        "script-src 'self'",
        f"style-src {style}",
        f"img-src 'self' data: {img}".rstrip(),
        f"connect-src {connect}",
        *([f"font-src {font}"] if font else []),
        "base-uri 'none'",
        f"form-action {form_action}",
        "frame-ancestors 'none'",
    ]
    return "; ".join(parts)


class SecurityHeadersMiddleware:
    """Adds ``nosniff`` to every response, and a CSP, frame and referrer rules to HTML."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", STRICT_CSP)
                    headers.setdefault("X-Frame-Options", "DENY")
                    headers.setdefault("Referrer-Policy", "no-referrer")
            await send(message)

        await self.app(scope, receive, secured)


def tile_origin(tiles: str | None) -> str:
    """The origin (``https://*.tile.example``) the background tiles come from; "" for none."""
    if not tiles or tiles.startswith("/"):
        return ""
    parts = urlsplit(tiles)
    return f"{parts.scheme}://{parts.netloc.replace('{s}.', '*.')}"


def driver_page_headers(tiles: str | None) -> dict[str, str]:
    """The driver page's headers: private, never indexed, scripts only from this service."""
    csp = (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        f"img-src 'self' data: {tile_origin(tiles)}".rstrip()
        + "; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    return {
        "Cache-Control": "private, no-cache",
        "Referrer-Policy": "no-referrer",
        "X-Robots-Tag": "noindex, nofollow",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": csp,
    }


def html_response(request: Request, page: Rendered, headers: dict[str, str]) -> Response:
    """A rendered page, gzip-encoded when the client accepts it."""
    vary = ", ".join(v for v in (headers.get("Vary"), "Accept-Encoding") if v)
    headers = {**headers, "Vary": vary}
    html = page.html
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        html = page.gzipped
    return Response(html, media_type="text/html; charset=utf-8", headers=headers)
