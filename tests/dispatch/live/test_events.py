"""Recording a driver's event once: a stored copy is found by its id, another body under the
same id is refused, and an event that does not fit the route is refused before it is stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from dispatch.live.events import (
    EventConflictError,
    EventError,
    RoadEventIn,
    add_road_event,
    record_road_event,
    stored_road_event,
)
from dispatch.store import Store, get_plan, read_plan_document, road_events

NOW = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)


def _event(**body: object) -> RoadEventIn:
    return RoadEventIn.parse(json.dumps(body).encode())


def test_a_new_event_is_stored_once_and_found_by_its_id(store: Store, plan_id: int) -> None:
    event = _event(event_id="e-1", kind="delivered", stop="PP-1")
    with store.write() as session:
        plan = read_plan_document(get_plan(session, plan_id).document)
        assert stored_road_event(session, plan_id, "VAN#1", event) is None
        row = add_road_event(session, plan, plan_id, "VAN#1", event, NOW)
        assert row.orders == ["A-1", "A-2"]
    with store.write() as session:
        found = stored_road_event(session, plan_id, "VAN#1", event)
        assert found is not None
        assert found.id == row.id
        again, created = record_road_event(session, plan, plan_id, "VAN#1", event, NOW)
        assert (again.id, created) == (row.id, False)
        assert [r for r, _ in road_events(session, plan_id)] == [row.id]


def test_another_body_under_a_stored_id_is_a_conflict(store: Store, plan_id: int) -> None:
    with store.write() as session:
        plan = read_plan_document(get_plan(session, plan_id).document)
        record_road_event(
            session, plan, plan_id, "VAN#1", _event(event_id="e-1", kind="arrived", stop="PP-1"),
            NOW,
        )  # fmt: skip
    other = _event(event_id="e-1", kind="arrived", stop="H-1")
    with store.read() as session, pytest.raises(EventConflictError, match="event_id"):
        stored_road_event(session, plan_id, "VAN#1", other)


def test_an_event_off_the_route_is_refused_before_it_is_stored(store: Store, plan_id: int) -> None:
    with store.write() as session:
        plan = read_plan_document(get_plan(session, plan_id).document)
        with pytest.raises(EventError) as refused:
            add_road_event(
                session, plan, plan_id, "VAN#1", _event(kind="arrived", stop="PP-9"), NOW
            )
        assert refused.value.errors[0].field == "stop"
        assert road_events(session, plan_id) == []
