"""The console's pages: one template environment, its words, its policy and its headers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import Principal
from api.headers import page_csp
from api.session import csrf_token, session_cookie
from api.settings import Settings
from api.views.pages import Lang, app_asset_url, choose_lang, page_texts, templates

CONSOLE_CSP = page_csp(connect="'self'", form_action="'self'")
"""Scripts, styles and calls only to this service; forms post only here."""
HEADERS = {
    "Content-Security-Policy": CONSOLE_CSP,
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Robots-Tag": "noindex, nofollow",
}


def texts(lang: Lang) -> dict[str, Any]:
    """The console's words in ``lang``."""
    return page_texts("console")[lang]


def page_lang(request: Request, lang: str | None = None) -> Lang:
    """``?lang=`` (or the form's ``lang``), else the browser's language; zh-TW by default."""
    return choose_lang(lang, request.headers.get("accept-language"))


def with_lang(path: str, lang: Lang, **query: object) -> str:
    """``path`` with ``lang`` and ``query`` (values that are None left out) as its query."""
    pairs = {k: v for k, v in query.items() if v is not None}
    return f"{path}?{urlencode({**pairs, 'lang': lang})}"


def render(
    request: Request,
    who: Principal,
    settings: Settings,
    template: str,
    *,
    lang: Lang,
    title: str,
    status: int = 200,
    **data: Any,
) -> HTMLResponse:
    """A console page: the signed-in person, navigation and the CSRF token for its forms."""
    token = request.cookies.get(session_cookie(settings))
    by_cookie = token is not None and "authorization" not in request.headers
    t = texts(lang)
    html = templates().get_template(f"console/{template}").render(
        t=t, lang=lang, title=title, who=who, role_label=t[f"role_{who.role.value}"],
        can_dispatch=who.role.value in ("admin", "dispatcher"),
        csrf=csrf_token(token) if token and by_cookie else "",
        base_css=app_asset_url("/static", "base.css"),
        css=app_asset_url("/static", "console/console.css"),
        js=app_asset_url("/static", "console/console.js"),
        path=request.url.path, query=dict(request.query_params), **data,
    )  # fmt: skip
    return HTMLResponse(
        html,
        status_code=status,
        headers={**HEADERS, "Content-Language": lang, "Vary": "Accept-Language"},
    )


def see_other(url: str) -> RedirectResponse:
    """303 to ``url`` (a page of this site) after a form post."""
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})
