"""Publishing: one current plan per day, and where a superseded plan's links lead."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

import pytest

from dispatch.live.tick import live_plans
from dispatch.planning.plan import Plan
from dispatch.store import (
    ConflictError,
    NotFoundError,
    Store,
    create_driver_link,
    get_plan,
    save_plan,
    start_job,
)
from dispatch.store.models import AuditEntry
from dispatch.store.publishing import (
    current_plan,
    current_plan_id,
    follow_link,
    newest_in_chain,
    publish_plan,
)
from tests.dispatch.store.conftest import PLAN, new_job

DAY = date(2026, 11, 11)
T1 = datetime(2026, 11, 10, 20, 0, tzinfo=UTC)
T2 = datetime(2026, 11, 10, 21, 0, tzinfo=UTC)


def _plan(store: Store, vehicle: str = "VAN#1") -> int:
    """A stored plan of DAY whose one route is ``vehicle``'s."""
    doc = copy.deepcopy(PLAN)
    doc["routes"][0]["vehicle"] = vehicle
    job_id = new_job(store)
    with store.write() as session:
        start_job(session, job_id)
        return save_plan(session, job_id, Plan.model_validate(doc)).id


def test_publishing_supersedes_the_days_previous_plan(store: Store) -> None:
    first, second = _plan(store), _plan(store)
    with store.write() as session:
        assert current_plan(session, DAY) is None
        done = publish_plan(session, first, actor="user:1 (mei)", now=T1)
        assert (done.plan_id, done.superseded) == (first, None)
    with store.write() as session:
        done = publish_plan(session, second, actor="user:1 (mei)", now=T2)
        assert done.superseded == first
    with store.read() as session:
        old, new = get_plan(session, first), get_plan(session, second)
        assert (old.superseded_by, old.superseded_at is not None) == (second, True)
        assert (new.published_by, new.superseded_by) == ("user:1 (mei)", None)
        assert new.published_at is not None
        current = current_plan(session, DAY)
        assert current is not None
        assert current.id == second
        actions = [e.action for e in session.query(AuditEntry).order_by(AuditEntry.id)]
        assert actions.count("plan.publish") == 2


def test_publishing_the_current_plan_again_changes_nothing(store: Store) -> None:
    plan_id = _plan(store)
    with store.write() as session:
        publish_plan(session, plan_id, actor="a", now=T1)
    with store.write() as session:
        again = publish_plan(session, plan_id, actor="b", now=T2)
        assert again.superseded is None
    with store.read() as session:
        record = get_plan(session, plan_id)
        assert record.published_by == "a"
        assert record.published_at is not None
        assert record.published_at.replace(tzinfo=UTC) == T1


def test_a_superseded_plan_cannot_be_published_again(store: Store) -> None:
    first, second = _plan(store), _plan(store)
    with store.write() as session:
        publish_plan(session, first, actor="a", now=T1)
        publish_plan(session, second, actor="a", now=T2)
    with (
        store.write() as session,
        pytest.raises(ConflictError, match=f"superseded by plan {second}"),
    ):
        publish_plan(session, first, actor="a", now=T2)
    with store.write() as session, pytest.raises(NotFoundError):
        publish_plan(session, 9999, actor="a", now=T2)


def test_a_link_follows_the_chain_to_the_newest_plan(store: Store) -> None:
    """VAN#1's link of the first plan leads to the third plan's VAN#1 route; VAN#2's link of
    the second leads to the third plan, which has no route for it."""
    first, second, third = _plan(store), _plan(store, "VAN#2"), _plan(store)
    with store.read() as session:
        unchanged = follow_link(session, first, "VAN#1")
        assert (unchanged.plan_id, unchanged.changed, unchanged.has_route) == (first, False, True)
    for plan_id, at in ((first, T1), (second, T2), (third, T2)):
        with store.write() as session:
            publish_plan(session, plan_id, actor="a", now=at)
    with store.read() as session:
        assert newest_in_chain(session, first) == third
        moved = follow_link(session, first, "VAN#1")
        assert (moved.plan_id, moved.changed, moved.has_route) == (third, True, True)
        gone = follow_link(session, second, "VAN#2")
        assert (gone.plan_id, gone.changed, gone.has_route) == (third, True, False)


def test_a_draft_plans_link_leads_to_the_current_plan_once_there_is_one(store: Store) -> None:
    draft, published = _plan(store), _plan(store)
    with store.read() as session:
        assert follow_link(session, draft, "VAN#1").plan_id == draft
    with store.write() as session:
        publish_plan(session, published, actor="a", now=T1)
    with store.read() as session:
        moved = follow_link(session, draft, "VAN#1")
        assert (moved.plan_id, moved.changed, moved.has_route) == (published, True, True)
        assert follow_link(session, published, "VAN#1").changed is False


def test_an_unpublished_plan_is_not_current(store: Store) -> None:
    plan_id = _plan(store)
    with store.read() as session:
        assert current_plan(session, DAY) is None
        assert get_plan(session, plan_id).published_at is None


def test_the_current_plans_id_is_the_current_plans(store: Store) -> None:
    first, second = _plan(store), _plan(store)
    with store.read() as session:
        assert current_plan_id(session, DAY) is None
    for plan_id, at in ((first, T1), (second, T2)):
        with store.write() as session:
            publish_plan(session, plan_id, actor="a", now=at)
        with store.read() as session:
            current = current_plan(session, DAY)
            assert current is not None
            assert current_plan_id(session, DAY) == current.id == plan_id


def test_a_link_of_a_plan_not_stored_is_not_found(store: Store) -> None:
    with store.read() as session, pytest.raises(NotFoundError):
        follow_link(session, 9999, "VAN#1")


def test_the_tick_leaves_superseded_plans_alone(store: Store) -> None:
    """A superseded plan's links report to the newer plan, so only that one is watched."""
    first, second = _plan(store), _plan(store)
    expires = datetime(2026, 11, 12, 6, 0, tzinfo=UTC)
    with store.write() as session:
        for plan_id in (first, second):
            create_driver_link(session, plan_id, "VAN#1", expires)
    assert _watched(store) == [first, second]
    with store.write() as session:
        publish_plan(session, first, actor="a", now=T1)
        publish_plan(session, second, actor="a", now=T2)
    assert _watched(store) == [second]


def _watched(store: Store) -> list[int]:
    with store.read() as session:
        return live_plans(session, datetime(2026, 11, 11, 3, 0, tzinfo=UTC))
