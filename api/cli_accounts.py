"""The ``dispatch keys`` and ``dispatch users`` commands: API keys and the people who sign in,
kept in the configured database."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from dispatch.store import Store


def _key_store() -> Store:
    from api.settings import Settings
    from dispatch.store import Store

    store = Store(Settings().database_url)
    store.migrate()
    return store


def _write(change: Callable[[Session], str], done: str) -> int:
    """Run ``change`` in one transaction of the configured store; print ``done`` with what it
    returns, or the store's refusal (exit 2, nothing written)."""
    from dispatch.errors import DispatchError

    store = _key_store()
    try:
        with store.write() as session:
            what = change(session)
    except (DispatchError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        store.dispose()
    print(done.format(what))
    return 0


def cmd_keys_create(args: argparse.Namespace) -> int:
    from dispatch.store import Role, audit, create_key

    store = _key_store()
    with store.write() as session:
        key, secret = create_key(session, Role(args.role), args.name)
        audit(session, "cli", "key.create", f"key:{key.id}", role=args.role)
    store.dispose()
    print(f"created {args.role} key {key.id}; it is not shown again", file=sys.stderr)
    print(secret)
    return 0


def key_name(value: str) -> str:
    from dispatch.text import text_problem

    problem = text_problem(value, 100)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"the name {problem}")
    return value


def cmd_keys_list(args: argparse.Namespace) -> int:
    from dispatch.store import list_keys

    store = _key_store()
    with store.read() as session:
        for key in list_keys(session, limit=10_000, offset=0).items:
            state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "live"
            print(f"{key.id}\t{key.role.value}\t{state}\t{key.name}")
    store.dispose()
    return 0


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    from dispatch.store import audit, revoke_key

    def revoke(session: Session) -> str:
        revoke_key(session, args.id)
        audit(session, "cli", "key.revoke", f"key:{args.id}")
        return str(args.id)

    return _write(revoke, "key {} revoked")


def _read_password(from_stdin: bool) -> str:
    """The new password: the first line of stdin, or typed twice at a prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    password = getpass.getpass("password: ")
    if getpass.getpass("again: ") != password:
        raise ValueError("the two passwords differ")
    return password


def cmd_users_create(args: argparse.Namespace) -> int:
    from dispatch.store import Role, audit, create_user
    from dispatch.store.models import utcnow

    try:
        password = _read_password(args.password_stdin)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    def create(session: Session) -> str:
        user = create_user(session, args.name, password, Role(args.role), now=utcnow())
        audit(session, "cli", "user.create", f"user:{user.id}", role=args.role)
        return user.name

    return _write(create, f"created {args.role} user {{}}")


def cmd_users_list(args: argparse.Namespace) -> int:
    from dispatch.store import list_users

    store = _key_store()
    with store.read() as session:
        for user in list_users(session, limit=10_000, offset=0).items:
            state = f"disabled {user.disabled_at:%Y-%m-%d %H:%M}" if user.disabled_at else "active"
            seen = f"{user.signed_in_at:%Y-%m-%d %H:%M}" if user.signed_in_at else "never"
            print(f"{user.name}\t{user.role.value}\t{state}\tlast sign-in {seen}")
    store.dispose()
    return 0


def cmd_users_disable(args: argparse.Namespace) -> int:
    from dispatch.store import audit, disable_user
    from dispatch.store.models import utcnow

    def disable(session: Session) -> str:
        user = disable_user(session, args.name, now=utcnow())
        audit(session, "cli", "user.disable", f"user:{user.id}")
        return user.name

    return _write(disable, "user {} disabled; their sessions have ended")
