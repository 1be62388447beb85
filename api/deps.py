"""Dependencies of the routes: settings, the store, sessions, and the caller's key and role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.job_runner import JobRunner
from api.problems import AuthenticationError, PermissionDeniedError
from api.session import (
    UNSAFE_METHODS,
    csrf_token,
    from_this_site,
    session_cookie,
    session_policy,
    submitted_csrf,
    tokens_match,
)
from api.settings import Settings
from dispatch.errors import FieldError, RequestError
from dispatch.live.wallclock import WallClock
from dispatch.store import (
    Role,
    Store,
    authenticate,
    needs_renewal,
    non_finite,
    renew_session,
    resolve_session,
)
from dispatch.store.models import utcnow
from dispatch.text import MAX_ACTOR, printable

ROLE_MATRIX = """\
| action                                         | admin | dispatcher | planner |
| ---------------------------------------------- | :---: | :--------: | :-----: |
| read plans, jobs, orders, imports, the network |  yes  |    yes     |   yes   |
| plan a full request body (scenario)            |  yes  |    yes     |   yes   |
| plan the stored orders of a date               |  yes  |    yes     |   no    |
| import orders                                  |  yes  |    yes     |   no    |
| cancel a job                                   |  any  |    any     |   own   |
| see, create and revoke driver links            |  yes  |    yes     |   no    |
| publish a plan                                 |  yes  |    yes     |   no    |
| read alerts, notices and the alert rules       |  yes  |    yes     |   yes   |
| change the alert rules, acknowledge alerts     |  yes  |    yes     |   no    |
| replace the network                            |  yes  |     no     |   no    |
| manage API keys, read the audit log            |  yes  |     no     |   no    |
"""
"""What each role may do (keys are sent as ``Authorization: Bearer KEY``). Each role also has
a longest search and a number of unfinished jobs per key (``Settings.max_time_limit_s``,
``Settings.max_open_jobs``)."""


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def get_runner(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.runner
    return runner


async def get_clock(request: Request) -> WallClock:
    clock: WallClock = request.app.state.clock
    return clock


SettingsDep = Annotated[Settings, Depends(get_settings)]
ClockDep = Annotated[WallClock, Depends(get_clock)]
StoreDep = Annotated[Store, Depends(get_store)]
RunnerDep = Annotated[JobRunner, Depends(get_runner)]


def _write_session(store: StoreDep) -> Iterator[Session]:
    with store.write() as session:
        yield session


def _read_session(store: StoreDep) -> Iterator[Session]:
    with store.read() as session:
        yield session


WriteSession = Annotated[Session, Depends(_write_session, scope="function")]
"""A session in one transaction, committed before the response is sent."""
ReadSession = Annotated[Session, Depends(_read_session, scope="function")]

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer KEY`")


@dataclass(frozen=True, slots=True)
class Principal:
    """The holder of the API key a request came with, or the person signed in (``user_id``)."""

    key_id: int | None
    role: Role
    name: str
    user_id: int | None = None

    @property
    def actor(self) -> str:
        """How the audit log names this caller (within the ``created_by`` and ``actor`` columns)."""
        prefix = f"key:{self.key_id}" if self.user_id is None else f"user:{self.user_id}"
        if not self.name:
            return prefix
        return f"{prefix} ({printable(self.name, MAX_ACTOR - len(prefix) - 3)})"

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise PermissionDeniedError(
                f"the {self.role.value} role may not do this (needs {allowed})"
            )


def _by_key(store: Store, secret: str) -> Principal:
    with store.read() as session:
        key = authenticate(session, secret)
        if key is None:
            raise AuthenticationError("unknown or revoked API key")
        return Principal(key.id, key.role, key.name)


def _by_session(store: Store, settings: Settings, token: str) -> Principal:
    """The session's holder; each use moves the session's idle expiry on."""
    now, policy = utcnow(), session_policy(settings)
    with store.read() as session:
        who = resolve_session(session, token, now=now)
    if who is None:
        raise AuthenticationError("the session has ended; sign in again")
    if needs_renewal(who, now=now, policy=policy):
        with store.write() as session:
            renew_session(session, who.session_id, now=now, policy=policy)
    return Principal(who.key_id, who.role, who.name, who.user_id)


async def current_principal(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> Principal:
    """The caller: by the bearer key (programs), else by the session cookie (people); 401
    without either. A request with the cookie that changes something must come from this
    site and carry the session's CSRF token (403 otherwise, before anything is read)."""
    if credentials is not None and credentials.credentials:
        return await run_in_threadpool(_by_key, store, credentials.credentials)
    token = request.cookies.get(session_cookie(settings))
    if not token:
        raise AuthenticationError(
            "an API key (Authorization: Bearer KEY) or a signed-in session is required"
        )
    if request.method in UNSAFE_METHODS:
        if not from_this_site(request):
            raise PermissionDeniedError("a signed-in request must come from this site")
        if not tokens_match(csrf_token(token), await submitted_csrf(request)):
            raise PermissionDeniedError(
                "the CSRF token is missing or wrong: send the form's csrf_token or the "
                "X-CSRF-Token header"
            )
    return await run_in_threadpool(_by_session, store, settings, token)


def finite_body(body: Any) -> None:
    """Refuse NaN and infinite numbers (JSON has none; Python's parser lets them in)."""
    errors = [FieldError("body", path, "is not a finite number") for path in non_finite(body)]
    if errors:
        raise RequestError(errors)


def requires(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting only callers with one of ``roles`` (403 otherwise)."""

    async def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        principal.require(*roles)
        return principal

    return check


Reader = Annotated[Principal, Depends(requires(Role.ADMIN, Role.DISPATCHER, Role.PLANNER))]
Dispatcher = Annotated[Principal, Depends(requires(Role.ADMIN, Role.DISPATCHER))]
Admin = Annotated[Principal, Depends(requires(Role.ADMIN))]


MAX_ID = 2**31 - 1
"""Ids and offsets stay within a 32-bit integer column on every backend."""


@dataclass(frozen=True, slots=True)
class Paging:
    limit: int
    offset: int


def _paging(
    limit: Annotated[int, Query(ge=1, le=500, description="Items per page", examples=[50])] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="Items to skip", examples=[0])] = 0,
) -> Paging:
    return Paging(limit, offset)


PagingDep = Annotated[Paging, Depends(_paging)]

PlanId = Annotated[int, Path(ge=1, le=MAX_ID, description="A plan's id", examples=[1])]
RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="A record's id", examples=[1])]
