"""Kept link targets: the same answer as following the link afresh, after every change."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from dispatch.planning.plan import Plan
from dispatch.store import (
    Store,
    create_driver_link,
    replace_driver_links,
    resolve_driver_link,
    revoke_driver_links,
    save_plan,
    start_job,
)
from dispatch.store.link_targets import LinkTargets, link_signature
from dispatch.store.publishing import LinkTarget, follow_link, publish_plan
from tests.dispatch.store.conftest import PLAN, new_job

T1 = datetime(2026, 11, 10, 20, 0, tzinfo=UTC)
EXPIRES = datetime(2026, 11, 12, 6, 0, tzinfo=UTC)
BEFORE_EXPIRY = EXPIRES - timedelta(hours=1)


def _plan(store: Store, vehicle: str = "VAN#1", previous: int | None = None) -> int:
    doc = copy.deepcopy(PLAN)
    doc["routes"][0]["vehicle"] = vehicle
    if previous is not None:
        doc["previous_plan_id"] = previous
    job_id = new_job(store)
    with store.write() as session:
        start_job(session, job_id)
        return save_plan(session, job_id, Plan.model_validate(doc)).id


def _link(store: Store, plan_id: int, vehicle: str = "VAN#1") -> str:
    with store.write() as session:
        return create_driver_link(session, plan_id, vehicle, EXPIRES)


def _fresh(store: Store, token: str) -> LinkTarget | None:
    with store.read() as session:
        link = resolve_driver_link(session, token, now=BEFORE_EXPIRY)
        return None if link is None else follow_link(session, *link)


def _kept(store: Store, targets: LinkTargets, token: str) -> LinkTarget | None:
    with store.read() as session:
        return targets.target(session, token, now=BEFORE_EXPIRY)


def test_a_kept_target_follows_publishing_replans_and_revocations(store: Store) -> None:
    targets = LinkTargets()
    first = _plan(store)
    token = _link(store, first)
    other = _link(store, first)
    seen = []

    def check() -> None:
        for t in (token, other):
            assert _kept(store, targets, t) == _fresh(store, t)
        seen.append(_kept(store, targets, token))

    check()
    assert seen[-1] == LinkTarget(first, first, "VAN#1", True)
    second = _plan(store, "VAN#2")
    with store.write() as session:
        publish_plan(session, second, actor="a", now=T1)
    check()
    assert seen[-1] == LinkTarget(first, second, "VAN#1", False)
    replan = _plan(store, "VAN#1", previous=second)
    check()
    assert seen[-1] == LinkTarget(first, replan, "VAN#1", True)
    with store.write() as session:
        revoke_driver_links(session, first)
    check()
    assert seen[-1] is None
    with store.write() as session:
        token = replace_driver_links(session, first, ["VAN#1"], EXPIRES)["VAN#1"]
    check()
    assert seen[-1] == LinkTarget(first, replan, "VAN#1", True)


def test_an_unknown_or_expired_token_leads_nowhere(store: Store) -> None:
    targets = LinkTargets()
    token = _link(store, _plan(store))
    assert _kept(store, targets, "no-such-token") is None
    assert _kept(store, targets, token) is not None
    with store.read() as session:
        assert targets.target(session, token, now=EXPIRES) is None
        assert targets.target(session, token, now=EXPIRES - timedelta(seconds=1)) is not None


def test_the_signature_changes_with_each_fact_a_target_depends_on(store: Store) -> None:
    def signature() -> tuple[int | None, ...]:
        with store.read() as session:
            return link_signature(session)

    seen = [signature()]
    plan_id = _plan(store)
    seen.append(signature())
    _link(store, plan_id)
    seen.append(signature())
    with store.write() as session:
        publish_plan(session, plan_id, actor="a", now=T1)
    seen.append(signature())
    with store.write() as session:
        publish_plan(session, _plan(store), actor="a", now=T1)
    seen.append(signature())
    with store.write() as session:
        revoke_driver_links(session, plan_id)
    seen.append(signature())
    assert len(set(seen)) == len(seen)
