"""Plan versions: each re-plan names the plan it follows; the newest version, the chain, and
the earlier version's events carried to the new one."""

from __future__ import annotations

from datetime import UTC, datetime

from dispatch.planning.plan import Plan
from dispatch.store import (
    Store,
    carry_events,
    first_version,
    latest_version,
    plan_versions,
    road_events,
    save_plan,
    start_job,
)
from dispatch.store.models import EventKind, TrackingEvent
from tests.dispatch.store.conftest import new_job


def _save(store: Store, plan: Plan, previous: int | None) -> int:
    job_id = new_job(store)
    with store.write() as session:
        start_job(session, job_id)
        return save_plan(session, job_id, plan.model_copy(update={"previous_plan_id": previous})).id


def test_versions_follow_previous_plan_ids(store: Store, plan_doc: Plan) -> None:
    first = _save(store, plan_doc, None)
    second = _save(store, plan_doc, first)
    third = _save(store, plan_doc, second)
    other = _save(store, plan_doc, None)
    with store.read() as session:
        assert latest_version(session, first) == third
        assert latest_version(session, third) == third
        assert latest_version(session, other) == other
        assert first_version(session, third) == first
        assert [p.id for p in plan_versions(session, second)] == [first, second, third]
        assert [p.id for p in plan_versions(session, other)] == [other]


def test_events_are_carried_to_the_new_version_once(store: Store, plan_doc: Plan) -> None:
    first = _save(store, plan_doc, None)
    second = _save(store, plan_doc, first)
    at = datetime(2026, 11, 11, 1, 0, tzinfo=UTC)
    with store.write() as session:
        session.add(TrackingEvent(plan_id=first, vehicle="VAN#1", event_id="e-1",
                                  kind=EventKind.DEPARTED, at=at))  # fmt: skip
    with store.write() as session:
        assert carry_events(session, first, second) == 1
        assert carry_events(session, first, second) == 0
    with store.read() as session:
        carried = [e for _, e in road_events(session, second)]
        assert [(e.event_id, e.vehicle, e.kind.value) for e in carried] == [
            ("e-1", "VAN#1", "departed")
        ]
