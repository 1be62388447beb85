"""Driver links, tracking events, API keys and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from dispatch.planning.plan import Plan
from dispatch.store import (
    EventKind,
    NotFoundError,
    Role,
    Store,
    audit,
    authenticate,
    create_driver_link,
    create_key,
    list_audit,
    list_events,
    live_driver_links,
    record_event,
    replace_driver_links,
    resolve_driver_link,
    revoke_driver_links,
    revoke_key,
    save_plan,
    start_job,
)
from dispatch.store.models import ApiKey, DriverLink
from dispatch.store.tokens import token_hash
from tests.dispatch.store.conftest import new_job

LATER = datetime.now(UTC) + timedelta(days=1)


@pytest.fixture
def plan_id(store: Store, plan_doc: Plan) -> int:
    job_id = new_job(store)
    with store.write() as session:
        start_job(session, job_id)
        return save_plan(session, job_id, plan_doc).id


def test_driver_link_resolves_to_its_route(store: Store, plan_id: int) -> None:
    """A live token resolves to (plan, vehicle); only its SHA-256 hash is stored."""
    with store.write() as session:
        token = create_driver_link(session, plan_id, "VAN#1", LATER)
    with store.read() as session:
        assert resolve_driver_link(session, token) == (plan_id, "VAN#1")
        stored = session.scalars(select(DriverLink.token_hash)).all()
    assert len(token) >= 43
    assert stored == [token_hash(token)]


def test_wrong_expired_and_revoked_links_resolve_to_nothing(store: Store, plan_id: int) -> None:
    """A wrong token, an expired link and a revoked link all give None."""
    with store.write() as session:
        expired = create_driver_link(session, plan_id, "VAN#1", datetime.now(UTC) - timedelta(1))
        revoked = create_driver_link(session, plan_id, "VAN#1", LATER)
        live = create_driver_link(session, plan_id, "VAN#1", LATER)
    with store.write() as session:
        assert revoke_driver_links(session, plan_id, "VAN#9") == 0
    with store.read() as session:
        assert resolve_driver_link(session, "not-a-token") is None
        assert resolve_driver_link(session, expired) is None
        assert resolve_driver_link(session, live) is not None
    with store.write() as session:
        assert revoke_driver_links(session, plan_id) == 3
    with store.read() as session:
        assert resolve_driver_link(session, revoked) is None
        assert resolve_driver_link(session, live) is None


def test_links_need_a_route_of_the_plan(store: Store, plan_id: int) -> None:
    with pytest.raises(NotFoundError), store.write() as session:
        create_driver_link(session, plan_id, "TRUCK#7", LATER)


def test_tracking_events_list_oldest_first(store: Store, plan_id: int) -> None:
    """Events are kept per plan, vehicle and stop, and listed in time order."""
    now = datetime.now(UTC)
    with store.write() as session:
        record_event(session, plan_id, "VAN#1", "PP-1", EventKind.DELIVERED, at=now)
        record_event(session, plan_id, "VAN#1", "PP-1", EventKind.ARRIVED,
                     at=now - timedelta(minutes=5))  # fmt: skip
        record_event(session, plan_id, "VAN#1", "PP-1", EventKind.FAILED, reason="nobody",
                     at=now + timedelta(minutes=1))  # fmt: skip
    with store.read() as session:
        page = list_events(session, plan_id, limit=10, offset=0)
    assert [e.kind for e in page.items] == [
        EventKind.ARRIVED,
        EventKind.DELIVERED,
        EventKind.FAILED,
    ]
    assert page.items[0].at.tzinfo is not None


def test_keys_are_stored_hashed_and_can_be_revoked(store: Store) -> None:
    """A key authenticates until revoked; the database holds only its hash."""
    with store.write() as session:
        key, secret = create_key(session, Role.DISPATCHER, "north desk")
    with store.read() as session:
        assert authenticate(session, secret).role is Role.DISPATCHER  # type: ignore[union-attr]
        assert authenticate(session, secret + "x") is None
        assert session.scalar(select(ApiKey.key_hash)) == token_hash(secret)
    with store.write() as session:
        revoke_key(session, key.id)
    with store.read() as session:
        assert authenticate(session, secret) is None


def test_audit_log_lists_newest_first(store: Store) -> None:
    with store.write() as session:
        audit(session, "key:1", "orders.import", "batch:1", stored=3)
        audit(session, "key:1", "plan.request", "job:x")
    with store.read() as session:
        page = list_audit(session, limit=1, offset=0)
    assert page.count == 2
    assert [(e.action, e.detail) for e in page.items] == [("plan.request", {})]


KEY = b"k" * 32


def test_keyed_links_are_listed_again_with_the_key_only(store: Store, plan_id: int) -> None:
    """A link made with the link key is listed with its token under that key, without a
    token under none or another key; the database holds a seed and a hash, not the token."""
    with store.write() as session:
        token = create_driver_link(session, plan_id, "VAN#1", LATER, key=KEY)
        keyless = create_driver_link(session, plan_id, "VAN#1", LATER)
    with store.read() as session:
        listed = live_driver_links(session, plan_id, key=KEY)
        assert [link.token for link in listed] == [token, None]
        assert [link.token for link in live_driver_links(session, plan_id)] == [None, None]
        other = live_driver_links(session, plan_id, key=b"o" * 32)
        assert [link.token for link in other] == [None, None]
        rows = session.scalars(select(DriverLink)).all()
        assert resolve_driver_link(session, keyless) == (plan_id, "VAN#1")
    for row in rows:
        assert token not in (row.token_hash, row.token_seed)
        assert keyless not in (row.token_hash, row.token_seed)


def test_only_live_links_are_listed(store: Store, plan_id: int) -> None:
    """Revoked and expired links are left out of the list."""
    with store.write() as session:
        create_driver_link(session, plan_id, "VAN#1", datetime.now(UTC) - timedelta(1), key=KEY)
        create_driver_link(session, plan_id, "VAN#1", LATER, key=KEY)
        revoke_driver_links(session, plan_id)
        live = create_driver_link(session, plan_id, "VAN#1", LATER, key=KEY)
    with store.read() as session:
        assert [link.token for link in live_driver_links(session, plan_id, key=KEY)] == [live]


def test_new_links_replace_the_live_ones(store: Store, plan_id: int) -> None:
    """Issuing links for a vehicle revokes the links it had."""
    with store.write() as session:
        old = create_driver_link(session, plan_id, "VAN#1", LATER)
    with store.write() as session:
        new = replace_driver_links(session, plan_id, ["VAN#1"], LATER, key=KEY)["VAN#1"]
    with store.read() as session:
        assert resolve_driver_link(session, old) is None
        assert resolve_driver_link(session, new) == (plan_id, "VAN#1")
        assert [link.token for link in live_driver_links(session, plan_id, key=KEY)] == [new]
