"""People who sign in, and their browser sessions.

Passwords are kept only as Argon2id hashes (``argon2-cffi``); a hash made with older
parameters is replaced at the next sign-in. A session is a random token held in the
browser's cookie; the database keeps only its SHA-256 hash. A session ends when it has
not been used for ``idle`` or when it is ``absolute`` old, whichever comes first, and at
once when its person is disabled or its key revoked.

Every function that depends on the time takes ``now``, so tests pass their own clock.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from dispatch.store.errors import ConflictError, NotFoundError
from dispatch.store.models import ApiKey, Role, User, UserSession
from dispatch.store.paging import Page, paginate
from dispatch.store.tokens import new_token, token_hash
from dispatch.text import bad_character

MIN_NAME, MAX_NAME = 2, 64
"""A user name's length (the ``users.name`` column)."""
MIN_PASSWORD, MAX_PASSWORD = 10, 256
"""A password's length; the upper bound keeps hashing cheap to refuse."""
SESSION_PREFIX = "ds_"
IDLE = timedelta(hours=8)
"""A session unused this long ends."""
ABSOLUTE = timedelta(days=7)
"""A session ends this long after sign-in, used or not."""
RENEW_AFTER = timedelta(minutes=1)
"""A session's idle expiry moves on at most this often (not a write per request)."""

HASHER = PasswordHasher()
"""Argon2id with the library's recommended parameters (RFC 9106, low memory)."""


class InvalidUserError(ValueError):
    """A user name or password that may not be stored; the message names the field."""


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """How long sessions last."""

    idle: timedelta = IDLE
    absolute: timedelta = ABSOLUTE
    renew_after: timedelta = RENEW_AFTER


def user_name(raw: str) -> str:
    """The name as stored: NFKC-normalised and case-folded, so "Alice" and "ａｌｉｃｅ"
    are one person. Raises :class:`InvalidUserError` naming the field."""
    name = unicodedata.normalize("NFKC", raw).strip().casefold()
    problem = bad_character(name)
    if problem is None and any(c.isspace() for c in name):
        problem = "contains a space; a user name is one word"
    if problem is None and not MIN_NAME <= len(name) <= MAX_NAME:
        problem = f"is {len(name)} characters long; {MIN_NAME} to {MAX_NAME} are allowed"
    if problem is not None:
        raise InvalidUserError(f"name {problem}")
    return name


def check_password(password: str) -> str:
    """The password, if it may be used; raises :class:`InvalidUserError` otherwise."""
    problem = bad_character(password)
    if problem is None and not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        problem = (
            f"is {len(password)} characters long; {MIN_PASSWORD} to {MAX_PASSWORD} are allowed"
        )
    if problem is not None:
        raise InvalidUserError(f"password {problem}")
    return password


def create_user(
    session: Session,
    name: str,
    password: str,
    role: Role,
    *,
    now: datetime,
    hasher: PasswordHasher = HASHER,
) -> User:
    """A new person with ``role``; 409 (:class:`ConflictError`) when the name is taken."""
    stored = user_name(name)
    hashed = hasher.hash(check_password(password))
    if session.scalar(select(User.id).where(User.name == stored)) is not None:
        raise ConflictError(f"user {stored} exists already")
    user = User(name=stored, password_hash=hashed, role=role, created_at=now)
    session.add(user)
    session.flush()
    return user


_DUMMY_HASH = HASHER.hash("not a password of anyone")


def authenticate_user(
    session: Session,
    name: str,
    password: str,
    *,
    now: datetime,
    hasher: PasswordHasher = HASHER,
) -> User | None:
    """The enabled person with this name and password, or None.

    An unknown name costs one hash like a known one, so timing does not tell names apart.
    A hash made with other parameters than ``hasher``'s is replaced.
    """
    try:
        stored = user_name(name)
        check_password(password)
    except InvalidUserError:
        return None
    user = session.scalar(select(User).where(User.name == stored))
    try:
        hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or user.disabled_at is not None:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.signed_in_at = now
    return user


def get_user(session: Session, name: str) -> User:
    try:
        stored = user_name(name)
    except InvalidUserError:
        raise NotFoundError("user", name) from None
    user = session.scalar(select(User).where(User.name == stored))
    if user is None:
        raise NotFoundError("user", stored)
    return user


def disable_user(session: Session, name: str, *, now: datetime) -> User:
    """Stop a person signing in; their sessions end at once."""
    user = get_user(session, name)
    if user.disabled_at is None:
        user.disabled_at = now
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    return user


def list_users(session: Session, *, limit: int, offset: int) -> Page[User]:
    return paginate(session, select(User).order_by(User.id), limit=limit, offset=offset)


def start_session(
    session: Session,
    *,
    now: datetime,
    user: User | None = None,
    key: ApiKey | None = None,
    policy: SessionPolicy = SessionPolicy(),
) -> tuple[UserSession, str]:
    """A new session for a person or an API key: the stored record and the cookie's token."""
    if (user is None) == (key is None):
        raise ValueError("a session belongs to one person or one key")
    token = new_token(SESSION_PREFIX)
    row = UserSession(
        token_hash=token_hash(token),
        user_id=user.id if user else None,
        key_id=key.id if key else None,
        created_at=now,
        last_seen_at=now,
        idle_expires_at=min(now + policy.idle, now + policy.absolute),
        expires_at=now + policy.absolute,
    )
    session.add(row)
    session.flush()
    return row, token


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who a live session belongs to."""

    session_id: int
    role: Role
    name: str
    user_id: int | None
    key_id: int | None
    last_seen_at: datetime
    expires_at: datetime


def resolve_session(session: Session, token: str, *, now: datetime) -> SignedIn | None:
    """Who holds the live session of ``token``, or None when it has ended (by time, or
    because its person is disabled or its key revoked). Nothing is written."""
    row = session.scalar(select(UserSession).where(UserSession.token_hash == token_hash(token)))
    if row is None or now >= row.idle_expires_at or now >= row.expires_at:
        return None
    if row.user_id is not None:
        user = session.get(User, row.user_id)
        if user is None or user.disabled_at is not None:
            return None
        role, name = user.role, user.name
    else:
        key = session.get(ApiKey, row.key_id)
        if key is None or key.revoked_at is not None:
            return None
        role, name = key.role, key.name
    return SignedIn(row.id, role, name, row.user_id, row.key_id, row.last_seen_at, row.expires_at)


def needs_renewal(who: SignedIn, *, now: datetime, policy: SessionPolicy) -> bool:
    """Whether the session was last renewed long enough ago to move its idle expiry on."""
    return now - who.last_seen_at >= policy.renew_after


def renew_session(
    session: Session,
    session_id: int,
    *,
    now: datetime,
    policy: SessionPolicy = SessionPolicy(),
) -> None:
    """Move a session's idle expiry on from ``now`` (never past its absolute expiry)."""
    row = session.get(UserSession, session_id)
    if row is not None:
        row.last_seen_at = now
        row.idle_expires_at = min(now + policy.idle, row.expires_at)


def end_session(session: Session, token: str) -> bool:
    """Delete the session of ``token``; whether there was one."""
    result = session.execute(delete(UserSession).where(UserSession.token_hash == token_hash(token)))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def purge_sessions(session: Session, *, now: datetime) -> int:
    """Delete the sessions that have ended; how many."""
    result = session.execute(
        delete(UserSession).where(
            or_(UserSession.expires_at <= now, UserSession.idle_expires_at <= now)
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
