"""Signing in and out in the browser, a key exchanged for a session, and the console's start.

``GET /sign-in`` is fixed markup (zh-TW by default, English with ``?lang=en`` or the
browser's Accept-Language) whose form posts to ``POST /sign-in`` with a double-submit
token. A good name and password (or a live API key) start a session: its token goes in an
HttpOnly, SameSite=Strict cookie and the browser is sent to ``next`` (a path on this site)
or ``/console``. Failed tries are limited per user name and address (429 beyond).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from api.deps import Principal, SettingsDep, StoreDep, current_principal
from api.headers import page_csp
from api.problems import AuthenticationError, PermissionDeniedError, problem_responses
from api.session import (
    CSRF_FIELD,
    SIGN_IN_COOKIE_AGE,
    SIGN_IN_PATH,
    SignInLimiter,
    clear_cookie,
    csrf_token,
    form_fields,
    from_this_site,
    new_form_token,
    safe_next,
    session_cookie,
    session_policy,
    set_cookie,
    sign_in_cookie,
    tokens_match,
)
from api.settings import Settings
from api.views.pages import Lang, app_asset_url, choose_lang, page_texts, templates
from dispatch.store import (
    InvalidUserError,
    Role,
    Store,
    audit,
    authenticate,
    authenticate_user,
    end_session,
    purge_sessions,
    resolve_session,
    start_session,
)
from dispatch.store.models import utcnow
from dispatch.store.users import user_name

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PAGE_CSP = page_csp(connect="'none'", form_action="'self'")
PAGE_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Robots-Tag": "noindex, nofollow",
}
"""The pages' headers. Their forms post to this site, so the referrer policy is
``same-origin``: under ``no-referrer`` Chromium sends such posts with ``Origin: null``."""
MAX_FIELD = 1000

router = APIRouter(tags=["session"])


def _texts() -> dict[str, dict[str, Any]]:
    """The page's words per language."""
    return page_texts("session")


def _page(
    template: str, lang: Lang, status: int = 200, headers: dict[str, str] | None = None, **data: Any
) -> HTMLResponse:
    html = (
        templates()
        .get_template(template)
        .render(t=_texts()[lang], lang=lang, base_css=app_asset_url("/static", "base.css"),
                css=app_asset_url("/static", "session/session.css"), **data)
    )  # fmt: skip
    return HTMLResponse(
        html,
        status_code=status,
        headers={**PAGE_HEADERS, "Content-Language": lang, "Vary": "Accept-Language",
                 **(headers or {})},
    )  # fmt: skip


def _limiter(request: Request, settings: Settings) -> SignInLimiter:
    """The app's failed sign-in counter, created on first use."""
    state = request.app.state
    limiter: SignInLimiter | None = getattr(state, "sign_in_limiter", None)
    if limiter is None:
        limiter = state.sign_in_limiter = SignInLimiter(
            settings.sign_in_attempts, timedelta(minutes=settings.sign_in_window_minutes)
        )
    return limiter


