"""Browser sessions: the cookie, its CSRF token, where a sign-in may lead, and failed tries.

A session cookie holds a random token (only its hash is stored). Requests that carry the
cookie and change something must also send the session's CSRF token, as the form field
``csrf_token`` or the ``X-CSRF-Token`` header: an HMAC of the session token, so it is bound
to the session, needs no storage, and another site cannot know it. They must also come
from this site (``Sec-Fetch-Site``, ``Origin``). Requests with an API key
(``Authorization: Bearer``) need neither: browsers never add that header by themselves.

The sign-in form has no session yet: it carries a random token that must match the one
in a short-lived pre-session cookie (a double-submit token).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
from collections import deque
from datetime import datetime, timedelta
from threading import Lock
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from api.settings import Settings
from dispatch.store import SessionPolicy
from dispatch.text import bad_character

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SIGN_IN_PATH = "/sign-in"
HOME = "/console"
SIGN_IN_COOKIE_AGE = 3600
"""Seconds the sign-in form's pre-session token lasts."""
MAX_NEXT = 2000


def session_cookie(settings: Settings) -> str:
    """The session cookie's name: ``__Host-`` bound to this host, when sent only over HTTPS."""
    return "__Host-dispatch_session" if settings.cookie_secure else "dispatch_session"


def sign_in_cookie(settings: Settings) -> str:
    """The name of the cookie holding the sign-in form's pre-session token."""
    return "__Host-dispatch_sign_in" if settings.cookie_secure else "dispatch_sign_in"


def session_policy(settings: Settings) -> SessionPolicy:
    return SessionPolicy(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_max_hours),
    )


def set_cookie(
    response: Response, settings: Settings, name: str, value: str, *, max_age: int
) -> None:
    """A host-only, HttpOnly, SameSite=Strict cookie for the whole site."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="strict",
    )


def clear_cookie(response: Response, settings: Settings, name: str) -> None:
    response.delete_cookie(
        name, path="/", secure=settings.cookie_secure, httponly=True, samesite="strict"
    )


def csrf_token(session_token: str) -> str:
    """The CSRF token of a session: HMAC-SHA256 keyed by the session's own token."""
    digest = hmac.new(session_token.encode(), b"dispatch-csrf", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_form_token() -> str:
    """A fresh pre-session token for the sign-in form."""
    return secrets.token_urlsafe(32)


def tokens_match(expected: str, given: str | None) -> bool:
    """Whether ``given`` is ``expected``, compared in constant time."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


async def form_fields(request: Request) -> dict[str, str]:
    """The text fields of an urlencoded or multipart body (parsed once; FastAPI and the
    route see the same parsed form, or the body it was parsed from)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return {}
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def submitted_csrf(request: Request) -> str | None:
    """The CSRF token a request sends: the header, else the form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    return (await form_fields(request)).get(CSRF_FIELD)


def from_this_site(request: Request) -> bool:
    """Whether the browser says the request comes from this site: ``Sec-Fetch-Site`` when
    it is sent (browsers set it, pages cannot); else ``Origin``, when sent, must name this
    host. Requests with neither (programs) pass: the CSRF token still has to match."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("host", "")
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and bool(host) and parts.netloc == host


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path on this site, else the console.

    Refused: absolute and scheme-relative URLs (``//host``, ``/\\host``), control
    characters, and anything that does not start with one ``/``.
    """
    if not value or len(value) > MAX_NEXT or bad_character(value) is not None:
        return HOME
    if not value.startswith("/") or value.startswith(("//", "/\\")) or "\\" in value:
        return HOME
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith(SIGN_IN_PATH):
        return HOME
    return value


def wants_page(request: Request) -> bool:
    """A browser navigating to a page (GET/HEAD asking for HTML), not a program."""
    accept = request.headers.get("accept", "")
    return request.method in ("GET", "HEAD") and "text/html" in accept


def sign_in_redirect(request: Request) -> RedirectResponse:
    """303 to the sign-in page, which leads back to the page asked for."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    query = urlencode({"next": safe_next(target)})
    return RedirectResponse(
        f"{SIGN_IN_PATH}?{query}", status_code=303, headers={"Cache-Control": "no-store"}
    )


class SignInLimiter:
    """Failed sign-ins per (user name, address) in a sliding window; thread-safe, in memory.

    At ``attempts`` failures within ``window`` the pair is refused until the oldest of them
    leaves the window. A success clears the pair.
    """

    MAX_KEYS = 50_000

    def __init__(self, attempts: int, window: timedelta) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[tuple[str, str], deque[datetime]] = {}
        self._lock = Lock()

    def _recent(self, key: tuple[str, str], now: datetime) -> deque[datetime]:
        times = self._failures.get(key, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

    def retry_after(self, key: tuple[str, str], now: datetime) -> int | None:
        """Seconds until ``key`` may try again, or None when it may now."""
        with self._lock:
            times = self._recent(key, now)
            if len(times) < self.attempts:
                return None
            wait = (times[0] + self.window - now).total_seconds()
            return max(1, math.ceil(wait))

    def failed(self, key: tuple[str, str], now: datetime) -> None:
        with self._lock:
            if len(self._failures) >= self.MAX_KEYS:
                self._prune(now)
            times = self._recent(key, now)
            times.append(now)
            self._failures[key] = times

    def succeeded(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _prune(self, now: datetime) -> None:
        for key in list(self._failures):
            if not self._recent(key, now):
                del self._failures[key]
        while len(self._failures) >= self.MAX_KEYS:
            del self._failures[next(iter(self._failures))]
