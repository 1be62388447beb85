"""People who sign in: Argon2 password hashes, names, and sessions that expire (given clocks)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from dispatch.store import (
    ConflictError,
    InvalidUserError,
    JobSource,
    Role,
    SessionPolicy,
    Store,
    authenticate_user,
    create_job,
    create_key,
    create_user,
    disable_user,
    end_session,
    list_users,
    needs_renewal,
    open_jobs,
    purge_sessions,
    renew_session,
    resolve_session,
    revoke_key,
    start_session,
)
from dispatch.store.models import User, UserSession

T0 = datetime(2026, 11, 11, 8, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
POLICY = SessionPolicy(idle=timedelta(hours=8), absolute=timedelta(days=7))


def _user(store: Store, name: str = "Alice", role: Role = Role.DISPATCHER) -> int:
    with store.write() as session:
        return create_user(session, name, PASSWORD, role, now=T0).id


def test_the_password_is_kept_only_as_an_argon2id_hash(store: Store) -> None:
    """The stored hash is Argon2id and does not hold the password."""
    user_id = _user(store)
    with store.read() as session:
        user = session.get(User, user_id)
        assert user is not None
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
        assert user.name == "alice"


def test_the_right_password_signs_in_and_others_do_not(store: Store) -> None:
    """A name in any case with its password is the person; a wrong password, an unknown
    name or a disabled person is nobody."""
    _user(store)
    later = T0 + timedelta(hours=1)
    with store.write() as session:
        user = authenticate_user(session, "ALICE", PASSWORD, now=later)
        assert user is not None
        assert user.signed_in_at == later
        assert authenticate_user(session, "alice", PASSWORD + "!", now=later) is None
        assert authenticate_user(session, "bob", PASSWORD, now=later) is None
        assert authenticate_user(session, "alice\x00", PASSWORD, now=later) is None
        disable_user(session, "alice", now=later)
        assert authenticate_user(session, "alice", PASSWORD, now=later) is None


def test_a_hash_with_old_parameters_is_replaced_at_sign_in(store: Store) -> None:
    """A hash made with weaker parameters is rehashed with the current ones on sign-in."""
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    with store.write() as session:
        user_id = create_user(session, "bob", PASSWORD, Role.PLANNER, now=T0, hasher=weak).id
    with store.write() as session:
        old = session.get(User, user_id).password_hash  # type: ignore[union-attr]
        assert weak.check_needs_rehash(old) is False
        assert PasswordHasher().check_needs_rehash(old) is True
        assert authenticate_user(session, "bob", PASSWORD, now=T0) is not None
    with store.read() as session:
        new = session.get(User, user_id).password_hash  # type: ignore[union-attr]
    assert new != old
    assert PasswordHasher().check_needs_rehash(new) is False
    assert PasswordHasher().verify(new, PASSWORD)


@pytest.mark.parametrize(
    ("name", "password", "field"),
    [
        ("a", PASSWORD, "name"),
        ("x" * 65, PASSWORD, "name"),
        ("ali ce", PASSWORD, "name"),
        ("ali\x07ce", PASSWORD, "name"),
        ("alice", "short", "password"),
        ("alice", "p" * 257, "password"),
        ("alice", "long enough\x00but NUL", "password"),
        ("alice", "line\nbreak password", "password"),
    ],
)
def test_names_and_passwords_out_of_bounds_are_refused(
    store: Store, name: str, password: str, field: str
) -> None:
    """Lengths outside the bounds and control characters are refused, naming the field."""
    with store.write() as session, pytest.raises(InvalidUserError, match=f"^{field} "):
        create_user(session, name, password, Role.ADMIN, now=T0)


def test_a_name_is_taken_once_whatever_its_case_or_width(store: Store) -> None:
    """ "Alice" and the full-width "ａｌｉｃｅ" are the same name."""
    _user(store)
    with store.write() as session, pytest.raises(ConflictError):
        create_user(session, "ａｌｉｃｅ", PASSWORD, Role.PLANNER, now=T0)
    with store.read() as session:
        assert [u.name for u in list_users(session, limit=10, offset=0).items] == ["alice"]


def _session(store: Store, user_id: int) -> str:
    with store.write() as session:
        user = session.get(User, user_id)
        _, token = start_session(session, now=T0, user=user, policy=POLICY)
    return token


def test_a_session_ends_after_being_idle(store: Store) -> None:
    """A session unused for the idle time has ended; just before, it is live."""
    token = _session(store, _user(store))
    with store.read() as session:
        who = resolve_session(session, token, now=T0 + POLICY.idle - timedelta(seconds=1))
        assert who is not None
        assert (who.name, who.role) == ("alice", Role.DISPATCHER)
        assert resolve_session(session, token, now=T0 + POLICY.idle) is None
        assert resolve_session(session, "ds_not-a-token", now=T0) is None


def test_use_renews_a_session_but_never_past_its_absolute_expiry(store: Store) -> None:
    """Each use moves the idle expiry on; after the absolute lifetime the session ends."""
    token = _session(store, _user(store))
    now = T0
    while now + timedelta(hours=7) < T0 + POLICY.absolute:
        now += timedelta(hours=7)
        with store.write() as session:
            who = resolve_session(session, token, now=now)
            assert who is not None, now
            assert needs_renewal(who, now=now, policy=POLICY)
            renew_session(session, who.session_id, now=now, policy=POLICY)
    with store.read() as session:
        row = session.scalar(select(UserSession))
        assert row is not None
        assert row.idle_expires_at == T0 + POLICY.absolute
        assert resolve_session(session, token, now=T0 + POLICY.absolute) is None


def test_renewal_is_written_at_most_once_a_minute(store: Store) -> None:
    """A session used again within a minute needs no write."""
    token = _session(store, _user(store))
    with store.read() as session:
        who = resolve_session(session, token, now=T0 + timedelta(seconds=30))
        assert who is not None
        assert not needs_renewal(who, now=T0 + timedelta(seconds=30), policy=POLICY)
        assert needs_renewal(who, now=T0 + timedelta(minutes=1), policy=POLICY)


def test_signing_out_and_disabling_end_sessions(store: Store) -> None:
    """An ended session is gone from the table; disabling a person ends all of theirs."""
    user_id = _user(store)
    first, second, third = (_session(store, user_id) for _ in range(3))
    with store.write() as session:
        assert end_session(session, first) is True
        assert end_session(session, first) is False
        assert resolve_session(session, first, now=T0) is None
        assert resolve_session(session, second, now=T0) is not None
        disable_user(session, "alice", now=T0)
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(UserSession)) == 0
        assert resolve_session(session, third, now=T0) is None


def test_a_key_exchanged_for_a_session_ends_it_when_revoked(store: Store) -> None:
    """A session started with an API key has the key's role, and ends with the key."""
    with store.write() as session:
        key, _ = create_key(session, Role.PLANNER, "laptop")
        _, token = start_session(session, now=T0, key=key, policy=POLICY)
        who = resolve_session(session, token, now=T0)
        assert who is not None
        assert (who.key_id, who.user_id, who.role) == (key.id, None, Role.PLANNER)
        revoke_key(session, key.id)
        assert resolve_session(session, token, now=T0) is None


def test_ended_sessions_are_purged(store: Store) -> None:
    """Purging deletes the sessions that have ended by ``now`` and keeps the live ones."""
    user_id = _user(store)
    _session(store, user_id)
    with store.write() as session:
        user = session.get(User, user_id)
        start_session(session, now=T0 + timedelta(hours=7), user=user, policy=POLICY)
    with store.write() as session:
        assert purge_sessions(session, now=T0 + POLICY.idle) == 1
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(UserSession)) == 1


def test_a_persons_jobs_count_against_them(store: Store) -> None:
    """Jobs asked for by a signed-in person are theirs, not a key's."""
    user_id = _user(store, "carol", Role.PLANNER)
    with store.write() as session:
        create_job(
            session, request={}, plan_date=date(2026, 11, 11), source=JobSource.REQUEST,
            time_limit_s=5, actor=f"user:{user_id} (carol)", user_id=user_id,
        )  # fmt: skip
    with store.write() as session:
        assert len(open_jobs(session, None, user_id)) == 1
        assert open_jobs(session, user_id) == []