def _sign_in_form(
    request: Request,
    settings: Settings,
    lang: Lang,
    next_: str,
    *,
    status: int = 200,
    error: str = "",
    message: str = "",
    username: str = "",
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The sign-in page with a pre-session token (kept from the cookie when there is one)."""
    token = request.cookies.get(sign_in_cookie(settings)) or ""
    if not 32 <= len(token) <= 64:
        token = new_form_token()
    response = _page(
        "sign_in.html", lang, status, headers, csrf=token, next=next_, error=error,
        message=message, username=username[:64],
    )  # fmt: skip
    set_cookie(response, settings, sign_in_cookie(settings), token, max_age=SIGN_IN_COOKIE_AGE)
    return response


@router.get("/sign-in", response_class=HTMLResponse, include_in_schema=False)
def sign_in_page(
    request: Request,
    settings: SettingsDep,
    lang: Annotated[str | None, Query(max_length=16)] = None,
    next_: Annotated[str | None, Query(alias="next", max_length=2000)] = None,
    signed_out: bool = False,
) -> HTMLResponse:
    """The sign-in form."""
    chosen = choose_lang(lang, request.headers.get("accept-language"))
    message = _texts()[chosen]["signed_out"] if signed_out else ""
    return _sign_in_form(request, settings, chosen, safe_next(next_), message=message)


def _start(
    store: Store, settings: Settings, *, name: str, password: str, key: str, old: str | None,
    now: datetime,
) -> str | None:  # fmt: skip
    """A new session's token for the name and password (or the key), or None."""
    with store.write() as session:
        if key:
            api_key = authenticate(session, key)
            if api_key is None:
                return None
            row, token = start_session(
                session, now=now, key=api_key, policy=session_policy(settings)
            )
            actor, target = f"key:{api_key.id}", f"key:{api_key.id}"
        else:
            user = authenticate_user(session, name, password, now=now)
            if user is None:
                return None
            row, token = start_session(session, now=now, user=user, policy=session_policy(settings))
            actor, target = f"user:{user.id} ({user.name})", f"user:{user.id}"
        if old:
            end_session(session, old)
        purge_sessions(session, now=now)
        audit(session, actor, "session.start", target, session_id=row.id)
    return token


def _limit_key(name: str, key: str, address: str) -> tuple[str, str]:
    if key:
        return "(api key)", address
    try:
        return user_name(name), address
    except InvalidUserError:
        return name[:64].casefold(), address


@router.post("/sign-in", include_in_schema=False)
async def sign_in(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """Start a session from the form's name and password, or its API key."""
    fields = {k: v[:MAX_FIELD] for k, v in (await form_fields(request)).items()}
    lang = choose_lang(fields.get("lang"), request.headers.get("accept-language"))
    next_ = safe_next(fields.get("next"))
    name, key = fields.get("username", ""), fields.get("api_key", "").strip()
    texts = _texts()[lang]
    expected = request.cookies.get(sign_in_cookie(settings)) or ""
    if not from_this_site(request) or not tokens_match(expected, fields.get(CSRF_FIELD)):
        return _sign_in_form(request, settings, lang, next_, status=403, error=texts["expired"])
    now = utcnow()
    limiter = _limiter(request, settings)
    address = request.client.host if request.client else ""
    limit_key = _limit_key(name, key, address)
    wait = limiter.retry_after(limit_key, now)
    if wait is not None:
        minutes = str(-(-wait // 60))
        return _sign_in_form(
            request, settings, lang, next_, status=429, username=name,
            error=texts["limited"].format(minutes=minutes), headers={"Retry-After": str(wait)},
        )  # fmt: skip
    token = await run_in_threadpool(
        _start, store, settings, name=name, password=fields.get("password", ""), key=key,
        old=request.cookies.get(session_cookie(settings)), now=now,
    )  # fmt: skip
    if token is None:
        limiter.failed(limit_key, now)
        error = texts["wrong_key"] if key else texts["wrong"]
        return _sign_in_form(request, settings, lang, next_, status=401, error=error, username=name)
    limiter.succeeded(limit_key)
    response = RedirectResponse(next_, status_code=303, headers={"Cache-Control": "no-store"})
    max_age = int(settings.session_max_hours * 3600)
    set_cookie(response, settings, session_cookie(settings), token, max_age=max_age)
    clear_cookie(response, settings, sign_in_cookie(settings))
    return response


def _end(store: Store, token: str) -> None:
    with store.write() as session:
        who = resolve_session(session, token, now=utcnow())
        if end_session(session, token) and who is not None:
            actor = f"user:{who.user_id} ({who.name})" if who.user_id else f"key:{who.key_id}"
            audit(session, actor, "session.end", actor.partition(" ")[0], session_id=who.session_id)


@router.post("/sign-out", include_in_schema=False)
async def sign_out(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """End the session (deleted at once on the server) and go back to the sign-in page."""
    token = request.cookies.get(session_cookie(settings))
    if not token:
        raise AuthenticationError("there is no session to end")
    fields = await form_fields(request)
    given = request.headers.get("x-csrf-token") or fields.get(CSRF_FIELD)
    if not from_this_site(request) or not tokens_match(csrf_token(token), given):
        raise PermissionDeniedError("the CSRF token is missing or wrong")
    await run_in_threadpool(_end, store, token)
    lang = choose_lang(fields.get("lang"), request.headers.get("accept-language"))
    response = RedirectResponse(
        f"{SIGN_IN_PATH}?signed_out=1&lang={lang}",
        status_code=303,
        headers={"Cache-Control": "no-store", "Clear-Site-Data": '"cookies"'},
    )
    clear_cookie(response, settings, session_cookie(settings))
    return response


class SessionStarted(BaseModel):
    """A session for the key: its cookie is set; send ``csrf_token`` with each change."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "role": "dispatcher",
                    "name": "night desk",
                    "csrf_token": "q0fWJ2cY9l3xkQ7bT1mNn5Zr8uVh4sEoPaIdLgCwKyM",
                    "expires_at": "2026-11-18T08:00:00Z",
                }
            ]
        }
    )

    role: Role
    name: str
    csrf_token: str
    expires_at: datetime


@router.post(
    "/session",
    status_code=201,
    response_model=SessionStarted,
    responses=problem_responses(401, 403),
)
def exchange_key(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    who: Annotated[Principal, Depends(current_principal)],
) -> Response:
    """Exchange the API key (`Authorization: Bearer KEY`) for a browser session: the
    response sets the session cookie and gives the CSRF token that changes made with the
    cookie must send (`X-CSRF-Token`). **Roles:** admin, dispatcher, planner."""
    if who.key_id is None or "authorization" not in request.headers:
        raise AuthenticationError("send the API key to exchange: Authorization: Bearer KEY")
    now = utcnow()
    with store.write() as session:
        key = authenticate(session, request.headers["authorization"].partition(" ")[2].strip())
        if key is None:
            raise AuthenticationError("unknown or revoked API key")
        row, token = start_session(session, now=now, key=key, policy=session_policy(settings))
        audit(session, who.actor, "session.start", f"key:{key.id}", session_id=row.id)
        body = SessionStarted(
            role=key.role, name=key.name, csrf_token=csrf_token(token), expires_at=row.expires_at
        )
    response = Response(body.model_dump_json(), status_code=201, media_type="application/json")
    max_age = int(settings.session_max_hours * 3600)
    set_cookie(response, settings, session_cookie(settings), token, max_age=max_age)
    response.headers["Cache-Control"] = "no-store"
    return response
